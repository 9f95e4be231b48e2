// Package demotest gives tests a database that holds the demo without loading it each time. Loading the
// demo runs every module's step (thousands of devices, the fleet match, 90 days of risk snapshots) and
// takes seconds, a minute under the race detector; a test binary loads it once into a template SQLite
// data directory and every test gets a copy of its own (a file copy, milliseconds), which it may change.
//
//	func TestMain(m *testing.M) { demotest.Main(m) }
//
//	dir, env := demotest.DataDir(t) // a data directory of the test's own; env.Users, env.Hospital …
package demotest

import (
	"context"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/vigil-med/vigil/internal/demo"
	"github.com/vigil-med/vigil/internal/store"
)

// A template is the demo loaded at one moment.
type template struct {
	once sync.Once
	dir  string
	env  demo.Env
	err  error
}

var templates struct {
	mu  sync.Mutex
	now time.Time // the moment DataDir's template is loaded at: the first call's
	by  map[time.Time]*template
}

// build loads the demo into a temporary SQLite data directory and closes the store, so that the database
// file is complete (the write-ahead log checkpointed) and can be copied.
func (tp *template) build(now time.Time) {
	dir, err := os.MkdirTemp("", "vigil-demo-template-")
	if err != nil {
		tp.err = err
		return
	}
	tp.dir = dir
	ctx := context.Background()
	st, err := store.Open(ctx, store.Options{DataDir: dir, ConnectTimeout: 5 * time.Second})
	if err != nil {
		tp.err = err
		return
	}
	env, err := demo.Load(ctx, st, now, nil)
	if cerr := st.Close(); err == nil && cerr != nil {
		err = cerr
	}
	if err != nil {
		tp.err = fmt.Errorf("load the demo template: %w", err)
		return
	}
	tp.env = *env
	tp.env.Store = nil
}

// DataDir returns a new SQLite data directory (removed when the test ends) holding the demo as it was
// loaded once for the test binary (dates relative to that moment), and the demo's Env with a nil Store:
// open the directory with store.Open or the application, and use the Env for its organisations, users
// and values. Values must be treated as read-only: tests share them.
func DataDir(tb testing.TB) (string, *demo.Env) {
	tb.Helper()
	return DataDirAt(tb, defaultNow())
}

// DataDirAt is DataDir for a demo loaded at now (tests that need fixed dates); one template per moment.
func DataDirAt(tb testing.TB, now time.Time) (string, *demo.Env) {
	tb.Helper()
	dst := tb.TempDir()
	env, err := copyAt(dst, now)
	if err != nil {
		tb.Fatal(err)
	}
	return dst, env
}

// Copy puts the demo of DataDir into dst, a directory that outlives any one test (a server shared by
// the tests of a package); the caller removes it.
func Copy(dst string) (*demo.Env, error) { return copyAt(dst, defaultNow()) }

func defaultNow() time.Time {
	templates.mu.Lock()
	defer templates.mu.Unlock()
	if templates.now.IsZero() {
		templates.now = time.Now()
	}
	return templates.now
}

func copyAt(dst string, now time.Time) (*demo.Env, error) {
	templates.mu.Lock()
	if templates.by == nil {
		templates.by = map[time.Time]*template{}
	}
	tp := templates.by[now]
	if tp == nil {
		tp = &template{}
		templates.by[now] = tp
	}
	templates.mu.Unlock()
	tp.once.Do(func() { tp.build(now) })
	if tp.err != nil {
		return nil, fmt.Errorf("demo template: %w", tp.err)
	}
	if err := CopyDir(tp.dir, dst); err != nil {
		return nil, fmt.Errorf("copy the demo template: %w", err)
	}
	env := tp.env
	return &env, nil
}

// Main runs the tests, then the package's own clean-ups, and removes the templates; call it from TestMain.
func Main(m *testing.M, cleanups ...func()) {
	code := m.Run()
	for _, c := range cleanups {
		c()
	}
	templates.mu.Lock()
	for _, tp := range templates.by {
		if tp.dir != "" {
			os.RemoveAll(tp.dir)
		}
	}
	templates.mu.Unlock()
	os.Exit(code)
}

// CopyDir copies the files of src into dst (made when missing), keeping their permissions.
func CopyDir(src, dst string) error {
	return filepath.WalkDir(src, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(src, p)
		if err != nil {
			return err
		}
		target := filepath.Join(dst, rel)
		if d.IsDir() {
			return os.MkdirAll(target, 0o750)
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		in, err := os.Open(p)
		if err != nil {
			return err
		}
		defer in.Close()
		out, err := os.OpenFile(target, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, info.Mode().Perm())
		if err != nil {
			return err
		}
		if _, err := io.Copy(out, in); err != nil {
			out.Close()
			return err
		}
		return out.Close()
	})
}
