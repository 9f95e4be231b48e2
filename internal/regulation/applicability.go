package regulation

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"
)

// Verdict says whether a law applies.
type Verdict string

// The verdicts.
const (
	Applies      Verdict = "yes"
	DoesNotApply Verdict = "no"
	MayApply     Verdict = "uncertain"
)

// Duty is one obligation with its reference. From is the date it applies from (YYYY-MM-DD, empty when
// already in force); NotYet is set by Assess when From is after the assessment date.
type Duty struct {
	ID     string `yaml:"id" json:"id"`
	Text   string `yaml:"text" json:"text"`
	Ref    string `yaml:"ref" json:"ref"`
	Status string `yaml:"status" json:"status"`
	From   string `yaml:"from" json:"from,omitempty"`
	NotYet bool   `yaml:"-" json:"not_yet,omitempty"`
}

// DeadlineRef names a deadline that the law sets; ids shared with package deadline compute there.
type DeadlineRef struct {
	ID     string `yaml:"id" json:"id"`
	Text   string `yaml:"text" json:"text"`
	Period string `yaml:"period" json:"period"`
	Ref    string `yaml:"ref" json:"ref"`
}

// KeyDate is a dated milestone of a law.
type KeyDate struct {
	Date   string `yaml:"date" json:"date"`
	Text   string `yaml:"text" json:"text"`
	Status string `yaml:"status" json:"status"`
	Passed bool   `yaml:"-" json:"passed"`
}

// AuthorityRef is the authority for a role: the generic EU description, and the national name when an
// overlay supplies one.
type AuthorityRef struct {
	Role   string `yaml:"role" json:"role"`
	Text   string `yaml:"text" json:"text"`
	Ref    string `yaml:"ref" json:"ref"`
	Name   string `yaml:"-" json:"name,omitempty"`
	Portal string `yaml:"-" json:"portal,omitempty"`
}

// LawApplicability says whether one law applies, in which role, and what follows.
type LawApplicability struct {
	Law         string         `json:"law"` // nis2, mdr, ivdr, cra, ehds, gdpr
	Name        string         `json:"name"`
	Ref         string         `json:"ref"`
	Applies     Verdict        `json:"applies"`
	Roles       []string       `json:"roles"`
	Reasons     []Reason       `json:"reasons"`
	Duties      []Duty         `json:"duties"`
	Deadlines   []DeadlineRef  `json:"deadlines"`
	Dates       []KeyDate      `json:"dates"`
	Authorities []AuthorityRef `json:"authorities"`
	ToCheck     []Reason       `json:"to_check"`
}

// OrgProfile is what Assess needs to know about the organisation.
type OrgProfile struct {
	Scope ScopeInput `json:"scope"`
	// Manufacturer is true when the organisation places medical devices, IVDs or other products on the
	// market (also true for the manufacturer entity types of the scope check).
	Manufacturer bool `json:"manufacturer"`
	// PersonalData, HealthData and LargeScaleHealthData describe the organisation's own processing.
	PersonalData         bool `json:"personal_data"`
	HealthData           bool `json:"health_data"`
	LargeScaleHealthData bool `json:"large_scale_health_data"`
}

// Product describes one product for Assess. Unknown facts are false; the verdict then says what to check.
type Product struct {
	ID   string `json:"id"`
	Name string `json:"name"`
	// Own is true when the organisation is the product's manufacturer; false when it uses it.
	Own           bool   `json:"own"`
	MedicalDevice bool   `json:"medical_device"` // MDR Art 2(1)
	MDRClass      string `json:"mdr_class"`      // I, IIa, IIb, III
	IVD           bool   `json:"ivd"`            // IVDR Art 2(2)
	IVDRClass     string `json:"ivdr_class"`     // A, B, C, D
	// DigitalElements and DataConnection decide the CRA scope (Art 2(1)): software or hardware with a
	// direct or indirect data connection to a device or network.
	DigitalElements bool `json:"digital_elements"`
	DataConnection  bool `json:"data_connection"`
	// EHRSystem: EHDS Art 2(2)(k); ClaimsEHRInteroperability: a device that claims interoperability (Art 27).
	EHRSystem                 bool `json:"ehr_system"`
	ClaimsEHRInteroperability bool `json:"claims_ehr_interoperability"`
	PersonalData              bool `json:"personal_data"`
	HealthData                bool `json:"health_data"`
	// PlacedOnMarket (YYYY-MM-DD) and SubstantiallyModified apply CRA Art 69(2).
	PlacedOnMarket        string `json:"placed_on_market,omitempty"`
	SubstantiallyModified bool   `json:"substantially_modified"`
	// MDS2 holds the product's MDS2 answers (question id -> yes/no/na/see-note/text/"") for the matrix.
	MDS2 map[string]string `json:"mds2,omitempty"`
}

// ProductAssessment is the result for one product.
type ProductAssessment struct {
	ProductID string             `json:"product_id"`
	Name      string             `json:"name"`
	Laws      []LawApplicability `json:"laws"`
	// Responsibilities is the MDCG 2019-16 matrix, for medical devices and IVDs.
	Responsibilities *Matrix `json:"responsibilities,omitempty"`
}

// Assessment is the result of Assess.
type Assessment struct {
	Version      string              `json:"version"`
	Country      string              `json:"country,omitempty"`
	At           string              `json:"at,omitempty"` // YYYY-MM-DD
	Scope        ScopeResult         `json:"scope"`
	Organisation []LawApplicability  `json:"organisation"`
	Products     []ProductAssessment `json:"products"`
}

type roleSpec struct {
	Duties      []Duty         `yaml:"duties"`
	Deadlines   []DeadlineRef  `yaml:"deadlines"`
	Authorities []AuthorityRef `yaml:"authorities"`
}

type classDuty struct {
	Class  string `yaml:"class"`
	ID     string `yaml:"id"`
	Text   string `yaml:"text"`
	Ref    string `yaml:"ref"`
	Status string `yaml:"status"`
}

type lawSpec struct {
	ID          string              `yaml:"id"`
	Name        string              `yaml:"name"`
	Ref         string              `yaml:"ref"`
	Dates       []KeyDate           `yaml:"dates"`
	Roles       map[string]roleSpec `yaml:"roles"`
	ClassDuties []classDuty         `yaml:"class_duties"`
}

type lawsData struct {
	Version string    `yaml:"version"`
	Sources []string  `yaml:"sources"`
	Laws    []lawSpec `yaml:"laws"`
}

// laws is loaded on first use, not at program start (every command, vigil scan included, would pay for it).
var laws = sync.OnceValue(func() lawsData { return loadLaws() })

func loadLaws() lawsData {
	var d lawsData
	mustDecode("data/laws.yaml", &d)
	var errs []error
	for _, l := range d.Laws {
		for rn, r := range l.Roles {
			for _, du := range r.Duties {
				if du.ID == "" || du.Text == "" || du.Ref == "" || !validStatus(du.Status) {
					errs = append(errs, fmt.Errorf("%s.%s: duty %q needs id, text, ref and status V/S/U", l.ID, rn, du.ID))
				}
				if du.From != "" {
					if _, err := time.Parse(time.DateOnly, du.From); err != nil {
						errs = append(errs, fmt.Errorf("%s.%s: duty %s: from: %w", l.ID, rn, du.ID, err))
					}
				}
			}
			for _, a := range r.Authorities {
				if !slices.Contains(authorityRoles, a.Role) {
					errs = append(errs, fmt.Errorf("%s.%s: authority role %q unknown", l.ID, rn, a.Role))
				}
			}
		}
		for _, k := range l.Dates {
			if _, err := time.Parse(time.DateOnly, k.Date); err != nil {
				errs = append(errs, fmt.Errorf("%s: date %q: %w", l.ID, k.Date, err))
			}
		}
	}
	if err := errors.Join(errs...); err != nil {
		panic("regulation: embedded data/laws.yaml: " + err.Error())
	}
	return d
}

func lawByID(id string) lawSpec {
	for _, l := range laws().Laws {
		if l.ID == id {
			return l
		}
	}
	panic("regulation: law " + id + " missing from data/laws.yaml")
}

// assembler builds one LawApplicability from the data.
type assembler struct {
	overlay *Overlay
	at      time.Time
}

func (a assembler) start(id string) LawApplicability {
	l := lawByID(id)
	la := LawApplicability{Law: l.ID, Name: l.Name, Ref: l.Ref, Applies: DoesNotApply, Roles: []string{}, Reasons: []Reason{},
		Duties: []Duty{}, Deadlines: []DeadlineRef{}, Dates: []KeyDate{}, Authorities: []AuthorityRef{}, ToCheck: []Reason{}}
	for _, d := range l.Dates {
		d.Passed = !a.at.IsZero() && !a.at.Before(mustDate(d.Date))
		la.Dates = append(la.Dates, d)
	}
	return la
}

func mustDate(s string) time.Time {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		panic(err)
	}
	return t
}

// role adds a role's duties, deadlines and authorities (deduplicated by id/role).
func (a assembler) role(la *LawApplicability, role string) {
	r, ok := lawByID(la.Law).Roles[role]
	if !ok {
		panic("regulation: role " + role + " missing for " + la.Law)
	}
	la.Roles = append(la.Roles, role)
	for _, d := range r.Duties {
		if slices.ContainsFunc(la.Duties, func(x Duty) bool { return x.ID == d.ID }) {
			continue
		}
		d.NotYet = d.From != "" && !a.at.IsZero() && a.at.Before(mustDate(d.From))
		la.Duties = append(la.Duties, d)
	}
	for _, d := range r.Deadlines {
		if !slices.ContainsFunc(la.Deadlines, func(x DeadlineRef) bool { return x.ID == d.ID }) {
			la.Deadlines = append(la.Deadlines, d)
		}
	}
	for _, au := range r.Authorities {
		if slices.ContainsFunc(la.Authorities, func(x AuthorityRef) bool { return x.Role == au.Role }) {
			continue
		}
		if a.overlay != nil {
			if n, ok := a.overlay.Authority(au.Role); ok {
				au.Name = n.Name
			}
			if au.Role == "nis2-competent-authority" || au.Role == "nis2-csirt" {
				if p, ok := a.overlay.Authority("nis2-registration-and-reporting"); ok {
					au.Portal = p.Name
				}
				if au.Role == "nis2-csirt" && au.Name == "" {
					if n, ok := a.overlay.Authority("nis2-reporting-office"); ok {
						au.Name = n.Name
					}
				}
			}
		}
		la.Authorities = append(la.Authorities, au)
	}
}

func (a assembler) classDuties(la *LawApplicability, class string) {
	for _, c := range lawByID(la.Law).ClassDuties {
		if strings.EqualFold(c.Class, class) {
			la.Duties = append(la.Duties, Duty{ID: c.ID, Text: c.Text, Ref: c.Ref, Status: c.Status})
		}
	}
}

// Assess decides which of NIS2, MDR, IVDR, CRA, EHDS and GDPR apply to the organisation and to each
// product, with the duties, deadlines, dates and authorities of each, and the MDCG 2019-16 responsibility
// matrix for each medical device or IVD. overlay (may be nil) names national authorities and labels the
// NIS2 result; at (may be zero) marks dates passed and duties not yet in force.
func Assess(org OrgProfile, products []Product, overlay *Overlay, at time.Time) Assessment {
	a := assembler{overlay: overlay, at: at}
	out := Assessment{Version: laws().Version, Organisation: []LawApplicability{}, Products: []ProductAssessment{}}
	if !at.IsZero() {
		out.At = at.Format(time.DateOnly)
	}
	scope := Scope(org.Scope)
	if overlay != nil {
		scope = ApplyOverlay(scope, *overlay)
		out.Country = overlay.Country
	}
	out.Scope = scope
	out.Organisation = append(out.Organisation, a.nis2(org, scope), a.gdprOrg(org))
	manufacturer := org.Manufacturer || slices.Contains([]EntityType{MedicalDeviceManufacturer, IVDManufacturer, CriticalMedicalDeviceManufacturer}, org.Scope.EntityType)
	for _, p := range products {
		pa := ProductAssessment{ProductID: p.ID, Name: p.Name, Laws: []LawApplicability{
			a.mdr(p, manufacturer), a.ivdr(p, manufacturer), a.cra(p), a.ehds(p), a.gdprProduct(p),
		}}
		if p.MedicalDevice || p.IVD {
			m := Responsibilities(p.MDS2)
			pa.Responsibilities = &m
		}
		out.Products = append(out.Products, pa)
	}
	return out
}

func (a assembler) nis2(org OrgProfile, s ScopeResult) LawApplicability {
	la := a.start("nis2")
	la.Reasons = append(la.Reasons, s.Reasons...)
	la.ToCheck = append(la.ToCheck, s.ToCheck...)
	switch s.Category {
	case Essential, Important:
		la.Applies = Applies
		a.role(&la, "entity")
		a.role(&la, string(s.Category))
	case Uncertain:
		la.Applies = MayApply
		a.role(&la, "entity")
	}
	if la.Applies != DoesNotApply && (org.Scope.EntityType == CloudProvider || org.Scope.EntityType == ManagedServiceProvider) {
		a.role(&la, "digital-provider")
	}
	if la.Applies != DoesNotApply && s.NationalLabel != "" {
		la.Reasons = append(la.Reasons, Reason{a.overlay.NationalLaw.Short, "National label: " + s.NationalLabel + "."})
	}
	return la
}

func (a assembler) gdprOrg(org OrgProfile) LawApplicability {
	la := a.start("gdpr")
	if !org.PersonalData && !org.HealthData {
		la.Reasons = append(la.Reasons, Reason{"GDPR Art 2(1)", "The organisation states it processes no personal data."})
		la.ToCheck = append(la.ToCheck, Reason{"GDPR Art 4(1)-(2)", "Staff, patient and contact data are personal data; almost every organisation processes some."})
		la.Applies = MayApply
		return la
	}
	la.Applies = Applies
	la.Reasons = append(la.Reasons, Reason{"GDPR Art 2(1), 4(7)", "The organisation processes personal data as a controller."})
	a.role(&la, "controller")
	if org.HealthData {
		la.Reasons = append(la.Reasons, Reason{"GDPR Art 4(15), 9(1)", "It processes health data, a special category."})
		a.role(&la, "health-data")
	}
	if org.LargeScaleHealthData {
		la.Reasons = append(la.Reasons, Reason{"GDPR Art 35(3)(b), 37(1)(c); recital 91", "Health data on a large scale (a hospital, not a single doctor's practice): DPIA and DPO are mandatory."})
		a.role(&la, "large-scale-health")
	}
	return la
}

func (a assembler) mdr(p Product, manufacturer bool) LawApplicability {
	la := a.start("mdr")
	if !p.MedicalDevice {
		la.Reasons = append(la.Reasons, Reason{"MDR Art 2(1)", "Not a medical device."})
		if p.DigitalElements && p.HealthData {
			la.ToCheck = append(la.ToCheck, Reason{"MDR Art 2(1)", "Health software with a medical purpose (diagnosis, monitoring, treatment) is a medical device: check the intended purpose."})
		}
		return la
	}
	la.Applies = Applies
	if p.Own {
		la.Reasons = append(la.Reasons, Reason{"MDR Art 2(1), 10", "A medical device the organisation manufactures."})
		a.role(&la, "manufacturer")
		if p.MDRClass == "" {
			la.ToCheck = append(la.ToCheck, Reason{"MDR Art 51, Annex VIII", "Give the risk class: post-market duties depend on it."})
		}
		a.classDuties(&la, p.MDRClass)
	} else {
		la.Reasons = append(la.Reasons, Reason{"MDR Art 87(10)-(11); MDCG 2019-16 §2.6.2", "A medical device the organisation uses: MDR binds the manufacturer; the user reports suspected serious incidents and follows the security instructions."})
		a.role(&la, "user")
		if manufacturer {
			la.ToCheck = append(la.ToCheck, Reason{"MDR Art 10", "The organisation is a manufacturer: if it made this device, mark it as its own."})
		}
	}
	return la
}

func (a assembler) ivdr(p Product, manufacturer bool) LawApplicability {
	la := a.start("ivdr")
	if !p.IVD {
		la.Reasons = append(la.Reasons, Reason{"IVDR Art 2(2)", "Not an in vitro diagnostic device."})
		return la
	}
	la.Applies = Applies
	if p.Own {
		la.Reasons = append(la.Reasons, Reason{"IVDR Art 2(2), 10", "An IVD the organisation manufactures."})
		a.role(&la, "manufacturer")
		a.classDuties(&la, p.IVDRClass)
	} else {
		la.Reasons = append(la.Reasons, Reason{"IVDR Art 82; MDCG 2019-16 §2.6.2", "An IVD the organisation uses."})
		a.role(&la, "user")
		if manufacturer {
			la.ToCheck = append(la.ToCheck, Reason{"IVDR Art 10", "The organisation is a manufacturer: if it made this device, mark it as its own."})
		}
	}
	return la
}

func (a assembler) cra(p Product) LawApplicability {
	la := a.start("cra")
	switch {
	case p.MedicalDevice || p.IVD:
		la.Reasons = append(la.Reasons, Reason{"CRA Art 2(2)(a)-(b)", "Products covered by MDR or IVDR are excluded from the CRA (per product; accessories and non-device software stay in scope)."})
		return la
	case !p.DigitalElements:
		la.Reasons = append(la.Reasons, Reason{"CRA Art 2(1), 3(1)", "Not a product with digital elements."})
		return la
	case !p.DataConnection:
		la.Applies = MayApply
		la.Reasons = append(la.Reasons, Reason{"CRA Art 2(1)", "A product with digital elements, but no data connection was stated."})
		la.ToCheck = append(la.ToCheck, Reason{"CRA Art 2(1)", "Does its intended or reasonably foreseeable use include a direct or indirect logical or physical data connection to a device or network? Then the CRA applies."})
	default:
		la.Applies = Applies
		la.Reasons = append(la.Reasons, Reason{"CRA Art 2(1)", "A product with digital elements with a data connection, not covered by MDR or IVDR."})
	}
	if p.EHRSystem {
		la.ToCheck = append(la.ToCheck, Reason{"EHDS (amending Regulation (EU) 2024/2847)", "EHR systems that are products with digital elements must also meet the CRA; how the two conformity routes combine was not verified."})
	}
	if !p.Own {
		la.Reasons = append(la.Reasons, Reason{"CRA Art 13-14", "The organisation uses the product: the duties are the manufacturer's."})
		a.role(&la, "user")
		return la
	}
	a.role(&la, "manufacturer")
	if p.PlacedOnMarket != "" && !p.SubstantiallyModified {
		if t, err := time.Parse(time.DateOnly, p.PlacedOnMarket); err == nil && t.Before(mustDate("2027-12-11")) {
			la.Reasons = append(la.Reasons, Reason{"CRA Art 69(2)-(3)", "Placed on the market before 11 December 2027: the CRA's other duties apply only after a substantial modification; Art 14 reporting applies from 11 September 2026 regardless."})
			kept := la.Duties[:0]
			for _, d := range la.Duties {
				if d.ID == "cra.14" {
					kept = append(kept, d)
				}
			}
			la.Duties = kept
		}
	}
	return la
}

func (a assembler) ehds(p Product) LawApplicability {
	la := a.start("ehds")
	switch {
	case p.EHRSystem:
		la.Applies = Applies
		la.Reasons = append(la.Reasons, Reason{"EHDS Art 2(2)(k)", "An EHR system: software that stores, intermediates, exports, imports, converts, edits or views priority categories of personal electronic health data, intended for healthcare providers or patients."})
		if p.Own {
			a.role(&la, "manufacturer")
		} else {
			a.role(&la, "user")
		}
		if p.MedicalDevice || p.IVD {
			la.Reasons = append(la.Reasons, Reason{"EHDS Art 27, recital 42", "It is also a medical device or IVD: certified under MDR/IVDR with coordinated procedures."})
		}
	case (p.MedicalDevice || p.IVD) && p.ClaimsEHRInteroperability:
		la.Applies = Applies
		la.Reasons = append(la.Reasons, Reason{"EHDS Art 27", "A medical device or IVD that claims interoperability with EHR systems."})
		if p.Own {
			a.role(&la, "interoperability-claim")
		}
	default:
		la.Reasons = append(la.Reasons, Reason{"EHDS Art 2(2)(k), 25(2)", "Not an EHR system (general-purpose software used in healthcare is not one either)."})
		if p.HealthData && p.DigitalElements {
			la.ToCheck = append(la.ToCheck, Reason{"EHDS Art 2(2)(k), 14(1)", "Does the product store or show priority categories of health data (patient summaries, e-prescriptions, images, lab results, discharge reports) for care? Then it is an EHR system."})
		}
	}
	return la
}

func (a assembler) gdprProduct(p Product) LawApplicability {
	la := a.start("gdpr")
	if !p.PersonalData && !p.HealthData {
		la.Reasons = append(la.Reasons, Reason{"GDPR Art 2(1)", "The product processes no personal data (as stated)."})
		if p.MDS2["MPII-1"] == "yes" {
			la.Applies = MayApply
			la.ToCheck = append(la.ToCheck, Reason{"MDS2 MPII-1", "The manufacturer's MDS2 form says the device can display, send, store or change personal data."})
		}
		return la
	}
	la.Applies = Applies
	la.Reasons = append(la.Reasons, Reason{"GDPR Art 2(1), 4(1)", "The product processes personal data."})
	if p.HealthData {
		la.Reasons = append(la.Reasons, Reason{"GDPR Art 4(15), 9", "Including health data."})
	}
	a.role(&la, "product")
	if p.MDS2["RMOT-1.3"] == "yes" {
		la.Reasons = append(la.Reasons, Reason{"GDPR Art 28; MDS2 RMOT-1.3", "Patient data are visible during the manufacturer's remote sessions: it acts as a processor."})
	}
	return la
}
