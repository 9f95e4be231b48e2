// Package config holds Vigil's typed configuration. Values come from flags, then the environment
// (VIGIL_*), then an optional YAML file, then defaults — in that precedence — and are validated once at
// start. There are no globals: the Config value is passed to whoever needs it.
package config

import (
	"fmt"
	"net"
	"net/mail"
	"net/url"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"
)

// Config is every setting of Vigil. The `key` tag is the dotted name used in the file, in error messages and
// (upper-cased, dots to underscores, with a VIGIL_ prefix) in the environment. `flag` names a command-line
// flag, `secret` masks the value in `vigil config print`.
type Config struct {
	DataDir   string `key:"data_dir" flag:"data-dir" help:"directory for the embedded SQLite database, uploads and feed data"`
	Database  string `key:"database" flag:"database" secret:"true" help:"PostgreSQL URL (postgres://…); empty means SQLite in the data directory"`
	Org       string `key:"org" flag:"org" help:"organisation (slug or id) that commands act on; default: the first organisation"`
	LogLevel  string `key:"log.level" flag:"log-level" help:"debug, info, warn or error"`
	LogFormat string `key:"log.format" flag:"log-format" help:"text or json"`

	Listen          string        `key:"listen" flag:"listen" help:"address the server listens on (host:port)"`
	BaseURL         string        `key:"base_url" flag:"base-url" help:"external URL of the server, used in links, e-mails and SSO redirects"`
	TLSCert         string        `key:"tls.cert" flag:"tls-cert" help:"PEM certificate file; serves HTTPS when set with tls.key"`
	TLSKey          string        `key:"tls.key" flag:"tls-key" help:"PEM private key file"`
	MaxBodyBytes    int64         `key:"http.max_body_bytes" help:"largest JSON or form request body"`
	MaxUploadBytes  int64         `key:"http.max_upload_bytes" help:"largest uploaded file"`
	ShutdownTimeout time.Duration `key:"http.shutdown_timeout" help:"time given to running requests on shutdown"`
	TrustProxy      bool          `key:"http.trust_proxy" help:"take the client address from X-Forwarded-For (only behind a trusted reverse proxy)"`

	SessionLifetime time.Duration `key:"session.lifetime" help:"absolute lifetime of a login session"`
	SessionIdle     time.Duration `key:"session.idle_timeout" help:"a session ends after this much inactivity"`

	Login Login `key:"login"`

	DBConnectTimeout time.Duration `key:"db.connect_timeout" help:"how long to retry reaching the database at start"`
	DBMaxConns       int           `key:"db.max_conns" help:"largest number of open PostgreSQL connections"`

	OIDC OIDC `key:"oidc"`
	SMTP SMTP `key:"smtp"`

	Jobs    Jobs `key:"jobs"`
	Metrics bool `key:"metrics.enabled" help:"serve Prometheus metrics at /metrics"`
	// MetricsToken, when set, is the bearer token a scraper must send for /metrics (Prometheus:
	// authorization.credentials), so the metrics can stay on a listener users reach.
	MetricsToken string `key:"metrics.token" secret:"true" help:"bearer token /metrics requires (at least 32 characters); empty: no token"`

	// SigningKeySecret seals the manufacturers' OpenPGP signing keys in the database. Several servers
	// on one PostgreSQL database must share it; without it each data directory holds its own.
	SigningKeySecret string `key:"signing_key_secret" secret:"true" help:"secret (at least 32 characters) that seals the CSAF signing keys in the database; empty: a random one in the data directory (exchange-signing.secret)"`

	Feeds Feeds `key:"feeds"`
}

// Feeds configures the vulnerability feeds: where `vigil feeds sync` and the background sync fetch
// them. Every URL can point at a local mirror (air-gapped sites leave sync_interval at 0 and import
// offline bundles instead).
type Feeds struct {
	Sources       []string      `key:"sources" help:"sources that sync fetches: osv, nvd, kev, eukev, epss, endoflife (comma-separated)"`
	SyncInterval  time.Duration `key:"sync_interval" help:"how often the server syncs the feeds in the background; 0 turns it off (air-gapped)"`
	OSVURL        string        `key:"osv_url" help:"base URL of the OSV exports; <base>/<ecosystem>/all.zip is fetched"`
	OSVEcosystems []string      `key:"osv_ecosystems" help:"OSV ecosystems to fetch (comma-separated), e.g. Go,PyPI,npm,Maven,Debian"`
	NVDURL        string        `key:"nvd_url" help:"NVD CVE API 2.0 endpoint"`
	NVDAPIKey     string        `key:"nvd_api_key" secret:"true" help:"NVD API key (raises NVD's rate limit from 5 to 50 requests per 30 s)"`
	NVDDelay      time.Duration `key:"nvd_delay" help:"pause between NVD requests; 0 means NVD's advice: 6s, or 0.6s with an API key"`
	NVDPageSize   int           `key:"nvd_page_size" help:"NVD results per page (at most 2000)"`
	KEVURL        string        `key:"kev_url" help:"CISA Known Exploited Vulnerabilities catalogue (JSON)"`
	EUKEVURL      string        `key:"eukev_url" help:"EU KEV list of the EU CSIRTs Network / ENISA (JSON)"`
	EPSSURL       string        `key:"epss_url" help:"FIRST EPSS scores (CSV, gzipped)"`
	EndOfLifeURL  string        `key:"endoflife_url" help:"endoflife.date API v1, all products"`
	HTTPTimeout   time.Duration `key:"http_timeout" help:"longest time one feed download may take"`
}

// Login configures the throttling of failed sign-ins (password and second factor).
type Login struct {
	MaxFailures           int           `key:"max_failures" help:"failed sign-ins of one account before it waits login.lockout"`
	MaxFailuresPerAddress int           `key:"max_failures_per_address" help:"failed sign-ins from one client address before it waits login.lockout (raise it when a whole hospital shares one address)"`
	Lockout               time.Duration `key:"lockout" help:"window in which failures count, and how long a throttled account or address waits"`
}

// OIDC configures single sign-on with an OpenID Connect provider.
type OIDC struct {
	Issuer       string            `key:"issuer" help:"issuer URL; SSO is off when empty"`
	ClientID     string            `key:"client_id" help:"client id registered at the provider"`
	ClientSecret string            `key:"client_secret" secret:"true" help:"client secret"`
	Scopes       []string          `key:"scopes" help:"scopes to request besides openid (comma-separated in the environment)"`
	GroupsClaim  string            `key:"groups_claim" help:"claim that lists the user's groups"`
	RoleMap      map[string]string `key:"role_map" help:"group → Vigil role, e.g. vigil-admins=admin,ciso=security-officer"`
	Org          string            `key:"org" help:"organisation (slug) that SSO users belong to"`
	ButtonLabel  string            `key:"button_label" help:"text of the login button"`
}

// SMTP configures outgoing e-mail.
type SMTP struct {
	Host     string `key:"host" help:"SMTP server; e-mail is off when empty"`
	Port     int    `key:"port" help:"SMTP port"`
	Username string `key:"username" help:"SMTP user"`
	Password string `key:"password" secret:"true" help:"SMTP password"`
	From     string `key:"from" help:"sender address"`
	TLS      string `key:"tls" help:"none, starttls or tls"`
}

// Jobs configures the background job runner.
type Jobs struct {
	Workers      int           `key:"workers" help:"jobs run at the same time"`
	PollInterval time.Duration `key:"poll_interval" help:"how often idle workers look for work"`
	MaxAttempts  int           `key:"max_attempts" help:"attempts before a job is marked failed"`
}

// Default returns the configuration used when nothing is set.
func Default() Config {
	return Config{
		DataDir:          "./vigil-data",
		LogLevel:         "info",
		LogFormat:        "text",
		Listen:           "127.0.0.1:8080",
		MaxBodyBytes:     1 << 20,
		MaxUploadBytes:   64 << 20,
		ShutdownTimeout:  15 * time.Second,
		SessionLifetime:  12 * time.Hour,
		SessionIdle:      30 * time.Minute,
		Login:            Login{MaxFailures: 5, MaxFailuresPerAddress: 30, Lockout: 15 * time.Minute},
		DBConnectTimeout: 30 * time.Second,
		DBMaxConns:       20,
		OIDC:             OIDC{GroupsClaim: "groups", ButtonLabel: "Sign in with single sign-on", Scopes: []string{"profile", "email"}},
		SMTP:             SMTP{Port: 587, TLS: "starttls"},
		Jobs:             Jobs{Workers: 2, PollInterval: 2 * time.Second, MaxAttempts: 5},
		Metrics:          true,
		Feeds: Feeds{
			Sources:       []string{"osv", "nvd", "kev", "eukev", "epss", "endoflife"},
			SyncInterval:  24 * time.Hour,
			OSVURL:        "https://osv-vulnerabilities.storage.googleapis.com",
			OSVEcosystems: []string{"Go", "PyPI", "npm", "Maven", "NuGet", "crates.io", "Packagist", "RubyGems", "Debian", "Alpine"},
			NVDURL:        "https://services.nvd.nist.gov/rest/json/cves/2.0",
			NVDPageSize:   2000,
			KEVURL:        "https://www.cisa.gov/sites/default/files/feeds/known_exploited_vulnerabilities.json",
			EUKEVURL:      "https://raw.githubusercontent.com/enisaeu/CNW/main/eukev/eukev.json",
			EPSSURL:       "https://epss.empiricalsecurity.com/epss_scores-current.csv.gz",
			EndOfLifeURL:  "https://endoflife.date/api/v1/products/full",
			HTTPTimeout:   30 * time.Minute,
		},
	}
}

// FeedSources are the source names feeds.sources accepts.
var FeedSources = []string{"osv", "nvd", "kev", "eukev", "epss", "endoflife"}

// Validate checks every setting and names the first wrong one with what is allowed.
func (c *Config) Validate() error {
	bad := func(key, format string, args ...any) error {
		return fmt.Errorf("config %s: %s", key, fmt.Sprintf(format, args...))
	}
	if c.Database == "" && strings.TrimSpace(c.DataDir) == "" {
		return bad("data_dir", "must not be empty when no database is set")
	}
	if c.MetricsToken != "" && len(c.MetricsToken) < 32 {
		return bad("metrics.token", "must be at least 32 characters (got %d); generate one with: openssl rand -base64 48", len(c.MetricsToken))
	}
	if c.SigningKeySecret != "" && len(c.SigningKeySecret) < 32 {
		return bad("signing_key_secret", "must be at least 32 characters (got %d); generate one with: openssl rand -base64 48", len(c.SigningKeySecret))
	}
	if c.Database != "" {
		u, err := url.Parse(c.Database)
		if err != nil || (u.Scheme != "postgres" && u.Scheme != "postgresql") {
			return bad("database", "must be a postgres:// or postgresql:// URL (got %q)", MaskURL(c.Database))
		}
	}
	switch c.LogLevel {
	case "debug", "info", "warn", "error":
	default:
		return bad("log.level", "must be debug, info, warn or error (got %q)", c.LogLevel)
	}
	switch c.LogFormat {
	case "text", "json":
	default:
		return bad("log.format", "must be text or json (got %q)", c.LogFormat)
	}
	if _, port, err := net.SplitHostPort(c.Listen); err != nil || !validPort(port) {
		return bad("listen", "must be host:port such as 127.0.0.1:8080 (got %q)", c.Listen)
	}
	if c.BaseURL != "" {
		u, err := url.Parse(c.BaseURL)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return bad("base_url", "must be an absolute http(s) URL (got %q)", c.BaseURL)
		}
	}
	if (c.TLSCert == "") != (c.TLSKey == "") {
		return bad("tls.cert", "tls.cert and tls.key must be set together")
	}
	for _, f := range []struct{ key, path string }{{"tls.cert", c.TLSCert}, {"tls.key", c.TLSKey}} {
		if f.path != "" {
			if _, err := os.Stat(f.path); err != nil {
				return bad(f.key, "cannot read %q: %v", f.path, err)
			}
		}
	}
	if c.MaxBodyBytes < 1024 {
		return bad("http.max_body_bytes", "must be at least 1024 (got %d)", c.MaxBodyBytes)
	}
	if c.MaxUploadBytes < c.MaxBodyBytes {
		return bad("http.max_upload_bytes", "must be at least http.max_body_bytes (%d)", c.MaxBodyBytes)
	}
	if c.SessionLifetime < time.Minute {
		return bad("session.lifetime", "must be at least 1m (got %s)", c.SessionLifetime)
	}
	if c.SessionIdle < time.Minute {
		return bad("session.idle_timeout", "must be at least 1m (got %s)", c.SessionIdle)
	}
	if c.Login.MaxFailures < 1 || c.Login.MaxFailures > 1000 {
		return bad("login.max_failures", "must be 1–1000 (got %d)", c.Login.MaxFailures)
	}
	if c.Login.MaxFailuresPerAddress < 1 || c.Login.MaxFailuresPerAddress > 100000 {
		return bad("login.max_failures_per_address", "must be 1–100000 (got %d)", c.Login.MaxFailuresPerAddress)
	}
	if c.Login.Lockout < time.Minute {
		return bad("login.lockout", "must be at least 1m (got %s)", c.Login.Lockout)
	}
	if c.DBConnectTimeout < 0 {
		return bad("db.connect_timeout", "must not be negative")
	}
	if c.DBMaxConns < 1 {
		return bad("db.max_conns", "must be at least 1 (got %d)", c.DBMaxConns)
	}
	if c.OIDC.Issuer != "" {
		u, err := url.Parse(c.OIDC.Issuer)
		if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
			return bad("oidc.issuer", "must be the provider's absolute https URL (got %q)", c.OIDC.Issuer)
		}
		if c.OIDC.ClientID == "" {
			return bad("oidc.client_id", "is required when oidc.issuer is set")
		}
	}
	groups := make([]string, 0, len(c.OIDC.RoleMap))
	for g := range c.OIDC.RoleMap {
		groups = append(groups, g)
	}
	sort.Strings(groups)
	for _, g := range groups {
		if r := c.OIDC.RoleMap[g]; !validRole(r) {
			return bad("oidc.role_map", "group %q maps to unknown role %q (allowed: admin, security-officer, clinical-engineer, procurement, dpo, auditor, manufacturer)", g, r)
		}
	}
	if c.SMTP.Host != "" {
		if c.SMTP.Port < 1 || c.SMTP.Port > 65535 {
			return bad("smtp.port", "must be 1–65535 (got %d)", c.SMTP.Port)
		}
		if c.SMTP.From == "" {
			return bad("smtp.from", "is required when smtp.host is set")
		}
		if _, err := mail.ParseAddress(c.SMTP.From); err != nil {
			return bad("smtp.from", "must be an e-mail address such as vigil@hospital.example (got %q)", c.SMTP.From)
		}
	}
	switch c.SMTP.TLS {
	case "none", "starttls", "tls":
	default:
		return bad("smtp.tls", "must be none, starttls or tls (got %q)", c.SMTP.TLS)
	}
	if c.Jobs.Workers < 1 || c.Jobs.Workers > 64 {
		return bad("jobs.workers", "must be 1–64 (got %d)", c.Jobs.Workers)
	}
	if c.Jobs.PollInterval < 10*time.Millisecond {
		return bad("jobs.poll_interval", "must be at least 10ms")
	}
	if c.Jobs.MaxAttempts < 1 {
		return bad("jobs.max_attempts", "must be at least 1")
	}
	return c.Feeds.validate(bad)
}

func (f *Feeds) validate(bad func(key, format string, args ...any) error) error {
	for _, src := range f.Sources {
		ok := false
		for _, known := range FeedSources {
			ok = ok || src == known
		}
		if !ok {
			return bad("feeds.sources", "unknown source %q (allowed: %s)", src, strings.Join(FeedSources, ", "))
		}
	}
	if f.SyncInterval != 0 && f.SyncInterval < time.Hour {
		return bad("feeds.sync_interval", "must be 0 (off) or at least 1h (got %s)", f.SyncInterval)
	}
	for _, u := range []struct{ key, url string }{{"feeds.osv_url", f.OSVURL}, {"feeds.nvd_url", f.NVDURL}, {"feeds.kev_url", f.KEVURL},
		{"feeds.eukev_url", f.EUKEVURL}, {"feeds.epss_url", f.EPSSURL}, {"feeds.endoflife_url", f.EndOfLifeURL}} {
		if u.url == "" {
			continue
		}
		p, err := url.Parse(u.url)
		if err != nil || (p.Scheme != "http" && p.Scheme != "https") || p.Host == "" {
			return bad(u.key, "must be an absolute http(s) URL (got %q)", u.url)
		}
	}
	if f.NVDDelay < 0 {
		return bad("feeds.nvd_delay", "must not be negative")
	}
	if f.NVDPageSize < 1 || f.NVDPageSize > 2000 {
		return bad("feeds.nvd_page_size", "must be 1–2000 (got %d)", f.NVDPageSize)
	}
	if f.HTTPTimeout < time.Second {
		return bad("feeds.http_timeout", "must be at least 1s")
	}
	return nil
}

func validPort(p string) bool {
	n, err := strconv.Atoi(p)
	return err == nil && n >= 0 && n <= 65535
}

func validRole(r string) bool {
	switch r {
	case "admin", "security-officer", "clinical-engineer", "procurement", "dpo", "auditor", "manufacturer":
		return true
	}
	return false
}

// SQLitePath is the database file used when no PostgreSQL URL is set.
func (c *Config) SQLitePath() string { return filepath.Join(c.DataDir, "vigil.db") }

// ExternalURL is BaseURL, or a URL derived from the listen address.
func (c *Config) ExternalURL() string {
	if c.BaseURL != "" {
		return strings.TrimSuffix(c.BaseURL, "/")
	}
	scheme := "http"
	if c.TLSCert != "" {
		scheme = "https"
	}
	host, port, _ := net.SplitHostPort(c.Listen)
	if host == "" || host == "0.0.0.0" || host == "::" {
		host = "localhost"
	}
	return scheme + "://" + net.JoinHostPort(host, port)
}

// MaskURL hides the password of a URL for messages and logs: the one in the user information and a
// password query parameter (PostgreSQL URLs accept both). Text that is not a URL is masked whole.
func MaskURL(s string) string {
	u, err := url.Parse(s)
	if err != nil {
		return "xxxxx"
	}
	if u.User != nil {
		if _, ok := u.User.Password(); ok {
			u.User = url.UserPassword(u.User.Username(), "xxxxx")
		}
	}
	if q := u.Query(); q.Has("password") || q.Has("sslpassword") {
		for _, k := range []string{"password", "sslpassword"} {
			if q.Has(k) {
				q.Set(k, "xxxxx")
			}
		}
		u.RawQuery = q.Encode()
	}
	return u.String()
}
