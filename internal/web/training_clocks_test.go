package web_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/vigil-med/vigil/internal/demo"
)

// TestTrainingExerciseClocks: the demo's finished tabletop exercise shows the reporting clocks of its
// exercise incident and that incident links back; starting the planned exercise starts its clocks.
func TestTrainingExerciseClocks(t *testing.T) {
	srv, cl, a := demoServer(t, "ciso@nordstadt-hospital.example")
	ctx := context.Background()
	org, _ := a.Store.OrgByRef(ctx, demo.HospitalSlug)
	sc := a.Store.Scope(org.ID)
	exs, _ := sc.Exercises(ctx)
	var done, planned int64
	var incID int64
	for _, e := range exs {
		switch e.Status {
		case "completed":
			done, incID = e.ID, e.IncidentID
		case "planned":
			planned = e.ID
		}
	}
	if done == 0 || incID == 0 || planned == 0 {
		t.Fatalf("demo exercises: %+v", exs)
	}
	_, body := get(t, cl, fmt.Sprintf("%s/training/exercises/%d", srv.URL, done))
	for _, w := range []string{"Reporting clocks", fmt.Sprintf(`href="/incidents/%d">EX-%d</a>`, incID, incID), "nis2.23.ew", "submitted"} {
		if !strings.Contains(body, w) {
			t.Errorf("finished exercise page lacks %q", w)
		}
	}
	_, body = get(t, cl, fmt.Sprintf("%s/incidents/%d", srv.URL, incID))
	if !strings.Contains(body, fmt.Sprintf(`Started with the tabletop exercise <a href="/training/exercises/%d">`, done)) {
		t.Errorf("the exercise incident does not link back to the tabletop exercise")
	}

	// Start the planned exercise from its page.
	_, page := get(t, cl, fmt.Sprintf("%s/training/exercises/%d", srv.URL, planned))
	m := csrfRE.FindStringSubmatch(page)
	if m == nil {
		t.Fatal("no CSRF token")
	}
	res, err := cl.PostForm(fmt.Sprintf("%s/training/exercises/%d/start", srv.URL, planned), url.Values{"csrf_token": {m[1]}})
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusOK {
		t.Fatalf("start: %d", res.StatusCode)
	}
	e, _ := sc.Exercise(ctx, planned)
	in, err := sc.Incident(ctx, e.IncidentID)
	if err != nil || !in.Exercise || in.Scenario != e.Scenario {
		t.Fatalf("started exercise %+v: incident %+v %v", e, in, err)
	}
	_, body = get(t, cl, fmt.Sprintf("%s/training/exercises/%d", srv.URL, planned))
	if !strings.Contains(body, "Reporting clocks") || !strings.Contains(body, in.Ref()) {
		t.Errorf("the started exercise's page does not show its clocks")
	}
}
