package disclosure

import (
	"context"
	"strings"

	"github.com/vigil-med/vigil/internal/domain"
	"github.com/vigil-med/vigil/internal/lazyre"
	"github.com/vigil-med/vigil/internal/mds2"
	"github.com/vigil-med/vigil/internal/store"
)

// VersionDisclosures is everything disclosed about one product version: what its page shows and every
// device on the version inherits.
type VersionDisclosures struct {
	ProductVersion domain.ProductVersion       `json:"product_version"`
	SBOM           *domain.SBOMInfo            `json:"sbom,omitempty"`
	MDS2           *domain.MDS2Form            `json:"mds2,omitempty" doc:"the newest form (without its answers)"`
	Facts          []Fact                      `json:"mds2_facts,omitempty"`
	Advisories     []domain.Advisory           `json:"advisories" doc:"CSAF advisories that cover the version"`
	VEX            []domain.VEXStatement       `json:"vex" doc:"VEX statements about the version (at most 200)"`
	VEXTotal       int                         `json:"vex_total"`
	VEXByStatus    map[string]int              `json:"vex_by_status"`
	Documents      []domain.DisclosureDocument `json:"documents" doc:"documents that describe the version"`
}

// Fact is a derived fact of an MDS2 form.
type Fact struct {
	Name      string   `json:"name"`
	Label     string   `json:"label"`
	Value     string   `json:"value" doc:"yes, no, not-applicable or unknown"`
	Note      string   `json:"note,omitempty"`
	Questions []string `json:"questions"`
}

// FactsOf returns the facts of a form for people, in the order of mds2.FactDefinitions.
func FactsOf(f domain.MDS2Form) []Fact {
	var out []Fact
	for _, x := range Facts(f).All() {
		out = append(out, Fact{Name: x.Name, Label: factLabel(x.Name), Value: string(x.Value), Note: x.Note, Questions: x.Questions})
	}
	return out
}

var camel = lazyre.New(`([a-z])([A-Z])`)

// factLabel turns a fact's name into words ("EncryptionAtRest" → "Encryption at rest").
func factLabel(name string) string {
	switch name {
	case "CVDProgramme":
		return "Coordinated vulnerability disclosure"
	case "ISAOMember":
		return "Member of an ISAO"
	case "MFA":
		return "Multi-factor authentication"
	case "TLS":
		return "TLS"
	case "SBOMAvailable":
		return "SBOM available"
	case "OwnerCanPatchOS":
		return "Owner can patch the OS"
	case "ThirdPartyEOLPlan":
		return "Plan for end of life of third-party parts"
	}
	s := strings.ToLower(camel.ReplaceAllString(name, "$1 $2"))
	return strings.ToUpper(s[:1]) + s[1:]
}

// KeyFacts are the facts a version's summary shows.
var KeyFacts = []string{"EncryptionAtRest", "EncryptionInTransit", "MalwareProtection", "AuditLog", "MFA", "RemoteService", "OwnerCanPatchOS",
	"SBOMAvailable", "CVDProgramme", "HandlesPersonalData"}

// ForVersion gathers the disclosures of a product version.
func ForVersion(ctx context.Context, sc *store.Scope, productVersionID int64) (VersionDisclosures, error) {
	var out VersionDisclosures
	pv, err := sc.ProductVersion(ctx, productVersionID)
	if err != nil {
		return out, err
	}
	out.ProductVersion = pv
	if s, err := sc.SBOM(ctx, pv.ID); err == nil {
		out.SBOM = &s
	} else if domain.ErrorCode(err) != domain.ENotFound {
		return out, err
	}
	if f, err := sc.MDS2ForVersion(ctx, pv.ID); err == nil {
		facts := FactsOf(f)
		for _, name := range KeyFacts {
			for _, x := range facts {
				if x.Name == name {
					out.Facts = append(out.Facts, x)
				}
			}
		}
		f.Answers = nil
		out.MDS2 = &f
	} else if domain.ErrorCode(err) != domain.ENotFound {
		return out, err
	}
	adv, err := sc.Advisories(ctx, domain.AdvisoryFilter{ProductVersionID: pv.ID, ListParams: domain.ListParams{Limit: domain.MaxPageSize}})
	if err != nil {
		return out, err
	}
	out.Advisories = adv.Items
	vx, err := sc.VEXStatements(ctx, domain.VEXFilter{ProductVersionID: pv.ID, ListParams: domain.ListParams{Limit: 200}})
	if err != nil {
		return out, err
	}
	out.VEX, out.VEXTotal, out.VEXByStatus = vx.Items, vx.Total, map[string]int{}
	if vx.Total > len(vx.Items) {
		all, err := sc.VersionVEX(ctx, pv.ID)
		if err != nil {
			return out, err
		}
		for _, s := range all {
			out.VEXByStatus[s.Status]++
		}
	} else {
		for _, s := range vx.Items {
			out.VEXByStatus[s.Status]++
		}
	}
	docs, err := sc.Documents(ctx, domain.DocumentFilter{ProductVersionID: pv.ID, ListParams: domain.ListParams{Limit: 100}})
	if err != nil {
		return out, err
	}
	out.Documents = docs.Items
	return out, nil
}

// Label of a normalised MDS2 answer value for people.
func ValueLabel(v string) string {
	switch mds2.Value(v) {
	case mds2.ValueYes:
		return "Yes"
	case mds2.ValueNo:
		return "No"
	case mds2.ValueNA:
		return "N/A"
	case mds2.ValueSeeNote:
		return "See note"
	case mds2.ValueText:
		return "Text"
	case mds2.ValueDate:
		return "Date"
	case mds2.ValueBlank:
		return "Blank"
	}
	return v
}
