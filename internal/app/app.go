// Package app is the one place that wires Vigil together: configuration → store → services → server.
package app

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/vigil-med/vigil/internal/api"
	"github.com/vigil-med/vigil/internal/auth"
	"github.com/vigil-med/vigil/internal/buildinfo"
	"github.com/vigil-med/vigil/internal/compliance"
	"github.com/vigil-med/vigil/internal/config"
	"github.com/vigil-med/vigil/internal/exchange"
	"github.com/vigil-med/vigil/internal/feeds/endoflife"
	"github.com/vigil-med/vigil/internal/fleet"
	"github.com/vigil-med/vigil/internal/httpx"
	"github.com/vigil-med/vigil/internal/incident"
	"github.com/vigil-med/vigil/internal/inventory"
	"github.com/vigil-med/vigil/internal/jobs"
	"github.com/vigil-med/vigil/internal/netguard"
	"github.com/vigil-med/vigil/internal/notify"
	"github.com/vigil-med/vigil/internal/procurement"
	"github.com/vigil-med/vigil/internal/regulation"
	"github.com/vigil-med/vigil/internal/riskmgr"
	"github.com/vigil-med/vigil/internal/store"
	"github.com/vigil-med/vigil/internal/training"
	"github.com/vigil-med/vigil/internal/vulndb"
	"github.com/vigil-med/vigil/internal/web"
)

// App is a running Vigil: its configuration and services.
type App struct {
	Config   config.Config
	Log      *slog.Logger
	Store    *store.Store
	Jobs     *jobs.Runner
	Notifier *notify.Notifier
	Metrics  *Metrics
	Now      func() time.Time
	// Compliance holds the providers of automatic evidence for NIS2 Art 21 assessments and the source of
	// products for the applicability of EU law; modules register theirs in registerEvidence.
	Compliance *compliance.Registry

	// HTTPClient is used for outgoing requests (feeds, SSO, webhooks); tests replace it.
	HTTPClient *http.Client

	// Procurement holds the end-of-life data and vulnerability checker tender evaluations use.
	Procurement *procurement.Env
	// Feeds is the vulnerability database (feed import, sync, bundles, the match snapshot).
	Feeds *vulndb.Service
	// Fleet matches the organisations' product versions against the feeds and keeps the findings.
	Fleet *fleet.Service
	// Risk scores devices, keeps the legacy register and snapshots, and plans replacements.
	Risk *riskmgr.Service
	// Exchange publishes manufacturers' advisories, VEX and SBOMs and syncs hospitals' subscriptions.
	Exchange *exchange.Service
}

// NewLogger builds the structured logger the configuration asks for.
func NewLogger(cfg config.Config, w io.Writer) *slog.Logger {
	var level slog.Level
	_ = level.UnmarshalText([]byte(cfg.LogLevel))
	opts := &slog.HandlerOptions{Level: level}
	if cfg.LogFormat == "json" {
		return slog.New(slog.NewJSONHandler(w, opts))
	}
	return slog.New(slog.NewTextHandler(w, opts))
}

// Open connects to the database (migrating it unless noMigrate) and builds the services.
func Open(ctx context.Context, cfg config.Config, log *slog.Logger) (*App, error) {
	st, err := store.Open(ctx, store.Options{DataDir: cfg.DataDir, DSN: cfg.Database, ConnectTimeout: cfg.DBConnectTimeout,
		MaxConns: cfg.DBMaxConns, Logger: log})
	if err != nil {
		return nil, err
	}
	a := &App{Config: cfg, Log: log, Store: st, Now: time.Now, HTTPClient: netguard.Client(60 * time.Second)}
	a.Jobs = jobs.New(st, log)
	a.Jobs.Workers, a.Jobs.PollInterval, a.Jobs.MaxAttempts = cfg.Jobs.Workers, cfg.Jobs.PollInterval, cfg.Jobs.MaxAttempts
	a.Notifier = &notify.Notifier{Store: st, Jobs: a.Jobs, Events: &notify.Events{}, BaseURL: cfg.ExternalURL(), Log: log,
		Hooks: &notify.WebhookSender{Client: netguard.Client(15 * time.Second)}}
	if cfg.SMTP.Host != "" {
		a.Notifier.Mailer = notify.NewSMTPMailer(notify.SMTPConfig{Host: cfg.SMTP.Host, Port: cfg.SMTP.Port, Username: cfg.SMTP.Username,
			Password: cfg.SMTP.Password, From: cfg.SMTP.From, TLS: cfg.SMTP.TLS})
	}
	a.Procurement = procurement.NewEnv(cfg.DataDir)
	if cfg.DataDir != "" {
		// SBOMs of bids are checked against the feeds' index snapshot once it exists (read when first
		// needed and again when the feeds rewrite it); until then those criteria stay with evaluators.
		a.Procurement.Vulns = procurement.NewSnapshotChecker(cfg.DataDir)
	}
	a.Metrics = NewMetrics(st)
	a.Jobs.Ran = func(j store.Job, err error) {
		a.Metrics.ObserveJob(j, err)
		// feed changes reach the findings within seconds (re-matching only what they touch)
		if (j.Kind == vulndb.JobSync || j.Kind == vulndb.JobImport) && a.Fleet != nil {
			if _, err := fleet.EnqueueUpdate(context.WithoutCancel(context.Background()), a.Jobs); err != nil {
				log.Warn("queue fleet update", "err", err)
			}
		}
	}
	a.Feeds = vulndb.New(st, cfg.DataDir, cfg.Feeds, log)
	a.Feeds.Now = func() time.Time { return a.Now() }
	a.Feeds.Version = buildinfo.Version()
	a.Fleet = fleet.New(st, a.Feeds, log)
	a.Fleet.Notifier = a.Notifier
	a.Risk = &riskmgr.Service{Store: st, Findings: st, Now: func() time.Time { return a.Now() },
		EOL: func() *endoflife.Catalog { return a.Procurement.Options(a.Now()).EOL }}
	if err := a.openExchange(); err != nil {
		st.Close()
		return nil, err
	}
	a.registerJobs()
	a.Compliance = compliance.NewRegistry()
	a.registerEvidence()
	return a, nil
}

// Close releases the database.
func (a *App) Close() error { return a.Store.Close() }

// registerJobs registers every job handler and schedule. Modules add theirs here.
func (a *App) registerJobs() {
	a.Notifier.RegisterJobs(a.Jobs)
	a.Notifier.Events.Register(notify.EventKind{Name: "job.failed", Label: "a background job failed for good", EmailDefault: false})
	a.Jobs.Register("maintenance.cleanup", func(ctx context.Context, j *store.Job, p *jobs.Progress) error {
		n, err := a.Store.DeleteExpiredSessions(ctx, a.Now(), a.Config.SessionIdle)
		if err != nil {
			return err
		}
		m, err := a.Store.PruneJobs(ctx, a.Now().AddDate(0, 0, -30))
		p.Result = fmt.Sprintf("removed %d expired sessions and %d old jobs", n, m)
		return err
	})
	a.Jobs.Every(jobs.Schedule{Name: "maintenance.cleanup", Kind: "maintenance.cleanup", Every: time.Hour})
	incident.RegisterJobs(a.Jobs, a.Store, a.Notifier, func() time.Time { return a.Now() }, a.Log)
	training.Register(a.Jobs, a.Store, a.Notifier, a.Now, a.Log)
	procurement.RegisterJobs(a.Jobs, a.Store, a.Notifier, func() time.Time { return a.Now() }, a.Log)
	vulndb.RegisterJobs(a.Jobs, a.Feeds)
	fleet.RegisterJobs(a.Jobs, a.Fleet)
	a.Notifier.Events.Register(notify.EventKind{Name: fleet.EventKEV, Label: "a vulnerability affecting your devices became known exploited (CISA or EU KEV)", EmailDefault: true})
	a.Risk.RegisterJobs(a.Jobs, a.Log)
	a.exchangeJobs()
}

// registerEvidence registers the providers of automatic evidence for the NIS2 Art 21 assessment (one
// per regulation.EvidenceKind) and the product source of the applicability view. MFA coverage is built
// into the compliance module; the others come with their modules, one line each.
func (a *App) registerEvidence() {
	a.Compliance.Register(regulation.EvidenceIncidents, incident.ComplianceEvidence)
	a.Compliance.Register(regulation.EvidenceAssetInventory, inventory.CoverageEvidence)
	a.Compliance.Register(regulation.EvidenceTraining, training.ComplianceEvidence)
	a.Compliance.Register(regulation.EvidenceSupplierDisclos, procurement.SupplierEvidence)
	a.Compliance.Register(regulation.EvidenceVulnHandling, fleet.ComplianceEvidence)
}

// Handler builds the HTTP handler: web UI, REST API, health, metrics, with the middleware around them.
func (a *App) Handler(ctx context.Context) (http.Handler, *api.API, error) {
	cfg := a.Config
	authn := &httpx.Authenticator{Store: a.Store, Log: a.Log, Secure: cfg.TLSCert != "" || strings.HasPrefix(cfg.BaseURL, "https://"),
		Lifetime: cfg.SessionLifetime, Idle: cfg.SessionIdle, Now: a.Now}
	var rp *auth.OIDC
	if cfg.OIDC.Issuer != "" {
		var err error
		rp, err = auth.NewOIDC(ctx, auth.OIDCConfig{Issuer: cfg.OIDC.Issuer, ClientID: cfg.OIDC.ClientID, ClientSecret: cfg.OIDC.ClientSecret,
			RedirectURL: cfg.ExternalURL() + "/auth/oidc/callback", Scopes: cfg.OIDC.Scopes, GroupsClaim: cfg.OIDC.GroupsClaim,
			RoleMap: cfg.OIDC.RoleMap, HTTPClient: a.HTTPClient})
		if err != nil {
			// SSO being down must not lock out local accounts: log and serve without it.
			a.Log.Error("single sign-on is unavailable", "err", err)
		}
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain")
		_, _ = io.WriteString(w, "ok\n")
	})
	mux.HandleFunc("GET /readyz", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain")
		if err := a.Store.Ping(r.Context()); err != nil {
			a.Log.Warn("readiness: database unreachable", "err", err)
			w.WriteHeader(http.StatusServiceUnavailable)
			_, _ = io.WriteString(w, "database unreachable\n")
			return
		}
		_, _ = io.WriteString(w, "ready\n")
	})
	if cfg.Metrics {
		mux.Handle("GET /metrics", metricsAuth(cfg.MetricsToken, a.Metrics.Handler()))
	}
	ws, err := web.New(web.Deps{Config: &a.Config, Store: a.Store, Log: a.Log, Authn: authn, Jobs: a.Jobs, Notifier: a.Notifier,
		OIDC: rp, Version: buildinfo.Version(), Now: a.Now, Compliance: a.Compliance, Procurement: a.Procurement, Feeds: a.Feeds,
		Fleet: a.Fleet, Risk: a.Risk, Exchange: a.Exchange})
	if err != nil {
		return nil, nil, err
	}
	a.Exchange.Routes(mux) // public: the manufacturers' CSAF providers and published files
	ws.Routes(mux)
	ap := api.New(mux, a.Store, authn, a.Log)
	a.apiRoutes(ap)
	ap.ServeOpenAPI(buildinfo.Version())

	// Cross-origin protection (Sec-Fetch-Site / Origin) in front of everything; the web UI also checks a
	// per-session token in every form.
	cop := http.NewCrossOriginProtection()
	if cfg.BaseURL != "" {
		_ = cop.AddTrustedOrigin(strings.TrimSuffix(cfg.BaseURL, "/"))
	}
	h := httpx.Chain(mux,
		httpx.WithRequestInfo(cfg.TrustProxy),
		httpx.WithRecover(a.Log),
		httpx.WithLogging(a.Log, a.Metrics),
		httpx.WithSecurityHeaders(cfg.TLSCert != ""),
		httpx.WithBodyLimit(cfg.MaxBodyBytes, []string{"/api/v1/import", "/import", "/api/v1/feeds/import"}, cfg.MaxUploadBytes),
		func(next http.Handler) http.Handler { return cop.Handler(next) },
	)
	return h, ap, nil
}

// Serve listens and serves until ctx ends, then shuts down gracefully: new connections stop, running
// requests get ShutdownTimeout to finish, background jobs finish their current run. ready is called
// with the listening address.
func (a *App) Serve(ctx context.Context, ready func(addr string)) error {
	ln, err := net.Listen("tcp", a.Config.Listen)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", a.Config.Listen, err)
	}
	// With port 0 the system chose the port: links, SSO redirects and the printed URL need the real one.
	a.Config.Listen = ln.Addr().String()
	a.Notifier.BaseURL = a.Config.ExternalURL()
	cfg := a.Config
	h, _, err := a.Handler(ctx)
	if err != nil {
		ln.Close()
		return err
	}
	srv := &http.Server{
		Handler:           h,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       5 * time.Minute, // large uploads on slow hospital links
		WriteTimeout:      5 * time.Minute,
		IdleTimeout:       2 * time.Minute,
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          slog.NewLogLogger(a.Log.Handler(), slog.LevelWarn),
	}
	if cfg.TLSCert != "" {
		cert, err := tls.LoadX509KeyPair(cfg.TLSCert, cfg.TLSKey)
		if err != nil {
			ln.Close()
			return fmt.Errorf("tls: %w", err)
		}
		srv.TLSConfig = &tls.Config{MinVersion: tls.VersionTLS12, Certificates: []tls.Certificate{cert}}
		ln = tls.NewListener(ln, srv.TLSConfig)
	}
	jobCtx, stopJobs := context.WithCancel(context.WithoutCancel(ctx))
	go func() {
		// another process sharing the database (or a crash) may have left the scan snapshot behind
		if err := a.Feeds.EnsureSnapshot(jobCtx); err != nil {
			a.Log.Warn("vulnerability feed snapshot", "err", err)
		}
		// then the findings lists' indexes, so that the first list after a restart need not read them
		start := time.Now()
		if n := a.Store.WarmFindingIndexes(jobCtx); n > 0 {
			a.Log.Info("findings lists read into memory", "organisations", n, "took", time.Since(start).Round(time.Millisecond))
		}
	}()
	jobsDone := make(chan struct{})
	go func() { a.Jobs.Run(jobCtx); close(jobsDone) }()

	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	a.Log.Info("vigil is serving", "address", ln.Addr().String(), "url", cfg.ExternalURL(), "database", a.Store.Describe())
	if ready != nil {
		ready(ln.Addr().String())
	}
	select {
	case err := <-errc:
		stopJobs()
		<-jobsDone
		if errors.Is(err, http.ErrServerClosed) {
			return nil
		}
		return err
	case <-ctx.Done():
	}
	a.Log.Info("shutting down")
	sctx, cancel := context.WithTimeout(context.Background(), cfg.ShutdownTimeout)
	defer cancel()
	err = srv.Shutdown(sctx)
	stopJobs()
	select {
	case <-jobsDone:
	case <-sctx.Done():
		a.Log.Warn("background jobs did not finish in time; they resume after the next start")
	}
	return err
}
