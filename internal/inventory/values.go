package inventory

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/vigil-med/vigil/internal/domain"
)

// Cell values as exports write them: dates in several notations and Excel serial numbers, amounts
// with decimal comma or point and thousands separators, yes/no and levels in English or German.

// excelEpoch is day 0 of Excel's 1900 date system (which counts the non-existent 29 February 1900, so
// serials from 61 on line up with this epoch).
var excelEpoch = time.Date(1899, 12, 30, 0, 0, 0, 0, time.UTC)

var dateLayouts = []string{
	"2006-01-02", "2006-1-2", "2006/01/02", "2006/1/2", "2006-01-02 15:04:05", "2006-01-02 15:04", "2006-01-02T15:04:05",
	"02.01.2006", "2.1.2006", "02.01.06", "2.1.06", "02.01.2006 15:04", "02.01.2006 15:04:05",
	"02-Jan-2006", "2-Jan-2006", "02-Jan-06", "2-Jan-06", "2 January 2006", "2 Jan 2006", "January 2, 2006", "Jan 2, 2006",
}

// ParseDate reads a date: ISO (2019-03-01, also with a time), German (01.03.2019, 1.3.19), day-first
// with slashes (01/03/2019, month-first only when the day-first reading is impossible), with month
// names (01-Mar-2019), or an Excel serial number (43525). Years must lie within 1950–2100.
func ParseDate(s string) (domain.Date, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return domain.Date{}, nil
	}
	if f, err := strconv.ParseFloat(strings.Replace(s, ",", ".", 1), 64); err == nil && !strings.ContainsAny(s, "-/") {
		if f < 1 || f > 2958465 || strings.Count(s, ".") > 1 {
			return domain.Date{}, fmt.Errorf("%s is not a date", s)
		}
		d := domain.DateOf(excelEpoch.AddDate(0, 0, int(math.Floor(f))))
		return checkYear(s, d)
	}
	if strings.Contains(s, "T") && len(s) > 10 {
		if t, err := time.Parse(time.RFC3339, s); err == nil {
			return checkYear(s, domain.DateOf(t))
		}
	}
	for _, l := range dateLayouts {
		if t, err := time.Parse(l, s); err == nil {
			return checkYear(s, domain.DateOf(t))
		}
	}
	if p := strings.Split(s, "/"); len(p) == 3 {
		a, e1 := strconv.Atoi(p[0])
		b, e2 := strconv.Atoi(p[1])
		y, e3 := strconv.Atoi(p[2])
		if e1 == nil && e2 == nil && e3 == nil {
			if y < 100 {
				y += 2000
				if y > time.Now().Year()+10 {
					y -= 100
				}
			}
			day, month := a, b
			if b > 12 && a <= 12 {
				day, month = b, a
			}
			t := time.Date(y, time.Month(month), day, 0, 0, 0, 0, time.UTC)
			if month >= 1 && month <= 12 && t.Day() == day {
				return checkYear(s, domain.DateOf(t))
			}
		}
	}
	return domain.Date{}, fmt.Errorf("%s is not a date (write YYYY-MM-DD or DD.MM.YYYY)", s)
}

func checkYear(s string, d domain.Date) (domain.Date, error) {
	if y := d.Time().Year(); y < 1950 || y > 2100 {
		return domain.Date{}, fmt.Errorf("%s is not a plausible date (year %d)", s, y)
	}
	return d, nil
}

// ParseAmount reads an amount of euros: "2450", "2450.50", "2.450,50", "2,450.50", "€ 2 450,50",
// "2450 EUR", "1'234.50". When only one kind of separator occurs once and three digits follow it,
// it separates thousands ("2.450" and "2,450" are 2450 euros); otherwise the last separator is the
// decimal one.
func ParseAmount(s string) (domain.Money, error) {
	orig := strings.TrimSpace(s)
	if orig == "" {
		return 0, nil
	}
	t := strings.ToLower(orig)
	for _, cut := range []string{"€", "euros", "euro", "eur", " ", "\u00a0", "\u202f", "'"} {
		t = strings.ReplaceAll(t, cut, "")
	}
	bad := fmt.Errorf("%s is not an amount of euros", orig)
	if t == "" || strings.HasPrefix(t, "-") {
		if strings.HasPrefix(t, "-") {
			return 0, fmt.Errorf("%s is negative", orig)
		}
		return 0, bad
	}
	lastDot, lastComma := strings.LastIndex(t, "."), strings.LastIndex(t, ",")
	dots, commas := strings.Count(t, "."), strings.Count(t, ",")
	switch {
	case dots > 0 && commas > 0:
		if lastComma > lastDot { // 2.450,50
			t = strings.ReplaceAll(t, ".", "")
			t = strings.Replace(t, ",", ".", 1)
		} else { // 2,450.50
			t = strings.ReplaceAll(t, ",", "")
		}
	case commas > 1 || (commas == 1 && len(t)-lastComma-1 == 3):
		t = strings.ReplaceAll(t, ",", "")
	case commas == 1:
		t = strings.Replace(t, ",", ".", 1)
	case dots > 1 || (dots == 1 && len(t)-lastDot-1 == 3 && !strings.HasPrefix(t, "0.")):
		t = strings.ReplaceAll(t, ".", "")
	}
	if strings.Count(t, ".") > 1 || strings.ContainsAny(t, ",") {
		return 0, bad
	}
	f, err := strconv.ParseFloat(t, 64)
	if err != nil || math.IsNaN(f) || math.IsInf(f, 0) {
		return 0, bad
	}
	if f > 1e11 {
		return 0, fmt.Errorf("%s is more than 100 000 000 000 euros", orig)
	}
	return domain.Euros(f), nil
}

// ParseBool reads yes/no in English and German ("yes", "ja", "x", "1", "true", "wahr" …).
func ParseBool(s string) (*bool, error) {
	t := strings.ToLower(strings.TrimSpace(s))
	var v bool
	switch t {
	case "":
		return nil, nil
	case "yes", "y", "ja", "j", "true", "wahr", "1", "x", "✓", "✔", "on":
		v = true
	case "no", "n", "nein", "false", "falsch", "0", "-", "off":
		v = false
	default:
		return nil, fmt.Errorf("%s is not yes or no", s)
	}
	return &v, nil
}

var criticalityWords = map[string]domain.Criticality{
	"life-sustaining": domain.CritLifeSustaining, "life sustaining": domain.CritLifeSustaining, "life-support": domain.CritLifeSustaining,
	"life support": domain.CritLifeSustaining, "vital": domain.CritLifeSustaining, "lebenserhaltend": domain.CritLifeSustaining,
	"lebenswichtig": domain.CritLifeSustaining, "critical": domain.CritCritical, "kritisch": domain.CritCritical, "high": domain.CritCritical,
	"hoch": domain.CritCritical, "important": domain.CritImportant, "wichtig": domain.CritImportant, "medium": domain.CritImportant,
	"mittel": domain.CritImportant, "supportive": domain.CritSupportive, "supporting": domain.CritSupportive, "low": domain.CritSupportive,
	"unterstützend": domain.CritSupportive, "niedrig": domain.CritSupportive, "gering": domain.CritSupportive,
}

// ParseCriticality reads a clinical criticality in English or German ("lebenserhaltend", "kritisch",
// "wichtig", "unterstützend", also high/medium/low).
func ParseCriticality(s string) (domain.Criticality, error) {
	t := strings.ToLower(strings.TrimSpace(s))
	if t == "" {
		return "", nil
	}
	if c, ok := criticalityWords[t]; ok {
		return c, nil
	}
	return "", fmt.Errorf("%s is not a criticality (life-sustaining, critical, important, supportive)", s)
}

var statusWords = map[string]domain.AssetStatus{
	"in-use": domain.StatusInUse, "in use": domain.StatusInUse, "active": domain.StatusInUse, "in service": domain.StatusInUse,
	"operational": domain.StatusInUse, "in betrieb": domain.StatusInUse, "aktiv": domain.StatusInUse, "im einsatz": domain.StatusInUse,
	"spare": domain.StatusSpare, "stock": domain.StatusSpare, "in stock": domain.StatusSpare, "reserve": domain.StatusSpare,
	"lager": domain.StatusSpare, "ersatzgerät": domain.StatusSpare, "ersatz": domain.StatusSpare, "maintenance": domain.StatusMaintenance,
	"in maintenance": domain.StatusMaintenance, "repair": domain.StatusMaintenance, "in repair": domain.StatusMaintenance,
	"wartung": domain.StatusMaintenance, "in wartung": domain.StatusMaintenance, "reparatur": domain.StatusMaintenance,
	"in reparatur": domain.StatusMaintenance, "retired": domain.StatusRetired, "decommissioned": domain.StatusRetired,
	"disposed": domain.StatusRetired, "ausgesondert": domain.StatusRetired, "außer betrieb": domain.StatusRetired,
	"ausser betrieb": domain.StatusRetired, "verschrottet": domain.StatusRetired, "stillgelegt": domain.StatusRetired,
}

// ParseStatus reads a device state in English or German ("in Betrieb", "Lager", "in Wartung",
// "ausgesondert" …).
func ParseStatus(s string) (domain.AssetStatus, error) {
	t := strings.ToLower(strings.TrimSpace(s))
	if t == "" {
		return "", nil
	}
	if v, ok := statusWords[t]; ok {
		return v, nil
	}
	return "", fmt.Errorf("%s is not a status (in use, spare, maintenance, retired)", s)
}
