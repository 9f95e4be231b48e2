package regulation

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"path"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/vigil-med/vigil/internal/regulation/deadline"
)

// Item is a sourced statement of an overlay.
type Item struct {
	Ref    string `yaml:"ref" json:"ref"`
	Text   string `yaml:"text" json:"text"`
	Status string `yaml:"status" json:"status,omitempty"`
}

// Authority is a national body with a role.
type Authority struct {
	Role   string `yaml:"role" json:"role"`
	Name   string `yaml:"name" json:"name"`
	Ref    string `yaml:"ref" json:"ref,omitempty"`
	URL    string `yaml:"url" json:"url,omitempty"`
	Since  string `yaml:"since" json:"since,omitempty"` // YYYY-MM-DD
	Status string `yaml:"status" json:"status"`
}

// NationalLaw names the transposing act.
type NationalLaw struct {
	Name    string `yaml:"name" json:"name"`
	Short   string `yaml:"short" json:"short"`
	InForce string `yaml:"in_force" json:"in_force,omitempty"` // YYYY-MM-DD
	Status  string `yaml:"status" json:"status"`
}

// OverlayDeadlines adjusts deadline rules for the Member State (keys are deadline ids).
type OverlayDeadlines struct {
	Recipients map[string]string          `yaml:"recipients" json:"recipients,omitempty"`
	Basis      map[string]string          `yaml:"basis" json:"basis,omitempty"`
	Periods    map[string]deadline.Period `yaml:"periods" json:"periods,omitempty"`
	Notes      map[string]string          `yaml:"notes" json:"notes,omitempty"`
}

// Overlay is a Member State's layer over the EU rules: labels, authorities, portal, national law,
// registration duties, extra scope checks, deadline adjustments and public holidays.
type Overlay struct {
	Country       string              `yaml:"country" json:"country"`
	Name          string              `yaml:"name" json:"name"`
	Version       string              `yaml:"version" json:"version"`
	Sources       []string            `yaml:"sources" json:"sources"`
	NationalLaw   NationalLaw         `yaml:"national_law" json:"national_law"`
	Labels        map[Category]string `yaml:"labels" json:"labels"`
	Authorities   []Authority         `yaml:"authorities" json:"authorities"`
	Portals       []Authority         `yaml:"portals" json:"portals"`
	Registration  []Item              `yaml:"registration" json:"registration,omitempty"`
	ScopeToCheck  []Reason            `yaml:"scope_to_check" json:"scope_to_check,omitempty"`
	DeadlineRules OverlayDeadlines    `yaml:"deadlines" json:"deadlines"`
	Holidays      *deadline.Calendar  `yaml:"holidays" json:"holidays,omitempty"`
}

var authorityRoles = []string{"nis2-competent-authority", "nis2-csirt", "nis2-reporting-office", "mdr-competent-authority",
	"gdpr-supervisory-authority", "ehds-market-surveillance", "cra-coordinator-csirt", "nis2-registration-and-reporting"}

// MaxOverlaySize bounds ReadOverlay.
const MaxOverlaySize = 1 << 20

// ReadOverlay reads one overlay (YAML) from r, at most MaxOverlaySize bytes, rejecting unknown fields,
// roles and deadline ids. name is used in errors.
func ReadOverlay(name string, r io.Reader) (Overlay, error) {
	b, err := io.ReadAll(io.LimitReader(r, MaxOverlaySize+1))
	if err != nil {
		return Overlay{}, fmt.Errorf("read overlay %q: %w", name, err)
	}
	if len(b) > MaxOverlaySize {
		return Overlay{}, fmt.Errorf("read overlay %q: too large (more than %d bytes)", name, MaxOverlaySize)
	}
	return parseOverlay(name, b)
}

func parseOverlay(name string, b []byte) (Overlay, error) {
	var o Overlay
	if err := decodeStrict(name, bytes.TrimSpace(b), &o); err != nil {
		return Overlay{}, fmt.Errorf("read overlay: %w", err)
	}
	if err := o.validate(); err != nil {
		return Overlay{}, fmt.Errorf("read overlay %q: %w", name, err)
	}
	o.Country = strings.ToUpper(o.Country)
	return o, nil
}

func (o Overlay) validate() error {
	var errs []error
	if len(o.Country) != 2 {
		errs = append(errs, fmt.Errorf("country: want a two-letter code, got %q", o.Country))
	}
	if o.Version == "" || len(o.Sources) == 0 {
		errs = append(errs, errors.New("version and sources are required"))
	}
	for c := range o.Labels {
		if c != Essential && c != Important {
			errs = append(errs, fmt.Errorf("labels: %q is not essential or important", c))
		}
	}
	for i, a := range append(slices.Clone(o.Authorities), o.Portals...) {
		if !slices.Contains(authorityRoles, a.Role) {
			errs = append(errs, fmt.Errorf("authorities/portals[%d]: role %q unknown", i, a.Role))
		}
		if !validStatus(a.Status) || a.Name == "" {
			errs = append(errs, fmt.Errorf("authorities/portals[%d] (%s): name and status V, S or U are required", i, a.Role))
		}
		if a.Since != "" {
			if _, err := time.Parse(time.DateOnly, a.Since); err != nil {
				errs = append(errs, fmt.Errorf("authorities/portals[%d].since: %w", i, err))
			}
		}
	}
	if o.NationalLaw.Name != "" && !validStatus(o.NationalLaw.Status) {
		errs = append(errs, errors.New("national_law.status: want V, S or U"))
	}
	checkIDs := func(field string, keys []string) {
		for _, k := range keys {
			if _, ok := deadline.RuleByID(k); !ok {
				errs = append(errs, fmt.Errorf("deadlines.%s: unknown deadline id %q", field, k))
			}
		}
	}
	checkIDs("recipients", mapKeys(o.DeadlineRules.Recipients))
	checkIDs("basis", mapKeys(o.DeadlineRules.Basis))
	checkIDs("notes", mapKeys(o.DeadlineRules.Notes))
	periodIDs := make([]string, 0, len(o.DeadlineRules.Periods))
	for k := range o.DeadlineRules.Periods {
		periodIDs = append(periodIDs, k)
	}
	checkIDs("periods", periodIDs)
	if err := o.Holidays.Validate(); err != nil {
		errs = append(errs, err)
	}
	return errors.Join(errs...)
}

func validStatus(s string) bool { return s == "V" || s == "S" || s == "U" }

func mapKeys(m map[string]string) []string {
	ks := make([]string, 0, len(m))
	for k := range m {
		ks = append(ks, k)
	}
	sort.Strings(ks)
	return ks
}

// overlays is loaded on first use, not at program start (every command, vigil scan included, would pay for it).
var overlays = sync.OnceValue(func() map[string]Overlay { return loadOverlays() })

func loadOverlays() map[string]Overlay {
	m := map[string]Overlay{}
	names, err := fs.Glob(dataFS, "data/overlays/*.yaml")
	if err != nil {
		panic("regulation: " + err.Error())
	}
	for _, n := range names {
		b, err := dataFS.ReadFile(n)
		if err != nil {
			panic("regulation: " + err.Error())
		}
		o, err := parseOverlay(n, b)
		if err != nil {
			panic("regulation: embedded " + err.Error())
		}
		if want := strings.ToUpper(strings.TrimSuffix(path.Base(n), ".yaml")); o.Country != want {
			panic(fmt.Sprintf("regulation: embedded %s: country %q does not match the file name", n, o.Country))
		}
		m[o.Country] = o
	}
	return m
}

// Overlays returns the embedded overlays sorted by country code.
func Overlays() []Overlay {
	out := make([]Overlay, 0, len(overlays()))
	for _, o := range overlays() {
		out = append(out, o)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Country < out[j].Country })
	return out
}

// OverlayFor returns the embedded overlay of a Member State (ISO code, case-insensitive; "GR" finds "EL"
// and vice versa).
func OverlayFor(country string) (Overlay, bool) {
	c := strings.ToUpper(strings.TrimSpace(country))
	if o, ok := overlays()[c]; ok {
		return o, true
	}
	alias := map[string]string{"GR": "EL", "EL": "GR"}
	o, ok := overlays()[alias[c]]
	return o, ok
}

// ApplyOverlay returns res with the overlay's national label for its category, the national law and the
// overlay's extra scope checks (national rules the EU check does not model, added whatever the category).
// An out-of-scope or uncertain result gets no label.
func ApplyOverlay(res ScopeResult, o Overlay) ScopeResult {
	res.Reasons = slices.Clone(res.Reasons)
	res.ToCheck = slices.Clone(res.ToCheck)
	res.Country = o.Country
	res.NationalLaw = o.NationalLaw.Name
	res.NationalLabel = o.Labels[res.Category]
	if res.NationalLabel != "" {
		res.Reasons = append(res.Reasons, Reason{o.NationalLaw.Short, fmt.Sprintf("Under %s the entity is a %s.", o.NationalLaw.Short, res.NationalLabel)})
	}
	res.ToCheck = append(res.ToCheck, o.ScopeToCheck...)
	return res
}

// Authority returns the overlay's authority with the given role.
func (o Overlay) Authority(role string) (Authority, bool) {
	for _, a := range append(slices.Clone(o.Authorities), o.Portals...) {
		if a.Role == role {
			return a, true
		}
	}
	return Authority{}, false
}

// Deadlines returns the overlay's deadline adjustments for deadline.Input.National. Notes are appended to
// the national basis text so they reach the deadline.
func (o Overlay) Deadlines() *deadline.National {
	n := &deadline.National{
		Country:    o.Country,
		Recipients: o.DeadlineRules.Recipients,
		Basis:      map[string]string{},
		Periods:    o.DeadlineRules.Periods,
		Holidays:   o.Holidays,
	}
	for k, v := range o.DeadlineRules.Basis {
		n.Basis[k] = v
	}
	for k, v := range o.DeadlineRules.Notes {
		if n.Basis[k] != "" {
			n.Basis[k] += " — " + v
		} else {
			n.Basis[k] = o.Country + ": " + v
		}
	}
	return n
}
