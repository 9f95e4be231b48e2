package web

import (
	"fmt"
	"html/template"
	"math"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/vigil-med/vigil/internal/disclosure"
	"github.com/vigil-med/vigil/internal/domain"
	"github.com/vigil-med/vigil/internal/httpx"
)

// funcs are the template helpers. Dates are shown in the organisation's time zone.
func (s *Server) funcs() template.FuncMap {
	return template.FuncMap{
		"date":     func(p *httpx.Principal, t any) string { return fmtTime(p, t, "2006-01-02") },
		"datetime": func(p *httpx.Principal, t any) string { return fmtTime(p, t, "2006-01-02 15:04 MST") },
		"isodate":  func(t any) string { return fmtTime(nil, t, "2006-01-02") },
		"ago":      func(t any) string { return ago(s.Now(), t) },
		"active":   isActive,
		"pct": func(part, whole any) string {
			w := toFloat(whole)
			if w == 0 {
				return "–"
			}
			return fmt.Sprintf("%.0f %%", 100*toFloat(part)/w)
		},
		"num": func(v any) string { return groupDigits(v) },
		"fixed": func(digits int, v any) string {
			return strconv.FormatFloat(toFloat(v), 'f', digits, 64)
		},
		"eur":   func(v any) string { return "€ " + groupDigits(int64(math.Round(toFloat(v)))) },
		"join":  strings.Join,
		"add":   func(a, b int) int { return a + b },
		"sub":   func(a, b int) int { return a - b },
		"upper": strings.ToUpper,
		"title": func(s string) string {
			if s == "" {
				return s
			}
			return strings.ToUpper(s[:1]) + strings.ReplaceAll(s[1:], "_", " ")
		},
		"roleLabel": func(r domain.Role) string { return r.Label() },
		"roles":     func() []domain.Role { return domain.Roles },
		"can":       func(p *httpx.Principal, perm string) bool { return p.Can(domain.Permission(perm)) },
		// qs returns the current query string with one parameter set (and paging reset), for filter and
		// sort links.
		"qs": func(raw string, kv ...string) string {
			q, _ := url.ParseQuery(raw)
			if len(kv)%2 == 0 {
				for i := 0; i < len(kv); i += 2 {
					if kv[i+1] == "" {
						q.Del(kv[i])
					} else {
						q.Set(kv[i], kv[i+1])
					}
				}
			}
			if len(kv) > 0 && kv[0] != "offset" {
				q.Del("offset")
			}
			return "?" + q.Encode()
		},
		// sortq toggles the sort between ascending and descending for a column.
		"sortq": func(raw, col string) string {
			q, _ := url.ParseQuery(raw)
			cur := q.Get("sort")
			if cur == col {
				q.Set("sort", "-"+col)
			} else {
				q.Set("sort", col)
			}
			q.Del("offset")
			return "?" + q.Encode()
		},
		"sortmark": func(raw, col string) string {
			q, _ := url.ParseQuery(raw)
			switch q.Get("sort") {
			case col:
				return "ascending"
			case "-" + col:
				return "descending"
			}
			return "none"
		},
		"pager": func(raw string, total, limit, offset int) pager { return newPager(raw, total, limit, offset) },
		"dict": func(kv ...any) map[string]any {
			m := map[string]any{}
			for i := 0; i+1 < len(kv); i += 2 {
				m[fmt.Sprint(kv[i])] = kv[i+1]
			}
			return m
		},
		"list": func(v ...any) []any { return v },
		"sevclass": func(sev string) string {
			switch strings.ToLower(sev) {
			case "critical":
				return "sev-critical"
			case "high":
				return "sev-high"
			case "medium", "moderate":
				return "sev-medium"
			case "low":
				return "sev-low"
			}
			return "sev-none"
		},
		// Regulation: a measure status and an entity type for people.
		"measureStatus": domain.MeasureStatusLabel,
		"entityPlain":   entityPlainName,
		// pngData lets a data: URL of a PNG (the MFA QR code, made by the server) into an src attribute,
		// where html/template otherwise replaces every data: URL with #ZgotmplZ.
		"pngData": func(s string) template.URL {
			if strings.HasPrefix(s, "data:image/png;base64,") {
				return template.URL(s)
			}
			return ""
		},
		// Inventory: labels and badge classes of the ordered scales, and the lists forms offer.
		"critLabel":     func(c domain.Criticality) string { return c.Label() },
		"critClass":     critClass,
		"expLabel":      func(e domain.Exposure) string { return e.Label() },
		"expClass":      expClass,
		"supportClass":  supportClass,
		"statusLabel":   func(s domain.AssetStatus) string { return s.Label() },
		"catLabel":      domain.CategoryLabel,
		"classLabel":    func(c domain.DeviceClass) string { return c.Label() },
		"criticalities": func() []domain.Criticality { return domain.Criticalities },
		"assetStatuses": func() []domain.AssetStatus { return domain.AssetStatuses },
		"exposures":     func() []domain.Exposure { return domain.Exposures },
		"supportStates": func() []domain.SupportState { return domain.SupportStates },
		"categories":    func() []domain.Category { return domain.Categories },
		"deviceClasses": func() []domain.DeviceClass { return domain.DeviceClasses },
		// Disclosures: labels and badge classes of documents, MDS2 answers, VEX statuses and mapping states.
		"discKind":       func(k domain.DisclosureKind) string { return k.Label() },
		"discKinds":      func() []domain.DisclosureKind { return domain.DisclosureKinds },
		"discValue":      disclosure.ValueLabel,
		"discValueClass": discValueClass,
		"discVEXClass":   discVEXClass,
		"discStateClass": discStateClass,
		"discSize":       discSize,
		"discFactClass":  discFactClass,
		"discHas": func(ids []int64, id int64) bool {
			for _, x := range ids {
				if x == id {
					return true
				}
			}
			return false
		},
		"exTopic": domain.GuidanceTopicLabel,
		"safeURL": func(s string) template.URL {
			if strings.HasPrefix(s, "https://") || strings.HasPrefix(s, "http://") || strings.HasPrefix(s, "/") {
				return template.URL(s)
			}
			return template.URL("#")
		},
	}
}

func fmtTime(p *httpx.Principal, v any, layout string) string {
	var t time.Time
	switch x := v.(type) {
	case time.Time:
		t = x
	case *time.Time:
		if x == nil {
			return ""
		}
		t = *x
	default:
		return ""
	}
	if t.IsZero() {
		return ""
	}
	loc := time.UTC
	if p != nil {
		loc = p.Org.Location()
	}
	return t.In(loc).Format(layout)
}

func ago(now time.Time, v any) string {
	var t time.Time
	switch x := v.(type) {
	case time.Time:
		t = x
	case *time.Time:
		if x == nil {
			return "never"
		}
		t = *x
	}
	if t.IsZero() {
		return "never"
	}
	d := now.Sub(t)
	future := d < 0
	if future {
		d = -d
	}
	var s string
	switch {
	case d < time.Minute:
		s = "less than a minute"
	case d < time.Hour:
		s = plural(int(d.Minutes()), "minute")
	case d < 48*time.Hour:
		s = plural(int(d.Hours()), "hour")
	default:
		s = plural(int(d.Hours()/24), "day")
	}
	if future {
		return "in " + s
	}
	return s + " ago"
}

func plural(n int, unit string) string {
	if n == 1 {
		return "1 " + unit
	}
	return strconv.Itoa(n) + " " + unit + "s"
}

func toFloat(v any) float64 {
	switch x := v.(type) {
	case int:
		return float64(x)
	case int64:
		return float64(x)
	case float64:
		return x
	case float32:
		return float64(x)
	case *float64:
		if x != nil {
			return *x
		}
	}
	return 0
}

func groupDigits(v any) string {
	var s string
	switch x := v.(type) {
	case float64:
		s = strconv.FormatFloat(x, 'f', 0, 64)
	default:
		s = fmt.Sprint(x)
	}
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteRune(' ') // narrow no-break space: readable in every European locale
		}
		b.WriteRune(c)
	}
	if neg {
		return "-" + b.String()
	}
	return b.String()
}

type pager struct {
	Total, From, To  int
	Prev, Next       string
	HasPrev, HasNext bool
	Page, Pages      int
}

func newPager(raw string, total, limit, offset int) pager {
	p := pager{Total: total}
	if limit <= 0 {
		limit = domain.DefaultPageSize
	}
	if total > 0 {
		p.From = offset + 1
	}
	p.To = min(offset+limit, total)
	p.Page = offset/limit + 1
	p.Pages = max(1, (total+limit-1)/limit)
	q, _ := url.ParseQuery(raw)
	if offset > 0 {
		p.HasPrev = true
		q.Set("offset", strconv.Itoa(max(0, offset-limit)))
		p.Prev = "?" + q.Encode()
	}
	if offset+limit < total {
		p.HasNext = true
		q.Set("offset", strconv.Itoa(offset+limit))
		p.Next = "?" + q.Encode()
	}
	return p
}

func critClass(c domain.Criticality) string {
	switch c {
	case domain.CritLifeSustaining:
		return "sev-critical"
	case domain.CritCritical:
		return "sev-high"
	case domain.CritImportant:
		return "sev-medium"
	}
	return "sev-low"
}

func expClass(e domain.Exposure) string {
	switch e {
	case domain.ExposureInternet:
		return "bad"
	case domain.ExposureDMZ, domain.ExposureOffice:
		return "warn"
	case domain.ExposureClinical:
		return "info"
	case domain.ExposureIsolated, domain.ExposureStandalone:
		return "ok"
	}
	return ""
}

func supportClass(s domain.SupportState) string {
	switch s {
	case domain.SupportPast:
		return "bad"
	case domain.SupportSoon:
		return "warn"
	case domain.SupportSupported:
		return "ok"
	}
	return ""
}

func discValueClass(v string) string {
	switch v {
	case "yes":
		return "ok"
	case "no":
		return "warn"
	case "see-note":
		return "info"
	}
	return ""
}

func discVEXClass(status string) string {
	switch status {
	case "affected":
		return "bad"
	case "fixed":
		return "ok"
	case "not_affected":
		return "info"
	}
	return "warn"
}

func discStateClass(state string) string {
	switch state {
	case domain.MappingMapped:
		return "ok"
	case domain.MappingUnmapped:
		return "warn"
	}
	return ""
}

func discFactClass(v string) string {
	switch v {
	case "yes":
		return "ok"
	case "no":
		return "bad"
	case "unknown":
		return "warn"
	}
	return ""
}

// discSize writes a byte count for people (12.3 KiB).
func discSize(n int64) string {
	switch {
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%.1f KiB", float64(n)/(1<<10))
	}
	return fmt.Sprintf("%d B", n)
}
