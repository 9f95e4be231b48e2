package config_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/spf13/pflag"

	"github.com/vigil-med/vigil/internal/config"
)

func writeFile(t *testing.T, text string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "vigil.yaml")
	if err := os.WriteFile(p, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

func envOf(m map[string]string) func(string) string { return func(k string) string { return m[k] } }

func flagsOf(t *testing.T, args ...string) *pflag.FlagSet {
	t.Helper()
	fs := pflag.NewFlagSet("test", pflag.ContinueOnError)
	fs.String("listen", "", "")
	fs.String("log-level", "", "")
	fs.String("data-dir", "", "")
	fs.String("database", "", "")
	if err := fs.Parse(args); err != nil {
		t.Fatal(err)
	}
	return fs
}

const fileText = `
listen: 127.0.0.1:7001
log:
  level: warn
session:
  lifetime: 8h
smtp:
  host: mail.hospital.example
  from: vigil@hospital.example
  tls: none
oidc:
  issuer: https://sso.hospital.example/realms/main
  client_id: vigil
  scopes: [profile, email, groups]
  role_map:
    vigil-admins: admin
    ciso: security-officer
jobs:
  workers: 3
`

// TestPrecedence checks flags > environment > file > defaults, setting by setting.
func TestPrecedence(t *testing.T) {
	file := writeFile(t, fileText)
	env := map[string]string{"VIGIL_LISTEN": "127.0.0.1:7002", "VIGIL_LOG_LEVEL": "error", "VIGIL_JOBS_WORKERS": "4"}
	tests := []struct {
		name          string
		file          string
		env           map[string]string
		flags         []string
		listen, level string
		workers       int
		lifetime      time.Duration
		smtpHost      string
		roleMap       map[string]string
		scopes        []string
	}{
		{name: "defaults", listen: "127.0.0.1:8080", level: "info", workers: 2, lifetime: 12 * time.Hour,
			scopes: []string{"profile", "email"}},
		{name: "file over defaults", file: file, listen: "127.0.0.1:7001", level: "warn", workers: 3, lifetime: 8 * time.Hour,
			smtpHost: "mail.hospital.example", roleMap: map[string]string{"vigil-admins": "admin", "ciso": "security-officer"},
			scopes: []string{"profile", "email", "groups"}},
		{name: "environment over file", file: file, env: env, listen: "127.0.0.1:7002", level: "error", workers: 4,
			lifetime: 8 * time.Hour, smtpHost: "mail.hospital.example",
			roleMap: map[string]string{"vigil-admins": "admin", "ciso": "security-officer"}, scopes: []string{"profile", "email", "groups"}},
		{name: "flags over environment", file: file, env: env, flags: []string{"--listen", "127.0.0.1:7003", "--log-level", "debug"},
			listen: "127.0.0.1:7003", level: "debug", workers: 4, lifetime: 8 * time.Hour, smtpHost: "mail.hospital.example",
			roleMap: map[string]string{"vigil-admins": "admin", "ciso": "security-officer"}, scopes: []string{"profile", "email", "groups"}},
		{name: "flags over defaults", flags: []string{"--listen", "127.0.0.1:7004"}, listen: "127.0.0.1:7004", level: "info",
			workers: 2, lifetime: 12 * time.Hour, scopes: []string{"profile", "email"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := config.Load(config.Source{File: tt.file, Env: envOf(tt.env), Flags: flagsOf(t, tt.flags...)})
			if err != nil {
				t.Fatal(err)
			}
			type got struct {
				Listen, Level string
				Workers       int
				Lifetime      time.Duration
				SMTPHost      string
				RoleMap       map[string]string
				Scopes        []string
			}
			want := got{tt.listen, tt.level, tt.workers, tt.lifetime, tt.smtpHost, tt.roleMap, tt.scopes}
			have := got{c.Listen, c.LogLevel, c.Jobs.Workers, c.SessionLifetime, c.SMTP.Host, c.OIDC.RoleMap, c.OIDC.Scopes}
			if diff := cmp.Diff(want, have); diff != "" {
				t.Errorf("config (-want +got):\n%s", diff)
			}
		})
	}
}

// TestFlagsCountOnlyWhenGiven checks that a flag's default value does not override the environment.
func TestFlagsCountOnlyWhenGiven(t *testing.T) {
	fs := pflag.NewFlagSet("test", pflag.ContinueOnError)
	fs.String("listen", "127.0.0.1:9999", "")
	c, err := config.Load(config.Source{Env: envOf(map[string]string{"VIGIL_LISTEN": "127.0.0.1:7002"}), Flags: fs})
	if err != nil {
		t.Fatal(err)
	}
	if c.Listen != "127.0.0.1:7002" {
		t.Errorf("listen = %q, want the environment's value", c.Listen)
	}
}

// TestWrongValuesNameTheSetting checks that every wrong value stops the program with a message that names
// the setting and says what is allowed.
func TestWrongValuesNameTheSetting(t *testing.T) {
	tlsFile := writeFile(t, "not really a certificate")
	tests := []struct {
		name  string
		env   map[string]string
		file  string
		flags []string
		want  []string // substrings of the error
	}{
		{name: "log level", env: map[string]string{"VIGIL_LOG_LEVEL": "loud"}, want: []string{"log.level", "debug, info, warn or error", `"loud"`}},
		{name: "log format", env: map[string]string{"VIGIL_LOG_FORMAT": "xml"}, want: []string{"log.format", "text or json"}},
		{name: "listen", env: map[string]string{"VIGIL_LISTEN": "8080"}, want: []string{"listen", "host:port"}},
		{name: "signing key secret", env: map[string]string{"VIGIL_SIGNING_KEY_SECRET": "short"}, want: []string{"signing_key_secret", "at least 32 characters"}},
		{name: "listen port", flags: []string{"--listen", "localhost:http-alt"}, want: []string{"listen", "host:port"}},
		{name: "base url", env: map[string]string{"VIGIL_BASE_URL": "vigil.hospital.example"}, want: []string{"base_url", "absolute http(s) URL"}},
		{name: "database", flags: []string{"--database", "mysql://root@db/vigil"}, want: []string{"database", "postgres://"}},
		{name: "data dir", flags: []string{"--data-dir", " "}, want: []string{"data_dir", "must not be empty"}},
		{name: "tls cert without key", env: map[string]string{"VIGIL_TLS_CERT": tlsFile}, want: []string{"tls.cert", "set together"}},
		{name: "tls key missing", env: map[string]string{"VIGIL_TLS_CERT": tlsFile, "VIGIL_TLS_KEY": "/nonexistent/key.pem"}, want: []string{"tls.key", "cannot read"}},
		{name: "body limit", env: map[string]string{"VIGIL_HTTP_MAX_BODY_BYTES": "100"}, want: []string{"http.max_body_bytes", "at least 1024"}},
		{name: "body limit not a number", env: map[string]string{"VIGIL_HTTP_MAX_BODY_BYTES": "1MiB"}, want: []string{"http.max_body_bytes", "VIGIL_HTTP_MAX_BODY_BYTES", "whole number"}},
		{name: "upload limit", env: map[string]string{"VIGIL_HTTP_MAX_UPLOAD_BYTES": "2048"}, want: []string{"http.max_upload_bytes", "at least http.max_body_bytes"}},
		{name: "session lifetime", env: map[string]string{"VIGIL_SESSION_LIFETIME": "30s"}, want: []string{"session.lifetime", "at least 1m"}},
		{name: "session idle", env: map[string]string{"VIGIL_SESSION_IDLE_TIMEOUT": "10s"}, want: []string{"session.idle_timeout", "at least 1m"}},
		{name: "duration without unit", env: map[string]string{"VIGIL_SESSION_LIFETIME": "12"}, want: []string{"session.lifetime", "duration such as"}},
		{name: "login failures", env: map[string]string{"VIGIL_LOGIN_MAX_FAILURES": "0"}, want: []string{"login.max_failures", "1–1000"}},
		{name: "login failures per address", env: map[string]string{"VIGIL_LOGIN_MAX_FAILURES_PER_ADDRESS": "0"}, want: []string{"login.max_failures_per_address", "1–100000"}},
		{name: "login lockout", env: map[string]string{"VIGIL_LOGIN_LOCKOUT": "5s"}, want: []string{"login.lockout", "at least 1m"}},
		{name: "connect timeout", env: map[string]string{"VIGIL_DB_CONNECT_TIMEOUT": "-1s"}, want: []string{"db.connect_timeout", "negative"}},
		{name: "max conns", env: map[string]string{"VIGIL_DB_MAX_CONNS": "0"}, want: []string{"db.max_conns", "at least 1"}},
		{name: "oidc client id", env: map[string]string{"VIGIL_OIDC_ISSUER": "https://sso.example"}, want: []string{"oidc.client_id", "required"}},
		{name: "oidc issuer", env: map[string]string{"VIGIL_OIDC_ISSUER": "sso.example", "VIGIL_OIDC_CLIENT_ID": "vigil"}, want: []string{"oidc.issuer", "absolute https URL"}},
		{name: "oidc role map role", env: map[string]string{"VIGIL_OIDC_ROLE_MAP": "admins=root"}, want: []string{"oidc.role_map", `"root"`, "allowed: admin"}},
		{name: "oidc role map syntax", env: map[string]string{"VIGIL_OIDC_ROLE_MAP": "admins"}, want: []string{"oidc.role_map", "name=value"}},
		{name: "smtp port", env: map[string]string{"VIGIL_SMTP_HOST": "mail", "VIGIL_SMTP_FROM": "v@h.example", "VIGIL_SMTP_PORT": "70000"}, want: []string{"smtp.port", "1–65535"}},
		{name: "smtp from", env: map[string]string{"VIGIL_SMTP_HOST": "mail"}, want: []string{"smtp.from", "required"}},
		{name: "smtp from address", env: map[string]string{"VIGIL_SMTP_HOST": "mail", "VIGIL_SMTP_FROM": "vigil"}, want: []string{"smtp.from", "e-mail address"}},
		{name: "smtp tls", env: map[string]string{"VIGIL_SMTP_TLS": "ssl"}, want: []string{"smtp.tls", "none, starttls or tls"}},
		{name: "workers", env: map[string]string{"VIGIL_JOBS_WORKERS": "0"}, want: []string{"jobs.workers", "1–64"}},
		{name: "poll interval", env: map[string]string{"VIGIL_JOBS_POLL_INTERVAL": "1ms"}, want: []string{"jobs.poll_interval", "at least 10ms"}},
		{name: "max attempts", env: map[string]string{"VIGIL_JOBS_MAX_ATTEMPTS": "0"}, want: []string{"jobs.max_attempts", "at least 1"}},
		{name: "metrics not a bool", env: map[string]string{"VIGIL_METRICS_ENABLED": "maybe"}, want: []string{"metrics.enabled", "true or false"}},
		{name: "metrics token too short", env: map[string]string{"VIGIL_METRICS_TOKEN": "secret"}, want: []string{"metrics.token", "at least 32 characters"}},
		{name: "file unknown setting", file: "listen: 127.0.0.1:1\nlisten_port: 9\n", want: []string{"unknown setting", `"listen_port"`}},
		{name: "file wrong type", file: "jobs:\n  workers: many\n", want: []string{"jobs.workers", "whole number"}},
		{name: "file not yaml", file: "listen: [unclosed\n", want: []string{"config file"}},
		{name: "file wrong value", file: "log:\n  format: xml\n", want: []string{"log.format", "text or json"}},
		{name: "file missing", file: "-", want: []string{"config file"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			src := config.Source{Env: envOf(tt.env), Flags: flagsOf(t, tt.flags...)}
			switch tt.file {
			case "":
			case "-":
				src.File = filepath.Join(t.TempDir(), "missing.yaml")
			default:
				src.File = writeFile(t, tt.file)
			}
			_, err := config.Load(src)
			if err == nil {
				t.Fatalf("accepted; want an error naming %v", tt.want)
			}
			// The first wanted text is the setting: it must be the subject of the message, not a word in it.
			key := tt.want[0]
			if key != "unknown setting" && key != "config file" &&
				!strings.HasPrefix(err.Error(), "config "+key+":") && !strings.HasPrefix(err.Error(), "config "+key+" (from ") &&
				!strings.Contains(err.Error(), ": "+key+": ") {
				t.Errorf("error %q does not name %s as the wrong setting", err, key)
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not contain %q", err, w)
				}
			}
		})
	}
}

func TestDefaultsAreValid(t *testing.T) {
	c := config.Default()
	if err := c.Validate(); err != nil {
		t.Fatal(err)
	}
	if c.MaxBodyBytes != 1<<20 {
		t.Errorf("default body limit %d, want 1 MiB", c.MaxBodyBytes)
	}
}

// TestSecretsMasked checks what `vigil config print` shows for the secret settings.
func TestSecretsMasked(t *testing.T) {
	c, err := config.Load(config.Source{Env: envOf(map[string]string{
		"VIGIL_DATABASE":           "postgres://vigil:pg-s3cret@db.internal:5432/vigil?sslmode=require",
		"VIGIL_SMTP_PASSWORD":      "smtp-s3cret",
		"VIGIL_OIDC_CLIENT_SECRET": "oidc-s3cret",
	})})
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	secret := map[string]bool{}
	for _, s := range config.Settings(&c) {
		got[s.Key] = s.String(true)
		secret[s.Key] = s.Secret
	}
	want := map[string]string{
		"database":           "postgres://vigil:xxxxx@db.internal:5432/vigil?sslmode=require",
		"smtp.password":      "xxxxx",
		"oidc.client_secret": "xxxxx",
	}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%s shown as %q, want %q", k, got[k], v)
		}
		if !secret[k] {
			t.Errorf("%s is not marked secret", k)
		}
	}
	all := strings.Join(func() []string {
		var out []string
		for _, v := range got {
			out = append(out, v)
		}
		return out
	}(), "\n")
	for _, s := range []string{"pg-s3cret", "smtp-s3cret", "oidc-s3cret"} {
		if strings.Contains(all, s) {
			t.Errorf("a secret %q is shown", s)
		}
	}
	// Unmasked, the values are there (the mask is not a loss of the value).
	for _, s := range config.Settings(&c) {
		if s.Key == "smtp.password" && s.String(false) != "smtp-s3cret" {
			t.Errorf("unmasked smtp.password = %q", s.String(false))
		}
	}
}

func TestMaskURL(t *testing.T) {
	for _, tt := range []struct{ in, want string }{
		{"postgres://u:p@h/db", "postgres://u:xxxxx@h/db"},
		{"postgres://u@h/db?password=p&sslmode=disable", "postgres://u@h/db?password=xxxxx&sslmode=disable"},
		{"postgres://u@h/db", "postgres://u@h/db"},
		{"postgres://u:p@h/db\x7f", "xxxxx"}, // not a URL: masked whole
	} {
		if got := config.MaskURL(tt.in); got != tt.want {
			t.Errorf("MaskURL(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

// TestEveryEnvironmentVariableIsRead sets every setting through its environment variable and checks that
// it arrived: a setting added to Config without a working variable fails here.
func TestEveryEnvironmentVariableIsRead(t *testing.T) {
	def := config.Default()
	for _, s := range config.Settings(&def) {
		t.Run(s.Key, func(t *testing.T) {
			value := map[string]string{
				"data_dir": "/srv/vigil", "database": "postgres://vigil@db/vigil", "org": "nordstadt", "log.level": "debug",
				"log.format": "json", "listen": "0.0.0.0:9000", "base_url": "https://vigil.example", "tls.cert": "", "tls.key": "",
				"oidc.issuer": "https://sso.example", "oidc.client_id": "vigil", "oidc.client_secret": "s", "oidc.scopes": "a,b",
				"oidc.groups_claim": "roles", "oidc.role_map": "g=auditor", "oidc.org": "nordstadt", "oidc.button_label": "SSO",
				"smtp.host": "mail.example", "smtp.port": "25", "smtp.username": "u", "smtp.password": "p", "smtp.from": "v@example.org",
				"smtp.tls": "tls", "metrics.enabled": "false", "metrics.token": "0123456789abcdef0123456789abcdef", "http.trust_proxy": "true", "http.max_body_bytes": "2048",
				"http.max_upload_bytes": "4096", "http.shutdown_timeout": "3s", "session.lifetime": "2h0m0s",
				"session.idle_timeout": "5m0s", "db.connect_timeout": "2s", "db.max_conns": "7", "jobs.workers": "5",
				"jobs.poll_interval": "1s", "jobs.max_attempts": "9", "login.max_failures": "3",
				"login.max_failures_per_address": "300", "login.lockout": "30m0s",
				"feeds.sources": "osv,kev", "feeds.sync_interval": "6h0m0s", "feeds.osv_url": "https://mirror.example/osv",
				"feeds.osv_ecosystems": "Go,PyPI", "feeds.nvd_url": "https://mirror.example/nvd", "feeds.nvd_api_key": "k",
				"feeds.nvd_delay": "1s", "feeds.nvd_page_size": "500", "feeds.kev_url": "https://mirror.example/kev.json",
				"feeds.eukev_url": "https://mirror.example/eukev.json", "feeds.epss_url": "https://mirror.example/epss.csv.gz",
				"feeds.endoflife_url": "https://mirror.example/eol", "feeds.http_timeout": "2m0s",
				"signing_key_secret": "0123456789abcdef0123456789abcdef-x",
			}[s.Key]
			if s.Key == "tls.cert" || s.Key == "tls.key" {
				t.Skip("needs files; covered by TestWrongValuesNameTheSetting")
			}
			if value == "" {
				t.Fatalf("no test value for %s: add one", s.Key)
			}
			env := map[string]string{s.Env: value}
			if strings.HasPrefix(s.Key, "oidc.") && s.Key != "oidc.issuer" {
				env["VIGIL_OIDC_ISSUER"], env["VIGIL_OIDC_CLIENT_ID"] = "https://sso.example", "vigil"
			}
			if s.Key == "oidc.issuer" {
				env["VIGIL_OIDC_CLIENT_ID"] = "vigil"
			}
			if strings.HasPrefix(s.Key, "smtp.") && s.Key != "smtp.tls" {
				env["VIGIL_SMTP_HOST"], env["VIGIL_SMTP_FROM"] = "mail.example", "v@example.org"
				if s.Key == "smtp.host" || s.Key == "smtp.from" {
					env[s.Env] = value
				}
			}
			if s.Key == "http.max_upload_bytes" {
				env["VIGIL_HTTP_MAX_BODY_BYTES"] = "2048"
			}
			c, err := config.Load(config.Source{Env: envOf(env)})
			if err != nil {
				t.Fatal(err)
			}
			for _, got := range config.Settings(&c) {
				if got.Key == s.Key && got.String(false) != value {
					t.Errorf("%s = %q after %s=%q", s.Key, got.String(false), s.Env, value)
				}
			}
		})
	}
}
