package cli

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/spf13/cobra"

	"github.com/vigil-med/vigil/internal/auth"
	"github.com/vigil-med/vigil/internal/domain"
	"github.com/vigil-med/vigil/internal/store"
)

// result is what one in-process run of the command line produced.
type result struct {
	code           int
	stdout, stderr string
}

func (r result) String() string {
	return "exit " + strconv.Itoa(r.code) + "\nstdout:\n" + r.stdout + "\nstderr:\n" + r.stderr
}

// vigil runs the command line in-process with only the given environment (never the test's own, so a
// VIGIL_* variable of the machine cannot change the outcome).
func vigil(t *testing.T, env map[string]string, stdin string, args ...string) result {
	t.Helper()
	return vigilCtx(context.Background(), t, env, stdin, nil, args...)
}

func vigilCtx(ctx context.Context, t *testing.T, env map[string]string, stdin string, ready func(string), args ...string) result {
	t.Helper()
	var out, errb bytes.Buffer
	// On PostgreSQL the data directory still holds files (the signing-key secret): a test's own, not
	// ./vigil-data in the package folder.
	dataDir := ""
	// (config print shows the settings as given, the default data directory included.)
	if slices.Contains(args, "--database") && !slices.Contains(args, "--data-dir") && env["VIGIL_DATA_DIR"] == "" && args[0] != "config" {
		dataDir = t.TempDir()
	}
	code := RunEnv(ctx, args, Env{Stdin: strings.NewReader(stdin), Stdout: &out, Stderr: &errb,
		Getenv: func(k string) string {
			if k == "VIGIL_DATA_DIR" && dataDir != "" {
				return dataDir
			}
			return env[k]
		}, Ready: ready})
	return result{code, out.String(), errb.String()}
}

// must runs the command and fails the test unless it exits 0.
func must(t *testing.T, args ...string) result {
	t.Helper()
	r := vigil(t, nil, "", args...)
	if r.code != 0 {
		t.Fatalf("vigil %s: %s", strings.Join(args, " "), r)
	}
	return r
}

func openStore(t *testing.T, dir string) *store.Store {
	t.Helper()
	st, err := store.Open(context.Background(), store.Options{DataDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

func TestOrgAddAndList(t *testing.T) {
	dir := t.TempDir()
	r := must(t, "org", "add", "St. Example Hospital", "--country", "de", "--data-dir", dir)
	if !strings.Contains(r.stdout, "created organisation St. Example Hospital (slug st-example-hospital, id 1)") {
		t.Errorf("org add said %q", r.stdout)
	}
	must(t, "org", "add", "Example Medical GmbH", "--type", "manufacturer", "--slug", "example-medical", "--time-zone", "Europe/Amsterdam", "--require-mfa", "--data-dir", dir)

	r = must(t, "org", "list", "--data-dir", dir)
	lines := strings.Split(strings.TrimSpace(r.stdout), "\n")
	if len(lines) != 3 || !strings.HasPrefix(lines[0], "ID") || !strings.Contains(lines[1], "st-example-hospital") ||
		!strings.Contains(lines[2], "example-medical") || !strings.Contains(lines[2], "manufacturer") {
		t.Errorf("org list:\n%s", r.stdout)
	}
	r = must(t, "org", "list", "--json", "--data-dir", dir)
	var orgs []domain.Organisation
	if err := json.Unmarshal([]byte(r.stdout), &orgs); err != nil {
		t.Fatal(err)
	}
	type brief struct {
		Slug, Country, TZ string
		Type              domain.OrgType
		MFA               bool
	}
	var got []brief
	for _, o := range orgs {
		got = append(got, brief{o.Slug, o.Country, o.TimeZone, o.Type, o.RequireMFA})
	}
	want := []brief{{"st-example-hospital", "DE", "Europe/Berlin", domain.OrgHospital, false},
		{"example-medical", "", "Europe/Amsterdam", domain.OrgManufacturer, true}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("org list --json (-want +got):\n%s", diff)
	}

	// Wrong input: a clear message, exit 1, nothing created.
	for _, tt := range []struct {
		args []string
		want string
	}{
		{[]string{"org", "add", "Bad", "--type", "clinic"}, `type: unknown organisation type "clinic"`},
		{[]string{"org", "add", "Bad", "--time-zone", "Mars/Olympus"}, `time_zone: unknown time zone "Mars/Olympus"`},
		{[]string{"org", "add", "Example Medical", "--slug", "example-medical"}, `organisation "example-medical" exists already`},
	} {
		r := vigil(t, nil, "", append(tt.args, "--data-dir", dir)...)
		if r.code != 1 || !strings.Contains(r.stderr, tt.want) {
			t.Errorf("%v: %s\nwant exit 1 and %q", tt.args, r, tt.want)
		}
	}
	if r := must(t, "org", "list", "--json", "--data-dir", dir); strings.Count(r.stdout, `"slug"`) != 2 {
		t.Errorf("a refused org add created something:\n%s", r.stdout)
	}
}

func TestCommandsNeedAnOrganisation(t *testing.T) {
	r := vigil(t, nil, "", "user", "list", "--data-dir", t.TempDir())
	if r.code != 1 || !strings.Contains(r.stderr, "no organisation exists yet: create one with `vigil org add NAME`") {
		t.Errorf("user list without an organisation: %s", r)
	}
}

func TestUsers(t *testing.T) {
	dir := t.TempDir()
	must(t, "org", "add", "Alpha Hospital", "--data-dir", dir)
	must(t, "org", "add", "Beta Hospital", "--slug", "beta", "--data-dir", dir)

	r := must(t, "user", "add", "CISO@Alpha.example", "--role", "admin", "--name", "Dr. A. Example", "--data-dir", dir)
	m := regexp.MustCompile(`first password: (\S+)`).FindStringSubmatch(r.stdout)
	if !strings.Contains(r.stdout, "added ciso@alpha.example (Administrator) to Alpha Hospital") || m == nil {
		t.Fatalf("user add said %q", r.stdout)
	}
	firstPW := m[1]

	// A password from standard input must follow the policy.
	r = vigil(t, nil, "short\n", "user", "add", "eng@alpha.example", "--password-stdin", "--data-dir", dir)
	if r.code != 1 || !strings.Contains(r.stderr, "password: must be at least 12 characters long") {
		t.Errorf("short password: %s", r)
	}
	r = vigil(t, nil, "a-long-enough-password\n", "user", "add", "eng@alpha.example", "--password-stdin", "--role", "clinical-engineer", "--data-dir", dir)
	if r.code != 0 || strings.Contains(r.stdout, "first password") {
		t.Errorf("user add --password-stdin: %s", r)
	}
	r = vigil(t, nil, "", "user", "add", "x@alpha.example", "--role", "root", "--data-dir", dir)
	if r.code != 1 || !strings.Contains(r.stderr, `role: unknown role "root"`) {
		t.Errorf("unknown role: %s", r)
	}
	r = vigil(t, nil, "", "user", "add", "ciso@alpha.example", "--data-dir", dir)
	if r.code != 1 || !strings.Contains(r.stderr, "exists already") {
		t.Errorf("duplicate user: %s", r)
	}
	must(t, "user", "add", "auditor@beta.example", "--role", "auditor", "--org", "beta", "--data-dir", dir)

	r = must(t, "user", "list", "--data-dir", dir)
	if !strings.Contains(r.stdout, "ciso@alpha.example") || !strings.Contains(r.stdout, "eng@alpha.example") ||
		strings.Contains(r.stdout, "auditor@beta.example") {
		t.Errorf("user list of the default organisation:\n%s", r.stdout)
	}
	r = must(t, "user", "list", "--org", "beta", "--json", "--data-dir", dir)
	var users []domain.User
	if err := json.Unmarshal([]byte(r.stdout), &users); err != nil {
		t.Fatal(err)
	}
	if len(users) != 1 || users[0].Email != "auditor@beta.example" || users[0].Role != domain.RoleAuditor {
		t.Errorf("user list --org beta: %+v", users)
	}
	if strings.Contains(r.stdout, "argon2") {
		t.Error("user list --json shows password hashes")
	}

	st := openStore(t, dir)
	ctx := context.Background()
	u, err := st.UserByEmail(ctx, "ciso@alpha.example")
	if err != nil {
		t.Fatal(err)
	}
	if ok, _ := auth.VerifyPassword(u.PasswordHash, firstPW); !ok || u.Name != "Dr. A. Example" {
		t.Errorf("the printed first password does not work (or the name %q is wrong)", u.Name)
	}

	// passwd: a new password works, the old does not, the user's sessions end.
	if err := st.CreateSession(ctx, store.Session{IDHash: "h1", OrgID: u.OrgID, UserID: u.ID, CSRFToken: "c",
		MFAPassed: true, Created: store.Now(), Expires: store.Now().AddDate(0, 0, 1), LastSeen: store.Now()}); err != nil {
		t.Fatal(err)
	}
	r = vigil(t, nil, "another-long-password\n", "user", "passwd", "ciso@alpha.example", "--password-stdin", "--data-dir", dir)
	if r.code != 0 || !strings.Contains(r.stdout, "password of ciso@alpha.example changed") {
		t.Fatalf("user passwd: %s", r)
	}
	u, _ = st.UserByEmail(ctx, "ciso@alpha.example")
	if ok, _ := auth.VerifyPassword(u.PasswordHash, "another-long-password"); !ok {
		t.Error("the new password does not work")
	}
	if ok, _ := auth.VerifyPassword(u.PasswordHash, firstPW); ok {
		t.Error("the old password still works")
	}
	if _, err := st.SessionByHash(ctx, "h1", store.Now()); domain.ErrorCode(err) != domain.ENotFound {
		t.Errorf("session survived a password change: %v", err)
	}
	r = vigil(t, nil, "", "user", "passwd", "nobody@alpha.example", "--data-dir", dir)
	if r.code != 1 || !strings.Contains(r.stderr, "user not found") {
		t.Errorf("passwd of an unknown user: %s", r)
	}
	// A user of another organisation is not found through the default one.
	r = vigil(t, nil, "", "user", "disable", "auditor@beta.example", "--data-dir", dir)
	if r.code != 1 || !strings.Contains(r.stderr, "user not found") {
		t.Errorf("disable of another organisation's user: %s", r)
	}

	// disable and enable again.
	r = must(t, "user", "disable", "eng@alpha.example", "--data-dir", dir)
	if !strings.Contains(r.stdout, "eng@alpha.example is disabled") {
		t.Errorf("disable said %q", r.stdout)
	}
	if r := must(t, "user", "list", "--data-dir", dir); !regexp.MustCompile(`eng@alpha.example.*disabled`).MatchString(r.stdout) {
		t.Errorf("disabled user not shown as such:\n%s", r.stdout)
	}
	must(t, "user", "disable", "eng@alpha.example", "--enable", "--data-dir", dir)
	if u, _ := st.UserByEmail(ctx, "eng@alpha.example"); u.Disabled {
		t.Error("user disable --enable left the account disabled")
	}
	assertAuditIntact(t, dir)
}

func TestTokens(t *testing.T) {
	dir := t.TempDir()
	must(t, "org", "add", "Alpha Hospital", "--data-dir", dir)
	r := must(t, "token", "create", "--name", "CMMS sync", "--role", "clinical-engineer", "--days", "30", "--data-dir", dir)
	secret := strings.TrimSpace(r.stdout)
	if !strings.HasPrefix(secret, auth.TokenPrefix) || strings.Count(r.stdout, "\n") != 1 {
		t.Fatalf("token create printed %q, want the token alone on standard output", r.stdout)
	}
	if !strings.Contains(r.stderr, `created token 1 "CMMS sync" (clinical-engineer) for Alpha Hospital`) {
		t.Errorf("token create said %q", r.stderr)
	}
	st := openStore(t, dir)
	tok, err := st.TokenByHash(context.Background(), auth.HashSecret(secret))
	if err != nil || tok.Role != domain.RoleClinicalEngineer || tok.Expires == nil {
		t.Fatalf("stored token %+v, %v", tok, err)
	}
	if got := tok.Expires.Sub(tok.Created).Hours(); got < 30*24-1 || got > 30*24+1 {
		t.Errorf("token valid for %.0f h, want 30 days", got)
	}

	for _, tt := range []struct {
		args []string
		want string
	}{
		{[]string{"token", "create", "--role", "auditor"}, `required flag(s) "name" not set`},
		{[]string{"token", "create", "--name", "x", "--days", "0"}, "--days: must be between 1 and 730"},
		{[]string{"token", "create", "--name", "x", "--role", "root"}, `unknown role "root"`},
		{[]string{"token", "revoke", "abc"}, "ID: must be the token's number"},
		{[]string{"token", "revoke", "99"}, "active API token not found"},
	} {
		r := vigil(t, nil, "", append(tt.args, "--data-dir", dir)...)
		if r.code != 1 || !strings.Contains(r.stderr, tt.want) {
			t.Errorf("%v: %s\nwant exit 1 and %q", tt.args, r, tt.want)
		}
	}

	r = must(t, "token", "list", "--data-dir", dir)
	if !regexp.MustCompile(`1\s+CMMS sync\s+clinical-engineer\s+` + regexp.QuoteMeta(tok.Prefix) + `…\s+\S+\s+active`).MatchString(r.stdout) {
		t.Errorf("token list:\n%s", r.stdout)
	}
	if strings.Contains(r.stdout, secret) {
		t.Error("token list shows the secret")
	}
	r = must(t, "token", "revoke", "1", "--data-dir", dir)
	if !strings.Contains(r.stdout, "token 1 revoked") {
		t.Errorf("revoke said %q", r.stdout)
	}
	r = must(t, "token", "list", "--json", "--data-dir", dir)
	var toks []store.APIToken
	if err := json.Unmarshal([]byte(r.stdout), &toks); err != nil {
		t.Fatal(err)
	}
	if len(toks) != 1 || toks[0].RevokedAt == nil || strings.Contains(r.stdout, tok.Hash) {
		t.Errorf("token list --json after revoke: %s", r.stdout)
	}
	if r := vigil(t, nil, "", "token", "revoke", "1", "--data-dir", dir); r.code != 1 {
		t.Errorf("second revoke: %s", r)
	}
	assertAuditIntact(t, dir)
}

func assertAuditIntact(t *testing.T, dir string) {
	t.Helper()
	r := vigil(t, nil, "", "audit", "verify", "--data-dir", dir)
	if r.code != 0 || !strings.Contains(r.stdout, "the audit log is intact") {
		t.Errorf("audit verify: %s", r)
	}
}

func TestAuditVerifyFindsTampering(t *testing.T) {
	dir := t.TempDir()
	must(t, "org", "add", "Alpha Hospital", "--data-dir", dir)
	for _, name := range []string{"one", "two", "three"} {
		must(t, "token", "create", "--name", name, "--data-dir", dir)
	}
	r := must(t, "audit", "verify", "--data-dir", dir)
	if !strings.Contains(r.stdout, "checked 4 events in 1 organisations: the audit log is intact") {
		t.Errorf("audit verify of an intact log: %q", r.stdout)
	}

	// Someone with access to the database file removes the protection, edits one entry, deletes another.
	db, err := sql.Open("sqlite", filepath.Join(dir, "vigil.db"))
	if err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{
		"DROP TRIGGER audit_events_no_update", "DROP TRIGGER audit_events_no_delete",
		"UPDATE audit_events SET summary = 'created nothing' WHERE seq = 2",
		"DELETE FROM audit_events WHERE seq = 3",
	} {
		if _, err := db.Exec(q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	db.Close()

	r = vigil(t, nil, "", "audit", "verify", "--data-dir", dir)
	if r.code != 1 {
		t.Fatalf("audit verify of a tampered log: %s", r)
	}
	wantLines := []string{
		"BROKEN: organisation 1, event 2 (seq 2): content does not match its hash (the event was edited)",
		"BROKEN: organisation 1, seq 3: event missing (deleted?)",
		"BROKEN: organisation 1, event 4 (seq 4): does not link to the previous event (an event before it was changed, removed or inserted)",
		"checked 3 events in 1 organisations: 3 problems",
	}
	got := strings.Split(strings.TrimSpace(r.stdout), "\n")
	if diff := cmp.Diff(wantLines, got); diff != "" {
		t.Errorf("audit verify (-want +got):\n%s", diff)
	}
	r = vigil(t, nil, "", "audit", "verify", "--json", "--data-dir", dir)
	var rep store.AuditReport
	if err := json.Unmarshal([]byte(r.stdout), &rep); err != nil || r.code != 1 || len(rep.Problems) != 3 || rep.Problems[0].Seq != 2 {
		t.Errorf("audit verify --json: %s (%v)", r, err)
	}
}

func TestMigrate(t *testing.T) {
	dir := t.TempDir()
	known, err := store.Migrations("sqlite")
	if err != nil || len(known) < 2 {
		t.Fatalf("migrations: %v", err)
	}
	r := must(t, "migrate", "--status", "--data-dir", dir)
	for _, m := range known {
		if !regexp.MustCompile(`(?m)^` + pad(m.Version) + "_" + regexp.QuoteMeta(m.Name) + `\s+pending$`).MatchString(r.stdout) {
			t.Errorf("migrate --status of a new database does not list %04d_%s as pending:\n%s", m.Version, m.Name, r.stdout)
		}
	}
	r = must(t, "migrate", "--data-dir", dir)
	for _, m := range known {
		if !strings.Contains(r.stdout, "applied "+pad(m.Version)+"_"+m.Name) {
			t.Errorf("migrate did not report %04d_%s:\n%s", m.Version, m.Name, r.stdout)
		}
	}
	r = must(t, "migrate", "--status", "--data-dir", dir)
	if strings.Contains(r.stdout, "pending") || strings.Count(r.stdout, "applied") != len(known) {
		t.Errorf("migrate --status after migrate:\n%s", r.stdout)
	}
	if r := must(t, "migrate", "--data-dir", dir); !strings.Contains(r.stdout, "the sqlite database is up to date") {
		t.Errorf("second migrate said %q", r.stdout)
	}

	// A database from a newer Vigil is refused by every command.
	db, err := sql.Open("sqlite", filepath.Join(dir, "vigil.db"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec("INSERT INTO schema_migrations (version, name, applied) VALUES (9001, 'future_module', 'x')"); err != nil {
		t.Fatal(err)
	}
	db.Close()
	for _, args := range [][]string{{"migrate"}, {"migrate", "--status"}, {"org", "list"}} {
		r := vigil(t, nil, "", append(args, "--data-dir", dir)...)
		if r.code != 1 || !strings.Contains(r.stderr, "the database schema is newer than this Vigil binary: it has migration 9001_future_module") {
			t.Errorf("%v on a newer schema: %s", args, r)
		}
	}
}

func pad(v int) string { return strings.Repeat("0", 4-len(strconv.Itoa(v))) + strconv.Itoa(v) }

func TestConfigPrint(t *testing.T) {
	env := map[string]string{
		"VIGIL_LISTEN":             "127.0.0.1:7002",
		"VIGIL_SMTP_HOST":          "mail.hospital.example",
		"VIGIL_SMTP_FROM":          "vigil@hospital.example",
		"VIGIL_SMTP_PASSWORD":      "smtp-s3cret",
		"VIGIL_OIDC_CLIENT_SECRET": "oidc-s3cret",
	}
	file := filepath.Join(t.TempDir(), "vigil.yaml")
	if err := os.WriteFile(file, []byte("log:\n  level: warn\njobs:\n  workers: 3\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	r := vigil(t, env, "", "config", "print", "--config", file, "--database", "postgres://vigil:pg-s3cret@db.internal/vigil",
		"--listen", "127.0.0.1:7003")
	if r.code != 0 {
		t.Fatal(r)
	}
	rows := map[string][]string{}
	for _, line := range strings.Split(r.stdout, "\n")[1:] {
		if f := strings.Fields(line); len(f) >= 2 {
			rows[f[0]] = f[1:]
		}
	}
	for key, want := range map[string]string{
		"listen":             "127.0.0.1:7003", // the flag beats the environment
		"log.level":          "warn",           // from the file
		"jobs.workers":       "3",
		"smtp.host":          "mail.hospital.example",
		"smtp.password":      "xxxxx",
		"oidc.client_secret": "xxxxx",
		"database":           "postgres://vigil:xxxxx@db.internal/vigil",
		"data_dir":           "./vigil-data",
	} {
		if len(rows[key]) == 0 || rows[key][0] != want {
			t.Errorf("config print: %s = %v, want %q", key, rows[key], want)
		}
	}
	if got := rows["smtp.password"]; len(got) < 2 || got[1] != "VIGIL_SMTP_PASSWORD" {
		t.Errorf("config print does not name the variable of smtp.password: %v", got)
	}
	for _, s := range []string{"pg-s3cret", "smtp-s3cret", "oidc-s3cret"} {
		if strings.Contains(r.stdout+r.stderr, s) {
			t.Errorf("config print shows the secret %q", s)
		}
	}
	// A wrong value stops it with a message naming the setting.
	r = vigil(t, map[string]string{"VIGIL_LOG_FORMAT": "xml"}, "", "config", "print")
	if r.code != 1 || !strings.Contains(r.stderr, "vigil: config log.format: must be text or json") {
		t.Errorf("config print with a wrong value: %s", r)
	}
}

func TestVersion(t *testing.T) {
	r := must(t, "version")
	if !regexp.MustCompile(`^vigil \S+ \(go1\.\d+[^,]*, [a-z0-9]+/[a-z0-9]+\)\n$`).MatchString(r.stdout) {
		t.Errorf("version printed %q", r.stdout)
	}
}

// TestHelp runs --help of every command and checks that it says what the command does, how to call it
// and (for groups) which subcommands there are. A command added without help text fails here.
func TestHelp(t *testing.T) {
	root := newRoot(&Env{})
	var walk func(c *cobra.Command, path []string)
	walk = func(c *cobra.Command, path []string) {
		if c.Hidden || c.Name() == "help" || c.Name() == "completion" {
			return
		}
		t.Run(strings.Join(append([]string{"vigil"}, path...), " "), func(t *testing.T) {
			if len(c.Short) < 15 {
				t.Errorf("short description %q is too short to help", c.Short)
			}
			r := vigil(t, nil, "", append(path, "--help")...)
			if r.code != 0 {
				t.Fatal(r)
			}
			for _, want := range []string{c.Short, "Usage:", "vigil " + strings.Join(path, " ")} {
				if c.Long != "" && want == c.Short {
					want = strings.Split(c.Long, "\n")[0]
				}
				if !strings.Contains(r.stdout, want) {
					t.Errorf("--help lacks %q:\n%s", want, r.stdout)
				}
			}
			for _, sub := range c.Commands() {
				if !sub.Hidden && sub.Name() != "help" && sub.Name() != "completion" && !strings.Contains(r.stdout, sub.Name()) {
					t.Errorf("--help does not list the subcommand %s", sub.Name())
				}
			}
			if c.Runnable() && c != root && c.Name() != "version" && c.Example == "" {
				t.Error("no example: show a newcomer how the command is called")
			}
			if c.Runnable() && c.HasAvailableFlags() && !strings.Contains(r.stdout, "Flags:") {
				t.Errorf("--help does not list the flags:\n%s", r.stdout)
			}
		})
		for _, sub := range c.Commands() {
			walk(sub, append(append([]string{}, path...), sub.Name()))
		}
	}
	walk(root, nil)
	// The root's help points a newcomer to the demo.
	if r := must(t, "--help"); !strings.Contains(r.stdout, "vigil demo") {
		t.Errorf("vigil --help does not mention the demo:\n%s", r.stdout)
	}
	// An unknown command is an error with a hint, not a silent success.
	if r := vigil(t, nil, "", "serv"); r.code != 1 || !strings.Contains(r.stderr, `unknown command "serv"`) {
		t.Errorf("unknown command: %s", r)
	}
}
