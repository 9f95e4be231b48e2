// Package epss reads FIRST EPSS score files: CSV (plain or gzipped) with the columns cve, epss,
// percentile, with or without FIRST's leading comment line "#model_version:…,score_date:…", and
// the semicolon-separated variant.
package epss

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/vigil-med/vigil/internal/feeds/internal/feedutil"
	"github.com/vigil-med/vigil/internal/vuln"
)

// MaxBytes is the default limit of the decompressed file (FIRST's full file is ~12 MB for
// 300,000 CVEs).
const MaxBytes = 512 << 20

// Score is one row.
type Score struct {
	CVE        string
	EPSS       float64 // 0–1
	Percentile float64 // 0–1
}

// Scores is one EPSS file, sorted by CVE id.
type Scores struct {
	ModelVersion string    // from the comment line; "" when absent
	ScoreDate    time.Time // from the comment line; zero when absent
	Scores       []Score
}

// Decode reads an EPSS CSV file (gzipped or not) of at most maxBytes decompressed bytes
// (MaxBytes when ≤ 0). Rows are sorted by CVE id; a CVE listed twice is an error.
func Decode(r io.Reader, name string, maxBytes int64) (Scores, error) {
	if maxBytes <= 0 {
		maxBytes = MaxBytes
	}
	data, err := feedutil.ReadAll(r, maxBytes, name)
	if err != nil {
		return Scores{}, err
	}
	if data, err = feedutil.MaybeGunzip(data, maxBytes, name); err != nil {
		return Scores{}, err
	}
	// One string for the whole file: CVE ids are substrings of it, so the rows allocate nothing.
	text := string(feedutil.TrimBOM(data))
	var out Scores
	line := 0
	sep := byte(0)
	headerSeen := false
	rows := strings.Count(text, "\n") + 1
	out.Scores = make([]Score, 0, rows)
	for len(text) > 0 {
		var l string
		if i := strings.IndexByte(text, '\n'); i >= 0 {
			l, text = text[:i], text[i+1:]
		} else {
			l, text = text, ""
		}
		line++
		l = strings.TrimSuffix(l, "\r")
		if strings.TrimSpace(l) == "" {
			continue
		}
		if strings.HasPrefix(l, "#") {
			if err := out.comment(l); err != nil {
				return Scores{}, fmt.Errorf("%s:%d: %v", name, line, err)
			}
			continue
		}
		if !headerSeen {
			h := strings.ToLower(strings.ReplaceAll(l, " ", ""))
			switch {
			case strings.HasPrefix(h, "cve,epss,percentile"):
				sep = ','
			case strings.HasPrefix(h, "cve;epss;percentile"):
				sep = ';'
			default:
				return Scores{}, fmt.Errorf("%s:%d: header %q: not an EPSS file (want cve,epss,percentile)", name, line, feedutil.Clip(l))
			}
			headerSeen = true
			continue
		}
		s, err := parseRow(l, sep)
		if err != nil {
			return Scores{}, fmt.Errorf("%s:%d: %v", name, line, err)
		}
		out.Scores = append(out.Scores, s)
	}
	if !headerSeen {
		return Scores{}, fmt.Errorf("%s: empty file, not an EPSS file", name)
	}
	if !slices.IsSortedFunc(out.Scores, compareRows) {
		slices.SortStableFunc(out.Scores, compareRows)
	}
	for i := 1; i < len(out.Scores); i++ {
		if out.Scores[i].CVE == out.Scores[i-1].CVE {
			return Scores{}, fmt.Errorf("%s: %s is listed twice", name, out.Scores[i].CVE)
		}
	}
	return out, nil
}

func compareRows(a, b Score) int { return vuln.CompareIDs(a.CVE, b.CVE) }

// comment reads "#model_version:v2023.03.01,score_date:2023-03-07T00:00:00+0000".
func (s *Scores) comment(l string) error {
	for _, kv := range strings.Split(strings.TrimPrefix(l, "#"), ",") {
		k, v, ok := strings.Cut(kv, ":")
		if !ok {
			continue
		}
		switch strings.TrimSpace(k) {
		case "model_version":
			s.ModelVersion = strings.TrimSpace(v)
		case "score_date":
			t, err := feedutil.ParseTime(strings.TrimSpace(v))
			if err != nil {
				return fmt.Errorf("score_date: %v", err)
			}
			s.ScoreDate = t
		}
	}
	return nil
}

func parseRow(l string, sep byte) (Score, error) {
	var f [3]string
	rest := l
	for i := range f {
		var ok bool
		f[i], rest, ok = strings.Cut(rest, string(sep))
		if !ok && i < 2 {
			return Score{}, fmt.Errorf("%d fields, want cve%cepss%cpercentile", i+1, sep, sep)
		}
	}
	cve := strings.TrimSpace(f[0])
	if !vuln.IsCVE(cve) {
		return Score{}, fmt.Errorf("cve %q is not a CVE id", feedutil.Clip(cve))
	}
	e, err := strconv.ParseFloat(strings.TrimSpace(f[1]), 64)
	if err != nil || e < 0 || e > 1 {
		return Score{}, fmt.Errorf("%s: epss %q is not a probability between 0 and 1", cve, feedutil.Clip(f[1]))
	}
	p, err := strconv.ParseFloat(strings.TrimSpace(f[2]), 64)
	if err != nil || p < 0 || p > 1 {
		return Score{}, fmt.Errorf("%s: percentile %q is not between 0 and 1", cve, feedutil.Clip(f[2]))
	}
	return Score{CVE: cve, EPSS: e, Percentile: p}, nil
}

// ReadFile reads an EPSS file (see Decode).
func ReadFile(path string) (Scores, error) {
	f, err := os.Open(path)
	if err != nil {
		return Scores{}, err
	}
	defer f.Close()
	return Decode(f, path, 0)
}

// Get returns the score of a CVE id.
func (s *Scores) Get(cve string) (vuln.EPSS, bool) {
	i, ok := slices.BinarySearchFunc(s.Scores, cve, func(row Score, id string) int { return vuln.CompareIDs(row.CVE, id) })
	if !ok {
		return vuln.EPSS{}, false
	}
	r := s.Scores[i]
	return vuln.EPSS{Score: r.EPSS, Percentile: r.Percentile, Date: s.ScoreDate, ModelVersion: s.ModelVersion}, true
}

// Looks reports whether the start of a (decompressed) file looks like an EPSS CSV.
func Looks(head []byte) bool {
	head = bytes.ToLower(feedutil.TrimBOM(head))
	if bytes.HasPrefix(head, []byte("#model_version")) {
		return true
	}
	return bytes.HasPrefix(head, []byte("cve,epss,percentile")) || bytes.HasPrefix(head, []byte("cve;epss;percentile"))
}
