package store_test

import (
	"bytes"
	"context"
	"log/slog"
	"net"
	"net/url"
	"os"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/vigil-med/vigil/internal/store"
	"github.com/vigil-med/vigil/internal/testutil"
)

// closedPort returns a local port on which nothing listens.
func closedPort(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	return addr
}

type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}
func (l *lockedBuffer) String() string { l.mu.Lock(); defer l.mu.Unlock(); return l.b.String() }

// TestUnreachableDatabaseAtStart: a PostgreSQL that does not answer is retried with growing delays until
// db.connect_timeout, then refused with a message that names the database (without its password).
func TestUnreachableDatabaseAtStart(t *testing.T) {
	var logs lockedBuffer
	dsn := "postgres://vigil:s3cret@" + closedPort(t) + "/vigil?sslmode=disable"
	_, err := store.Open(context.Background(), store.Options{DSN: dsn, ConnectTimeout: 1500 * time.Millisecond,
		Logger: slog.New(slog.NewTextHandler(&logs, nil))})
	if err == nil {
		t.Fatal("opened a database that does not exist")
	}
	m := regexp.MustCompile(`^database postgres://127\.0\.0\.1:\d+/vigil not reachable after (\d+) attempts over 1\.5s: `).FindStringSubmatch(err.Error())
	if m == nil {
		t.Fatalf("error %q does not say which database and how long it tried", err)
	}
	if strings.Contains(err.Error(), "s3cret") || strings.Contains(logs.String(), "s3cret") {
		t.Error("the password is in the error or the log")
	}
	attempts, _ := strconv.Atoi(m[1])
	var delays []time.Duration
	for _, d := range regexp.MustCompile(`in=(\S+)`).FindAllStringSubmatch(logs.String(), -1) {
		v, _ := time.ParseDuration(d[1])
		delays = append(delays, v)
	}
	if attempts < 3 || len(delays) != attempts-1 {
		t.Fatalf("%d attempts, %d retries logged:\n%s", attempts, len(delays), logs.String())
	}
	for i := 1; i < len(delays); i++ {
		if delays[i] != 2*delays[i-1] {
			t.Errorf("retry delays %v do not back off exponentially", delays)
		}
	}
	// With a timeout of 0 it gives up after the first attempt.
	_, err = store.Open(context.Background(), store.Options{DSN: dsn})
	if err == nil || !strings.Contains(err.Error(), "not reachable after 1 attempts") {
		t.Errorf("no retries: %v", err)
	}
}

// TestDatabaseComesUpDuringRetries: a database that answers while the start retries is used.
func TestDatabaseComesUpDuringRetries(t *testing.T) {
	dsn := os.Getenv("VIGIL_TEST_POSTGRES")
	if dsn == "" {
		t.Skip("VIGIL_TEST_POSTGRES is not set")
	}
	u, _ := url.Parse(testutil.PostgresSchema(t, dsn))
	proxy := testutil.TCPProxy(t, u.Host)
	proxy.Break()
	u.Host = proxy.Addr()
	retried := make(chan struct{})
	var once sync.Once
	log := slog.New(slog.NewTextHandler(writerFunc(func(p []byte) (int, error) {
		if bytes.Contains(p, []byte("retrying")) {
			once.Do(func() { close(retried) })
		}
		return len(p), nil
	}), nil))
	go func() {
		<-retried
		proxy.Restore()
	}()
	st, err := store.Open(context.Background(), store.Options{DSN: u.String(), ConnectTimeout: time.Minute, Logger: log})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if err := st.Ping(context.Background()); err != nil {
		t.Fatal(err)
	}
}

type writerFunc func(p []byte) (int, error)

func (f writerFunc) Write(p []byte) (int, error) { return f(p) }

// TestMigrateWithOneConnection: migrations hold a lock on PostgreSQL; they must not need a second
// connection (db.max_conns 1 is allowed).
func TestMigrateWithOneConnection(t *testing.T) {
	dsn := os.Getenv("VIGIL_TEST_POSTGRES")
	if dsn == "" {
		t.Skip("VIGIL_TEST_POSTGRES is not set")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	st, err := store.Open(ctx, store.Options{DSN: testutil.PostgresSchema(t, dsn), MaxConns: 1, ConnectTimeout: 10 * time.Second})
	if err != nil {
		t.Fatalf("open with one connection: %v", err)
	}
	defer st.Close()
	org := testutil.Org(t, st, "one")
	testutil.User(t, st, org.ID, "a@one.example", "auditor")
}
