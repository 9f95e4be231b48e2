package cli

import (
	"context"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/vigil-med/vigil/internal/auth"
	"github.com/vigil-med/vigil/internal/demo"
	"github.com/vigil-med/vigil/internal/demo/demotest"
	"github.com/vigil-med/vigil/internal/store"
	"github.com/vigil-med/vigil/internal/testutil"
)

// fillData puts a row into every foundation table of the data directory: organisations, users (with MFA
// and recovery codes), sessions, tokens, webhooks, jobs, notification preferences and deliveries, and
// the audit events all that wrote.
func fillData(t *testing.T, dir string) {
	t.Helper()
	must(t, "org", "add", "Alpha Hospital", "--country", "DE", "--data-dir", dir)
	must(t, "org", "add", "Beta Medical", "--type", "manufacturer", "--slug", "beta", "--require-mfa", "--data-dir", dir)
	must(t, "user", "add", "ciso@alpha.example", "--role", "admin", "--name", "Dr. Ünal Çelik", "--data-dir", dir)
	must(t, "user", "add", "psirt@beta.example", "--role", "manufacturer", "--org", "beta", "--data-dir", dir)
	must(t, "token", "create", "--name", "CMMS", "--role", "clinical-engineer", "--data-dir", dir)
	must(t, "token", "create", "--name", "revoked", "--data-dir", dir)
	must(t, "token", "revoke", "2", "--data-dir", dir)
	must(t, "import", "inventory", "../inventory/testdata/asset-register-en.csv", "--skip-rejected", "--data-dir", dir)

	st := openStore(t, dir)
	ctx := testutil.Ctx(1)
	u, err := st.UserByEmail(ctx, "ciso@alpha.example")
	if err != nil {
		t.Fatal(err)
	}
	_, hashes := auth.NewRecoveryCodes(3)
	now := store.Now()
	if err := st.Scope(1).Write(ctx, func(tx *store.Tx) error {
		if err := tx.SetMFA(ctx, u.ID, "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP", hashes); err != nil {
			return err
		}
		if err := tx.UseRecoveryCode(ctx, u.ID, hashes[1]); err != nil {
			return err
		}
		if err := tx.SetNotificationPref(ctx, u.ID, "job.failed", "email", true); err != nil {
			return err
		}
		w := store.Webhook{Name: "SIEM", URL: "https://siem.alpha.example/hook", Secret: "s3cret", Events: []string{"job.failed"}, Enabled: true}
		if err := tx.CreateWebhook(ctx, &w); err != nil {
			return err
		}
		d := store.Delivery{Event: "job.failed", Channel: "webhook", Target: "SIEM", Subject: "a job failed"}
		if err := tx.AddDelivery(ctx, &d); err != nil {
			return err
		}
		id, err := tx.EnqueueJob(ctx, store.NewJob{OrgID: 1, Kind: "test.kind", Payload: map[string]any{"n": 1, "text": "ä"}, UniqueKey: "k1"})
		if err != nil {
			return err
		}
		return tx.LinkDeliveryJob(ctx, d.ID, id)
	}); err != nil {
		t.Fatal(err)
	}
	if _, err := st.EnqueueJob(ctx, store.NewJob{Kind: "system.kind", RunAt: now.Add(time.Hour)}); err != nil {
		t.Fatal(err)
	}
	if err := st.CreateSession(ctx, store.Session{IDHash: "session-hash", OrgID: 1, UserID: u.ID, CSRFToken: "csrf",
		MFAPassed: true, Created: now, Expires: now.Add(time.Hour), LastSeen: now, IP: "192.0.2.7", UserAgent: "test"}); err != nil {
		t.Fatal(err)
	}
	// The demo fills the modules' tables (every module adds its part to it).
	if _, err := demo.Load(context.Background(), st, time.Now(), nil); err != nil {
		t.Fatal(err)
	}
	// Every table has rows, so the comparison below covers every table (a module's new table without a
	// row here is still compared, just as empty).
	for table, rows := range testutil.DumpTables(t, st) {
		if len(rows) == 0 && table != "sqlite_sequence" && !emptyAllowed[table] {
			t.Errorf("fillData left table %s empty", table)
		}
	}
	st.Close()
}

func dump(t *testing.T, opts store.Options) map[string][]string {
	t.Helper()
	st, err := store.Open(context.Background(), opts)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	d := testutil.DumpTables(t, st)
	delete(d, "sqlite_sequence") // SQLite's own bookkeeping of AUTOINCREMENT
	return d
}

// emptyAllowed names tables that only background work or a web flow in progress fills.
var emptyAllowed = map[string]bool{
	"incident_reminders": true, // written by the reminder job when a deadline nears
	"inventory_uploads":  true, // files waiting in the web import preview, removed after a day
	"training_files":     true, // uploaded evidence and import files waiting for confirmation
	"training_reminders": true, // written by the reminder job
	"feed_fetch_state":   true, // written by feed sync (conditional-request validators, resume offsets)
	"finding_legacy_ids": true, // written by migration 0090 and restores of older backups (findings numbered before it)
}

// filled is fillData's result, made once for the tests that back it up (it loads the whole demo).
var filled struct {
	once sync.Once
	dir  string
	ok   bool
}

// filledDir returns a data directory of the test's own with fillData's rows.
func filledDir(t *testing.T) string {
	t.Helper()
	filled.once.Do(func() {
		dir, err := os.MkdirTemp("", "vigil-cli-filled-")
		if err != nil {
			t.Fatal(err)
		}
		filled.dir = dir
		fillData(t, dir)
		filled.ok = !t.Failed()
	})
	if !filled.ok {
		t.Fatal("fillData failed in an earlier test")
	}
	dst := t.TempDir()
	if err := demotest.CopyDir(filled.dir, dst); err != nil {
		t.Fatal(err)
	}
	return dst
}

// RemoveFilledData removes filledDir's template (TestMain calls it).
func RemoveFilledData() {
	if filled.dir != "" {
		os.RemoveAll(filled.dir)
	}
}

func TestBackupAndRestore(t *testing.T) {
	src := filledDir(t)
	want := dump(t, store.Options{DataDir: src})
	file := filepath.Join(t.TempDir(), "vigil.vgb")

	r := must(t, "backup", file, "--data-dir", src)
	if !regexp.MustCompile(`backup of sqlite:\S+: \d+ tables, \d+ rows → ` + regexp.QuoteMeta(file)).MatchString(r.stderr) {
		t.Errorf("backup said %q", r.stderr)
	}
	if _, err := os.Stat(file + ".partial"); !os.IsNotExist(err) {
		t.Errorf("backup left %s.partial", file)
	}
	if fi, err := os.Stat(file); err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("backup file: %v, mode %v (it holds everything: 0600)", err, fi.Mode().Perm())
	}

	dst := t.TempDir()
	r = must(t, "restore", file, "--data-dir", dst)
	if !regexp.MustCompile(`restored \d+ tables, \d+ rows into sqlite:`).MatchString(r.stdout) ||
		!strings.Contains(r.stdout, "audit log verified") {
		t.Errorf("restore said %q", r.stdout)
	}
	if diff := cmp.Diff(want, dump(t, store.Options{DataDir: dst})); diff != "" {
		t.Errorf("restored data differs (-backed up +restored):\n%s", diff)
	}
	// The restored database keeps working: new rows get new ids.
	if r := must(t, "org", "add", "Gamma", "--data-dir", dst); !strings.Contains(r.stdout, "id 6)") {
		t.Errorf("org add after restore: %s", r.stdout)
	}
	assertAuditIntact(t, dst)

	// Restore never overwrites data.
	r = vigil(t, nil, "", "restore", file, "--data-dir", dst)
	if r.code != 1 || !strings.Contains(r.stderr, "the target database is not empty") {
		t.Errorf("restore into a database with data: %s", r)
	}

	// A damaged backup changes nothing.
	b, _ := os.ReadFile(file)
	for name, data := range map[string][]byte{
		"truncated":  b[:len(b)*2/3],
		"not gzip":   []byte("this is not a backup"),
		"empty file": nil,
	} {
		damaged := filepath.Join(t.TempDir(), "damaged.vgb")
		os.WriteFile(damaged, data, 0o600)
		empty := t.TempDir()
		r := vigil(t, nil, "", "restore", damaged, "--data-dir", empty)
		if r.code != 1 || !strings.Contains(r.stderr, "restore damaged.vgb:") {
			t.Errorf("%s backup: %s", name, r)
		}
		if d := dump(t, store.Options{DataDir: empty}); len(d["organisations"])+len(d["users"])+len(d["audit_events"]) != 0 {
			t.Errorf("%s backup left data behind: %v", name, d)
		}
	}

	// "-" writes the backup to standard output.
	r = must(t, "backup", "-", "--data-dir", src)
	if !strings.HasPrefix(r.stdout, "\x1f\x8b") {
		t.Errorf("backup - wrote %q…, want gzip data", r.stdout[:min(10, len(r.stdout))])
	}
	if r := vigil(t, nil, "", "backup", "--data-dir", src); r.code != 1 || !strings.Contains(r.stderr, "name the backup file") {
		t.Errorf("backup without a file: %s", r)
	}
}

// TestRestoreAcrossEngines moves a SQLite database into PostgreSQL and back through backups.
func TestRestoreAcrossEngines(t *testing.T) {
	dsn := os.Getenv("VIGIL_TEST_POSTGRES")
	if dsn == "" {
		t.Skip("VIGIL_TEST_POSTGRES is not set")
	}
	src := filledDir(t)
	want := dump(t, store.Options{DataDir: src})
	file := filepath.Join(t.TempDir(), "sqlite.vgb")
	must(t, "backup", file, "--data-dir", src)

	pg := testutil.PostgresSchema(t, dsn)
	r := must(t, "restore", file, "--database", pg)
	if !strings.Contains(r.stdout, "audit log verified") {
		t.Errorf("restore into PostgreSQL said %q", r.stdout)
	}
	if diff := cmp.Diff(want, dump(t, store.Options{DSN: pg})); diff != "" {
		t.Errorf("PostgreSQL after restore (-SQLite +PostgreSQL):\n%s", diff)
	}
	// Identity sequences continue after the restored ids.
	if r := must(t, "org", "add", "Gamma", "--database", pg); !strings.Contains(r.stdout, "id 6)") {
		t.Errorf("org add in PostgreSQL after restore: %s", r.stdout)
	}
	must(t, "token", "create", "--name", "after restore", "--database", pg)
	assertAuditIntactDB(t, pg)

	// And back: PostgreSQL → SQLite.
	file2 := filepath.Join(t.TempDir(), "pg.vgb")
	r = must(t, "backup", file2, "--database", pg)
	if !strings.Contains(r.stderr, "backup of postgres://") || strings.Contains(r.stderr, "password") {
		t.Errorf("backup of PostgreSQL said %q", r.stderr)
	}
	back := t.TempDir()
	must(t, "restore", file2, "--data-dir", back)
	got := dump(t, store.Options{DataDir: back})
	pgNow := dump(t, store.Options{DSN: pg})
	if diff := cmp.Diff(pgNow, got); diff != "" {
		t.Errorf("SQLite restored from PostgreSQL (-PostgreSQL +SQLite):\n%s", diff)
	}
	if len(got["organisations"]) != 6 {
		t.Errorf("round trip has %d organisations, want 6 (3 of the test, 3 of the demo)", len(got["organisations"]))
	}
}

func assertAuditIntactDB(t *testing.T, dsn string) {
	t.Helper()
	r := vigil(t, nil, "", "audit", "verify", "--database", dsn)
	if r.code != 0 || !strings.Contains(r.stdout, "the audit log is intact") {
		t.Errorf("audit verify: %s", r)
	}
}
