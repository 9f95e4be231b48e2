package compliance

import (
	"fmt"
	"math"
	"net/url"
	"path"
	"strconv"
	"strings"
	"time"

	"github.com/vigil-med/vigil/internal/regulation"
)

// Disclaimer is shown with every scope answer.
const Disclaimer = "This is an orientation based on the EU texts and the national overlay named; it is not legal advice. The national law of your Member State and your authority decide."

// ScopeAnswer is the NIS2 scope check with what follows from it: the category and the reasoning path
// (regulation.ScopeResult, its fields at the top level of the JSON), the input, and the duties,
// deadlines, authorities and registration duties that apply.
type ScopeAnswer struct {
	regulation.ScopeResult
	Input regulation.ScopeInput `json:"input"`
	// Version is the version of the scope rules.
	Version string `json:"version"`
	// Duties, Deadlines and Authorities come from the law data for the category (empty when out of scope).
	Duties      []regulation.Duty         `json:"duties"`
	Deadlines   []regulation.DeadlineRef  `json:"deadlines"`
	Authorities []regulation.AuthorityRef `json:"authorities"`
	// Registration lists the national registration duties of the overlay (when in or possibly in scope).
	Registration []regulation.Item `json:"registration"`
	// Overlay names the national overlay applied ("" when the Member State has none).
	Overlay    string `json:"overlay,omitempty"`
	OverlayLaw string `json:"overlay_law,omitempty"`
	Disclaimer string `json:"disclaimer"`
}

// CheckScope runs the NIS2 scope check with the Member State's overlay (when there is one) and adds what
// follows from the result, with dates relative to at.
func CheckScope(in regulation.ScopeInput, at time.Time) ScopeAnswer {
	var ov *regulation.Overlay
	if o, ok := regulation.OverlayFor(in.MemberState); ok && in.MemberState != "" {
		ov = &o
	}
	as := regulation.Assess(regulation.OrgProfile{Scope: in}, nil, ov, at)
	version, _ := regulation.ScopeVersion()
	ans := ScopeAnswer{ScopeResult: as.Scope, Input: in, Version: version, Disclaimer: Disclaimer,
		Duties: []regulation.Duty{}, Deadlines: []regulation.DeadlineRef{}, Authorities: []regulation.AuthorityRef{}, Registration: []regulation.Item{}}
	for _, la := range as.Organisation {
		if la.Law == "nis2" {
			ans.Duties, ans.Deadlines, ans.Authorities = la.Duties, la.Deadlines, la.Authorities
		}
	}
	if ov != nil {
		ans.Overlay, ans.OverlayLaw = ov.Country, ov.NationalLaw.Name
		if ans.Category != regulation.OutOfScope {
			ans.Registration = append(ans.Registration, ov.Registration...)
		}
	}
	return ans
}

// OverlayFile is where an embedded overlay's data lives in the source tree.
func OverlayFile(country string) string {
	return path.Join("internal/regulation/data/overlays", strings.ToLower(country)+".yaml")
}

// ScopeForm is the NIS2 scope check as typed into a form or a query string: every value a string, so
// that wrong input can be shown back with its error.
type ScopeForm struct {
	EntityType     string `json:"entity_type"`
	Public         string `json:"public"` // yes, no or ""
	Country        string `json:"country"`
	Employees      string `json:"employees"`
	Turnover       string `json:"turnover_eur"`
	Balance        string `json:"balance_sheet_eur"`
	Designated     string `json:"designated"`
	CERCritical    bool   `json:"cer_critical"`
	SoleProvider   bool   `json:"sole_provider"`
	OwnFiguresOnly bool   `json:"own_figures_only"`
}

// ScopeFormFrom reads a form or query string. Parameter names are those of the JSON tags.
func ScopeFormFrom(v url.Values) ScopeForm {
	b := func(k string) bool {
		s := strings.ToLower(v.Get(k))
		return s == "on" || s == "true" || s == "yes" || s == "1"
	}
	return ScopeForm{EntityType: strings.TrimSpace(v.Get("entity_type")), Public: strings.ToLower(strings.TrimSpace(v.Get("public"))),
		Country: strings.TrimSpace(v.Get("country")), Employees: v.Get("employees"), Turnover: v.Get("turnover_eur"),
		Balance: v.Get("balance_sheet_eur"), Designated: strings.ToLower(strings.TrimSpace(v.Get("designated"))),
		CERCritical: b("cer_critical"), SoleProvider: b("sole_provider"), OwnFiguresOnly: b("own_figures_only")}
}

// Empty reports whether nothing was asked yet (no entity type).
func (f ScopeForm) Empty() bool { return f.EntityType == "" }

// Input parses the form. Errors are keyed by the parameter name; empty figures are unknown (-1).
func (f ScopeForm) Input() (regulation.ScopeInput, map[string]string) {
	errs := map[string]string{}
	in := regulation.ScopeInput{Employees: -1, TurnoverEUR: -1, BalanceSheetEUR: -1,
		CERCritical: f.CERCritical, SoleProvider: f.SoleProvider, OwnFiguresOnly: f.OwnFiguresOnly}
	t, err := regulation.ParseEntityType(f.EntityType)
	if err != nil {
		errs["entity_type"] = "Choose the kind of organisation from the list."
	}
	in.EntityType = t
	switch f.Public {
	case "yes", "true", "on", "1", "public":
		in.Public = true
	case "", "no", "false", "0", "private":
	default:
		errs["public"] = "Choose public or private."
	}
	c := strings.ToUpper(f.Country)
	switch {
	case c == "":
	case len(c) == 2 && c[0] >= 'A' && c[0] <= 'Z' && c[1] >= 'A' && c[1] <= 'Z':
		in.MemberState = c
	default:
		errs["country"] = "Give the two-letter code of the country (DE, FR, …)."
	}
	if s := strings.TrimSpace(f.Employees); s != "" {
		v, err := ParseHeadcount(s)
		if err != nil {
			errs["employees"] = err.Error()
		}
		in.Employees = v
	}
	for _, x := range []struct {
		key, s string
		dst    *int64
	}{{"turnover_eur", f.Turnover, &in.TurnoverEUR}, {"balance_sheet_eur", f.Balance, &in.BalanceSheetEUR}} {
		if strings.TrimSpace(x.s) == "" {
			continue
		}
		v, err := ParseAmount(x.s)
		if err != nil {
			errs[x.key] = err.Error()
			continue
		}
		*x.dst = v
	}
	switch f.Designated {
	case "", "no", "none":
	case "essential", "important":
		in.Designated = regulation.Designation(f.Designated)
	default:
		errs["designated"] = "Choose essential, important or not designated."
	}
	return in, errs
}

// ParseHeadcount reads a staff figure in annual work units: "300", "299.5", "299,5", "1 200".
func ParseHeadcount(s string) (float64, error) {
	t := stripSpaces(s)
	if strings.Count(t, ",") == 1 && !strings.Contains(t, ".") && len(t)-strings.Index(t, ",") != 4 {
		t = strings.Replace(t, ",", ".", 1) // decimal comma
	}
	t = strings.ReplaceAll(t, ",", "")
	v, err := strconv.ParseFloat(t, 64)
	if err != nil || v < 0 || math.IsNaN(v) || math.IsInf(v, 0) || v > 10_000_000 {
		return -1, fmt.Errorf("%q is not a number of staff (annual work units, e.g. 300 or 299.5)", strings.TrimSpace(s))
	}
	return v, nil
}

// ParseAmount reads a euro amount as people type it: "40000000", "40 000 000", "40.000.000",
// "40,000,000", "40 m", "40 Mio", "1.5 bn", "€ 40m". Thousands separators are spaces, dots, commas or
// apostrophes; with a unit (k, m, mio, bn) one decimal separator is allowed.
func ParseAmount(s string) (int64, error) {
	bad := fmt.Errorf("%q is not an amount in euro (e.g. 40000000 or 40 m)", strings.TrimSpace(s))
	t := strings.ToLower(stripSpaces(s))
	t = strings.TrimPrefix(strings.TrimSuffix(strings.TrimPrefix(t, "€"), "€"), "eur")
	t = strings.TrimSuffix(t, "eur")
	mult := 1.0
	for _, u := range []struct {
		suffix string
		m      float64
	}{{"million", 1e6}, {"mio.", 1e6}, {"mio", 1e6}, {"mn", 1e6}, {"m", 1e6}, {"bn", 1e9}, {"mrd", 1e9}, {"k", 1e3}, {"tsd", 1e3}} {
		if strings.HasSuffix(t, u.suffix) {
			t, mult = strings.TrimSuffix(t, u.suffix), u.m
			break
		}
	}
	t = strings.ReplaceAll(t, "'", "")
	if t == "" {
		return -1, bad
	}
	if mult > 1 {
		t = strings.Replace(t, ",", ".", 1)
		v, err := strconv.ParseFloat(t, 64)
		if err != nil || v < 0 || v*mult > 1e15 {
			return -1, bad
		}
		return int64(math.Round(v * mult)), nil
	}
	// Without a unit: separators must group thousands.
	digits := strings.NewReplacer(".", "", ",", "").Replace(t)
	if digits != t {
		for i, g := range strings.FieldsFunc(t, func(r rune) bool { return r == '.' || r == ',' }) {
			if (i > 0 && len(g) != 3) || g == "" {
				return -1, bad
			}
		}
	}
	v, err := strconv.ParseInt(digits, 10, 64)
	if err != nil || v < 0 || v > 1e15 {
		return -1, bad
	}
	return v, nil
}

func stripSpaces(s string) string {
	return strings.Map(func(r rune) rune {
		switch r {
		case ' ', '\t', '\u00a0', '\u202f', '\u2009':
			return -1
		}
		return r
	}, s)
}
