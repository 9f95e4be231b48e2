package app_test

// The tenant-isolation suite: a user or token of one organisation can neither read nor change anything
// of another, through the REST API and through the web UI.
//
// The API part needs no list of operations: it walks api.Ops(), so an operation a module registers later
// is covered as soon as it exists. It relies on the convention documented at api.Op.Path: path
// parameters name objects of the caller's organisation, and the list operation of the parent path
// returns them in items[].id (or [].id). What a module must add here is only data: a line in seeders
// that creates its objects in an organisation, and — if its handler validates the body before it looks
// the object up — a valid sample body in sampleBodies.

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/vigil-med/vigil/internal/api"
	"github.com/vigil-med/vigil/internal/app/apptest"
	"github.com/vigil-med/vigil/internal/domain"
	"github.com/vigil-med/vigil/internal/store"
	"github.com/vigil-med/vigil/internal/testutil"
)

// tenant is one organisation of the suite with its admin and the marker that its data carries.
type tenant struct {
	org    domain.Organisation
	admin  domain.User
	marker string // appears in names of the tenant's objects; must never appear in another's pages
	tokens map[domain.Role]string
}

// seeders create objects of every kind in an organisation. Modules append theirs (one line each), so
// that the suite has an object of the other organisation for each of their operations.
var seeders = []func(t *testing.T, h *apptest.Harness, tn *tenant){
	seedFoundation,
}

// sampleBodies holds valid request bodies for operations (by operationId) whose handler validates the
// body before it looks up the object in the path. Without one, the zero value of the body type is sent.
var sampleBodies = map[string]any{}

func seedFoundation(t *testing.T, h *apptest.Harness, tn *tenant) {
	t.Helper()
	ctx := testutil.Ctx(tn.org.ID)
	st := h.Store
	u := testutil.User(t, st, tn.org.ID, tn.marker+"-engineer@"+tn.org.Slug+".example", domain.RoleClinicalEngineer)
	if err := st.Scope(tn.org.ID).Write(ctx, func(tx *store.Tx) error {
		if err := tx.SetNotificationPref(ctx, u.ID, "job.failed", "email", true); err != nil {
			return err
		}
		w := store.Webhook{Name: tn.marker + " SIEM", URL: "https://" + tn.marker + ".example/hook", Secret: "secret-" + tn.marker, Enabled: true}
		if err := tx.CreateWebhook(ctx, &w); err != nil {
			return err
		}
		d := store.Delivery{Event: "job.failed", Channel: "webhook", Target: w.Name, Subject: tn.marker + " delivery"}
		if err := tx.AddDelivery(ctx, &d); err != nil {
			return err
		}
		for _, kind := range []string{tn.marker + ".failed", tn.marker + ".queued"} {
			if _, err := tx.EnqueueJob(ctx, store.NewJob{OrgID: tn.org.ID, Kind: kind, Payload: map[string]string{"marker": tn.marker},
				RunAt: time.Now().Add(time.Hour)}); err != nil {
				return err
			}
		}
		_, err := tx.Exec(ctx, "UPDATE jobs SET status = 'failed', last_error = ? WHERE org_id = ? AND kind = ?", tn.marker+" error", tn.org.ID, tn.marker+".failed")
		return err
	}); err != nil {
		t.Fatal(err)
	}
	testutil.Token(t, st, tn.org.ID, domain.RoleAuditor) // one more token to find in lists
}

func newTenant(t *testing.T, h *apptest.Harness, slug, marker string) *tenant {
	t.Helper()
	tn := &tenant{org: h.Org(slug), marker: marker, tokens: map[domain.Role]string{}}
	tn.admin = h.User(tn.org, "admin@"+slug+".example", domain.RoleAdmin)
	for _, r := range domain.Roles {
		tn.tokens[r] = h.Token(tn.org, r)
	}
	for _, seed := range seeders {
		seed(t, h, tn)
	}
	return tn
}

// tokenFor returns a token of the tenant whose role may do op (the most privileged such role).
func (tn *tenant) tokenFor(op api.Op) string {
	for _, r := range domain.Roles {
		if op.Public || r.Can(op.Perm) {
			return tn.tokens[r]
		}
	}
	return ""
}

// snapshot returns every row that belongs to the organisation: its own row and every row with its org_id.
func snapshot(t *testing.T, st *store.Store, org int64) map[string][]string {
	t.Helper()
	out := map[string][]string{}
	own := regexp.MustCompile(`(^| \| )org_id=` + strconv.FormatInt(org, 10) + `( \||$)`)
	for table, rows := range testutil.DumpTables(t, st) {
		for _, r := range rows {
			if (table == "organisations" && strings.HasPrefix(r, "id="+strconv.FormatInt(org, 10)+" |")) || own.MatchString(r) {
				// The suite uses the organisation's own tokens to find its objects: their last use moves.
				out[table] = append(out[table], lastUsed.ReplaceAllString(r, "last_used=…"))
			}
		}
	}
	return out
}

var lastUsed = regexp.MustCompile(`last_used=[^|]*`)

var paramRE = regexp.MustCompile(`\{([a-zA-Z_][a-zA-Z0-9_]*)(\.\.\.)?\}`)

// ids returns the ids in a list response: items[].id of a page, or [].id of an array. Objects without an
// organisation (org_id 0: system jobs and other shared reference data) are left out.
func ids(t *testing.T, body string) []int64 {
	t.Helper()
	var items []map[string]any
	var page struct {
		Items []map[string]any `json:"items"`
	}
	if err := json.Unmarshal([]byte(body), &page); err == nil && page.Items != nil {
		items = page.Items
	} else if err := json.Unmarshal([]byte(body), &items); err != nil {
		return nil
	}
	var out []int64
	for _, it := range items {
		if org, ok := it["org_id"].(float64); ok && org == 0 {
			continue
		}
		if id, ok := it["id"].(float64); ok {
			out = append(out, int64(id))
		}
	}
	return out
}

// fillPath substitutes the path parameters of op with ids of objects of tn, found through the list
// operations of the parent paths as tn sees them. It reports why it could not.
func fillPath(t *testing.T, h *apptest.Harness, tn *tenant, op api.Op) (string, error) {
	tmpl, path := op.Path, op.Path
	for first := true; ; first = false {
		loc := paramRE.FindStringIndex(tmpl)
		if loc == nil {
			return path, nil
		}
		name := strings.Trim(tmpl[loc[0]:loc[1]], "{}")
		// The concrete path has the same text after the parameter as the template.
		rest := tmpl[loc[1]:]
		cloc := len(path) - len(rest) - (loc[1] - loc[0])
		if v, ok := pathValues[name]; ok {
			tmpl = tmpl[:loc[0]] + v + rest
			path = path[:cloc] + v + rest
			continue
		}
		collection := strings.TrimSuffix(tmpl[:loc[0]], "/")
		concrete := strings.TrimSuffix(path[:cloc], "/")
		query := "?limit=500"
		if alt, ok := parentLists[op.Path]; ok && first {
			c, q, _ := strings.Cut(alt, "?")
			collection, concrete, query = c, c, query+"&"+q
			if strings.Contains(c, "{") { // the list itself is nested: resolve its own parameters first
				var err error
				if concrete, err = fillPath(t, h, tn, api.Op{Path: c}); err != nil {
					return "", err
				}
			}
		}
		list := api.Op{Method: http.MethodGet, Path: collection}
		for _, o := range h.API.Ops() {
			if o.Method == http.MethodGet && o.Path == listTemplate(o.Path, collection) {
				list = o
			}
		}
		if list.ID == "" {
			return "", fmt.Errorf("no list operation GET %s to find an object for %s", collection, op.Path)
		}
		r := h.APIClient(tn.tokenFor(list)).JSON(http.MethodGet, api.Prefix+concrete+query, nil)
		found := ids(t, r.Body)
		if r.Status != 200 || len(found) == 0 {
			return "", fmt.Errorf("GET %s as %s found no object (status %d): add a seeder that creates one", concrete, tn.org.Slug, r.Status)
		}
		v := strconv.FormatInt(found[0], 10)
		tmpl = tmpl[:loc[0]] + v + rest
		path = path[:cloc] + v + rest
	}
}

// listTemplate returns opPath when it is the template of the collection path (whose earlier parameters
// are already filled in), else "".
func listTemplate(opPath, collection string) string {
	a, b := strings.Split(opPath, "/"), strings.Split(collection, "/")
	if len(a) != len(b) {
		return ""
	}
	for i := range a {
		if a[i] != b[i] && !paramRE.MatchString(a[i]) {
			return ""
		}
	}
	return opPath
}

// referenceData lists path prefixes of data shared by all organisations (vulnerability feeds): not
// tenant data, so the same object is visible to every organisation.
var referenceData = []string{"/vulndb", "/feeds"}

func isReferenceData(path string) bool {
	for _, p := range referenceData {
		if path == p || strings.HasPrefix(path, p+"/") {
			return true
		}
	}
	return false
}

// namesObjectByID reports whether one of the path's parameters is an object id (not a name from
// pathValues).
func namesObjectByID(path string) bool {
	for _, m := range paramRE.FindAllString(path, -1) {
		if _, isName := pathValues[strings.Trim(m, "{}")]; !isName {
			return true
		}
	}
	return false
}

// pathValues gives path parameters that are names rather than object ids (report templates, catalogue
// measures): the same value exists in every organisation, so the object is addressed by its parent id.
var pathValues = map[string]string{}

// parentLists names the list operation (with a query) whose objects an operation needs when it is not the
// parent path as is (an operation on exercises that lives under /incidents/{id}, for example).
var parentLists = map[string]string{}

func TestTenantIsolationAPI(t *testing.T) {
	for _, engine := range testutil.Engines() {
		t.Run(engine, func(t *testing.T) { testTenantIsolationAPI(t, engine) })
	}
}

func testTenantIsolationAPI(t *testing.T, engine string) {
	h := apptest.New(t, apptest.Options{Engine: engine})
	a := newTenant(t, h, "alpha", "alphamark")
	b := newTenant(t, h, "beta", "betamark")
	// A system job (no organisation) is visible to both and must not count as a leak.
	if _, err := h.Store.EnqueueJob(context.Background(), store.NewJob{Kind: "system.sync", RunAt: time.Now().Add(time.Hour)}); err != nil {
		t.Fatal(err)
	}
	before := snapshot(t, h.Store, b.org.ID)
	if len(before["users"]) == 0 || len(before["webhooks"]) == 0 || len(before["jobs"]) == 0 || len(before["api_tokens"]) == 0 {
		t.Fatalf("beta has too little data for the test: %v", before)
	}

	checked := 0
	for _, op := range h.API.Ops() {
		if op.Public {
			continue
		}
		name := op.Method + " " + op.Path
		if isReferenceData(op.Path) {
			continue // shared by every organisation by design (see referenceData)
		}
		if !paramRE.MatchString(op.Path) {
			if op.Method != http.MethodGet {
				continue // acts on the caller's own organisation; beta's snapshot below proves it stays alone
			}
			// A list as alpha never holds beta's objects, and every object in it is alpha's (or shared).
			t.Run("list "+name, func(t *testing.T) {
				ra := h.APIClient(a.tokenFor(op)).JSON(http.MethodGet, api.Prefix+op.Path+"?limit=500", nil).Must(t, 200)
				rb := h.APIClient(b.tokenFor(op)).JSON(http.MethodGet, api.Prefix+op.Path+"?limit=500", nil).Must(t, 200)
				idsA, idsB := ids(t, ra.Body), ids(t, rb.Body)
				for _, id := range idsB {
					if slices.Contains(idsA, id) {
						t.Errorf("alpha's list holds beta's object %d", id)
					}
				}
				if strings.Contains(ra.Body, b.marker) || strings.Contains(ra.Body, `"slug":"beta"`) {
					t.Errorf("alpha's answer mentions beta: %.300s", ra.Body)
				}
				for _, m := range regexp.MustCompile(`"org_id":(\d+)`).FindAllStringSubmatch(ra.Body, -1) {
					if m[1] != strconv.FormatInt(a.org.ID, 10) && m[1] != "0" {
						t.Errorf("alpha's answer holds an object of organisation %s", m[1])
					}
				}
			})
			continue
		}
		checked++
		t.Run(name, func(t *testing.T) {
			path, err := fillPath(t, h, b, op)
			if err != nil {
				t.Fatal(err)
			}
			if !namesObjectByID(op.Path) {
				// Only names that exist in every organisation (a catalogue, a report template): alpha gets
				// its own object, which must say nothing of beta.
				r := h.APIClient(a.tokenFor(op)).JSON(op.Method, api.Prefix+path, op.Body)
				if strings.Contains(r.Body, b.marker) {
					t.Errorf("alpha's %s %s answers with beta's data: %.300s", op.Method, path, r.Body)
				}
				return
			}
			var body any
			if op.Body != nil {
				body = op.Body
				if s, ok := sampleBodies[op.ID]; ok {
					body = s
				}
			}
			// With every role of alpha that may call the operation, and without any token.
			for _, role := range domain.Roles {
				if !role.Can(op.Perm) {
					continue
				}
				r := h.APIClient(a.tokens[role]).JSON(op.Method, api.Prefix+path, body)
				if r.Status != http.StatusNotFound && r.Status != http.StatusForbidden {
					t.Errorf("alpha's %s token on beta's %s: %d %s, want 404 or 403", role, path, r.Status, r.Body)
				}
				if code := r.ErrorCode(); code != "not_found" && code != "forbidden" {
					t.Errorf("alpha's %s token on beta's %s: error code %q", role, path, code)
				}
				if strings.Contains(r.Body, b.marker) {
					t.Errorf("the refusal mentions beta's data: %s", r.Body)
				}
			}
			if r := h.Client().JSON(op.Method, api.Prefix+path, body); r.Status != http.StatusUnauthorized {
				t.Errorf("anonymous on beta's %s: %d", path, r.Status)
			}
			// Beta itself can reach the object: the 404 above is isolation, not a wrong path.
			if op.Method == http.MethodGet {
				h.APIClient(b.tokenFor(op)).JSON(op.Method, api.Prefix+path, nil).Must(t, 200)
			}
		})
	}
	if checked < 5 {
		t.Errorf("only %d operations with path parameters were checked", checked)
	}
	if diff := cmp.Diff(before, snapshot(t, h.Store, b.org.ID)); diff != "" {
		t.Errorf("alpha changed beta's data (-before +after):\n%s", diff)
	}
	rep, err := h.Store.VerifyAudit(context.Background(), 0)
	if err != nil || len(rep.Problems) != 0 {
		t.Errorf("audit chains after the suite: %v %v", err, rep.Problems)
	}
}

func TestTenantIsolationWeb(t *testing.T) {
	h := apptest.New(t, apptest.Options{})
	a := newTenant(t, h, "alpha", "alphamark")
	b := newTenant(t, h, "beta", "betamark")
	ctx := context.Background()
	bUser, err := h.Store.UserByEmail(ctx, b.marker+"-engineer@beta.example")
	if err != nil {
		t.Fatal(err)
	}
	bTokens, _ := h.Store.Scope(b.org.ID).Tokens(ctx)
	bHooks, _ := h.Store.Scope(b.org.ID).Webhooks(ctx)
	bJobs, _ := h.Store.Scope(b.org.ID).Jobs(ctx, store.JobFilter{})
	jobOf := func(kind string) int64 {
		for _, j := range bJobs.Items {
			if j.Kind == kind {
				return j.ID
			}
		}
		t.Fatalf("beta has no job %s", kind)
		return 0
	}
	before := snapshot(t, h.Store, b.org.ID)
	c := h.SignIn(a.admin)
	c.Get("/dashboard").Must(t, 200)

	id := func(n int64) string { return strconv.FormatInt(n, 10) }
	for _, tt := range []struct {
		method, path string
		form         url.Values
	}{
		{"GET", "/admin/users/" + id(bUser.ID), nil},
		{"POST", "/admin/users/" + id(bUser.ID), url.Values{"name": {"taken over"}, "role": {"admin"}}},
		{"POST", "/admin/users/" + id(bUser.ID) + "/password", nil},
		{"POST", "/admin/users/" + id(bUser.ID) + "/mfa-reset", nil},
		{"POST", "/admin/tokens/" + id(bTokens[0].ID) + "/revoke", nil},
		{"POST", "/admin/webhooks/" + id(bHooks[0].ID) + "/delete", nil},
		{"POST", "/admin/jobs/" + id(jobOf(b.marker+".failed")) + "/retry", nil},
		{"POST", "/admin/jobs/" + id(jobOf(b.marker+".queued")) + "/cancel", nil},
	} {
		var r *apptest.Response
		if tt.method == "GET" {
			r = c.Get(tt.path)
		} else {
			r = c.Post(tt.path, tt.form)
		}
		if r.Status != http.StatusNotFound {
			t.Errorf("alpha's admin: %s %s = %d, want 404", tt.method, tt.path, r.Status)
		}
		if strings.Contains(r.Body, b.marker) {
			t.Errorf("%s %s shows beta's data", tt.method, tt.path)
		}
	}
	// The lists and searches show alpha's objects only.
	for _, path := range []string{"/dashboard", "/admin/users", "/admin/users?q=" + b.marker, "/admin/users?q=beta", "/admin/tokens",
		"/admin/webhooks", "/admin/jobs", "/admin/jobs?status=failed", "/admin/audit", "/admin/audit?q=" + b.marker,
		"/admin/audit?actor=beta", "/admin/organisation", "/account"} {
		r := c.Get(path).Must(t, 200)
		// The search box and the sort and page links repeat the query.
		body := strings.NewReplacer(`value="`+b.marker+`"`, "", "q="+b.marker, "").Replace(r.Body)
		if strings.Contains(body, b.marker) || strings.Contains(body, "beta.example") {
			t.Errorf("%s as alpha shows beta's data", path)
		}
	}
	// Alpha's own pages do show alpha's data (so the check above is not vacuous).
	for _, path := range []string{"/admin/users", "/admin/webhooks", "/admin/jobs", "/admin/audit"} {
		if r := c.Get(path); !strings.Contains(r.Body, a.marker) {
			t.Errorf("%s does not show alpha's own data", path)
		}
	}
	if diff := cmp.Diff(before, snapshot(t, h.Store, b.org.ID)); diff != "" {
		t.Errorf("alpha changed beta's data through the web UI (-before +after):\n%s", diff)
	}
}

// TestTokenOfAnotherOrganisation: a token names its organisation; the API acts on it alone, whatever
// the request says.
func TestTokenOfAnotherOrganisation(t *testing.T) {
	h := apptest.New(t, apptest.Options{})
	a := newTenant(t, h, "alpha", "alphamark")
	b := newTenant(t, h, "beta", "betamark")
	var me api.Me
	h.APIClient(a.tokens[domain.RoleAdmin]).JSON(http.MethodGet, "/api/v1/me", nil).Must(t, 200).JSON(t, &me)
	if me.Organisation.ID != a.org.ID {
		t.Errorf("alpha's token is of organisation %d", me.Organisation.ID)
	}
	// Changing "the organisation" changes the caller's own, even with beta's id and slug in the body.
	r := h.APIClient(a.tokens[domain.RoleAdmin]).JSON(http.MethodPut, "/api/v1/organisation",
		map[string]any{"id": b.org.ID, "slug": "beta", "name": "Renamed", "type": "hospital", "time_zone": "Europe/Berlin"})
	r.Must(t, 200)
	if o, _ := h.Store.Org(context.Background(), b.org.ID); o.Name != "beta" {
		t.Errorf("beta was renamed to %q by alpha's token", o.Name)
	}
	if o, _ := h.Store.Org(context.Background(), a.org.ID); o.Name != "Renamed" || o.Slug != "alpha" {
		t.Errorf("alpha after the change: %+v", o)
	}
	// A user created by alpha's token is alpha's.
	h.APIClient(a.tokens[domain.RoleAdmin]).JSON(http.MethodPost, "/api/v1/users", map[string]any{"email": "x@alpha.example", "role": "auditor"}).Must(t, 201)
	if u, _ := h.Store.UserByEmail(context.Background(), "x@alpha.example"); u.OrgID != a.org.ID {
		t.Errorf("user created in organisation %d", u.OrgID)
	}
}
