package jobs

import (
	"context"
	"errors"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/vigil-med/vigil/internal/store"
	"github.com/vigil-med/vigil/internal/testutil"
)

// clock is a settable clock shared by the runners of a test.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) now() time.Time      { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) add(d time.Duration) { c.mu.Lock(); c.t = c.t.Add(d); c.mu.Unlock() }

func newRunner(st *store.Store, c *clock) *Runner {
	r := New(st, slog.New(slog.DiscardHandler))
	r.now = c.now
	return r
}

func job(t *testing.T, st *store.Store, id int64) store.Job {
	t.Helper()
	j, err := st.Job(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	return j
}

func runOne(t *testing.T, r *Runner) bool {
	t.Helper()
	ran, err := r.RunOne(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return ran
}

func TestBackoff(t *testing.T) {
	for _, tt := range []struct {
		attempt  int
		min, max time.Duration
	}{
		{1, 24 * time.Second, 36 * time.Second},
		{2, 48 * time.Second, 72 * time.Second},
		{3, 96 * time.Second, 144 * time.Second},
		{20, 48 * time.Minute, 72 * time.Minute}, // capped at an hour ± 20 %
	} {
		for range 50 {
			if d := Backoff(tt.attempt); d < tt.min || d > tt.max {
				t.Errorf("Backoff(%d) = %s, want %s–%s", tt.attempt, d, tt.min, tt.max)
			}
		}
	}
}

// TestDurable: a job enqueued before a restart (a new store and a new runner) runs after it.
func TestDurable(t *testing.T) {
	for _, engine := range testutil.Engines() {
		t.Run(engine, func(t *testing.T) {
			opts := testutil.StoreOptions(t, engine)
			ctx := context.Background()
			st, err := store.Open(ctx, opts)
			if err != nil {
				t.Fatal(err)
			}
			c := &clock{t: time.Now()}
			first := newRunner(st, c)
			id, err := first.Enqueue(ctx, store.NewJob{Kind: "report.build", Payload: map[string]int{"n": 7}})
			if err != nil || id == 0 {
				t.Fatalf("enqueue: %d %v", id, err)
			}
			st.Close() // the server stops before any worker took the job

			st2, err := store.Open(ctx, opts)
			if err != nil {
				t.Fatal(err)
			}
			defer st2.Close()
			second := newRunner(st2, c)
			var got int
			second.Register("report.build", func(ctx context.Context, j *store.Job, p *Progress) error {
				v, err := Payload[struct{ N int }](j)
				got = v.N
				p.Result = "built"
				return err
			})
			if !runOne(t, second) || got != 7 {
				t.Fatalf("the new runner did not run the job (payload %d)", got)
			}
			if j := job(t, st2, id); j.Status != store.JobDone || j.Result != "built" || j.Progress != 100 || j.Finished == nil || j.Attempts != 1 {
				t.Errorf("job after the run: %+v", j)
			}
			if runOne(t, second) {
				t.Error("a done job ran again")
			}
		})
	}
}

func TestRetryWithBackoff(t *testing.T) {
	testutil.ForEachEngine(t, func(t *testing.T, st *store.Store) {
		c := &clock{t: time.Now().UTC().Truncate(time.Second)}
		r := newRunner(st, c)
		calls := 0
		r.Register("feed.sync", func(ctx context.Context, j *store.Job, p *Progress) error {
			calls++
			return errors.New("feed server answered 503")
		})
		id, _ := r.Enqueue(context.Background(), store.NewJob{Kind: "feed.sync", MaxAttempts: 3})
		var lastRunAt time.Time
		for attempt := 1; attempt <= 3; attempt++ {
			if !runOne(t, r) {
				t.Fatalf("attempt %d did not run", attempt)
			}
			j := job(t, st, id)
			if j.Attempts != attempt || j.LastError != "feed server answered 503" {
				t.Errorf("after attempt %d: attempts %d, last error %q", attempt, j.Attempts, j.LastError)
			}
			if attempt < 3 {
				wait := j.RunAt.Sub(c.now())
				lo, hi := time.Duration(float64(30*time.Second)*0.8)<<(attempt-1), time.Duration(float64(30*time.Second)*1.2)<<(attempt-1)
				if j.Status != store.JobQueued || wait < lo || wait > hi || !j.RunAt.After(lastRunAt) {
					t.Errorf("after attempt %d: status %s, next run in %s (want %s–%s, later than before)", attempt, j.Status, wait, lo, hi)
				}
				lastRunAt = j.RunAt
				if runOne(t, r) {
					t.Errorf("the job ran again before its backoff ended")
				}
				c.add(wait + time.Second)
			} else if j.Status != store.JobFailed || j.Finished == nil {
				t.Errorf("after the last attempt: status %s, finished %v", j.Status, j.Finished)
			}
		}
		c.add(2 * time.Hour)
		if runOne(t, r) || calls != 3 {
			t.Errorf("a failed job ran again (%d calls)", calls)
		}
	})
}

func TestPermanentErrorsFailAtOnce(t *testing.T) {
	st := testutil.MustOpenStore(t)
	c := &clock{t: time.Now()}
	r := newRunner(st, c)
	r.Register("import.sbom", func(ctx context.Context, j *store.Job, p *Progress) error {
		return Permanent(errors.New("not a CycloneDX or SPDX document"))
	})
	r.Register("crash", func(ctx context.Context, j *store.Job, p *Progress) error { panic("index out of range") })
	bad, _ := r.Enqueue(context.Background(), store.NewJob{Kind: "import.sbom"})
	crash, _ := r.Enqueue(context.Background(), store.NewJob{Kind: "crash"})
	// A payload that does not decode is permanent, too.
	r.Register("typed", func(ctx context.Context, j *store.Job, p *Progress) error {
		_, err := Payload[struct{ N int }](j)
		return err
	})
	typed, _ := r.Enqueue(context.Background(), store.NewJob{Kind: "typed", Payload: map[string]string{"N": "seven"}})
	for runOne(t, r) {
	}
	for id, want := range map[int64]string{bad: "not a CycloneDX", crash: "job panicked: index out of range", typed: "payload"} {
		j := job(t, st, id)
		if j.Status != store.JobFailed || j.Attempts != 1 || !strings.Contains(j.LastError, want) {
			t.Errorf("job %s: status %s after %d attempts, error %q", j.Kind, j.Status, j.Attempts, j.LastError)
		}
	}
}

// TestCrashedWorkerLeaseExpires: a worker that took a job and died holds it only until its lease ends;
// then another worker takes it, and the dead worker's late report changes nothing.
func TestCrashedWorkerLeaseExpires(t *testing.T) {
	testutil.ForEachEngine(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		c := &clock{t: time.Now()}
		crashed := newRunner(st, c)
		id, _ := crashed.Enqueue(ctx, store.NewJob{Kind: "scan"})
		taken, err := st.ClaimJob(ctx, crashed.worker, []string{"scan"}, c.now(), time.Minute)
		if err != nil || taken == nil || taken.ID != id {
			t.Fatalf("claim: %v %v", taken, err)
		}
		// … and the process dies here.

		other := newRunner(st, c)
		ran := 0
		other.Register("scan", func(ctx context.Context, j *store.Job, p *Progress) error { ran++; return nil })
		c.add(30 * time.Second)
		if runOne(t, other) {
			t.Fatal("another worker took a job whose lease still runs")
		}
		c.add(31 * time.Second)
		if !runOne(t, other) || ran != 1 {
			t.Fatal("another worker did not take the job after the lease ended")
		}
		j := job(t, st, id)
		if j.Status != store.JobDone || j.Attempts != 2 {
			t.Errorf("job after the takeover: %s, %d attempts", j.Status, j.Attempts)
		}
		if err := st.FinishJob(ctx, id, crashed.worker, errors.New("late"), "", c.now().Add(time.Minute)); err != nil {
			t.Fatal(err)
		}
		if j := job(t, st, id); j.Status != store.JobDone || j.LastError != "" {
			t.Errorf("the dead worker's late report changed the job: %s %q", j.Status, j.LastError)
		}
	})
}

// TestGiveUpOnJobsThatKillTheirWorker: a job whose workers died more often than its attempts allow fails.
func TestGiveUpOnJobsThatKillTheirWorker(t *testing.T) {
	st := testutil.MustOpenStore(t)
	ctx := context.Background()
	c := &clock{t: time.Now()}
	r := newRunner(st, c)
	r.Register("oom", func(ctx context.Context, j *store.Job, p *Progress) error {
		t.Error("the handler ran once more")
		return nil
	})
	id, _ := r.Enqueue(ctx, store.NewJob{Kind: "oom", MaxAttempts: 2})
	for range 2 {
		if _, err := st.ClaimJob(ctx, "dying-worker", []string{"oom"}, c.now(), time.Minute); err != nil {
			t.Fatal(err)
		}
		c.add(2 * time.Minute)
	}
	if !runOne(t, r) {
		t.Fatal("nothing to do")
	}
	if j := job(t, st, id); j.Status != store.JobFailed || !strings.Contains(j.LastError, "gave up after 2 attempts") {
		t.Errorf("job: %s %q", j.Status, j.LastError)
	}
}

// TestHeartbeat: a job that runs longer than its lease keeps it while its worker lives.
func TestHeartbeat(t *testing.T) {
	testutil.ForEachEngine(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		c := &clock{t: time.Now()}
		worker := newRunner(st, c)
		worker.Lease, worker.beat = time.Minute, 5*time.Millisecond
		started, release := make(chan struct{}), make(chan struct{})
		worker.Register("long", func(ctx context.Context, j *store.Job, p *Progress) error {
			close(started)
			<-release
			return nil
		})
		id, _ := worker.Enqueue(ctx, store.NewJob{Kind: "long"})
		done := make(chan error, 1)
		go func() { _, err := worker.RunOne(ctx); done <- err }()
		<-started
		c.add(50 * time.Second)
		// Wait (bounded) until the heartbeat has moved the lease past the original one.
		deadline := time.Now().Add(30 * time.Second)
		for {
			j := job(t, st, id)
			if j.LockedUntil != nil && j.LockedUntil.After(c.now().Add(55*time.Second)) {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("the lease was not renewed: locked until %v, now %v", j.LockedUntil, c.now())
			}
			time.Sleep(5 * time.Millisecond)
		}
		c.add(20 * time.Second) // 70 s after the start: past the first lease
		other := newRunner(st, c)
		other.Register("long", func(ctx context.Context, j *store.Job, p *Progress) error {
			t.Error("a second worker ran the job while the first still ran it")
			return nil
		})
		if runOne(t, other) {
			t.Error("a second worker took a job whose worker renews its lease")
		}
		close(release)
		if err := <-done; err != nil {
			t.Fatal(err)
		}
		if j := job(t, st, id); j.Status != store.JobDone || j.Attempts != 1 {
			t.Errorf("job: %s after %d attempts", j.Status, j.Attempts)
		}
	})
}

// TestScheduleOncePerPeriod: two servers with the same schedule enqueue its job once per period.
func TestScheduleOncePerPeriod(t *testing.T) {
	testutil.ForEachEngine(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		c := &clock{t: time.Date(2026, 3, 2, 10, 5, 0, 0, time.UTC)}
		var runners []*Runner
		for range 2 {
			r := newRunner(st, c)
			r.Every(Schedule{Name: "feeds.sync", Kind: "feeds.sync", Every: time.Hour, Payload: map[string]string{"feed": "kev"}})
			runners = append(runners, r)
		}
		count := func() int {
			page, err := st.Scope(0).Jobs(ctx, store.JobFilter{Kind: "feeds.sync"})
			if err != nil {
				t.Fatal(err)
			}
			return page.Total
		}
		for range 3 { // the scheduler ticks every minute on each server
			for _, r := range runners {
				r.EnqueueDue(ctx)
			}
			c.add(time.Minute)
		}
		if n := count(); n != 1 {
			t.Fatalf("%d jobs in the first hour, want 1", n)
		}
		c.add(time.Hour)
		for _, r := range runners {
			r.EnqueueDue(ctx)
		}
		if n := count(); n != 2 {
			t.Errorf("%d jobs after the second hour began, want 2", n)
		}
		page, _ := st.Scope(0).Jobs(ctx, store.JobFilter{Kind: "feeds.sync"})
		if page.Items[0].Payload != `{"feed":"kev"}` || page.Items[0].OrgID != 0 {
			t.Errorf("scheduled job: %+v", page.Items[0])
		}
	})
}

func TestProgressIsRecorded(t *testing.T) {
	st := testutil.MustOpenStore(t)
	ctx := context.Background()
	c := &clock{t: time.Now()}
	r := newRunner(st, c)
	var seen store.Job
	r.Register("import", func(ctx context.Context, j *store.Job, p *Progress) error {
		p.Set(ctx, 40, "2 of 5 files")
		seen, _ = st.Job(ctx, j.ID)
		p.Set(ctx, 60, "too soon to be written") // at most once a second
		p.Result = "5 files, 1 234 components"
		return nil
	})
	id, _ := r.Enqueue(ctx, store.NewJob{Kind: "import"})
	runOne(t, r)
	if seen.Progress != 40 || seen.ProgressMsg != "2 of 5 files" || seen.Status != store.JobRunning {
		t.Errorf("progress during the run: %d %q %s", seen.Progress, seen.ProgressMsg, seen.Status)
	}
	if j := job(t, st, id); j.Progress != 100 || j.Result != "5 files, 1 234 components" {
		t.Errorf("after the run: %d %q", j.Progress, j.Result)
	}
}

func TestRunStopsWithItsContext(t *testing.T) {
	st := testutil.MustOpenStore(t)
	r := New(st, slog.New(slog.DiscardHandler))
	r.PollInterval = 10 * time.Millisecond
	ran := make(chan int64, 10)
	r.Register("mail", func(ctx context.Context, j *store.Job, p *Progress) error { ran <- j.ID; return nil })
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { r.Run(ctx); close(done) }()
	id, _ := r.Enqueue(context.Background(), store.NewJob{Kind: "mail"})
	select {
	case got := <-ran:
		if got != id {
			t.Errorf("ran job %d, want %d", got, id)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("the running runner did not pick up the job")
	}
	cancel()
	select {
	case <-done:
	case <-time.After(30 * time.Second):
		t.Fatal("Run did not return after its context ended")
	}
}
