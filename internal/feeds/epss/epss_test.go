package epss

import (
	"bytes"
	"compress/gzip"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/vigil-med/vigil/internal/vuln"
)

func TestSampleVariants(t *testing.T) {
	plain, err := os.ReadFile("testdata/epss_sample.csv")
	if err != nil {
		t.Fatal(err)
	}
	want, err := Decode(bytes.NewReader(plain), "epss_sample.csv", 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(want.Scores) != 1883 {
		t.Fatalf("rows = %d, want 1883", len(want.Scores))
	}
	got, ok := want.Get("CVE-2021-44228")
	if !ok || got.Score != 0.99999 || got.Percentile != 1 {
		t.Errorf("Log4Shell = %+v %v", got, ok)
	}
	if got, _ := want.Get("CVE-2017-0144"); got.Score != 0.9923 || got.Percentile != 0.99932 {
		t.Errorf("EternalBlue = %+v", got)
	}
	if _, ok := want.Get("CVE-2099-0001"); ok {
		t.Error("found a CVE that is not there")
	}

	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	zw.Write([]byte("#model_version:v2025.03.14,score_date:2026-08-16T12:55:00Z\n"))
	zw.Write(plain)
	zw.Close()
	semi := strings.ReplaceAll(string(plain), ",", ";")
	crlf := strings.ReplaceAll(string(plain), "\n", "\r\n")
	for name, in := range map[string][]byte{"gz+comment": gz.Bytes(), "semicolon": []byte(semi), "crlf": []byte(crlf)} {
		s, err := Decode(bytes.NewReader(in), name, 0)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if diff := cmp.Diff(want.Scores, s.Scores); diff != "" {
			t.Errorf("%s rows differ (-plain +variant):\n%s", name, diff)
		}
		if name == "gz+comment" {
			if s.ModelVersion != "v2025.03.14" || !s.ScoreDate.Equal(time.Date(2026, 8, 16, 12, 55, 0, 0, time.UTC)) {
				t.Errorf("comment line: %q %v", s.ModelVersion, s.ScoreDate)
			}
			if e, _ := s.Get("CVE-2021-44228"); e.ModelVersion != "v2025.03.14" || e.Date.IsZero() {
				t.Errorf("Get carries no model version/date: %+v", e)
			}
		}
	}
	// unsorted input is sorted
	lines := strings.Split(strings.TrimSpace(string(plain)), "\n")
	rev := []string{lines[0]}
	for i := len(lines) - 1; i > 0; i-- {
		rev = append(rev, lines[i])
	}
	s, err := Decode(strings.NewReader(strings.Join(rev, "\n")), "rev", 0)
	if err != nil || !cmp.Equal(want.Scores, s.Scores) {
		t.Errorf("reversed input: %v", err)
	}
}

func TestErrors(t *testing.T) {
	plain, _ := os.ReadFile("testdata/epss_sample.csv")
	for _, tc := range []struct{ name, in, want string }{
		{"header", "id,score\nCVE-2020-0001,0.1\n", `x:1: header "id,score": not an EPSS file`},
		{"range", "cve,epss,percentile\nCVE-2020-0001,1.5,0.2\n", "x:2: CVE-2020-0001: epss \"1.5\" is not a probability"},
		{"fields", "cve,epss,percentile\nCVE-2020-0001\n", "x:2: 1 fields"},
		{"id", "cve,epss,percentile\nGHSA-1,0.1,0.1\n", `x:2: cve "GHSA-1" is not a CVE id`},
		{"dup", "cve,epss,percentile\nCVE-2020-0001,0.1,0.1\nCVE-2020-0001,0.1,0.1\n", "listed twice"},
		{"empty", "", "empty file"},
		{"date", "#model_version:v1,score_date:tomorrow\ncve,epss,percentile\n", "x:1: score_date"},
		{"gzip cut", string(gzipped(plain)[:500]), "truncated"},
	} {
		_, err := Decode(strings.NewReader(tc.in), "x", 0)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: err = %v, want %q", tc.name, err, tc.want)
		}
	}
	if _, err := Decode(bytes.NewReader(gzipped(plain)), "x", 10000); err == nil || !strings.Contains(err.Error(), "too large") {
		t.Errorf("limit: %v", err)
	}
}

func gzipped(b []byte) []byte {
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	zw.Write(b)
	zw.Close()
	return buf.Bytes()
}

func FuzzDecode(f *testing.F) {
	plain, _ := os.ReadFile("testdata/epss_sample.csv")
	f.Add(plain[:1000])
	f.Add([]byte("#model_version:v1,score_date:2026-01-01\ncve;epss;percentile\nCVE-2020-0001;0.1;0.2\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		s, err := Decode(bytes.NewReader(data), "fuzz", 1<<20)
		if err != nil {
			return
		}
		for _, r := range s.Scores {
			if !vuln.IsCVE(r.CVE) || r.EPSS < 0 || r.EPSS > 1 || r.Percentile < 0 || r.Percentile > 1 {
				t.Fatalf("bad row %+v", r)
			}
			if _, ok := s.Get(r.CVE); !ok {
				t.Fatalf("Get(%s) fails", r.CVE)
			}
		}
	})
}

func BenchmarkDecodeFull(b *testing.B) {
	data, err := os.ReadFile("/work/shared/data/epss/epss_scores-2026-08-16.csv.gz")
	if err != nil {
		b.Skip("full EPSS file not present:", err)
	}
	b.ReportAllocs()
	for b.Loop() {
		s, err := Decode(bytes.NewReader(data), "epss.csv.gz", 0)
		if err != nil || len(s.Scores) != 360142 {
			b.Fatal(err, len(s.Scores))
		}
	}
}
