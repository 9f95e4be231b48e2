// Package api is Vigil's REST API under /api/v1: JSON in and out, one error envelope, pagination and
// filtering by query parameters, bearer-token (or session + CSRF header) authentication, and an OpenAPI
// document generated from the same operation table that routes the requests, so the two cannot drift.
package api

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"reflect"
	"strconv"
	"strings"

	"github.com/vigil-med/vigil/internal/domain"
	"github.com/vigil-med/vigil/internal/httpx"
	"github.com/vigil-med/vigil/internal/store"
)

// Prefix is the path prefix of the API.
const Prefix = "/api/v1"

// Param documents a path or query parameter.
type Param struct {
	Name        string
	In          string // "path" or "query"
	Type        string // "string", "integer", "boolean", "number"
	Description string
	Required    bool
	Enum        []string
}

// ListParams are the query parameters every list operation takes.
var ListParams = []Param{
	{Name: "limit", In: "query", Type: "integer", Description: fmt.Sprintf("page size (default %d, at most %d)", domain.DefaultPageSize, domain.MaxPageSize)},
	{Name: "offset", In: "query", Type: "integer", Description: "rows to skip"},
	{Name: "sort", In: "query", Type: "string", Description: "column to sort by; prefix with - for descending"},
	{Name: "q", In: "query", Type: "string", Description: "free-text search"},
}

// Op describes one operation: it routes the request and documents it.
type Op struct {
	Method string
	// Path is relative to Prefix, with {name} path parameters. Path parameters name objects of the
	// caller's organisation: handlers look them up through Call.Scope, so an id of another organisation
	// answers 404 exactly like an id that does not exist. The list operation of the parent path (GET
	// /things for /things/{id}) returns those ids in items[].id (or [].id). The tenant-isolation test
	// (internal/app/isolation_test.go) relies on this convention and checks every registered operation.
	Path        string
	ID          string // operationId
	Summary     string
	Description string
	Tag         string
	Perm        domain.Permission // required permission; "" with Public for anonymous operations
	Public      bool
	Params      []Param
	Body        any    // a value of the request body type, or nil
	Response    any    // a value of the response type, or nil for 204
	Status      int    // success status (default 200)
	Produces    string // for raw operations: the media type written (application/pdf …)
	Upload      bool   // the body is a file (multipart/form-data field "file" or the raw body)
}

// API routes and documents the operations.
type API struct {
	mux   *http.ServeMux
	ops   []Op
	log   *slog.Logger
	store *store.Store
	authn *httpx.Authenticator
}

// New returns an API that registers its routes on mux.
func New(mux *http.ServeMux, st *store.Store, authn *httpx.Authenticator, log *slog.Logger) *API {
	return &API{mux: mux, log: log, store: st, authn: authn}
}

// Ops returns the registered operations (for the OpenAPI document and tests).
func (a *API) Ops() []Op { return a.ops }

// Call is what a handler gets besides its decoded body.
type Call struct {
	R         *http.Request
	Principal *httpx.Principal
	// Scope is the store as the caller's organisation sees it; nil for public operations.
	Scope *store.Scope
}

// PathInt returns a numeric path parameter or an EInvalid error naming it.
func (c *Call) PathInt(name string) (int64, error) {
	v, err := strconv.ParseInt(c.R.PathValue(name), 10, 64)
	if err != nil || v <= 0 {
		return 0, domain.Invalid(name, "must be a positive number")
	}
	return v, nil
}

// Query returns a query parameter.
func (c *Call) Query(name string) string { return c.R.URL.Query().Get(name) }

// QueryInt returns an integer query parameter (def when absent) or an EInvalid error.
func (c *Call) QueryInt(name string, def int) (int, error) {
	s := c.R.URL.Query().Get(name)
	if s == "" {
		return def, nil
	}
	n, err := strconv.Atoi(s)
	if err != nil {
		return 0, domain.Invalid(name, "must be a whole number")
	}
	return n, nil
}

// QueryBool returns a boolean query parameter (false when absent).
func (c *Call) QueryBool(name string) (bool, error) {
	s := c.R.URL.Query().Get(name)
	if s == "" {
		return false, nil
	}
	b, err := strconv.ParseBool(s)
	if err != nil {
		return false, domain.Invalid(name, "must be true or false")
	}
	return b, nil
}

// List returns the paging, sorting and search parameters of a list operation.
func (c *Call) List() (domain.ListParams, error) {
	limit, err := c.QueryInt("limit", 0)
	if err != nil {
		return domain.ListParams{}, err
	}
	offset, err := c.QueryInt("offset", 0)
	if err != nil {
		return domain.ListParams{}, err
	}
	if limit < 0 || offset < 0 {
		return domain.ListParams{}, domain.Invalid("limit", "limit and offset must not be negative")
	}
	return domain.ListParams{Limit: limit, Offset: offset, Sort: c.Query("sort"), Q: c.Query("q")}.Normalize(), nil
}

// Ctx is the request context (with the actor for audit events).
func (c *Call) Ctx() context.Context { return c.R.Context() }

// Empty is the body or response of operations without one.
type Empty struct{}

// Handle registers a JSON operation: the body is decoded into In (strictly: unknown fields and trailing
// data are refused, with the JSON path of the problem), fn's result is encoded as the response, and
// errors become the error envelope.
func Handle[In, Out any](a *API, op Op, fn func(c *Call, in In) (Out, error)) {
	var in In
	if _, empty := any(in).(Empty); !empty && op.Body == nil && op.Method != http.MethodGet && op.Method != http.MethodDelete {
		op.Body = in
	}
	var out Out
	if _, empty := any(out).(Empty); !empty && op.Response == nil {
		op.Response = out
	}
	a.register(op, func(w http.ResponseWriter, r *http.Request, c *Call) {
		var body In
		if _, empty := any(body).(Empty); !empty && r.Method != http.MethodGet && r.Method != http.MethodDelete {
			if err := DecodeJSON(r.Body, &body); err != nil {
				httpx.Error(w, r, a.log, err)
				return
			}
		}
		res, err := fn(c, body)
		if err != nil {
			httpx.Error(w, r, a.log, err)
			return
		}
		status := op.Status
		if status == 0 {
			status = http.StatusOK
		}
		if _, empty := any(res).(Empty); empty {
			w.WriteHeader(http.StatusNoContent)
			return
		}
		httpx.JSON(w, status, res)
	})
}

// HandleRaw registers an operation whose handler writes the response itself (files, uploads, streams).
// Errors returned before anything was written become the error envelope.
func HandleRaw(a *API, op Op, fn func(w http.ResponseWriter, c *Call) error) {
	a.register(op, func(w http.ResponseWriter, r *http.Request, c *Call) {
		rec := &httpx.StatusRecorder{ResponseWriter: w}
		if err := fn(rec, c); err != nil {
			if rec.Status == 0 {
				httpx.Error(w, r, a.log, err)
				return
			}
			a.log.Error("raw handler failed after writing", "err", err, "path", r.URL.Path)
		}
	})
}

func (a *API) register(op Op, h func(w http.ResponseWriter, r *http.Request, c *Call)) {
	if op.Perm == "" && !op.Public {
		panic("api: operation " + op.Method + " " + op.Path + " has neither a permission nor Public")
	}
	a.ops = append(a.ops, op)
	a.mux.HandleFunc(op.Method+" "+Prefix+op.Path, func(w http.ResponseWriter, r *http.Request) {
		c := &Call{R: r}
		if !op.Public {
			p, err := a.authenticate(r)
			if err != nil {
				httpx.Error(w, r, a.log, err)
				return
			}
			if err := p.Role.Require(op.Perm); err != nil {
				httpx.Error(w, r, a.log, err)
				return
			}
			r = httpx.WithPrincipal(r, p)
			c.R, c.Principal, c.Scope = r, p, a.store.Scope(p.Org.ID)
		}
		h(w, r, c)
	})
}

// authenticate accepts a bearer token, or a session cookie of a fully signed-in user together with the
// session's CSRF token in X-CSRF-Token for state-changing requests (the web UI's own scripts).
func (a *API) authenticate(r *http.Request) (*httpx.Principal, error) {
	p, err := a.authn.FromToken(r)
	if err != nil || p != nil {
		return p, err
	}
	p, err = a.authn.FromSession(r)
	if err != nil {
		return nil, err
	}
	if p == nil || !p.Session.MFAPassed {
		return nil, &domain.Error{Code: domain.EUnauthorized, Message: "authentication required: send Authorization: Bearer <API token>"}
	}
	if p.Org.RequireMFA && !p.User.MFAEnabled && p.User.OIDCSubject == "" {
		// The web UI sends such a user to MFA enrolment; the API must not be the way around it.
		return nil, &domain.Error{Code: domain.EForbidden, Message: "your organisation requires multi-factor authentication: set it up under Account first"}
	}
	if !httpx.IsSafeMethod(r.Method) && !httpx.CheckCSRF(r, p.Session) {
		return nil, &domain.Error{Code: domain.EForbidden, Message: "missing or wrong X-CSRF-Token header"}
	}
	return p, nil
}

// MaxDepth bounds the nesting of JSON request bodies.
const MaxDepth = 64

// DecodeJSON decodes one JSON value strictly into v: unknown fields, trailing data and nesting deeper
// than MaxDepth are refused; errors name the JSON path.
func DecodeJSON(r io.Reader, v any) error {
	b, err := io.ReadAll(r)
	if err != nil {
		return httpx.AsDomain(err)
	}
	if err := checkDepth(b, MaxDepth); err != nil {
		return err
	}
	dec := json.NewDecoder(strings.NewReader(string(b)))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return jsonError(err)
	}
	if dec.More() {
		return domain.Invalid("$", "unexpected data after the JSON value")
	}
	if t, err := dec.Token(); err != io.EOF {
		return domain.Invalid("$", "unexpected data after the JSON value (%v)", t)
	}
	return nil
}

func checkDepth(b []byte, max int) error {
	depth := 0
	inStr, esc := false, false
	for _, c := range b {
		switch {
		case esc:
			esc = false
		case inStr && c == '\\':
			esc = true
		case c == '"':
			inStr = !inStr
		case inStr:
		case c == '{' || c == '[':
			depth++
			if depth > max {
				return domain.Invalid("$", "JSON nested deeper than %d levels", max)
			}
		case c == '}' || c == ']':
			depth--
		}
	}
	return nil
}

func jsonError(err error) error {
	var se *json.SyntaxError
	var te *json.UnmarshalTypeError
	switch {
	case errors.As(err, &se):
		return domain.Invalid("$", "malformed JSON at byte %d: %v", se.Offset, se)
	case errors.As(err, &te):
		path := "$"
		if te.Field != "" {
			path += "." + te.Field
		}
		return domain.Invalid(path, "must be %s, not %s", jsonKind(te.Type), te.Value)
	case errors.Is(err, io.EOF):
		return domain.Invalid("$", "the request body is empty; send a JSON object")
	case errors.Is(err, io.ErrUnexpectedEOF):
		return domain.Invalid("$", "the JSON ends too early (truncated)")
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		name := strings.Trim(strings.TrimPrefix(err.Error(), "json: unknown field "), `"`)
		return domain.Invalid("$."+name, "unknown field")
	}
	return httpx.AsDomain(domain.Invalid("$", "%v", err))
}

func jsonKind(t reflect.Type) string {
	switch t.Kind() {
	case reflect.String:
		return "a string"
	case reflect.Bool:
		return "true or false"
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64, reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return "a whole number"
	case reflect.Float32, reflect.Float64:
		return "a number"
	case reflect.Slice, reflect.Array:
		return "an array"
	case reflect.Map, reflect.Struct:
		return "an object"
	}
	return t.String()
}
