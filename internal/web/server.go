// Package web is Vigil's server-rendered user interface: typed view models rendered with html/template,
// a little htmx for partial updates, no inline script (the CSP forbids it) and every asset embedded.
package web

import (
	"embed"
	"io/fs"
	"log/slog"
	"net/http"
	"time"

	"github.com/vigil-med/vigil/internal/auth"
	"github.com/vigil-med/vigil/internal/compliance"
	"github.com/vigil-med/vigil/internal/config"
	"github.com/vigil-med/vigil/internal/exchange"
	"github.com/vigil-med/vigil/internal/fleet"
	"github.com/vigil-med/vigil/internal/httpx"
	"github.com/vigil-med/vigil/internal/jobs"
	"github.com/vigil-med/vigil/internal/notify"
	"github.com/vigil-med/vigil/internal/procurement"
	"github.com/vigil-med/vigil/internal/riskmgr"
	"github.com/vigil-med/vigil/internal/store"
	"github.com/vigil-med/vigil/internal/vulndb"
)

//go:embed templates static
var assets embed.FS

// Deps are what the web UI needs from the application.
type Deps struct {
	Config   *config.Config
	Store    *store.Store
	Log      *slog.Logger
	Authn    *httpx.Authenticator
	Jobs     *jobs.Runner
	Notifier *notify.Notifier
	OIDC     *auth.OIDC // nil when SSO is off
	Version  string
	Now      func() time.Time
	// Compliance provides automatic evidence and products to the regulation pages (nil: MFA only).
	Compliance *compliance.Registry
	// Procurement supplies end-of-life data and the vulnerability checker to tender evaluations.
	Procurement *procurement.Env
	// Feeds is the vulnerability database behind the Feeds and vulnerability pages (nil: the
	// pages read the store only and cannot accept uploads).
	Feeds *vulndb.Service
	// Fleet is the fleet matching (triage, match requests; nil: the pages only read the findings).
	Fleet *fleet.Service
	// Risk scores devices, keeps the legacy register and plans replacements (nil: no risk pages).
	Risk *riskmgr.Service
	// Exchange is the manufacturers' publishing and the hospitals' subscriptions (nil: pages off).
	Exchange *exchange.Service
}

// Server holds the parsed templates and the dependencies of the handlers.
type Server struct {
	Deps
	tmpl      *templates
	loginFail *auth.Limiter // per account
	ipFail    *auth.Limiter // per client address
}

// New parses the templates and builds the navigation.
func New(d Deps) (*Server, error) {
	if d.Now == nil {
		d.Now = time.Now
	}
	if d.Compliance == nil {
		d.Compliance = compliance.NewRegistry()
	}
	s := &Server{Deps: d,
		loginFail: auth.NewLimiter(d.Config.Login.MaxFailures, d.Config.Login.Lockout),
		ipFail:    auth.NewLimiter(d.Config.Login.MaxFailuresPerAddress, d.Config.Login.Lockout),
	}
	t, err := parseTemplates(assets, s.funcs())
	if err != nil {
		return nil, err
	}
	s.tmpl = t
	return s, nil
}

// Routes registers the UI's routes on mux.
func (s *Server) Routes(mux *http.ServeMux) {
	static, _ := fs.Sub(assets, "static")
	fileServer := http.FileServerFS(static)
	mux.Handle("GET /static/", http.StripPrefix("/static/", cacheForever(fileServer)))
	mux.HandleFunc("GET /favicon.ico", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "/static/favicon.svg", http.StatusMovedPermanently)
	})

	s.authRoutes(mux)
	s.accountRoutes(mux)
	s.adminRoutes(mux)
	s.dashboardRoutes(mux)
	s.regulationRoutes(mux)
	s.inventoryRoutes(mux)
	s.disclosureRoutes(mux)
	// Modules register their pages here, one line each.
	s.incidentRoutes(mux)
	s.trainingRoutes(mux)
	s.procurementRoutes(mux)
	s.vulndbRoutes(mux)
	s.fleetRoutes(mux)
	s.riskRoutes(mux)
	s.exchangeRoutes(mux)
	mux.HandleFunc("/", s.notFound)
}

func cacheForever(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		// File names of vendored libraries carry their version; our own files change with the binary,
		// so a day is a safe compromise for those.
		w.Header().Set("Cache-Control", "public, max-age=86400")
		h.ServeHTTP(w, r)
	})
}
