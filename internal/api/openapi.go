package api

import (
	"encoding/json"
	"net/http"
	"reflect"
	"sort"
	"strings"
	"time"

	"github.com/vigil-med/vigil/internal/httpx"
	"github.com/vigil-med/vigil/internal/lazyre"
)

// OpenAPI builds the OpenAPI 3.1 document of the registered operations. Schemas are derived by
// reflection from the same Go types the handlers decode and return.
func (a *API) OpenAPI(version string) map[string]any {
	g := &schemaGen{defs: map[string]any{}}
	paths := map[string]map[string]any{}
	for _, op := range a.ops {
		item := paths[Prefix+op.Path]
		if item == nil {
			item = map[string]any{}
			paths[Prefix+op.Path] = item
		}
		o := map[string]any{
			"operationId": op.ID,
			"summary":     op.Summary,
			"tags":        []string{op.Tag},
		}
		if op.Description != "" {
			o["description"] = op.Description
		}
		var params []any
		for _, name := range pathParams(op.Path) {
			p := Param{Name: name, In: "path", Type: "string", Required: true}
			if name == "id" || strings.HasSuffix(name, "_id") {
				p.Type = "integer" // object ids (Call.PathInt refuses anything else)
			}
			for _, d := range op.Params {
				if d.Name == name && d.In == "path" {
					p = d
					p.Required = true
				}
			}
			params = append(params, paramDoc(p))
		}
		for _, p := range op.Params {
			if p.In == "query" {
				params = append(params, paramDoc(p))
			}
		}
		if len(params) > 0 {
			o["parameters"] = params
		}
		if op.Upload {
			o["requestBody"] = map[string]any{"required": true, "content": map[string]any{
				"multipart/form-data": map[string]any{"schema": map[string]any{"type": "object", "required": []string{"file"},
					"properties": map[string]any{"file": map[string]any{"type": "string", "contentMediaType": "application/octet-stream"}}}},
				"application/octet-stream": map[string]any{"schema": map[string]any{"type": "string", "contentMediaType": "application/octet-stream"}},
			}}
		} else if op.Body != nil {
			o["requestBody"] = map[string]any{"required": true, "content": map[string]any{
				"application/json": map[string]any{"schema": g.schema(reflect.TypeOf(op.Body))}}}
		}
		status := op.Status
		if status == 0 {
			status = http.StatusOK
		}
		responses := map[string]any{}
		switch {
		case op.Produces != "":
			responses[itoa(status)] = map[string]any{"description": "the document", "content": map[string]any{
				op.Produces: map[string]any{"schema": map[string]any{"type": "string", "contentMediaType": op.Produces}}}}
		case op.Response != nil:
			responses[itoa(status)] = map[string]any{"description": "success", "content": map[string]any{
				"application/json": map[string]any{"schema": g.schema(reflect.TypeOf(op.Response))}}}
		default:
			responses["204"] = map[string]any{"description": "done"}
		}
		responses["default"] = map[string]any{"description": "an error", "content": map[string]any{
			"application/json": map[string]any{"schema": g.schema(reflect.TypeFor[httpx.ErrorBody]())}}}
		o["responses"] = responses
		if op.Public {
			o["security"] = []any{}
		} else {
			o["x-vigil-permission"] = string(op.Perm)
		}
		item[strings.ToLower(op.Method)] = o
	}
	return map[string]any{
		"openapi": "3.1.0",
		"info": map[string]any{
			"title":       "Vigil API",
			"version":     version,
			"description": "Cybersecurity for medical technology. Authenticate with `Authorization: Bearer <token>` (create one with `vigil token create` or on the API tokens page). Errors share one envelope: {\"error\": {\"code\", \"message\", \"field\", \"request_id\"}}.",
		},
		"servers":  []any{map[string]any{"url": "/"}},
		"paths":    paths,
		"security": []any{map[string]any{"bearer": []string{}}},
		"components": map[string]any{
			"schemas":         g.defs,
			"securitySchemes": map[string]any{"bearer": map[string]any{"type": "http", "scheme": "bearer"}},
		},
	}
}

// ServeOpenAPI registers GET /api/v1/openapi.json.
func (a *API) ServeOpenAPI(version string) {
	a.mux.HandleFunc("GET "+Prefix+"/openapi.json", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		_ = enc.Encode(a.OpenAPI(version))
	})
}

var pathParamRE = lazyre.New(`\{([a-zA-Z_][a-zA-Z0-9_]*)(\.\.\.)?\}`)

func pathParams(p string) []string {
	var out []string
	for _, m := range pathParamRE.FindAllStringSubmatch(p, -1) {
		out = append(out, m[1])
	}
	return out
}

func paramDoc(p Param) map[string]any {
	s := map[string]any{"type": p.Type}
	if p.Type == "" {
		s["type"] = "string"
	}
	if len(p.Enum) > 0 {
		s["enum"] = p.Enum
	}
	d := map[string]any{"name": p.Name, "in": p.In, "schema": s}
	if p.Description != "" {
		d["description"] = p.Description
	}
	if p.Required || p.In == "path" {
		d["required"] = true
	}
	return d
}

func itoa(n int) string {
	b, _ := json.Marshal(n)
	return string(b)
}

type schemaGen struct {
	defs map[string]any
}

var (
	timeType = reflect.TypeFor[time.Time]()
	rawType  = reflect.TypeFor[json.RawMessage]()
	durType  = reflect.TypeFor[time.Duration]()
)

var nameClean = lazyre.New(`[^A-Za-z0-9]+`)

func defName(t reflect.Type) string {
	pkg := t.PkgPath()
	if i := strings.LastIndex(pkg, "/"); i >= 0 {
		pkg = pkg[i+1:]
	}
	name := t.Name()
	// Generic instantiations such as Page[github.com/…/domain.User] become Page_User.
	if i := strings.Index(name, "["); i >= 0 {
		args := name[i+1 : len(name)-1]
		var parts []string
		for a := range strings.SplitSeq(args, ",") {
			if j := strings.LastIndex(a, "."); j >= 0 {
				a = a[j+1:]
			}
			parts = append(parts, a)
		}
		name = name[:i] + "_" + strings.Join(parts, "_")
	}
	return nameClean.ReplaceAllString(pkg+"."+name, "_")
}

// Schemaer is implemented by types with their own JSON form (a calendar date, an amount of money):
// their OpenAPI schema is what OpenAPISchema returns instead of one derived from their Go fields.
type Schemaer interface {
	OpenAPISchema() map[string]any
}

var schemaerType = reflect.TypeFor[Schemaer]()

func (g *schemaGen) schema(t reflect.Type) map[string]any {
	if t.Kind() != reflect.Pointer && t.Kind() != reflect.Interface && t.Implements(schemaerType) {
		return reflect.Zero(t).Interface().(Schemaer).OpenAPISchema()
	}
	switch {
	case t == timeType:
		return map[string]any{"type": "string", "format": "date-time"}
	case t == rawType:
		return map[string]any{}
	case t == durType:
		return map[string]any{"type": "integer", "description": "nanoseconds"}
	}
	switch t.Kind() {
	case reflect.Pointer:
		s := g.schema(t.Elem())
		return map[string]any{"oneOf": []any{s, map[string]any{"type": "null"}}}
	case reflect.String:
		return map[string]any{"type": "string"}
	case reflect.Bool:
		return map[string]any{"type": "boolean"}
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64, reflect.Uint, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return map[string]any{"type": "integer"}
	case reflect.Uint8:
		return map[string]any{"type": "integer"}
	case reflect.Float32, reflect.Float64:
		return map[string]any{"type": "number"}
	case reflect.Slice, reflect.Array:
		if t.Elem().Kind() == reflect.Uint8 {
			return map[string]any{"type": "string", "contentEncoding": "base64"}
		}
		return map[string]any{"type": "array", "items": g.schema(t.Elem())}
	case reflect.Map:
		return map[string]any{"type": "object", "additionalProperties": g.schema(t.Elem())}
	case reflect.Interface:
		return map[string]any{}
	case reflect.Struct:
		if t.Name() == "" {
			return g.structSchema(t)
		}
		name := defName(t)
		if _, ok := g.defs[name]; !ok {
			g.defs[name] = map[string]any{} // placeholder against recursion
			g.defs[name] = g.structSchema(t)
		}
		return map[string]any{"$ref": "#/components/schemas/" + name}
	}
	return map[string]any{}
}

func (g *schemaGen) structSchema(t reflect.Type) map[string]any {
	props := map[string]any{}
	var required []string
	g.fields(t, props, &required)
	s := map[string]any{"type": "object", "properties": props}
	if len(required) > 0 {
		sort.Strings(required)
		s["required"] = required
	}
	return s
}

func (g *schemaGen) fields(t reflect.Type, props map[string]any, required *[]string) {
	for i := range t.NumField() {
		f := t.Field(i)
		if !f.IsExported() {
			continue
		}
		tag := f.Tag.Get("json")
		if tag == "-" {
			continue
		}
		name, opts, _ := strings.Cut(tag, ",")
		if f.Anonymous && name == "" {
			ft := f.Type
			if ft.Kind() == reflect.Pointer {
				ft = ft.Elem()
			}
			if ft.Kind() == reflect.Struct {
				g.fields(ft, props, required)
				continue
			}
		}
		if name == "" {
			name = f.Name
		}
		s := g.schema(f.Type)
		if d := f.Tag.Get("doc"); d != "" {
			if _, isRef := s["$ref"]; isRef {
				s = map[string]any{"allOf": []any{s}, "description": d}
			} else {
				s["description"] = d
			}
		}
		props[name] = s
		if !strings.Contains(opts, "omitempty") && !strings.Contains(opts, "omitzero") && f.Type.Kind() != reflect.Pointer {
			*required = append(*required, name)
		}
	}
}
