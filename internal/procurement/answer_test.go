package procurement

import (
	"strings"
	"testing"
	"time"
)

func TestParseAnswer(t *testing.T) {
	d := func(s string) time.Time { t, _ := time.Parse("2006-01-02", s); return t }
	for _, tc := range []struct {
		typ, in string
		date    time.Time
		num     float64
		yesNo   string
		err     string
	}{
		{AnswerYesNo, "Yes, via LDAP", time.Time{}, 0, "yes", ""},
		{AnswerYesNo, "no", time.Time{}, 0, "no", ""},
		{AnswerYesNo, "N/A", time.Time{}, 0, "na", ""},
		{AnswerYesNo, "depends", time.Time{}, 0, "text", ""},
		{AnswerYesNo, "  ", time.Time{}, 0, "", "no answer"},
		{AnswerDate, "2034-12-31", d("2034-12-31"), 0, "", ""},
		{AnswerDate, "2034-12-31T00:00:00Z", d("2034-12-31"), 0, "", ""},
		{AnswerDate, "31.12.2034", d("2034-12-31"), 0, "", ""},
		{AnswerDate, "2034-06", d("2034-06-30"), 0, "", ""},
		{AnswerDate, "02/2036", d("2036-02-29"), 0, "", ""},
		{AnswerDate, "2034", d("2034-12-31"), 0, "", ""},
		{AnswerDate, "49674", d("2035-12-31"), 0, "", ""},
		{AnswerDate, "31.02.2034", time.Time{}, 0, "", "is not a date"},
		{AnswerDate, "until retired", time.Time{}, 0, "", "is not a date"},
		{AnswerDays, "within 30 days", time.Time{}, 30, "", ""},
		{AnswerDays, "ASAP", time.Time{}, 0, "", "not a number of days"},
		{AnswerHours, "24h", time.Time{}, 24, "", ""},
		{AnswerPercent, "99,95 %", time.Time{}, 99.95, "", ""},
		{AnswerPercent, "120", time.Time{}, 0, "", "more than 100"},
		{"bogus", "x", time.Time{}, 0, "", "unknown answer type"},
	} {
		got, err := ParseAnswer(tc.typ, tc.in)
		if tc.err != "" {
			if err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Errorf("%s %q: %v, want error %q", tc.typ, tc.in, err, tc.err)
			}
			continue
		}
		if err != nil || !got.Date.Equal(tc.date) || got.Number != tc.num || string(got.YesNo) != tc.yesNo {
			t.Errorf("%s %q: %+v %v", tc.typ, tc.in, got, err)
		}
	}
}
