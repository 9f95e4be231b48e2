package procurement

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/vigil-med/vigil/internal/lazyre"
	"github.com/vigil-med/vigil/internal/mds2"
)

// ParsedAnswer is a questionnaire answer read according to its type.
type ParsedAnswer struct {
	YesNo  mds2.Value // yes-no: yes, no, na, see-note or text (anything else)
	Date   time.Time  // date
	Number float64    // days, hours, percent
}

var (
	numberRE = lazyre.New(`[-+]?\d+(?:[.,]\d+)?`)
	yearRE   = lazyre.New(`^(\d{4})$`)
	monthRE  = lazyre.New(`^(\d{4})-(\d{1,2})$`)
	dmyRE    = lazyre.New(`^(\d{1,2})\.(\d{1,2})\.(\d{4})$`)
	mdashRE  = lazyre.New(`^(\d{1,2})/(\d{4})$`)
)

// ParseAnswer reads a questionnaire answer of the given type. Yes/no answers are normalised on their
// leading token as MDS2 answers are ("Yes, via LDAP" is yes). Dates may be written 2034-12-31, 31.12.2034,
// 2034-12 or 12/2034 (the end of that month) or 2034 (the end of that year), or be an Excel serial number.
// Numbers take the first number in the text ("within 30 days" is 30; "99,95 %" is 99.95). Errors say what
// was expected.
func ParseAnswer(typ, raw string) (ParsedAnswer, error) {
	raw = strings.TrimSpace(raw)
	var p ParsedAnswer
	switch typ {
	case AnswerYesNo:
		v, _, _ := mds2.Normalise(mds2.KindYesNo, raw)
		if v == mds2.ValueBlank {
			return p, fmt.Errorf("no answer")
		}
		p.YesNo = v
		return p, nil
	case AnswerText:
		return p, nil
	case AnswerDate:
		d, ok := parseDate(raw)
		if !ok {
			return p, fmt.Errorf("%q is not a date (write it as YYYY-MM-DD)", clip(raw, 40))
		}
		p.Date = d
		return p, nil
	case AnswerDays, AnswerHours, AnswerPercent:
		m := numberRE.FindString(raw)
		if m == "" {
			return p, fmt.Errorf("%q is not a number of %s", clip(raw, 40), map[string]string{AnswerDays: "days", AnswerHours: "hours", AnswerPercent: "percent"}[typ])
		}
		n, err := strconv.ParseFloat(strings.ReplaceAll(m, ",", "."), 64)
		if err != nil || n < 0 {
			return p, fmt.Errorf("%q is not a usable number", clip(raw, 40))
		}
		if typ == AnswerPercent && n > 100 {
			return p, fmt.Errorf("%s %% is more than 100 %%", m)
		}
		p.Number = n
		return p, nil
	}
	return p, fmt.Errorf("unknown answer type %q", typ)
}

func parseDate(s string) (time.Time, bool) {
	s = strings.TrimSpace(s)
	if len(s) >= 10 {
		if t, err := time.Parse("2006-01-02", s[:10]); err == nil && t.Year() >= 1900 && t.Year() <= 2200 {
			return t, true
		}
	}
	endOfMonth := func(y, m int) (time.Time, bool) {
		if m < 1 || m > 12 || y < 1900 || y > 2200 {
			return time.Time{}, false
		}
		return time.Date(y, time.Month(m)+1, 0, 0, 0, 0, 0, time.UTC), true
	}
	if m := yearRE.FindStringSubmatch(s); m != nil {
		y, _ := strconv.Atoi(m[1])
		if y >= 1990 && y <= 2200 {
			return endOfMonth(y, 12)
		}
		// A four-digit Excel serial number (dates up to 1927) is not a support end date.
		return time.Time{}, false
	}
	if m := monthRE.FindStringSubmatch(s); m != nil {
		y, _ := strconv.Atoi(m[1])
		mo, _ := strconv.Atoi(m[2])
		return endOfMonth(y, mo)
	}
	if m := mdashRE.FindStringSubmatch(s); m != nil {
		mo, _ := strconv.Atoi(m[1])
		y, _ := strconv.Atoi(m[2])
		return endOfMonth(y, mo)
	}
	if m := dmyRE.FindStringSubmatch(s); m != nil {
		d, _ := strconv.Atoi(m[1])
		mo, _ := strconv.Atoi(m[2])
		y, _ := strconv.Atoi(m[3])
		t := time.Date(y, time.Month(mo), d, 0, 0, 0, 0, time.UTC)
		if t.Day() != d || int(t.Month()) != mo || y < 1900 || y > 2200 {
			return time.Time{}, false
		}
		return t, true
	}
	// Excel serial day numbers (1900 date system) as they come out of a date cell read as text.
	if n, err := strconv.ParseFloat(s, 64); err == nil && n >= 32874 && n <= 110000 { // 1990 … 2201
		return time.Date(1899, 12, 30, 0, 0, 0, 0, time.UTC).AddDate(0, 0, int(n)), true
	}
	return time.Time{}, false
}
