package scan

import (
	"bufio"
	"io"
	"strconv"
	"time"
	"unicode/utf8"

	"github.com/vigil-med/vigil/internal/match"
	"github.com/vigil-med/vigil/internal/vuln"
)

// JSONSchema names the version of the JSON output; it changes when fields change meaning.
const JSONSchema = "vigil-scan/v1"

// WriteJSON writes the scan as JSON: a header (tool, SBOM, summary) and "findings", one entry per
// component and vulnerability, each on its own line. Entry fields (empty ones left out unless
// noted): component, version, purl, cpe, ref, id, aliases (always), summary, severity (always:
// critical|high|medium|low|none|unknown), score, vector, severitySource, cwe, kev (always),
// kevDateAdded, kevDueDate, kevRansomware, euKev (always), euKevDateReported, epss,
// epssPercentile, fixedVersions (always), source, record, matcher, reason, otherReasons, status,
// vex {status, justification, impactStatement, actionStatement, origin, source, timestamp,
// componentLevel}, confidence, guessed.
//
// The writer streams: memory does not grow with the size of the output.
func WriteJSON(w io.Writer, r *Result) error {
	bw := bufio.NewWriterSize(w, 64<<10)
	s := summarize(r)
	var j jw
	j.raw(`{` + "\n" + `  "$schema": `)
	j.str(JSONSchema)
	j.raw(",\n  \"created\": ")
	j.str(r.Created.Format(time.RFC3339Nano))
	j.raw(",\n  \"tool\": {")
	j.field("name", r.Tool, true)
	j.field("version", r.Version, false)
	j.raw("},\n  \"sbom\": {")
	first := true
	for _, kv := range [][2]string{{"file", r.SBOMName}, {"format", string(r.Document.Format)}, {"specVersion", r.Document.SpecVersion},
		{"serial", r.Document.Serial}} {
		if kv[1] != "" {
			j.field(kv[0], kv[1], first)
			first = false
		}
	}
	if sub := r.Document.Subject; sub != nil {
		j.field("subjectName", sub.Name, first)
		j.field("subjectVersion", sub.Version, false)
		first = false
	}
	j.key("components", first)
	j.int(len(r.Document.Components))
	j.raw("},\n  \"summary\": {")
	j.key("findings", true)
	j.int(s.total)
	j.key("bySeverity", false)
	j.raw("{")
	first = true
	for l := vuln.Critical; ; l-- {
		if n := s.byLevel[l]; n > 0 {
			j.key(l.String(), first)
			j.int(n)
			first = false
		}
		if l == vuln.Unknown {
			break
		}
	}
	j.raw("}")
	j.key("cisaKev", false)
	j.int(s.kev)
	j.key("euKev", false)
	j.int(s.eukev)
	j.key("suppressed", false)
	j.int(s.suppressed)
	j.key("feeds", false)
	j.raw("{")
	j.key("records", true)
	j.int(r.Index.Records)
	j.key("vulnerabilities", false)
	j.int(r.Index.Vulnerabilities)
	j.raw("}},\n  \"findings\": [")
	for i := range r.Findings {
		if i > 0 {
			j.raw(",")
		}
		j.raw("\n    ")
		j.finding(&r.Findings[i])
		if len(j.b) > 32<<10 {
			if _, err := bw.Write(j.b); err != nil {
				return err
			}
			j.b = j.b[:0]
		}
	}
	if len(r.Findings) > 0 {
		j.raw("\n  ")
	}
	j.raw("]\n}\n")
	if _, err := bw.Write(j.b); err != nil {
		return err
	}
	return bw.Flush()
}

func (j *jw) finding(f *match.Finding) {
	sev := Severity(f)
	j.raw("{")
	j.field("component", componentName(f), true)
	j.field("version", componentVersion(f), false)
	j.field("purl", f.Package.PURL, false)
	j.field("cpe", f.Package.CPE, false)
	j.field("ref", f.Package.Ref, false)
	j.key("id", false)
	j.str(f.VulnID)
	v := f.Vulnerability
	j.key("aliases", false)
	if v != nil {
		j.strs(v.Aliases)
	} else {
		j.raw("[]")
	}
	if v != nil {
		j.field("summary", v.Summary, false)
	}
	j.key("severity", false)
	j.str(sev.Level.String())
	if sev.Score > 0 {
		j.key("score", false)
		j.float(sev.Score)
	}
	j.field("vector", sev.Vector, false)
	j.field("severitySource", sev.Source, false)
	if v != nil && len(v.CWE) > 0 {
		j.key("cwe", false)
		j.strs(v.CWE)
	}
	j.key("kev", false)
	j.bool(v != nil && v.CISAKEV != nil)
	if v != nil && v.CISAKEV != nil {
		j.field("kevDateAdded", date(v.CISAKEV.DateAdded), false)
		j.field("kevDueDate", date(v.CISAKEV.DueDate), false)
		if v.CISAKEV.Ransomware() {
			j.key("kevRansomware", false)
			j.bool(true)
		}
	}
	j.key("euKev", false)
	j.bool(v != nil && v.EUKEV != nil)
	if v != nil && v.EUKEV != nil {
		j.field("euKevDateReported", date(v.EUKEV.DateReported), false)
	}
	if v != nil && v.EPSS != nil {
		j.key("epss", false)
		j.float(v.EPSS.Score)
		j.key("epssPercentile", false)
		j.float(v.EPSS.Percentile)
	}
	j.key("fixedVersions", false)
	j.strs(f.FixedVersions)
	j.field("source", f.Source, false)
	j.field("record", f.RecordID, false)
	j.field("matcher", f.Matcher, false)
	j.field("reason", f.Reason, false)
	if len(f.OtherReasons) > 0 {
		j.key("otherReasons", false)
		j.strs(f.OtherReasons)
	}
	j.field("status", string(f.Status), false)
	if d := f.VEX; d != nil {
		j.key("vex", false)
		j.raw("{")
		j.field("status", string(d.Status), true)
		j.field("justification", string(d.Justification), false)
		j.field("impactStatement", d.ImpactStatement, false)
		j.field("actionStatement", d.ActionStatement, false)
		j.field("origin", string(d.Origin), false)
		j.field("source", d.Source, false)
		if !d.Timestamp.IsZero() {
			j.field("timestamp", d.Timestamp.UTC().Format(time.RFC3339Nano), false)
		}
		j.key("componentLevel", false)
		j.bool(d.ComponentLevel)
		j.raw("}")
	}
	j.key("confidence", false)
	j.float(f.Confidence)
	if f.Guessed {
		j.key("guessed", false)
		j.bool(true)
	}
	j.raw("}")
}

func date(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.Format("2006-01-02")
}

// jw appends JSON to a byte slice; strings are escaped as encoding/json does (without HTML
// escaping), invalid UTF-8 replaced by U+FFFD.
type jw struct{ b []byte }

func (j *jw) raw(s string) { j.b = append(j.b, s...) }

const indentSpaces = "                                        "

// nl starts a line indented by depth levels of two spaces (at most 20).
func (j *jw) nl(depth int) {
	j.b = append(j.b, '\n')
	j.b = append(j.b, indentSpaces[:2*depth]...)
}

func (j *jw) key(k string, first bool) {
	if !first {
		j.b = append(j.b, ", "...)
	}
	j.str(k)
	j.b = append(j.b, ": "...)
}

// field writes "k": "v", leaving it out when v is empty (unless it is the first field).
func (j *jw) field(k, v string, first bool) {
	if v == "" && !first {
		return
	}
	j.key(k, first)
	j.str(v)
}

func (j *jw) int(n int)   { j.b = strconv.AppendInt(j.b, int64(n), 10) }
func (j *jw) bool(b bool) { j.b = strconv.AppendBool(j.b, b) }

func (j *jw) float(f float64) { j.b = strconv.AppendFloat(j.b, f, 'g', -1, 64) }

func (j *jw) strs(ss []string) {
	j.b = append(j.b, '[')
	for i, s := range ss {
		if i > 0 {
			j.b = append(j.b, ", "...)
		}
		j.str(s)
	}
	j.b = append(j.b, ']')
}

const hexDigits = "0123456789abcdef"

// load64 reads eight bytes of s from i, little-endian (one load once compiled).
func load64(s string, i int) uint64 {
	s = s[i : i+8]
	return uint64(s[0]) | uint64(s[1])<<8 | uint64(s[2])<<16 | uint64(s[3])<<24 |
		uint64(s[4])<<32 | uint64(s[5])<<40 | uint64(s[6])<<48 | uint64(s[7])<<56
}

// plain8 reports whether none of the eight bytes in x is a control character, '"', '\\' or
// outside ASCII, that is whether str copies them as they are.
func plain8(x uint64) bool {
	const ones, highs = 0x0101010101010101, 0x8080808080808080
	// zero(v) is non-zero when a byte of v is 0; (x-0x20*ones)&^x&highs when a byte of x is below
	// 0x20, given that none is 0x80 or above (the first term).
	zero := func(v uint64) uint64 { return (v - ones) &^ v & highs }
	return (x&highs | (x-0x20*ones)&^x&highs | zero(x^'"'*ones) | zero(x^'\\'*ones)) == 0
}

func (j *jw) str(s string) {
	b := append(j.b, '"')
	start := 0
	for i := 0; i < len(s); {
		// Eight bytes at a time while none needs a look (the output is mostly plain ASCII: a tenth
		// of a 10,000-component scan went to this loop a byte at a time).
		if i+8 <= len(s) && plain8(load64(s, i)) {
			i += 8
			continue
		}
		c := s[i]
		if c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' {
				i++
				continue
			}
			b = append(b, s[start:i]...)
			switch c {
			case '"', '\\':
				b = append(b, '\\', c)
			case '\b':
				b = append(b, '\\', 'b')
			case '\f':
				b = append(b, '\\', 'f')
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			default:
				b = append(b, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xf])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			b = append(b, s[start:i]...)
			b = append(b, `\ufffd`...)
			i += size
			start = i
			continue
		}
		if r == '\u2028' || r == '\u2029' {
			b = append(b, s[start:i]...)
			b = append(b, '\\', 'u', '2', '0', '2', hexDigits[r&0xf])
			i += size
			start = i
			continue
		}
		i += size
	}
	b = append(b, s[start:]...)
	j.b = append(b, '"')
}
