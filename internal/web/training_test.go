package web_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"mime/multipart"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/vigil-med/vigil/internal/app"
	"github.com/vigil-med/vigil/internal/config"
	"github.com/vigil-med/vigil/internal/demo"
	"github.com/vigil-med/vigil/internal/demo/demotest"
	"github.com/vigil-med/vigil/internal/store"
)

// demoServer starts the web UI on the demo data and signs in as the given demo account.
func demoServer(t *testing.T, email string) (*httptest.Server, *http.Client, *app.App) {
	t.Helper()
	cfg := config.Default()
	cfg.DataDir, _ = demotest.DataDir(t)
	ctx := context.Background()
	a, err := app.Open(ctx, cfg, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { a.Close() })
	h, _, err := a.Handler(ctx)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	jar, _ := cookiejar.New(nil)
	cl := &http.Client{Jar: jar}
	res, err := cl.PostForm(srv.URL+"/login", url.Values{"email": {email}, "password": {demo.Password}})
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.Request.URL.Path != "/" && res.Request.URL.Path != "/dashboard" {
		t.Fatalf("login ended at %s", res.Request.URL)
	}
	return srv, cl, a
}

func get(t *testing.T, cl *http.Client, u string) (int, string) {
	t.Helper()
	res, err := cl.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res.StatusCode, string(b)
}

var csrfRE = regexp.MustCompile(`name="csrf-token" content="([^"]+)"`)

func TestTrainingPages(t *testing.T) {
	srv, cl, a := demoServer(t, "ciso@nordstadt-hospital.example")
	ctx := context.Background()
	org, _ := a.Store.OrgByRef(ctx, demo.HospitalSlug)
	sc := a.Store.Scope(org.ID)
	ex, _ := sc.Exercises(ctx)
	var done int64
	for _, e := range ex {
		if e.Status == "completed" {
			done = e.ID
		}
	}
	board, _ := sc.Staff(ctx, store.StaffFilter{Board: true})
	cur, _ := sc.CurriculumByCode(ctx, "management-board")
	mod, _ := sc.TrainingModuleByCode(ctx, "security-awareness-basics")
	pages := []struct {
		path string
		want []string
	}{
		{"/training/overview", []string{"Training overview", "Departments, lagging first", "<svg", "Emergency Department", "phishing simulations", "board members trained"}},
		{"/training/people", []string{"Staff register", "NS1", " of 3", "Add a person"}},
		{"/training/people?q=Albrecht", []string{"Prof. Dr. Katharina Albrecht", "board"}},
		{"/training/people?department=Radiology&state=all", []string{"Radiology"}},
		{fmt.Sprintf("/training/people/%d", board.Items[0].ID), []string{"Assignments", "NIS2 Art 20(2)", "Record a completion", "History"}},
		{"/training/curricula", []string{"Management body training (NIS2 Art 20(2))", "Yearly security awareness", "Assignment rules", "Starter catalogue"}},
		{fmt.Sprintf("/training/curricula/%d", cur.ID), []string{"Assign now", "NIS2 duties of the management body"}},
		{fmt.Sprintf("/training/modules/%d", mod.ID), []string{"Learning goals", "IR (EU) 2024/2690 Annex 8.1"}},
		{"/training/assignments?state=overdue", []string{"overdue", "Assign to many"}},
		{"/training/records", []string{"Record completion", "Recently recorded"}},
		{"/training/import", []string{"Upload a file", "personalnummer", "kampagne"}},
		{"/training/board", []string{"Board training", "Dr. Stefan Lorenz", "members of the management body"}},
		{"/training/exercises", []string{"Ransomware on the PACS", "Open actions from exercises", "Lost laptop with patient data"}},
		{fmt.Sprintf("/training/exercises/%d", done), []string{"Injects and decisions", "late (target", "No named owner for the NIS2 early warning", "done"}},
		{"/training/scenarios/supplier-breach", []string{"Breach at a maintenance supplier", "Discussion questions"}},
	}
	for _, p := range pages {
		status, body := get(t, cl, srv.URL+p.path)
		if status != http.StatusOK {
			t.Errorf("GET %s: status %d", p.path, status)
			continue
		}
		for _, w := range p.want {
			if !strings.Contains(body, w) {
				t.Errorf("GET %s: no %q in the page", p.path, w)
			}
		}
		if strings.Contains(body, " style=") || strings.Contains(body, "<script>") {
			t.Errorf("GET %s: inline style or script (CSP)", p.path)
		}
	}
	// The menu has the People section, and every item of it answers.
	_, dash := get(t, cl, srv.URL+"/dashboard")
	for _, item := range []string{"/training/overview", "/training/people", "/training/curricula", "/training/assignments", "/training/records",
		"/training/import", "/training/board", "/training/exercises"} {
		if !strings.Contains(dash, `href="`+item+`"`) {
			t.Errorf("menu lacks %s", item)
		}
	}
	if status, _ := get(t, cl, srv.URL+"/training/people/999999"); status != http.StatusNotFound {
		t.Errorf("unknown person: %d", status)
	}
}

func TestTrainingImportFlow(t *testing.T) {
	srv, cl, a := demoServer(t, "ciso@nordstadt-hospital.example")
	_, page := get(t, cl, srv.URL+"/training/import")
	token := csrfRE.FindStringSubmatch(page)[1]
	csv := "Personalnummer;Name;E-Mail;Abteilung;Stellenbezeichnung;Eintrittsdatum\n" +
		"NS90001;Nora Lindgren;n.lindgren@nordstadt-hospital.example;Radiology;Radiographer;" + time.Now().AddDate(0, 0, -3).Format("02.01.2006") + "\n"
	upload := func(data string) (int, string) {
		var body bytes.Buffer
		mw := multipart.NewWriter(&body)
		mw.WriteField("csrf_token", token)
		mw.WriteField("kind", "staff")
		fw, _ := mw.CreateFormFile("file", "neu.csv")
		fw.Write([]byte(data))
		mw.Close()
		req, _ := http.NewRequest(http.MethodPost, srv.URL+"/training/import", &body)
		req.Header.Set("Content-Type", mw.FormDataContentType())
		res, err := cl.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		b, _ := io.ReadAll(res.Body)
		return res.StatusCode, string(b)
	}
	status, preview := upload(csv)
	if status != http.StatusOK || !strings.Contains(preview, "Would add <strong>1</strong> people") || !strings.Contains(preview, "Nora Lindgren") {
		t.Fatalf("preview %d:\n%s", status, preview)
	}
	ctx := context.Background()
	org, _ := a.Store.OrgByRef(ctx, demo.HospitalSlug)
	if _, err := a.Store.Scope(org.ID).StaffByRef(ctx, "NS90001", ""); err == nil {
		t.Fatal("the preview wrote the person")
	}
	action := regexp.MustCompile(`action="(/training/import/\d+/confirm)"`).FindStringSubmatch(preview)
	if action == nil {
		t.Fatal("no confirm form")
	}
	res, err := cl.PostForm(srv.URL+action[1], url.Values{"csrf_token": {token}})
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != http.StatusOK || !strings.Contains(string(b), "Imported neu.csv") {
		t.Fatalf("confirm %d:\n%s", res.StatusCode, b)
	}
	p, err := a.Store.Scope(org.ID).StaffByRef(ctx, "NS90001", "")
	if err != nil {
		t.Fatal(err)
	}
	as, _ := a.Store.Scope(org.ID).Assignments(ctx, store.AssignmentFilter{StaffID: p.ID})
	if len(as) != 5 { // all staff (3), clinical (1), new-starter induction (1; its other two overlap)
		t.Errorf("the newcomer got %d assignments, want 5", len(as))
	}
	// A file with a problem shows the rejection with row and column, and writes nothing.
	status, page = upload("Personalnummer;Name;E-Mail\nNS90002;Max Muster;kein-mail\n")
	if status != http.StatusOK || !strings.Contains(page, "cannot be imported") || !regexp.MustCompile(`<td class="num">2</td><td>E-Mail</td>`).MatchString(page) {
		t.Errorf("rejection page %d:\n%s", status, page)
	}
	fixture, _ := os.ReadFile(filepath.Join("..", "training", "testdata", "hr-export-de.csv"))
	if status, page = upload(string(fixture)); status != http.StatusOK || !strings.Contains(page, "Would add <strong>6</strong> people") {
		t.Errorf("fixture preview %d", status)
	}
}

// TestTrainingEmptyOrganisation: an organisation without a programme sees empty states, not errors.
func TestTrainingEmptyOrganisation(t *testing.T) {
	srv, cl, a := demoServer(t, "psirt@meridian-medical.example")
	// The hospital's objects are not found from the manufacturer's organisation.
	ctx := context.Background()
	hospital, _ := a.Store.OrgByRef(ctx, demo.HospitalSlug)
	hsc := a.Store.Scope(hospital.ID)
	people, _ := hsc.Staff(ctx, store.StaffFilter{})
	ex, _ := hsc.Exercises(ctx)
	mods, _ := hsc.TrainingModules(ctx, false)
	curs, _ := hsc.Curricula(ctx)
	for _, path := range []string{fmt.Sprintf("/training/people/%d", people.Items[0].ID), fmt.Sprintf("/training/exercises/%d", ex[0].ID),
		fmt.Sprintf("/training/modules/%d", mods[0].ID), fmt.Sprintf("/training/curricula/%d", curs[0].ID)} {
		if status, body := get(t, cl, srv.URL+path); status != http.StatusNotFound || strings.Contains(body, "Nordstadt") {
			t.Errorf("GET %s from another organisation: %d", path, status)
		}
	}
	for path, want := range map[string]string{
		"/training/overview":    "No training is assigned yet",
		"/training/people":      "Nobody matches",
		"/training/curricula":   "No curricula yet",
		"/training/assignments": "No assignments match",
		"/training/board":       "No board members",
		"/training/exercises":   "No exercises yet",
	} {
		status, body := get(t, cl, srv.URL+path)
		if status != http.StatusOK || !strings.Contains(body, want) {
			t.Errorf("GET %s: %d, %q missing", path, status, want)
		}
	}
}
