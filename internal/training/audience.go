package training

import (
	"slices"
	"strings"
	"time"
	"unicode"

	"github.com/vigil-med/vigil/internal/domain"
)

// NewStarterWindow is how long after their start date a person counts as a new starter.
const NewStarterWindow = 90 * 24 * time.Hour

// AudiencesOf returns the audiences a person belongs to at t: their job group, all staff, the
// management board when they are a member, and new starters within NewStarterWindow of their start
// date (or before it). People who have left at t belong to none.
func AudiencesOf(p domain.Staff, t time.Time) []domain.Audience {
	if !p.Active(t) {
		return nil
	}
	out := []domain.Audience{p.Audience, domain.AudienceAllStaff}
	if p.BoardMember {
		out = append(out, domain.AudienceBoard)
	}
	if p.StartDate != nil && t.Sub(*p.StartDate) < NewStarterWindow {
		out = append(out, domain.AudienceNewStarter)
	}
	return out
}

// RuleMatches reports whether an assignment rule applies to the person at t.
func RuleMatches(r domain.AssignmentRule, p domain.Staff, t time.Time) bool {
	if !p.Active(t) {
		return false
	}
	if r.Department != "" && !strings.EqualFold(r.Department, p.Department) {
		return false
	}
	return r.Audience == "" || slices.Contains(AudiencesOf(p, t), r.Audience)
}

// audienceWords map words of job titles, departments and audience columns (English and German) to a
// job group. They are checked in order, so the more specific groups come first. A pattern matches the
// start of a word ("anaesth" matches "anaesthesia"); one ending in a space matches a whole word only
// ("it "); one starting with "*" matches inside words too, for German compounds ("*pflege" matches
// "Intensivpflege").
var audienceWords = []struct {
	a     domain.Audience
	words []string
}{
	{domain.AudienceProcurement, []string{"procurement", "purchas", "buyer", "*einkauf", "*einkäuf", "*beschaffung", "vergabe",
		"supply chain", "contract manage", "*vertragsmanagement"}},
	{domain.AudienceBiomed, []string{"biomed", "clinical engineer", "medical technolog", "medical engineer", "*medizintechn",
		"medical physic", "*medizinphysik", "hte "}},
	{domain.AudienceIT, []string{"it ", "information security", "*informationssicherheit", "cyber", "ciso ", "cio ", "system admin",
		"systemadmin", "network", "*netzwerk", "service desk", "servicedesk", "helpdesk", "*informatik", "edv ", "software",
		"developer", "*entwickler", "ict "}},
	{domain.AudienceClinical, []string{"physician", "doctor", "nurse", "nursing", "consultant", "registrar", "resident", "surgeon",
		"surgery", "*anaesth", "*anesth", "midwi", "therapist", "radiographer", "paramedic", "pharmac", "clinical", "clinician",
		"ward ", "*arzt", "*ärzt", "*pflege", "*krankenschwester", "*krankenpfleger", "hebamme", "*therapeut", "mtr", "mta ",
		"*apothek", "station", "*intensiv", "intensive care", "notaufnahme", "emergency", "*chirurg", "*radiolog", "médecin",
		"infirmi", "cardiolog", "*kardiolog", "oncolog", "*onkolog", "paediatr", "pediatr", "obstetric", "gynaecolog", "neurolog",
		"medicine", "*medizin", "laborator", "*labor", "patholog", "operating theatre"}},
	{domain.AudienceOther, []string{"administration", "*verwaltung", "finance", "*finanz", "human resources", "personal",
		"facilit", "*haustechnik", "sonstige", "other"}},
}

// DeriveAudience guesses a person's job group from their job title and, failing that, their department;
// AudienceOther when nothing matches.
func DeriveAudience(jobTitle, department string) domain.Audience {
	for _, s := range []string{jobTitle, department} {
		if a, ok := matchAudience(s); ok {
			return a
		}
	}
	return domain.AudienceOther
}

// normWords lower-cases s and turns everything but letters and digits into single spaces, with a space
// at both ends: " intensive care unit ".
func normWords(s string) string {
	var b strings.Builder
	b.WriteByte(' ')
	space := true
	for _, r := range strings.ToLower(s) {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			b.WriteRune(r)
			space = false
		} else if !space {
			b.WriteByte(' ')
			space = true
		}
	}
	if !space {
		b.WriteByte(' ')
	}
	return b.String()
}

func matchAudience(s string) (domain.Audience, bool) {
	n := normWords(s)
	if strings.TrimSpace(n) == "" {
		return "", false
	}
	for _, g := range audienceWords {
		for _, w := range g.words {
			if (strings.HasPrefix(w, "*") && strings.Contains(n, w[1:])) || strings.Contains(n, " "+w) {
				return g.a, true
			}
		}
	}
	return "", false
}

// boardWords name the management body in audience or role columns.
var boardWords = []string{"board", "vorstand", "geschäftsführ", "geschaeftsfuehr", "management body", "leitungsorgan", "direktorium",
	"aufsichtsrat", "executive"}

// ParseAudienceLoose reads an audience column of an HR export: a code, an English label or a German
// name of a job group. board reports that the value names the management body (a flag, not a group).
func ParseAudienceLoose(s string) (a domain.Audience, board, ok bool) {
	v := strings.ToLower(strings.TrimSpace(s))
	if v == "" {
		return "", false, false
	}
	for _, w := range boardWords {
		if strings.Contains(v, w) {
			return "", true, true
		}
	}
	if x, err := domain.ParseAudience(v); err == nil && slices.Contains(domain.PrimaryAudiences, x) {
		return x, false, true
	}
	for _, x := range domain.PrimaryAudiences {
		if strings.EqualFold(x.Label(), v) {
			return x, false, true
		}
	}
	if x, ok := matchAudience(v); ok {
		return x, false, true
	}
	return "", false, false
}
