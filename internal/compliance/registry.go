package compliance

import (
	"context"
	"fmt"
	"math"
	"strconv"
	"strings"
	"sync"

	"github.com/vigil-med/vigil/internal/regulation"
	"github.com/vigil-med/vigil/internal/store"
)

// EvidenceProvider draws one kind of automatic evidence from Vigil's data for the organisation of sc. It
// returns ok = false when the organisation has no data for it yet (no devices, no incidents recorded …);
// the evidence is then shown as "no data", never as a bare yes. Evidence returned with ok = true must
// pass regulation.Evidence.Validate: the kind's measure, the date the figures describe (AsOf) and at
// least one defined figure.
type EvidenceProvider func(ctx context.Context, sc *store.Scope) (ev regulation.Evidence, ok bool, err error)

// ProductSource lists an organisation's products for the per-product applicability (MDR/IVDR, CRA,
// EHDS, GDPR and the MDCG 2019-16 matrix filled from MDS2 answers in Product.MDS2). The inventory
// module registers one once its products table exists.
type ProductSource func(ctx context.Context, sc *store.Scope) ([]regulation.Product, error)

// Registry holds the evidence providers by kind and the product source. Modules register theirs once at
// start (internal/app); lookups are safe for concurrent use.
type Registry struct {
	mu        sync.RWMutex
	providers map[regulation.EvidenceKind]EvidenceProvider
	products  ProductSource
}

// Modules expected to provide each kind, for the "not available yet" message.
var expectedModule = map[regulation.EvidenceKind]string{
	regulation.EvidenceAssetInventory:  "inventory",
	regulation.EvidenceVulnHandling:    "vulnerabilities",
	regulation.EvidenceSupplierDisclos: "disclosures",
	regulation.EvidenceTraining:        "training",
	regulation.EvidenceMFA:             "accounts",
	regulation.EvidenceIncidents:       "incidents",
}

// NewRegistry returns a registry with the providers this module implements itself: MFA coverage of
// Vigil's accounts for Art 21(2)(j).
func NewRegistry() *Registry {
	r := &Registry{providers: map[regulation.EvidenceKind]EvidenceProvider{}}
	r.Register(regulation.EvidenceMFA, MFAEvidence)
	return r
}

// Register adds the provider of an evidence kind, replacing an earlier one. It panics for a kind the
// measures catalogue does not define (a wiring mistake, found by the first test that starts the app).
func (r *Registry) Register(kind regulation.EvidenceKind, p EvidenceProvider) {
	if _, ok := regulation.EvidenceKindByName(kind); !ok || p == nil {
		panic(fmt.Sprintf("compliance: Register(%q): unknown evidence kind or nil provider", kind))
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	r.providers[kind] = p
}

// SetProducts sets the source of the organisation's products.
func (r *Registry) SetProducts(ps ProductSource) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.products = ps
}

// Provider returns the provider of a kind.
func (r *Registry) Provider(kind regulation.EvidenceKind) (EvidenceProvider, bool) {
	r.mu.RLock()
	defer r.mu.RUnlock()
	p, ok := r.providers[kind]
	return p, ok
}

// Products lists the organisation's products from the registered source; wired is false (and the list
// empty) while no module provides products.
func (r *Registry) Products(ctx context.Context, sc *store.Scope) (products []regulation.Product, wired bool, err error) {
	r.mu.RLock()
	ps := r.products
	r.mu.RUnlock()
	if ps == nil {
		return []regulation.Product{}, false, nil
	}
	products, err = ps(ctx, sc)
	return products, true, err
}

// Automatic evidence states.
const (
	AutoOK           = "ok"            // figures available
	AutoNoData       = "no-data"       // the provider has no data for the organisation yet
	AutoNotAvailable = "not-available" // no module provides this kind yet
	AutoError        = "error"         // the provider failed or returned invalid evidence
)

// AutoEvidence is the state of one kind of automatic evidence: figures with their date when available,
// otherwise why not.
type AutoEvidence struct {
	Kind     regulation.EvidenceKind `json:"kind"`
	Measure  string                  `json:"measure"` // the measure the kind is defined for
	Text     string                  `json:"text"`
	Status   string                  `json:"status"`
	Evidence *regulation.Evidence    `json:"evidence,omitempty"`
	Message  string                  `json:"message,omitempty"`
	// Snapshot is true for evidence recorded at sign-off (a frozen assessment), false for live figures.
	Snapshot bool `json:"snapshot"`
}

// Lines describes the figures for people: "user accounts in scope: 12", "accounts_mfa / accounts_total: 83 %".
func (a AutoEvidence) Lines() []string {
	if a.Evidence == nil {
		return nil
	}
	return DescribeEvidence(*a.Evidence)
}

// DescribeEvidence prints each figure with the text of its definition and its unit.
func DescribeEvidence(e regulation.Evidence) []string {
	def, _ := regulation.EvidenceKindByName(e.Kind)
	out := make([]string, 0, len(e.Figures))
	for _, f := range e.Figures {
		label := f.Name
		for _, d := range def.Figures {
			if d.Name == f.Name {
				label = d.Text
			}
		}
		out = append(out, label+": "+FormatFigure(f))
	}
	return out
}

// FormatFigure prints a figure's value with its unit.
func FormatFigure(f regulation.Figure) string {
	v := strconv.FormatFloat(f.Value, 'f', -1, 64)
	if f.Value != math.Trunc(f.Value) {
		v = strconv.FormatFloat(f.Value, 'f', 1, 64)
	}
	switch f.Unit {
	case "percent":
		return v + " %"
	case "days":
		if f.Value == 1 {
			return v + " day"
		}
		return v + " days"
	}
	return v
}

// Collect draws every kind of automatic evidence for the organisation, in catalogue order. A provider
// that fails or returns evidence that does not validate is reported with status error; it does not stop
// the others.
func (r *Registry) Collect(ctx context.Context, sc *store.Scope) []AutoEvidence {
	var out []AutoEvidence
	for _, def := range regulation.MeasureCatalogue().EvidenceKinds {
		out = append(out, r.collectOne(ctx, sc, def))
	}
	return out
}

func (r *Registry) collectOne(ctx context.Context, sc *store.Scope, def regulation.EvidenceKindDef) AutoEvidence {
	a := AutoEvidence{Kind: def.Kind, Measure: def.Measure, Text: def.Text}
	p, ok := r.Provider(def.Kind)
	if !ok {
		a.Status = AutoNotAvailable
		a.Message = "Vigil does not draw this evidence yet: the " + expectedModule[def.Kind] + " module provides it once it is in use."
		return a
	}
	ev, ok, err := p(ctx, sc)
	switch {
	case err != nil:
		a.Status, a.Message = AutoError, "could not be computed: "+err.Error()
	case !ok:
		a.Status, a.Message = AutoNoData, "no data recorded in Vigil yet"
	default:
		if verr := ev.Validate(); verr != nil {
			a.Status, a.Message = AutoError, "the figures are not valid: "+strings.ReplaceAll(verr.Error(), "\n", "; ")
			break
		}
		a.Status, a.Evidence = AutoOK, &ev
	}
	return a
}

// MFAEvidence is the provider of mfa-coverage: the share of active Vigil accounts with a second factor
// verified by Vigil (TOTP). Accounts signing in through single sign-on are counted in the total but not
// as MFA, since Vigil cannot see whether the identity provider asked for a second factor; the source
// says so. It covers Vigil's own accounts, not the hospital's whole directory.
func MFAEvidence(ctx context.Context, sc *store.Scope) (regulation.Evidence, bool, error) {
	active, withMFA, sso, err := sc.MFACoverage(ctx)
	if err != nil || active == 0 {
		return regulation.Evidence{}, false, err
	}
	org, err := sc.Organisation(ctx)
	if err != nil {
		return regulation.Evidence{}, false, err
	}
	src := fmt.Sprintf("Vigil user accounts (this application only, not the hospital's directory): %d active, %d with a second factor verified by Vigil, %d signing in through single sign-on (MFA at the identity provider is not visible to Vigil)", active, withMFA, sso)
	if org.RequireMFA {
		src += "; the organisation requires MFA for every Vigil account"
	}
	return regulation.Evidence{
		Kind: regulation.EvidenceMFA, Measure: "nis2.21.2.j", AsOf: store.Now(), Source: src,
		Figures: []regulation.Figure{
			{Name: "accounts_total", Value: float64(active), Unit: "count"},
			{Name: "accounts_mfa", Value: float64(withMFA), Unit: "count"},
			{Name: "coverage", Value: math.Round(1000*float64(withMFA)/float64(active)) / 10, Unit: "percent"},
		},
	}, true, nil
}
