package training

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/vigil-med/vigil/internal/domain"
)

func d(s string) time.Time {
	t, err := time.Parse("2006-01-02", s)
	if err != nil {
		panic(err)
	}
	return t
}

func dp(s string) *time.Time { t := d(s); return &t }

func TestEvaluate(t *testing.T) {
	yearly := domain.TrainingModule{ID: 1, RefreshMonths: 12}
	once := domain.TrainingModule{ID: 2}
	a := domain.Assignment{StaffID: 1, ModuleID: 1, Assigned: d("2026-01-01"), Due: d("2026-03-31")}
	tests := []struct {
		name        string
		m           domain.TrainingModule
		completions []string
		day         string
		want        Status
	}{
		{"far from due", yearly, nil, "2026-01-15", Status{State: StateNotYetDue, Due: d("2026-03-31")}},
		{"within 30 days of due", yearly, nil, "2026-03-10", Status{State: StateDue, Due: d("2026-03-31")}},
		{"on the due date", yearly, nil, "2026-03-31", Status{State: StateDue, Due: d("2026-03-31")}},
		{"the day after", yearly, nil, "2026-04-01", Status{State: StateOverdue, Due: d("2026-03-31")}},
		{"completed", yearly, []string{"2026-02-01"}, "2026-04-01",
			Status{State: StateCompleted, LastCompleted: dp("2026-02-01"), Expires: dp("2027-02-01")}},
		{"completion before the assignment counts", yearly, []string{"2025-11-20"}, "2026-04-01",
			Status{State: StateCompleted, LastCompleted: dp("2025-11-20"), Expires: dp("2026-11-20")}},
		{"latest completion wins", yearly, []string{"2024-05-01", "2025-06-01", "2024-09-01"}, "2026-04-01",
			Status{State: StateCompleted, LastCompleted: dp("2025-06-01"), Expires: dp("2026-06-01")}},
		{"expired ten days ago: due again", yearly, []string{"2025-03-22"}, "2026-04-01",
			Status{State: StateDue, Due: d("2026-03-22").Add(RefreshGrace), LastCompleted: dp("2025-03-22"), Expires: dp("2026-03-22"), Expired: true}},
		{"expired forty days ago: overdue", yearly, []string{"2025-02-20"}, "2026-04-01",
			Status{State: StateOverdue, Due: d("2026-02-20").Add(RefreshGrace), LastCompleted: dp("2025-02-20"), Expires: dp("2026-02-20"), Expired: true}},
		{"expires on the day", yearly, []string{"2025-04-01"}, "2026-04-01",
			Status{State: StateDue, Due: d("2026-04-01").Add(RefreshGrace), LastCompleted: dp("2025-04-01"), Expires: dp("2026-04-01"), Expired: true}},
		{"no refresh: never expires", once, []string{"2019-05-01"}, "2026-04-01", Status{State: StateCompleted, LastCompleted: dp("2019-05-01")}},
		{"completion after the day is not counted", yearly, []string{"2026-04-02"}, "2026-04-01", Status{State: StateOverdue, Due: d("2026-03-31")}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var cs []time.Time
			for _, c := range tt.completions {
				cs = append(cs, d(c))
			}
			got := Evaluate(a, tt.m, cs, d(tt.day))
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("Evaluate (-want +got):\n%s", diff)
			}
		})
	}
}
