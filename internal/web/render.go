package web

import (
	"bytes"
	"fmt"
	"html/template"
	"io/fs"
	"net/http"
	"net/url"
	"path"
	"strings"

	"github.com/vigil-med/vigil/internal/domain"
	"github.com/vigil-med/vigil/internal/httpx"
)

type templates struct {
	pages map[string]*template.Template
}

// parseTemplates parses the layout and partials once, then each page template on a clone of them. Pages
// are named by their path below templates/ without .html, e.g. "admin/users".
func parseTemplates(fsys fs.FS, funcs template.FuncMap) (*templates, error) {
	base := template.New("").Funcs(funcs)
	var err error
	base, err = base.ParseFS(fsys, "templates/layout.html", "templates/partials/*.html")
	if err != nil {
		return nil, fmt.Errorf("templates: %w", err)
	}
	t := &templates{pages: map[string]*template.Template{}}
	err = fs.WalkDir(fsys, "templates", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(p, ".html") {
			return err
		}
		rel := strings.TrimSuffix(strings.TrimPrefix(p, "templates/"), ".html")
		if rel == "layout" || strings.HasPrefix(rel, "partials/") {
			return nil
		}
		clone, err := base.Clone()
		if err != nil {
			return err
		}
		b, err := fs.ReadFile(fsys, p)
		if err != nil {
			return err
		}
		if _, err := clone.New(path.Base(p)).Parse(string(b)); err != nil {
			return fmt.Errorf("template %s: %w", p, err)
		}
		t.pages[rel] = clone
		return nil
	})
	return t, err
}

// View is what every page template receives: the common frame and the page's own typed data in Data.
type View struct {
	Title     string
	Principal *httpx.Principal
	Nav       []NavSection
	Active    string // path of the active navigation item
	CSRF      string
	Flash     *Flash
	Data      any
	Version   string
	Path      string
	Query     string
	// Bare pages (login, public pages) have no navigation.
	Bare bool
}

// Flash is a one-time message shown after a redirect.
type Flash struct {
	Kind string // ok, error, info
	Text string
}

func (s *Server) render(w http.ResponseWriter, r *http.Request, status int, page string, v View) {
	t, ok := s.tmpl.pages[page]
	if !ok {
		s.Log.Error("unknown template", "page", page)
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	p := httpx.PrincipalFrom(r.Context())
	v.Principal = p
	v.Version = s.Version
	v.Path = r.URL.Path
	v.Query = r.URL.RawQuery
	if p == nil {
		v.Bare = true
	} else {
		v.Nav = s.navFor(p)
		if p.Session != nil {
			v.CSRF = p.Session.CSRFToken
		}
	}
	if v.Flash == nil {
		v.Flash = takeFlash(w, r)
	}
	name := "layout"
	if r.Header.Get("HX-Request") == "true" && r.Header.Get("HX-Boosted") != "true" && t.Lookup("partial") != nil {
		name = "partial" // htmx asks for a fragment: pages that support it define "partial"
	}
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, name, v); err != nil {
		s.Log.Error("render", "page", page, "err", err, "request_id", httpx.RequestID(r.Context()))
		http.Error(w, "internal error (request "+httpx.RequestID(r.Context())+")", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	if p != nil {
		w.Header().Set("Cache-Control", "no-store")
	}
	w.WriteHeader(status)
	_, _ = w.Write(buf.Bytes())
}

// renderError shows an error page (or the status alone for htmx requests).
func (s *Server) renderError(w http.ResponseWriter, r *http.Request, err error) {
	err = httpx.AsDomain(err)
	code := domain.ErrorCode(err)
	status := httpx.Status(code)
	if code == domain.EInternal {
		s.Log.Error("page failed", "err", err, "path", r.URL.Path, "request_id", httpx.RequestID(r.Context()))
	}
	if code == domain.EUnauthorized {
		http.Redirect(w, r, "/login?next="+url.QueryEscape(safeNext(r.URL.RequestURI())), http.StatusSeeOther)
		return
	}
	s.render(w, r, status, "error", View{Title: http.StatusText(status), Data: errorView{
		Status: status, Message: domain.ErrorMessage(err), RequestID: httpx.RequestID(r.Context()),
	}})
}

type errorView struct {
	Status    int
	Message   string
	RequestID string
}

func (s *Server) notFound(w http.ResponseWriter, r *http.Request) {
	if p, _ := s.Authn.FromSession(r); p != nil && p.Session.MFAPassed {
		r = httpx.WithPrincipal(r, p) // show the menu around the error
	} else if r.URL.Path == "/" {
		http.Redirect(w, r, "/login", http.StatusSeeOther)
		return
	}
	s.render(w, r, http.StatusNotFound, "error", View{Title: "Not found", Data: errorView{
		Status: http.StatusNotFound, Message: "There is no page at " + r.URL.Path + ".", RequestID: httpx.RequestID(r.Context()),
	}})
}

// safeNext keeps a post-login redirect target on this site.
func safeNext(next string) string {
	if !strings.HasPrefix(next, "/") || strings.HasPrefix(next, "//") || strings.HasPrefix(next, "/\\") {
		return "/"
	}
	return next
}
