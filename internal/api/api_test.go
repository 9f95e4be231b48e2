package api_test

import (
	"context"
	"encoding/json"
	"net/http"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/vigil-med/vigil/internal/api"
	"github.com/vigil-med/vigil/internal/app/apptest"
	"github.com/vigil-med/vigil/internal/auth"
	"github.com/vigil-med/vigil/internal/buildinfo"
	"github.com/vigil-med/vigil/internal/domain"
	"github.com/vigil-med/vigil/internal/store"
	"github.com/vigil-med/vigil/internal/testutil"
)

type envelope struct {
	Error struct {
		Code      string `json:"code"`
		Message   string `json:"message"`
		Field     string `json:"field"`
		RequestID string `json:"request_id"`
	} `json:"error"`
}

// mustError checks that r is the error envelope with the status and code, and returns it.
func mustError(t *testing.T, r *apptest.Response, status int, code string) envelope {
	t.Helper()
	var e envelope
	if err := json.Unmarshal([]byte(r.Body), &e); err != nil {
		t.Fatalf("not the error envelope: %d %q", r.Status, r.Body)
	}
	if r.Status != status || e.Error.Code != code {
		t.Errorf("got %d %s (%s), want %d %s", r.Status, e.Error.Code, e.Error.Message, status, code)
	}
	if !strings.HasPrefix(r.Header.Get("Content-Type"), "application/json") {
		t.Errorf("Content-Type %q", r.Header.Get("Content-Type"))
	}
	if e.Error.Message == "" || e.Error.RequestID == "" || e.Error.RequestID != r.Header.Get("X-Request-ID") {
		t.Errorf("envelope %+v lacks a message or the request id %q", e.Error, r.Header.Get("X-Request-ID"))
	}
	return e
}

func makeToken(t *testing.T, st *store.Store, org int64, role domain.Role, expires time.Time, revoked bool) string {
	t.Helper()
	secret, display, hash := auth.NewAPIToken()
	tok := store.APIToken{Name: "t", Role: role, Prefix: display, Hash: hash, Expires: &expires}
	ctx := testutil.Ctx(org)
	if err := st.Scope(org).Write(ctx, func(tx *store.Tx) error {
		if err := tx.CreateToken(ctx, &tok); err != nil {
			return err
		}
		if revoked {
			return tx.RevokeToken(ctx, tok.ID)
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	return secret
}

func TestTokenAuthentication(t *testing.T) {
	h := apptest.New(t, apptest.Options{})
	org := h.Org("alpha")
	valid := makeToken(t, h.Store, org.ID, domain.RoleAuditor, time.Now().Add(time.Hour), false)
	expired := makeToken(t, h.Store, org.ID, domain.RoleAdmin, time.Now().Add(-time.Second), false)
	revoked := makeToken(t, h.Store, org.ID, domain.RoleAdmin, time.Now().Add(time.Hour), true)

	var me api.Me
	h.APIClient(valid).JSON(http.MethodGet, "/api/v1/me", nil).Must(t, 200).JSON(t, &me)
	if me.Organisation.ID != org.ID || me.Role != domain.RoleAuditor || me.Token == nil || me.User != nil ||
		!cmp.Equal(me.Permissions, []string{"read", "audit:read"}) {
		t.Errorf("/me of an auditor token: %+v", me)
	}
	for name, tt := range map[string]struct {
		header, message string
	}{
		"no header":      {"", "authentication required"},
		"expired":        {"Bearer " + expired, "this API token has expired"},
		"revoked":        {"Bearer " + revoked, "this API token was revoked"},
		"unknown":        {"Bearer " + auth.TokenPrefix + "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", "unknown API token"},
		"not a token":    {"Bearer eyJhbGciOiJIUzI1NiJ9.e30.x", "use Authorization: Bearer with a Vigil API token"},
		"basic":          {"Basic YWRtaW46YWRtaW4=", "use Authorization: Bearer"},
		"token too long": {"Bearer " + auth.TokenPrefix + strings.Repeat("A", 300), "use Authorization: Bearer"},
	} {
		t.Run(name, func(t *testing.T) {
			c := h.Client()
			if tt.header != "" {
				c.Header.Set("Authorization", tt.header)
			}
			e := mustError(t, c.JSON(http.MethodGet, "/api/v1/me", nil), http.StatusUnauthorized, "unauthorized")
			if !strings.Contains(e.Error.Message, tt.message) {
				t.Errorf("message %q, want %q", e.Error.Message, tt.message)
			}
		})
	}
	// The last use of a token is recorded.
	toks, _ := h.Store.Scope(org.ID).Tokens(context.Background())
	used := 0
	for _, tk := range toks {
		if tk.LastUsed != nil {
			used++
		}
	}
	if used != 1 {
		t.Errorf("%d tokens with a last use, want 1 (the valid one)", used)
	}
}

func TestRolePermissions(t *testing.T) {
	h := apptest.New(t, apptest.Options{})
	org := h.Org("alpha")
	auditor := h.APIClient(h.Token(org, domain.RoleAuditor))
	engineer := h.APIClient(h.Token(org, domain.RoleClinicalEngineer))
	admin := h.APIClient(h.Token(org, domain.RoleAdmin))

	// The auditor reads …
	auditor.JSON(http.MethodGet, "/api/v1/audit", nil).Must(t, 200)
	auditor.JSON(http.MethodGet, "/api/v1/organisation", nil).Must(t, 200)
	auditor.JSON(http.MethodGet, "/api/v1/jobs", nil).Must(t, 200)
	// … and changes nothing.
	usersBefore, _ := h.Store.Scope(org.ID).Users(context.Background(), domain.ListParams{})
	for _, tt := range []struct {
		method, path string
		body         any
	}{
		{http.MethodPost, "/api/v1/users", map[string]string{"email": "x@alpha.example", "role": "admin"}},
		{http.MethodPost, "/api/v1/tokens", map[string]string{"name": "mine", "role": "admin"}},
		{http.MethodPut, "/api/v1/organisation", map[string]any{"name": "Renamed", "require_mfa": true}},
		{http.MethodDelete, "/api/v1/tokens/1", nil},
		{http.MethodPost, "/api/v1/jobs/1/retry", nil},
		{http.MethodGet, "/api/v1/users", nil}, // the user list is for those who manage users
	} {
		e := mustError(t, auditor.JSON(tt.method, tt.path, tt.body), http.StatusForbidden, "forbidden")
		if !strings.Contains(e.Error.Message, "your role (Auditor (read-only)) may not do this") {
			t.Errorf("%s %s: message %q", tt.method, tt.path, e.Error.Message)
		}
	}
	usersAfter, _ := h.Store.Scope(org.ID).Users(context.Background(), domain.ListParams{})
	if o, _ := h.Store.Org(context.Background(), org.ID); o.Name != "alpha" || o.RequireMFA || usersAfter.Total != usersBefore.Total {
		t.Errorf("the auditor changed something: %+v, %d users", o, usersAfter.Total)
	}
	mustError(t, engineer.JSON(http.MethodGet, "/api/v1/audit", nil), http.StatusForbidden, "forbidden")
	admin.JSON(http.MethodGet, "/api/v1/users", nil).Must(t, 200)
}

func TestStrictJSON(t *testing.T) {
	h := apptest.New(t, apptest.Options{})
	org := h.Org("alpha")
	admin := h.APIClient(h.Token(org, domain.RoleAdmin))
	deep := strings.Repeat("[", 100_000) + strings.Repeat("]", 100_000)
	for _, tt := range []struct {
		name, path, body string
		field, message   string
	}{
		{"unknown field", "/api/v1/users", `{"email":"a@alpha.example","role":"auditor","isAdmin":true}`, "$.isAdmin", "unknown field"},
		{"wrong type", "/api/v1/users", `{"email":5,"role":"auditor"}`, "$.email", "must be a string, not number"},
		{"object for a string", "/api/v1/users", `{"email":"a@alpha.example","role":"auditor","name":{"first":"A"}}`, "$.name", "must be a string, not object"},
		{"string for a number", "/api/v1/tokens", `{"name":"x","role":"auditor","days":"90"}`, "$.days", "must be a whole number, not string"},
		{"truncated", "/api/v1/users", `{"email":"a@alpha.example","role":"aud`, "$", "truncated"},
		{"trailing object", "/api/v1/users", `{"email":"a@alpha.example","role":"auditor"} {"email":"b@alpha.example"}`, "$", "unexpected data after the JSON value"},
		{"trailing garbage", "/api/v1/users", `{"email":"a@alpha.example","role":"auditor"}xyz`, "$", "unexpected data after the JSON value"},
		{"syntax error", "/api/v1/users", `{"email":'a@alpha.example'}`, "$", "malformed JSON at byte"},
		{"empty body", "/api/v1/users", ``, "$", "the request body is empty"},
		{"array for an object", "/api/v1/users", `[1,2,3]`, "$", "must be an object"},
		{"100 000 levels deep", "/api/v1/users", deep, "$", "nested deeper than 64 levels"},
		{"deep inside a string is fine but the field is unknown", "/api/v1/users", `{"x":"` + strings.Repeat("[", 1000) + `"}`, "$.x", "unknown field"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			e := mustError(t, admin.JSON(http.MethodPost, tt.path, tt.body), http.StatusBadRequest, "invalid")
			if e.Error.Field != tt.field || !strings.Contains(e.Error.Message, tt.message) {
				t.Errorf("field %q message %q, want %q and %q", e.Error.Field, e.Error.Message, tt.field, tt.message)
			}
		})
	}
	page, _ := h.Store.Scope(org.ID).Users(context.Background(), domain.ListParams{})
	toks, _ := h.Store.Scope(org.ID).Tokens(context.Background())
	if page.Total != 0 || len(toks) != 1 {
		t.Errorf("refused requests created %d users and %d tokens", page.Total, len(toks)-1)
	}
	// The same body, well-formed, is accepted.
	admin.JSON(http.MethodPost, "/api/v1/users", `{"email":"a@alpha.example","role":"auditor"}`).Must(t, 201)
}

func TestPagination(t *testing.T) {
	h := apptest.New(t, apptest.Options{})
	org := h.Org("alpha")
	for _, e := range []string{"a", "b", "c", "d", "e"} {
		h.User(org, e+"@alpha.example", domain.RoleAuditor)
	}
	admin := h.APIClient(h.Token(org, domain.RoleAdmin))
	var page domain.Page[domain.User]
	admin.JSON(http.MethodGet, "/api/v1/users?limit=2&offset=1&sort=-email", nil).Must(t, 200).JSON(t, &page)
	var got []string
	for _, u := range page.Items {
		got = append(got, u.Email)
	}
	if page.Total != 5 || page.Limit != 2 || page.Offset != 1 || !cmp.Equal(got, []string{"d@alpha.example", "c@alpha.example"}) {
		t.Errorf("page: total %d limit %d offset %d items %v", page.Total, page.Limit, page.Offset, got)
	}
	admin.JSON(http.MethodGet, "/api/v1/users?q=c@alpha&limit=100000", nil).Must(t, 200).JSON(t, &page)
	if page.Total != 1 || page.Limit != domain.MaxPageSize {
		t.Errorf("search and clamped limit: total %d limit %d", page.Total, page.Limit)
	}
	for q, field := range map[string]string{"limit=-1": "limit", "limit=ten": "limit", "offset=x": "offset"} {
		if e := mustError(t, admin.JSON(http.MethodGet, "/api/v1/users?"+q, nil), http.StatusBadRequest, "invalid"); e.Error.Field != field {
			t.Errorf("%s: field %q", q, e.Error.Field)
		}
	}
	if e := mustError(t, admin.JSON(http.MethodGet, "/api/v1/audit?since=yesterday", nil), http.StatusBadRequest, "invalid"); e.Error.Field != "since" {
		t.Errorf("since=yesterday: field %q", e.Error.Field)
	}
	if e := mustError(t, admin.JSON(http.MethodGet, "/api/v1/users/abc", nil), http.StatusBadRequest, "invalid"); e.Error.Field != "id" {
		t.Errorf("/users/abc: field %q", e.Error.Field)
	}
	mustError(t, admin.JSON(http.MethodGet, "/api/v1/users/999", nil), http.StatusNotFound, "not_found")
}

// TestOpenAPI keeps the document true: it is generated from the operation table that routes requests,
// compared with a golden file (rewrite with go test ./internal/api -update), and checked for what
// clients rely on.
func TestOpenAPI(t *testing.T) {
	h := apptest.New(t, apptest.Options{})
	doc, err := json.MarshalIndent(h.API.OpenAPI("test"), "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	testutil.Golden(t, "openapi.json", append(doc, '\n'))

	// The served document is that document, valid JSON, OpenAPI 3.1.0.
	r := h.Client().Get("/api/v1/openapi.json").Must(t, 200)
	var served map[string]any
	if err := json.Unmarshal([]byte(r.Body), &served); err != nil {
		t.Fatalf("served document is not JSON: %v", err)
	}
	want, _ := json.Marshal(h.API.OpenAPI(buildinfo.Version()))
	var wantDoc map[string]any
	json.Unmarshal(want, &wantDoc)
	if diff := cmp.Diff(wantDoc, served); diff != "" {
		t.Errorf("served document differs from the generated one:\n%s", diff)
	}
	if served["openapi"] != "3.1.0" {
		t.Errorf("openapi = %v", served["openapi"])
	}

	var d struct {
		Paths      map[string]map[string]map[string]any `json:"paths"`
		Components struct {
			Schemas map[string]any `json:"schemas"`
		} `json:"components"`
	}
	if err := json.Unmarshal(doc, &d); err != nil {
		t.Fatal(err)
	}
	ids := map[string]string{}
	operations := 0
	paramRE := regexp.MustCompile(`\{([^}.]+)(\.\.\.)?\}`)
	for path, item := range d.Paths {
		for method, op := range item {
			operations++
			where := strings.ToUpper(method) + " " + path
			id, _ := op["operationId"].(string)
			if id == "" {
				t.Errorf("%s has no operationId", where)
			} else if prev, dup := ids[id]; dup {
				t.Errorf("operationId %s used by %s and %s", id, prev, where)
			}
			ids[id] = where
			if s, _ := op["summary"].(string); s == "" {
				t.Errorf("%s has no summary", where)
			}
			if tags, _ := op["tags"].([]any); len(tags) != 1 || tags[0] == "" {
				t.Errorf("%s has no tag", where)
			}
			documented := map[string]bool{}
			params, _ := op["parameters"].([]any)
			for _, p := range params {
				pm := p.(map[string]any)
				if pm["in"] == "path" {
					if pm["required"] != true {
						t.Errorf("%s: path parameter %v not required", where, pm["name"])
					}
					documented[pm["name"].(string)] = true
				}
			}
			for _, m := range paramRE.FindAllStringSubmatch(path, -1) {
				if !documented[m[1]] {
					t.Errorf("%s: path parameter %s is not documented", where, m[1])
				}
				delete(documented, m[1])
			}
			for name := range documented {
				t.Errorf("%s documents a path parameter %s that the path lacks", where, name)
			}
			responses, _ := op["responses"].(map[string]any)
			if _, ok := responses["default"]; !ok || len(responses) < 2 {
				t.Errorf("%s: responses %v lack a success or the error envelope", where, responses)
			}
			if op["security"] == nil && op["x-vigil-permission"] == nil {
				t.Errorf("%s: neither public nor guarded by a permission", where)
			}
		}
	}
	if operations != len(h.API.Ops()) {
		t.Errorf("%d operations documented, %d registered", operations, len(h.API.Ops()))
	}
	// Every $ref resolves.
	for _, ref := range regexp.MustCompile(`"\$ref": "#/components/schemas/([^"]+)"`).FindAllStringSubmatch(string(doc), -1) {
		if _, ok := d.Components.Schemas[ref[1]]; !ok {
			t.Errorf("$ref to a missing schema %s", ref[1])
		}
	}

	// What list and read operations return has the properties the document promises.
	org := h.Org("alpha")
	h.User(org, "x@alpha.example", domain.RoleAuditor)
	admin := h.APIClient(h.Token(org, domain.RoleAdmin))
	for _, op := range h.API.Ops() {
		if op.Method != http.MethodGet || strings.Contains(op.Path, "{") || op.Response == nil {
			continue
		}
		r := admin.JSON(http.MethodGet, api.Prefix+op.Path+exampleQueries[op.ID], nil).Must(t, 200)
		schema := resolve(d.Components.Schemas, d.Paths[api.Prefix+op.Path]["get"]["responses"].(map[string]any)["200"])
		checkAgainst(t, op.Method+" "+op.Path, d.Components.Schemas, schema, json.RawMessage(r.Body))
	}
}

// exampleQueries are query strings for read operations that need parameters to answer at all.
var exampleQueries = map[string]string{
	"checkScopeQuery": "?entity_type=healthcare-provider&employees=300&turnover_eur=40000000&balance_eur=30000000",
}

// resolve follows a response or schema to its schema object.
func resolve(schemas map[string]any, v any) map[string]any {
	m, _ := v.(map[string]any)
	if c, ok := m["content"].(map[string]any); ok {
		return resolve(schemas, c["application/json"].(map[string]any)["schema"])
	}
	if ref, ok := m["$ref"].(string); ok {
		return resolve(schemas, schemas[strings.TrimPrefix(ref, "#/components/schemas/")])
	}
	if one, ok := m["oneOf"].([]any); ok {
		return resolve(schemas, one[0])
	}
	return m
}

// checkAgainst checks that every property of a JSON object is declared by its schema and every required
// one is present, recursively through objects and arrays.
func checkAgainst(t *testing.T, where string, schemas, schema map[string]any, raw json.RawMessage) {
	t.Helper()
	switch schema["type"] {
	case "object":
		var obj map[string]json.RawMessage
		if err := json.Unmarshal(raw, &obj); err != nil {
			t.Errorf("%s: want an object, got %.100s", where, raw)
			return
		}
		props, _ := schema["properties"].(map[string]any)
		if props == nil {
			return // a map
		}
		var keys []string
		for k := range obj {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			p, ok := props[k]
			if !ok {
				t.Errorf("%s: property %s is not in the document", where, k)
				continue
			}
			if string(obj[k]) != "null" {
				checkAgainst(t, where+"."+k, schemas, resolve(schemas, p), obj[k])
			}
		}
		req, _ := schema["required"].([]any)
		for _, r := range req {
			if !slices.Contains(keys, r.(string)) {
				t.Errorf("%s: required property %s missing", where, r)
			}
		}
	case "array":
		var arr []json.RawMessage
		if err := json.Unmarshal(raw, &arr); err != nil {
			t.Errorf("%s: want an array, got %.100s", where, raw)
			return
		}
		for i, e := range arr {
			checkAgainst(t, where+"["+strings.Repeat("", i)+"]", schemas, resolve(schemas, schema["items"]), e)
		}
	case "string":
		if len(raw) == 0 || raw[0] != '"' {
			t.Errorf("%s: want a string, got %.100s", where, raw)
		}
	case "integer", "number":
		var f float64
		if json.Unmarshal(raw, &f) != nil {
			t.Errorf("%s: want a number, got %.100s", where, raw)
		}
	case "boolean":
		if string(raw) != "true" && string(raw) != "false" {
			t.Errorf("%s: want a boolean, got %.100s", where, raw)
		}
	}
}
