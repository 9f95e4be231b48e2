package incident_test

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/vigil-med/vigil/internal/domain"
	"github.com/vigil-med/vigil/internal/incident"
	"github.com/vigil-med/vigil/internal/regulation/deadline"
)

// FuzzReportFields feeds arbitrary form values into every report template: validation either refuses
// them naming the field or accepts them, and an accepted draft always renders as PDF and JSON export.
func FuzzReportFields(f *testing.F) {
	f.Add("gdpr.33", "subject_count", "1800")
	f.Add("gdpr.33", "phased", "yes")
	f.Add("nis2.early-warning", "incident.summary", "Ransom note on RAD-WS-07\r\nStraße, Œuvre, 患者 ≥ 9.0")
	f.Add("mdr.manufacturer-report", "outcome", "might-have-led")
	f.Add("nis2.final", "mitigation", "Isolate\n\n\nRestore from backup\n"+strings.Repeat("x", 300))
	f.Add("hcp.suspected-incident", "device_kept", "perhaps")
	f.Add("cra.vuln.notification", "nope", "x")
	loc, _ := time.LoadLocation("Europe/Berlin")
	aware := time.Date(2026, 3, 28, 23, 30, 0, 0, loc)
	f.Fuzz(func(t *testing.T, template, field, value string) {
		tpl, ok := deadline.ReportByID(template)
		if !ok {
			return
		}
		clean, err := incident.ValidateFields(tpl, map[string]string{field: value})
		if err != nil {
			if domain.ErrorField(err) != "fields."+field {
				t.Fatalf("error names %q, want fields.%s: %v", domain.ErrorField(err), field, err)
			}
			return
		}
		rec := &incident.Record{Incident: domain.Incident{ID: 1, Title: "Fuzz", AwareAt: aware}, Org: domain.Organisation{Name: "Org", TimeZone: "Europe/Berlin"}}
		d, err := rec.Draft(template, 0)
		if err != nil {
			t.Fatal(err)
		}
		d.Fields = clean
		b, err := rec.PDF(d, aware)
		if err != nil || !bytes.HasPrefix(b, []byte("%PDF-")) {
			t.Fatalf("PDF of an accepted draft: %v", err)
		}
		if ex := rec.Export(d, aware); len(ex.Fields) != len(tpl.Fields) {
			t.Fatalf("export has %d fields, template %d", len(ex.Fields), len(tpl.Fields))
		}
	})
}

// FuzzClock checks the exercise clock: converting to the exercise clock and back returns the instant
// (to within the factor's rounding), and the clock never runs backwards.
func FuzzClock(f *testing.F) {
	f.Add(int64(0), int64(60), 60)
	f.Add(int64(-3600), int64(86400*365), 3600)
	f.Add(int64(86400*365*150), int64(1), 3600)
	start := time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, a, b int64, factor int) {
		const limit = 200 * 365 * 86400 // seconds; beyond that time.Duration itself overflows
		if factor < 1 || factor > domain.MaxIncidentAcceleration || a > limit || a < -limit || b > limit || b < -limit {
			return
		}
		c := incident.Clock{Start: start, Factor: factor}
		ta, tb := start.Add(time.Duration(a)*time.Second), start.Add(time.Duration(b)*time.Second)
		if a > b {
			ta, tb = tb, ta
		}
		if c.Incident(ta).After(c.Incident(tb)) {
			t.Fatalf("clock runs backwards: %v → %v, %v → %v", ta, c.Incident(ta), tb, c.Incident(tb))
		}
		if d := c.Incident(ta).Sub(start); d > -time.Duration(1<<62) && d < time.Duration(1<<62) {
			back := c.Real(c.Incident(ta))
			if diff := back.Sub(ta); diff > time.Nanosecond*time.Duration(factor) || diff < -time.Nanosecond*time.Duration(factor) {
				t.Fatalf("round trip at factor %d: %v → %v (off by %v)", factor, ta, back, diff)
			}
		}
	})
}
