// Package jobs runs Vigil's background work: durable jobs stored in the database (they survive a
// restart, are retried with exponential backoff and are visible on an admin page) and a scheduler that
// enqueues recurring jobs (feed sync, reminders) once per period even when several servers run.
package jobs

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"os"
	"sync"
	"time"

	"github.com/vigil-med/vigil/internal/domain"
	"github.com/vigil-med/vigil/internal/store"
)

// Handler runs one job. Returning an error retries the job with backoff; wrap it with Permanent to fail
// it at once. Report progress through p.
type Handler func(ctx context.Context, j *store.Job, p *Progress) error

// Progress lets a handler report how far it is and renews the job's lease.
type Progress struct {
	r      *Runner
	job    *store.Job
	Result string // stored with the finished job (a short summary or JSON)
	last   time.Time
}

// Set records progress (0–100) with a message; cheap to call often (written at most every second).
func (p *Progress) Set(ctx context.Context, percent int, msg string) {
	if p == nil || p.r == nil {
		return
	}
	now := p.r.now()
	if now.Sub(p.last) < time.Second && percent < 100 {
		return
	}
	p.last = now
	if err := p.r.store.ExtendJob(ctx, p.job.ID, p.r.worker, now.Add(p.r.Lease), max(0, min(percent, 99)), msg); err != nil {
		p.r.log.Warn("job progress", "job", p.job.ID, "err", err)
	}
}

type permanentError struct{ err error }

func (e permanentError) Error() string { return e.err.Error() }
func (e permanentError) Unwrap() error { return e.err }

// Permanent marks an error that retrying cannot fix (bad input): the job fails at once.
func Permanent(err error) error { return permanentError{err} }

// Schedule is a recurring job.
type Schedule struct {
	Name    string        // unique, e.g. "feeds.sync"
	Kind    string        // job kind to enqueue
	Every   time.Duration // period; the job is enqueued once per period
	Payload any
}

// Runner executes jobs with a number of workers.
type Runner struct {
	store    *store.Store
	log      *slog.Logger
	handlers map[string]Handler
	sched    []Schedule
	worker   string
	now      func() time.Time

	Workers      int
	PollInterval time.Duration
	Lease        time.Duration // a job whose worker stops renewing for this long is taken over
	MaxAttempts  int

	beat   time.Duration // heartbeat interval; 0 means a third of Lease (tests shorten it)
	mu     sync.Mutex
	wake   chan struct{}
	Ran    func(j store.Job, err error) // optional observer (metrics)
	active sync.WaitGroup
}

// New returns a runner; register handlers before Start.
func New(st *store.Store, log *slog.Logger) *Runner {
	host, _ := os.Hostname()
	return &Runner{
		store: st, log: log, handlers: map[string]Handler{}, now: time.Now,
		worker:  fmt.Sprintf("%s-%d-%04x", host, os.Getpid(), rand.IntN(0xffff)),
		Workers: 2, PollInterval: 2 * time.Second, Lease: 5 * time.Minute, MaxAttempts: 5,
		wake: make(chan struct{}, 1),
	}
}

// Register sets the handler of a job kind.
func (r *Runner) Register(kind string, h Handler) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if _, dup := r.handlers[kind]; dup {
		panic("jobs: handler for " + kind + " registered twice")
	}
	r.handlers[kind] = h
}

// Kinds lists the registered job kinds.
func (r *Runner) Kinds() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := make([]string, 0, len(r.handlers))
	for k := range r.handlers {
		out = append(out, k)
	}
	return out
}

// Every adds a recurring job.
func (r *Runner) Every(s Schedule) { r.sched = append(r.sched, s) }

// Enqueue adds a job in a transaction of its own and wakes a worker.
func (r *Runner) Enqueue(ctx context.Context, nj store.NewJob) (int64, error) {
	if nj.MaxAttempts == 0 {
		nj.MaxAttempts = r.MaxAttempts
	}
	if nj.RunAt.IsZero() {
		nj.RunAt = r.now() // due now by the clock the workers claim with
	}
	id, err := r.store.EnqueueJob(ctx, nj)
	r.Wake()
	return id, err
}

// Wake makes an idle worker look for work now.
func (r *Runner) Wake() {
	select {
	case r.wake <- struct{}{}:
	default:
	}
}

// Run runs the workers and the scheduler until ctx ends, then waits for running jobs to finish.
func (r *Runner) Run(ctx context.Context) {
	var wg sync.WaitGroup
	for i := range r.Workers {
		wg.Go(func() { r.loop(ctx, i) })
	}
	if len(r.sched) > 0 {
		wg.Go(func() { r.scheduler(ctx) })
	}
	wg.Wait()
	r.active.Wait()
}

func (r *Runner) loop(ctx context.Context, n int) {
	for {
		ran, err := r.RunOne(ctx)
		if err != nil && ctx.Err() == nil {
			r.log.Warn("job worker", "worker", n, "err", err)
		}
		if ran {
			continue
		}
		select {
		case <-ctx.Done():
			return
		case <-r.wake:
		case <-time.After(r.PollInterval):
		}
	}
}

// RunOne claims and runs one due job; it reports whether there was one. Tests call it directly.
func (r *Runner) RunOne(ctx context.Context) (bool, error) {
	kinds := r.Kinds()
	if len(kinds) == 0 {
		return false, nil
	}
	j, err := r.store.ClaimJob(ctx, r.worker, kinds, r.now(), r.Lease)
	if err != nil || j == nil {
		return false, err
	}
	r.active.Add(1)
	defer r.active.Done()
	r.mu.Lock()
	h := r.handlers[j.Kind]
	r.mu.Unlock()
	p := &Progress{r: r, job: j}
	// The job finishes even when the server is shutting down: its context is not the server's.
	jctx := domain.WithActor(context.WithoutCancel(ctx), domain.Actor{Kind: domain.ActorSystem, Name: "job:" + j.Kind, OrgID: j.OrgID})
	if j.Attempts > j.MaxAttempts {
		// Taken over after its worker stopped renewing the lease once too often (a job that crashes or
		// hangs the server each time): give up instead of taking the server down for ever.
		err := Permanent(fmt.Errorf("gave up after %d attempts: the worker stopped (crashed or hung) during the last one", j.MaxAttempts))
		if r.Ran != nil {
			r.Ran(*j, err)
		}
		return true, r.store.FinishJob(jctx, j.ID, r.worker, err, "", time.Time{})
	}
	stopBeat := r.heartbeat(jctx, j.ID)
	runErr := safeRun(jctx, h, j, p)
	stopBeat()
	var retryAt time.Time
	var perm permanentError
	if runErr != nil && !errors.As(runErr, &perm) {
		retryAt = r.now().Add(Backoff(j.Attempts))
	}
	if runErr != nil {
		r.log.Warn("job failed", "job", j.ID, "kind", j.Kind, "attempt", j.Attempts, "err", runErr)
	}
	if r.Ran != nil {
		r.Ran(*j, runErr)
	}
	return true, r.store.FinishJob(jctx, j.ID, r.worker, runErr, p.Result, retryAt)
}

// heartbeat renews the lease of a running job every third of the lease until the returned function is
// called, so a job that runs longer than the lease (a large feed import that reports no progress) is not
// taken over by another worker while its own worker is alive.
func (r *Runner) heartbeat(ctx context.Context, id int64) (stop func()) {
	ctx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() {
		defer close(done)
		every := r.beat
		if every == 0 {
			every = max(r.Lease/3, 10*time.Millisecond)
		}
		t := time.NewTicker(every)
		defer t.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-t.C:
				if err := r.store.RenewJob(ctx, id, r.worker, r.now().Add(r.Lease)); err != nil && ctx.Err() == nil {
					r.log.Warn("job lease", "job", id, "err", err)
				}
			}
		}
	}()
	return func() { cancel(); <-done }
}

func safeRun(ctx context.Context, h Handler, j *store.Job, p *Progress) (err error) {
	defer func() {
		if x := recover(); x != nil {
			err = Permanent(fmt.Errorf("job panicked: %v", x))
		}
	}()
	return h(ctx, j, p)
}

// Backoff is the delay before attempt n+1: 30 s doubling up to 1 h, with ±20 % jitter.
func Backoff(attempt int) time.Duration {
	d := 30 * time.Second
	for i := 1; i < attempt && d < time.Hour; i++ {
		d *= 2
	}
	d = min(d, time.Hour)
	jitter := time.Duration(rand.Int64N(int64(d)/5*2)) - d/5
	return d + jitter
}

func (r *Runner) scheduler(ctx context.Context) {
	tick := time.NewTicker(time.Minute)
	defer tick.Stop()
	for {
		r.EnqueueDue(ctx)
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
	}
}

// EnqueueDue enqueues each schedule's job for the current period, once: the unique key names the period,
// so several servers (or restarts) do not enqueue it twice.
func (r *Runner) EnqueueDue(ctx context.Context) {
	now := r.now().UTC()
	for _, s := range r.sched {
		period := now.Truncate(s.Every)
		key := fmt.Sprintf("schedule:%s:%d", s.Name, period.Unix())
		if _, err := r.store.EnqueueJob(ctx, store.NewJob{Kind: s.Kind, Payload: s.Payload, UniqueKey: key, MaxAttempts: r.MaxAttempts, RunAt: now}); err != nil {
			r.log.Warn("schedule", "name", s.Name, "err", err)
			continue
		}
	}
	r.Wake()
}

// Payload decodes a job's JSON payload.
func Payload[T any](j *store.Job) (T, error) {
	var v T
	if err := json.Unmarshal([]byte(j.Payload), &v); err != nil {
		return v, Permanent(fmt.Errorf("job %d payload: %w", j.ID, err))
	}
	return v, nil
}
