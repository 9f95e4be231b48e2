package regulation

import (
	"bufio"
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

var mds2Line = regexp.MustCompile(`^([A-Z]{3,4}-[0-9][0-9.]*)[,:]`)

// readMDS2Answers extracts question id -> normalised answer from the vendor's Markdown transcription.
func readMDS2Answers(t *testing.T, path string) map[string]string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	out := map[string]string{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := sc.Text()
		m := mds2Line.FindStringSubmatch(line)
		if m == nil {
			continue
		}
		rest := line[len(m[0]):]
		i := strings.LastIndex(rest, "?:")
		if i < 0 {
			i = strings.LastIndex(rest, ":")
		} else {
			i++
		}
		ans := strings.ToLower(strings.TrimSpace(rest[i+1:]))
		switch {
		case strings.HasPrefix(ans, "yes"):
			ans = "yes"
		case strings.HasPrefix(ans, "n/a"):
			ans = "na"
		case strings.HasPrefix(ans, "no"):
			ans = "no"
		case strings.HasPrefix(ans, "see note"):
			ans = "see-note"
		case ans != "":
			ans = "text"
		}
		out[m[1]] = ans
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

type rowSummary struct {
	Decision string
	Roles    string // manufacturer/operator/integrator
	By       string // answers that decided
	Notes    int
}

func summariseMatrix(m Matrix) map[string]rowSummary {
	out := map[string]rowSummary{}
	for _, r := range m.Rows {
		s := rowSummary{Decision: r.Decision, Notes: len(r.Notes)}
		var roles, by []string
		for _, c := range r.Cells {
			roles = append(roles, string(c.Role))
		}
		if len(r.Cells) > 0 {
			for _, a := range r.Cells[0].DecidedBy {
				by = append(by, a.Question+"="+a.Answer)
			}
		}
		s.Roles, s.By = strings.Join(roles, "/"), strings.Join(by, ",")
		out[r.Activity] = s
	}
	return out
}

func TestResponsibilitiesMediCapture(t *testing.T) {
	ans := readMDS2Answers(t, "testdata/medicapture-mvr-cybersecurity-mds2.md")
	if len(ans) < 200 {
		t.Fatalf("read %d answers from the fixture, want about 240", len(ans))
	}
	// Spot-check the fixture reading itself.
	for q, want := range map[string]string{"CSUP-2.1": "yes", "CSUP-2.2": "no", "MLDP-1": "no", "DTBK-3": "yes", "DTBK-4": "no", "RMOT-1.1": "yes", "RDMP-4": "no", "DOC-8": "yes"} {
		if ans[q] != want {
			t.Errorf("fixture %s = %q, want %q", q, ans[q], want)
		}
	}
	got := summariseMatrix(Responsibilities(ans))
	want := map[string]rowSummary{
		"os-updates":                  {Decision: "answers", Roles: "supports/responsible/supports", By: "CSUP-2.1=yes", Notes: 1},
		"firmware-updates":            {Decision: "answers", Roles: "supports/responsible/supports", By: "CSUP-3.1=yes", Notes: 0},
		"software-component-updates":  {Decision: "not-applicable", Notes: 2},
		"malware-protection":          {Decision: "not-applicable", Notes: 1},
		"backup-restore":              {Decision: "answers", Roles: "supports/responsible/none", By: "DTBK-3=yes", Notes: 2},
		"remote-service":              {Decision: "answers", Roles: "responsible/responsible/supports", By: "RMOT-1=yes,RMOT-1.1=yes", Notes: 1},
		"network-segmentation":        {Decision: "guidance", Roles: "supports/responsible/supports", Notes: 1},
		"security-event-notification": {Decision: "guidance", Roles: "responsible/responsible/informed", Notes: 1},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("matrix (-want +got):\n%s", diff)
	}
}

func TestResponsibilitiesRules(t *testing.T) {
	tests := []struct {
		name     string
		answers  map[string]string
		activity string
		want     rowSummary
	}{
		{"no answers: default for a missing answer", nil, "os-updates", rowSummary{Decision: "unanswered", Roles: "responsible/supports/supports"}},
		{"vendor installs OS updates", map[string]string{"CSUP-1": "yes", "CSUP-2": "yes", "CSUP-2.1": "no", "CSUP-2.2": "yes"}, "os-updates", rowSummary{Decision: "answers", Roles: "responsible/supports/none", By: "CSUP-2.2=yes"}},
		{"see-note does not decide", map[string]string{"CSUP-2.1": "see-note"}, "os-updates", rowSummary{Decision: "unanswered", Roles: "responsible/supports/supports"}},
		{"lower-case ids and answers", map[string]string{"csup-2.1": " YES "}, "os-updates", rowSummary{Decision: "answers", Roles: "supports/responsible/supports", By: "CSUP-2.1=yes"}},
		{"no anti-malware: compensating controls", map[string]string{"MLDP-1": "yes", "MLDP-2": "no", "MLDP-3": "yes"}, "malware-protection", rowSummary{Decision: "answers", Roles: "supports/responsible/supports", By: "MLDP-2=no", Notes: 1}},
		{"anti-malware by default, owner cannot touch it", map[string]string{"MLDP-2": "yes", "MLDP-2.1": "yes", "MLDP-2.3": "no"}, "malware-protection", rowSummary{Decision: "answers", Roles: "responsible/supports/none", By: "MLDP-2=yes,MLDP-2.1=yes"}},
		{"no backup function", map[string]string{"DTBK-1": "yes", "DTBK-3": "no", "DTBK-4": "no"}, "backup-restore", rowSummary{Decision: "answers", Roles: "responsible/supports/none", By: "DTBK-3=no,DTBK-4=no", Notes: 1}},
		{"no remote connections at all", map[string]string{"RMOT-1": "no", "RMOT-2": "no", "RMOT-3": "no"}, "remote-service", rowSummary{Decision: "not-applicable"}},
		{"ports not published", map[string]string{"CONN-2": "no"}, "network-segmentation", rowSummary{Decision: "answers", Roles: "responsible/responsible/supports", By: "CONN-2=no"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := summariseMatrix(Responsibilities(tt.answers))[tt.activity]
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("%s (-want +got):\n%s", tt.activity, diff)
			}
		})
	}
	m := Responsibilities(nil)
	for _, r := range m.Rows {
		if len(r.Cells) != 3 || len(r.Consulted) == 0 && r.Activity != "security-event-notification" {
			t.Errorf("%s: %d cells, consulted %v", r.Activity, len(r.Cells), r.Consulted)
		}
	}
	if NormaliseMDS2ID(" shad-15 ") != "SAHD-15" {
		t.Error("SHAD-15 typo not mapped")
	}
}
