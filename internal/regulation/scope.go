package regulation

import (
	"fmt"
	"slices"
	"strings"
	"sync"
)

// EntityType is one of the NIS2 entity types this check covers (ids as in data/nis2-scope.yaml).
type EntityType string

// The entity types.
const (
	HealthcareProvider                EntityType = "healthcare-provider"                  // Annex I point 5
	EUReferenceLaboratory             EntityType = "eu-reference-laboratory"              // Annex I point 5
	MedicinalProductRD                EntityType = "medicinal-product-rd"                 // Annex I point 5
	BasicPharmaceuticalManufacturer   EntityType = "basic-pharmaceutical-manufacturer"    // Annex I point 5
	CriticalMedicalDeviceManufacturer EntityType = "critical-medical-device-manufacturer" // Annex I point 5
	MedicalDeviceManufacturer         EntityType = "medical-device-manufacturer"          // Annex II point 5(a)
	IVDManufacturer                   EntityType = "ivd-manufacturer"                     // Annex II point 5(a)
	ChemicalsManufacturer             EntityType = "chemicals-manufacturer"               // Annex II point 3
	ResearchOrganisation              EntityType = "research-organisation"                // Annex II point 7
	CloudProvider                     EntityType = "cloud-provider"                       // Annex I point 8
	ManagedServiceProvider            EntityType = "managed-service-provider"             // Annex I point 9
	OtherEntity                       EntityType = "other"                                // none of the Annex I or II types above
)

// Category is the NIS2 outcome.
type Category string

// The categories. Uncertain comes with ScopeResult.ToCheck saying what to find out.
const (
	Essential  Category = "essential"
	Important  Category = "important"
	OutOfScope Category = "out-of-scope"
	Uncertain  Category = "uncertain"
)

// Size is the enterprise category of Recommendation 2003/361/EC.
type Size string

// The sizes; SizeUnknown when the figures do not decide it.
const (
	Micro       Size = "micro"
	Small       Size = "small"
	Medium      Size = "medium"
	Large       Size = "large"
	SizeUnknown Size = "unknown"
)

// Designation is a Member State's identification of the entity under NIS2 Art 2(2)(b)-(e).
type Designation string

// The designations; NotDesignated is the empty string.
const (
	NotDesignated       Designation = ""
	DesignatedEssential Designation = "essential"
	DesignatedImportant Designation = "important"
)

// Figures are the size data of one closed financial year. Negative values mean "not known".
type Figures struct {
	// Employees is the headcount in annual work units (AWU); part-time staff count as fractions.
	Employees       float64 `json:"employees"`
	TurnoverEUR     int64   `json:"turnover_eur"`
	BalanceSheetEUR int64   `json:"balance_sheet_eur"`
}

// ScopeInput is what the NIS2 scope check needs to know about an entity.
type ScopeInput struct {
	EntityType EntityType `json:"entity_type"`
	Public     bool       `json:"public"`
	// MemberState is the ISO 3166-1 alpha-2 code of the Member State of establishment ("EL" or "GR" for
	// Greece); empty when not given.
	MemberState string `json:"member_state"`
	// Employees, TurnoverEUR and BalanceSheetEUR are the last closed financial year's figures, including
	// linked and partner enterprises (Rec. 2003/361/EC Annex Art 6) unless OwnFiguresOnly. Negative = unknown.
	Employees       float64 `json:"employees"`
	TurnoverEUR     int64   `json:"turnover_eur"`
	BalanceSheetEUR int64   `json:"balance_sheet_eur"`
	// PreviousYear, when given, applies Annex Art 4(2): a size changes only when the ceilings are crossed
	// in two consecutive accounting periods.
	PreviousYear *Figures `json:"previous_year,omitempty"`
	// OwnFiguresOnly says the entity has linked or partner enterprises whose data were not added.
	OwnFiguresOnly bool        `json:"own_figures_only"`
	Designated     Designation `json:"designated"`
	// CERCritical: identified as a critical entity under Directive (EU) 2022/2557 (NIS2 Art 2(3), 3(1)(f)).
	CERCritical bool `json:"cer_critical"`
	// SoleProvider: sole provider in a Member State of a service essential for critical societal or
	// economic activities (NIS2 Art 2(2)(b)).
	SoleProvider bool `json:"sole_provider"`
}

// ScopeResult is the answer of the scope check, with the reasoning step by step.
type ScopeResult struct {
	Category Category `json:"category"`
	// Annex is "I", "II" or "" (no Annex type).
	Annex   string   `json:"annex"`
	Size    Size     `json:"size"`
	Reasons []Reason `json:"reasons"`
	// ToCheck lists what to find out; always set when Category is Uncertain.
	ToCheck []Reason `json:"to_check"`
	// NationalLabel, NationalLaw and Country are set by ApplyOverlay.
	NationalLabel string `json:"national_label,omitempty"`
	NationalLaw   string `json:"national_law,omitempty"`
	Country       string `json:"country,omitempty"`
}

type sizeCeiling struct {
	Size           Size    `yaml:"size"`
	HeadcountBelow float64 `yaml:"headcount_below"`
	TurnoverMax    int64   `yaml:"turnover_max"`
	BalanceMax     int64   `yaml:"balance_max"`
	Ref            string  `yaml:"ref"`
}

// EntityTypeInfo describes one entity type as written in the data.
type EntityTypeInfo struct {
	ID      EntityType `yaml:"id" json:"id"`
	Annex   string     `yaml:"annex" json:"annex"`
	Ref     string     `yaml:"ref" json:"ref"`
	Label   string     `yaml:"label" json:"label"`
	Text    string     `yaml:"text" json:"text"`
	ToCheck []Reason   `yaml:"to_check" json:"to_check,omitempty"`
	Notes   []Reason   `yaml:"notes" json:"notes,omitempty"`
}

type scopeData struct {
	Version        string           `yaml:"version"`
	Sources        []string         `yaml:"sources"`
	Sizes          []sizeCeiling    `yaml:"sizes"`
	EntityTypes    []EntityTypeInfo `yaml:"entity_types"`
	EUMemberStates []string         `yaml:"eu_member_states"`
}

// scopeRules is loaded on first use, not at program start (every command, vigil scan included, would pay for it).
var scopeRules = sync.OnceValue(func() scopeData { return loadScope() })

func loadScope() scopeData {
	var d scopeData
	mustDecode("data/nis2-scope.yaml", &d)
	if len(d.Sizes) != 3 || d.Sizes[0].Size != Micro || d.Sizes[1].Size != Small || d.Sizes[2].Size != Medium {
		panic("regulation: embedded data/nis2-scope.yaml: sizes must be micro, small, medium in that order")
	}
	return d
}

// EntityTypes returns the entity types the scope check knows, in data order.
func EntityTypes() []EntityTypeInfo { return slices.Clone(scopeRules().EntityTypes) }

// ScopeVersion returns the version and sources of the scope data.
func ScopeVersion() (string, []string) {
	return scopeRules().Version, slices.Clone(scopeRules().Sources)
}

// ParseEntityType returns the entity type with the given id or an error listing the valid ids.
func ParseEntityType(s string) (EntityType, error) {
	s = strings.ToLower(strings.TrimSpace(s))
	ids := make([]string, 0, len(scopeRules().EntityTypes))
	for _, e := range scopeRules().EntityTypes {
		if string(e.ID) == s {
			return e.ID, nil
		}
		ids = append(ids, string(e.ID))
	}
	return "", fmt.Errorf("unknown entity type %q (want one of %s)", s, strings.Join(ids, ", "))
}

func entityInfo(t EntityType) (EntityTypeInfo, bool) {
	for _, e := range scopeRules().EntityTypes {
		if e.ID == t {
			return e, true
		}
	}
	return EntityTypeInfo{}, false
}

// tri is a three-valued truth for figures that may be unknown.
type tri int

const (
	triFalse tri = iota
	triTrue
	triUnknown
)

func or(a, b tri) tri {
	switch {
	case a == triTrue || b == triTrue:
		return triTrue
	case a == triFalse && b == triFalse:
		return triFalse
	}
	return triUnknown
}

func and(a, b tri) tri {
	switch {
	case a == triFalse || b == triFalse:
		return triFalse
	case a == triTrue && b == triTrue:
		return triTrue
	}
	return triUnknown
}

func le(v, max int64) tri {
	if v < 0 {
		return triUnknown
	}
	if v <= max {
		return triTrue
	}
	return triFalse
}

func below(v, limit float64) tri {
	if v < 0 {
		return triUnknown
	}
	if v < limit {
		return triTrue
	}
	return triFalse
}

// within reports whether the figures fall within a category's ceilings (Annex Art 2).
func within(f Figures, c sizeCeiling) tri {
	return and(below(f.Employees, c.HeadcountBelow), or(le(f.TurnoverEUR, c.TurnoverMax), le(f.BalanceSheetEUR, c.BalanceMax)))
}

// SizeOf classifies the figures under Rec. 2003/361/EC Annex Art 2, boundaries included exactly:
// headcount < 250 and (turnover ≤ €50 m or balance sheet ≤ €43 m) is at most medium, and so on. It returns
// SizeUnknown when unknown figures leave the category open.
func SizeOf(f Figures) Size {
	for _, c := range scopeRules().Sizes {
		switch within(f, c) {
		case triTrue:
			return c.Size
		case triUnknown:
			return SizeUnknown
		}
	}
	return Large
}

func sizeRank(s Size) int { return slices.Index([]Size{Micro, Small, Medium, Large}, s) }

func ceilingFor(s Size) (sizeCeiling, bool) {
	for _, c := range scopeRules().Sizes {
		if c.Size == s {
			return c, true
		}
	}
	return sizeCeiling{}, false
}

func describeFigures(f Figures) string {
	part := func(ok bool, s string) string {
		if !ok {
			return "unknown"
		}
		return s
	}
	return fmt.Sprintf("headcount %s AWU, turnover %s, balance sheet %s",
		part(f.Employees >= 0, trimFloat(f.Employees)),
		part(f.TurnoverEUR >= 0, euro(f.TurnoverEUR)),
		part(f.BalanceSheetEUR >= 0, euro(f.BalanceSheetEUR)))
}

func trimFloat(v float64) string {
	return strings.TrimSuffix(strings.TrimRight(fmt.Sprintf("%.2f", v), "0"), ".")
}

func euro(v int64) string {
	s := fmt.Sprintf("%d", v)
	var b strings.Builder
	for i, r := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(' ')
		}
		b.WriteRune(r)
	}
	return "€" + b.String()
}

func sizeReason(f Figures, s Size) Reason {
	desc := describeFigures(f)
	switch s {
	case Large:
		m, _ := ceilingFor(Medium)
		return Reason{"Rec. 2003/361/EC Annex Art 2(1)", fmt.Sprintf("%s: exceeds the medium-sized ceilings (headcount ≥ %s, or turnover > %s and balance sheet > %s), so the entity is large.", desc, trimFloat(m.HeadcountBelow), euro(m.TurnoverMax), euro(m.BalanceMax))}
	case SizeUnknown:
		return Reason{"Rec. 2003/361/EC Annex Art 2", desc + ": the known figures do not decide the size category."}
	}
	c, _ := ceilingFor(s)
	return Reason{c.Ref, fmt.Sprintf("%s: within the %s ceilings (headcount < %s and (turnover ≤ %s or balance sheet ≤ %s))%s, so the entity is %s.", desc, s, trimFloat(c.HeadcountBelow), euro(c.TurnoverMax), euro(c.BalanceMax), smallerNote(s), s)}
}

func smallerNote(s Size) string {
	switch s {
	case Medium:
		return " but not the small ones"
	case Small:
		return " but not the micro ones"
	}
	return ""
}

// EUMemberStates returns the ISO 3166-1 alpha-2 codes of the EU Member States the scope check accepts
// (Greece as both EL and GR), in data order.
func EUMemberStates() []string { return slices.Clone(scopeRules().EUMemberStates) }

func isEU(ms string) bool { return slices.Contains(scopeRules().EUMemberStates, strings.ToUpper(ms)) }

// Scope runs the NIS2 scope check (regulatory-facts.md §9.2): sector, Union nexus, size-independent
// triggers (CER critical entity, Member State designation, sole provider), size under Rec. 2003/361/EC with
// its Annex Art 3(4) not applied (NIS2 Art 2(1) second subparagraph), then the category under Art 3. Every
// step adds a Reason with its article; open questions go to ToCheck and make the result Uncertain where
// they could change it. Reasons and ToCheck are never nil.
func Scope(in ScopeInput) ScopeResult {
	r := ScopeResult{Reasons: []Reason{}, ToCheck: []Reason{}}
	add := func(ref, text string) { r.Reasons = append(r.Reasons, Reason{ref, text}) }
	check := func(ref, text string) { r.ToCheck = append(r.ToCheck, Reason{ref, text}) }

	// 1. Sector.
	info, known := entityInfo(in.EntityType)
	if !known {
		r.Category, r.Size = Uncertain, SizeUnknown
		check("NIS2 Annexes I and II", fmt.Sprintf("Entity type %q is not one this check knows; choose one of the listed types or \"other\".", in.EntityType))
		return r
	}
	r.Annex = info.Annex
	add(info.Ref, info.Text)
	r.Reasons = append(r.Reasons, info.Notes...)
	r.ToCheck = append(r.ToCheck, info.ToCheck...)

	// 2. Union nexus.
	nexusOpen := false
	switch {
	case in.MemberState == "":
		check("NIS2 Art 2(1), Art 26", "Give the Member State of establishment: NIS2 applies to entities that provide services or carry out activities in the Union, under the jurisdiction of that Member State.")
	case isEU(in.MemberState):
		add("NIS2 Art 2(1), Art 26(1)", fmt.Sprintf("Established in %s, a Member State: the entity is under its jurisdiction and its national law.", strings.ToUpper(in.MemberState)))
	default:
		nexusOpen = true
		check("NIS2 Art 2(1), Art 26", fmt.Sprintf("%s is not an EU Member State: NIS2 applies only if the entity provides services or carries out activities in the Union (cloud and managed service providers then need a representative, Art 26(3)).", strings.ToUpper(in.MemberState)))
	}

	// 3. Size (always computed, for information and for step 5).
	cur := Figures{in.Employees, in.TurnoverEUR, in.BalanceSheetEUR}
	size := SizeOf(cur)
	r.Reasons = append(r.Reasons, sizeReason(cur, size))
	if in.PreviousYear != nil {
		prev := SizeOf(*in.PreviousYear)
		if prev != size && prev != SizeUnknown && size != SizeUnknown {
			add("Rec. 2003/361/EC Annex Art 4(2)", fmt.Sprintf("The previous year's figures (%s) give %s; a size changes only when the ceilings are crossed in two consecutive accounting periods, so the entity stays %s.", describeFigures(*in.PreviousYear), prev, prev))
			check("Rec. 2003/361/EC Annex Art 4(2)", fmt.Sprintf("Confirm that the entity was %s before the previous year too; if it was already %s then, it is %s now.", prev, size, size))
			size = prev
		}
	}
	add("NIS2 Art 2(1) second subparagraph", "Annex Art 3(4) of Rec. 2003/361/EC (25 % public control removes SME status) does not apply: public bodies are sized on their own figures.")
	r.Size = size

	// 4. Size-independent triggers.
	if in.CERCritical {
		add("NIS2 Art 2(3), Art 3(1)(f)", "Identified as a critical entity under Directive (EU) 2022/2557 (CER): in scope regardless of size, and essential.")
		r.Category = Essential
		return r
	}
	if info.Annex == "" {
		switch in.Designated {
		case DesignatedEssential, DesignatedImportant:
			add("NIS2 Art 2(2), Art 3", fmt.Sprintf("Designated by the Member State as %s; a designation under Art 2(2)(b)-(e) presupposes an Annex I or II type, which this check does not cover.", in.Designated))
			check("NIS2 Annexes I and II", "Confirm the Annex type under which the Member State designated the entity.")
			r.Category = Category(in.Designated)
			return r
		}
		add("NIS2 Art 2(1)", "Not an Annex I or II type covered here: NIS2 does not apply on this basis.")
		r.Category = OutOfScope
		if in.SoleProvider {
			add("NIS2 Art 2(2)(b)", "Being a sole provider of an essential service brings an entity into scope only if it is of an Annex I or II type.")
		}
		if in.Public {
			check("NIS2 Art 2(2)(f), Art 2(5)(a)", "A public administration entity of central government, or of regional government after a risk assessment, is in scope; Member States may add local public administration.")
			r.Category = Uncertain
		}
		return r
	}

	// Size-based category under Art 3.
	sizeCat := OutOfScope
	switch size {
	case Large:
		if info.Annex == "I" {
			sizeCat = Essential
		} else {
			sizeCat = Important
		}
	case Medium:
		sizeCat = Important
	case SizeUnknown:
		sizeCat = Uncertain
	}

	// Designation.
	switch in.Designated {
	case DesignatedEssential:
		add("NIS2 Art 2(2)(b)-(e), Art 3(1)(e)", "Identified by the Member State as an essential entity: essential regardless of size.")
		r.Category = Essential
		return r
	case DesignatedImportant:
		if sizeCat == Essential {
			add("NIS2 Art 3(1)(a), 3(2)", "Identified by the Member State as important, but a large Annex I entity is essential under Art 3(1)(a); Art 3(2) covers only entities that do not qualify as essential.")
			r.Category = Essential
		} else {
			add("NIS2 Art 2(2)(b)-(e), Art 3(2)", "Identified by the Member State as an important entity: in scope regardless of size, and important.")
			r.Category = Important
		}
		return r
	}

	// 5. Category by size.
	switch sizeCat {
	case Essential:
		add("NIS2 Art 3(1)(a)", "An Annex I entity that exceeds the medium-sized ceilings is an essential entity.")
	case Important:
		if size == Large {
			add("NIS2 Art 2(1), Art 3(2)", "A large Annex II entity is in scope and, not qualifying as essential under Art 3(1), is an important entity.")
		} else {
			add("NIS2 Art 2(1), Art 3(2)", fmt.Sprintf("A medium-sized Annex %s entity is in scope and, not exceeding the medium-sized ceilings, is an important entity (unless the Member State identifies it as essential, Art 3(1)(e), or as a former NIS1 operator of essential services, Art 3(1)(g)).", info.Annex))
		}
	case OutOfScope:
		add("NIS2 Art 2(1)", fmt.Sprintf("A %s enterprise is below the size threshold: NIS2 does not apply on the size rule.", size))
	case Uncertain:
		check("Rec. 2003/361/EC Annex Art 2", "Give the missing figures (headcount, annual turnover, annual balance sheet total of the last closed financial year).")
	}
	r.Category = sizeCat

	// Sole provider: in scope regardless of size, category by Member State identification.
	if in.SoleProvider {
		switch sizeCat {
		case Essential:
			add("NIS2 Art 2(2)(b)", "Also a sole provider of an essential service; it is essential already by size.")
		case Important:
			check("NIS2 Art 2(2)(b), Art 3(1)(e)", "As a sole provider of an essential service the entity may be identified by the Member State as essential.")
		default:
			add("NIS2 Art 2(2)(b)", "A sole provider in a Member State of a service essential for critical societal or economic activities is in scope regardless of size.")
			check("NIS2 Art 2(2)(b), Art 3(1)(e), Art 3(2)", "Whether the Member State has identified the entity, and as essential or important (its list under Art 3(3)).")
			r.Category = Uncertain
		}
	}

	// Linked and partner enterprises.
	if in.OwnFiguresOnly && (sizeCat == OutOfScope || (sizeCat == Important && info.Annex == "I")) {
		check("Rec. 2003/361/EC Annex Arts 3 and 6; NIS2 recital 16", "Add the data of linked and partner enterprises: the group may exceed the ceilings. Member States may consider the entity's independence, in particular of its IT, and size it on its own figures (recital 16).")
		r.Category = Uncertain
	}

	// Public entities.
	if in.Public {
		switch r.Category {
		case OutOfScope:
			check("NIS2 Art 2(2)(f), Art 2(5)(a)", "A public entity below the size threshold is in scope if it is a public administration entity of central government, or of regional government after a risk assessment; Member States may add local public administration. A public hospital is normally a healthcare provider, not public administration: check the national law.")
			r.Category = Uncertain
		case Important:
			check("NIS2 Art 2(2)(f)(i), Art 3(1)(d)", "If the entity is a public administration entity of central government it is essential; a public hospital is normally a healthcare provider, not public administration.")
		}
	}
	if nexusOpen && r.Category != OutOfScope {
		r.Category = Uncertain
	}
	if r.Category == Uncertain && len(r.ToCheck) == 0 {
		check("NIS2 Art 2", "The result depends on facts not given.")
	}
	return r
}
