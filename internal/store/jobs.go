package store

import (
	"context"
	"encoding/json"
	"strings"
	"time"

	"github.com/vigil-med/vigil/internal/domain"
)

// Job statuses.
const (
	JobQueued    = "queued"
	JobRunning   = "running"
	JobDone      = "done"
	JobFailed    = "failed"
	JobCancelled = "cancelled"
)

// Job is a durable unit of background work.
type Job struct {
	ID          int64      `json:"id"`
	OrgID       int64      `json:"org_id"` // 0 for system jobs
	Kind        string     `json:"kind"`
	Payload     string     `json:"payload"`
	Status      string     `json:"status"`
	Attempts    int        `json:"attempts"`
	MaxAttempts int        `json:"max_attempts"`
	RunAt       time.Time  `json:"run_at"`
	LockedBy    string     `json:"locked_by,omitempty"`
	LockedUntil *time.Time `json:"locked_until,omitempty"`
	LastError   string     `json:"last_error,omitempty"`
	Progress    int        `json:"progress"`
	ProgressMsg string     `json:"progress_msg,omitempty"`
	Result      string     `json:"result,omitempty"`
	UniqueKey   string     `json:"unique_key,omitempty"`
	Created     time.Time  `json:"created"`
	Updated     time.Time  `json:"updated"`
	Finished    *time.Time `json:"finished,omitempty"`
}

const jobCols = `id, COALESCE(org_id, 0), kind, payload, status, attempts, max_attempts, run_at, locked_by, locked_until,
	last_error, progress, progress_msg, result, COALESCE(unique_key, ''), created, updated, finished`

func scanJob(sc interface{ Scan(...any) error }) (Job, error) {
	var j Job
	err := sc.Scan(&j.ID, &j.OrgID, &j.Kind, &j.Payload, &j.Status, &j.Attempts, &j.MaxAttempts, &j.RunAt, &j.LockedBy,
		&j.LockedUntil, &j.LastError, &j.Progress, &j.ProgressMsg, &j.Result, &j.UniqueKey, &j.Created, &j.Updated, &j.Finished)
	return j, err
}

// NewJob describes a job to enqueue.
type NewJob struct {
	OrgID       int64 // 0 for a system job
	Kind        string
	Payload     any // marshalled to JSON
	RunAt       time.Time
	MaxAttempts int
	UniqueKey   string // when set, a job with the same key is not enqueued twice
}

// EnqueueJob adds a job within the transaction, so that a job is queued exactly when the change that
// needs it commits. It returns 0 when a job with the same unique key exists.
func (tx *Tx) EnqueueJob(ctx context.Context, nj NewJob) (int64, error) {
	payload, err := json.Marshal(nj.Payload)
	if err != nil {
		return 0, err
	}
	if nj.Payload == nil {
		payload = []byte("{}")
	}
	t := now()
	if nj.RunAt.IsZero() {
		nj.RunAt = t
	}
	if nj.MaxAttempts == 0 {
		nj.MaxAttempts = 5
	}
	var org, key any
	if nj.OrgID != 0 {
		org = nj.OrgID
	}
	if nj.UniqueKey != "" {
		key = nj.UniqueKey
	}
	rows, err := tx.Query(ctx, `INSERT INTO jobs (org_id, kind, payload, status, max_attempts, run_at, unique_key, created, updated)
		VALUES (?, ?, ?, 'queued', ?, ?, ?, ?, ?) ON CONFLICT (unique_key) DO NOTHING RETURNING id`,
		org, nj.Kind, string(payload), nj.MaxAttempts, TS(nj.RunAt), key, t, t)
	if err != nil {
		return 0, err
	}
	defer rows.Close()
	var id int64
	if rows.Next() {
		if err := rows.Scan(&id); err != nil {
			return 0, err
		}
	}
	return id, rows.Err()
}

// EnqueueJob adds a job in a transaction of its own.
func (s *Store) EnqueueJob(ctx context.Context, nj NewJob) (int64, error) {
	var id int64
	err := s.WriteGlobal(ctx, func(tx *Tx) error {
		var err error
		id, err = tx.EnqueueJob(ctx, nj)
		return err
	})
	return id, err
}

// ClaimJob takes the next job that is due (or whose worker's lease ran out, after a crash) and leases it
// to worker until lease from now. It returns nil when nothing is due.
func (s *Store) ClaimJob(ctx context.Context, worker string, kinds []string, at time.Time, lease time.Duration) (*Job, error) {
	var job *Job
	err := s.WriteGlobal(ctx, func(tx *Tx) error {
		at := TS(at)
		kindFilter := ""
		args := []any{at, at}
		if len(kinds) > 0 {
			kindFilter = " AND kind IN (" + strings.TrimSuffix(strings.Repeat("?, ", len(kinds)), ", ") + ")"
			for _, k := range kinds {
				args = append(args, k)
			}
		}
		var id int64
		err := tx.QueryRow(ctx, `SELECT id FROM jobs WHERE ((status = 'queued' AND run_at <= ?) OR (status = 'running' AND locked_until < ?))`+
			kindFilter+` ORDER BY run_at, id LIMIT 1`+tx.SkipLocked(), args...).Scan(&id)
		if domain.ErrorCode(mapErr(err)) == domain.ENotFound {
			return nil
		}
		if err != nil {
			return err
		}
		j, err := scanJob(tx.QueryRow(ctx, `UPDATE jobs SET status = 'running', locked_by = ?, locked_until = ?, attempts = attempts + 1,
			updated = ? WHERE id = ? RETURNING `+jobCols, worker, at.Add(lease), at, id))
		if err != nil {
			return err
		}
		job = &j
		return nil
	})
	return job, err
}

// ExtendJob renews a running job's lease and records its progress.
func (s *Store) ExtendJob(ctx context.Context, id int64, worker string, until time.Time, progress int, msg string) error {
	return s.WriteGlobal(ctx, func(tx *Tx) error {
		_, err := tx.Exec(ctx, `UPDATE jobs SET locked_until = ?, progress = ?, progress_msg = ?, updated = ?
			WHERE id = ? AND locked_by = ? AND status = 'running'`, TS(until), progress, truncate(msg, 500), now(), id, worker)
		return err
	})
}

// RenewJob extends a running job's lease without touching its progress (the runner's heartbeat).
func (s *Store) RenewJob(ctx context.Context, id int64, worker string, until time.Time) error {
	return s.WriteGlobal(ctx, func(tx *Tx) error {
		_, err := tx.Exec(ctx, `UPDATE jobs SET locked_until = ? WHERE id = ? AND locked_by = ? AND status = 'running'`,
			TS(until), id, worker)
		return err
	})
}

// FinishJob records the outcome of a run. On failure the job is queued again at retryAt, unless it has
// used its attempts (then it is failed) or retryAt is zero (a permanent error).
func (s *Store) FinishJob(ctx context.Context, id int64, worker string, runErr error, result string, retryAt time.Time) error {
	return s.WriteGlobal(ctx, func(tx *Tx) error {
		t := now()
		if runErr == nil {
			_, err := tx.Exec(ctx, `UPDATE jobs SET status = 'done', progress = 100, result = ?, last_error = '', locked_by = '',
				locked_until = NULL, updated = ?, finished = ? WHERE id = ? AND locked_by = ?`, truncate(result, 10000), t, t, id, worker)
			return err
		}
		msg := truncate(runErr.Error(), 2000)
		if !retryAt.IsZero() {
			// Decided here rather than with CASE … THEN ? in SQL: PostgreSQL types such a parameter as
			// text and refuses it for a timestamp column.
			var attempts, maxAttempts int
			err := tx.QueryRow(ctx, "SELECT attempts, max_attempts FROM jobs WHERE id = ? AND locked_by = ?", id, worker).Scan(&attempts, &maxAttempts)
			if domain.ErrorCode(mapErr(err)) == domain.ENotFound {
				return nil // another worker took the job over: its report counts
			}
			if err != nil {
				return err
			}
			if attempts < maxAttempts {
				_, err = tx.Exec(ctx, `UPDATE jobs SET status = 'queued', run_at = ?, last_error = ?, locked_by = '', locked_until = NULL,
					updated = ?, finished = NULL WHERE id = ? AND locked_by = ?`, TS(retryAt), msg, t, id, worker)
				return err
			}
		}
		_, err := tx.Exec(ctx, `UPDATE jobs SET status = 'failed', last_error = ?, locked_by = '', locked_until = NULL, updated = ?,
			finished = ? WHERE id = ? AND locked_by = ?`, msg, t, t, id, worker)
		return err
	})
}

// Job returns a job by id.
func (s *Store) Job(ctx context.Context, id int64) (Job, error) {
	j, err := scanJob(s.Read().QueryRow(ctx, "SELECT "+jobCols+" FROM jobs WHERE id = ?", id))
	return j, NotFound(err, "job")
}

// JobFilter selects jobs for the admin page.
type JobFilter struct {
	domain.ListParams
	Status string
	Kind   string
}

// Jobs lists the organisation's jobs and the system jobs (feed sync and the like), newest first.
func (sc *Scope) Jobs(ctx context.Context, f JobFilter) (domain.Page[Job], error) {
	p := f.ListParams.Normalize()
	where := "(org_id = ? OR org_id IS NULL)"
	args := []any{sc.org}
	if f.Status != "" {
		where += " AND status = ?"
		args = append(args, f.Status)
	}
	if f.Kind != "" {
		where += " AND kind = ?"
		args = append(args, f.Kind)
	}
	out := domain.Page[Job]{Limit: p.Limit, Offset: p.Offset, Items: []Job{}}
	var err error
	if out.Total, err = sc.Count(ctx, "SELECT COUNT(*) FROM jobs WHERE "+where, args...); err != nil {
		return out, err
	}
	rows, err := sc.Query(ctx, "SELECT "+jobCols+" FROM jobs WHERE "+where+" ORDER BY id DESC LIMIT ? OFFSET ?", append(args, p.Limit, p.Offset)...)
	if err != nil {
		return out, err
	}
	defer rows.Close()
	for rows.Next() {
		j, err := scanJob(rows)
		if err != nil {
			return out, err
		}
		out.Items = append(out.Items, j)
	}
	return out, rows.Err()
}

// Job returns a job of the organisation (or a system job).
func (sc *Scope) Job(ctx context.Context, id int64) (Job, error) {
	j, err := scanJob(sc.QueryRow(ctx, "SELECT "+jobCols+" FROM jobs WHERE id = ? AND (org_id = ? OR org_id IS NULL)", id, sc.org))
	return j, NotFound(err, "job")
}

// RetryJob queues a failed or cancelled job of the organisation again, now.
func (tx *Tx) RetryJob(ctx context.Context, id int64) error {
	res, err := tx.Exec(ctx, `UPDATE jobs SET status = 'queued', run_at = ?, attempts = 0, updated = ?, finished = NULL
		WHERE id = ? AND (org_id = ? OR org_id IS NULL) AND status IN ('failed', 'cancelled')`, now(), now(), id, tx.org)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		if _, err := tx.Scope().Job(ctx, id); err != nil {
			return err // not a job of this organisation: not found, like any other organisation's object
		}
		return domain.Errorf(domain.EConflict, "only failed or cancelled jobs can be retried")
	}
	return tx.Audit(ctx, AuditEntry{Action: "job.retry", Entity: "job", EntityID: id, Summary: "retried a background job"})
}

// CancelJob cancels a queued job of the organisation.
func (tx *Tx) CancelJob(ctx context.Context, id int64) error {
	res, err := tx.Exec(ctx, `UPDATE jobs SET status = 'cancelled', updated = ?, finished = ?
		WHERE id = ? AND (org_id = ? OR org_id IS NULL) AND status = 'queued'`, now(), now(), id, tx.org)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		if _, err := tx.Scope().Job(ctx, id); err != nil {
			return err
		}
		return domain.Errorf(domain.EConflict, "only queued jobs can be cancelled")
	}
	return tx.Audit(ctx, AuditEntry{Action: "job.cancel", Entity: "job", EntityID: id, Summary: "cancelled a background job"})
}

// JobCounts counts jobs by kind and status (for metrics).
func (s *Store) JobCounts(ctx context.Context) (map[[2]string]int, error) {
	rows, err := s.Read().Query(ctx, "SELECT kind, status, COUNT(*) FROM jobs GROUP BY kind, status")
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[[2]string]int{}
	for rows.Next() {
		var k, st string
		var n int
		if err := rows.Scan(&k, &st, &n); err != nil {
			return nil, err
		}
		out[[2]string{k, st}] = n
	}
	return out, rows.Err()
}

// PruneJobs deletes finished jobs older than the cutoff.
func (s *Store) PruneJobs(ctx context.Context, before time.Time) (int64, error) {
	var n int64
	err := s.WriteGlobal(ctx, func(tx *Tx) error {
		res, err := tx.Exec(ctx, "DELETE FROM jobs WHERE status IN ('done', 'cancelled') AND finished < ?", TS(before))
		if err != nil {
			return err
		}
		n, _ = res.RowsAffected()
		return nil
	})
	return n, err
}

func truncate(s string, n int) string {
	if len(s) > n {
		return s[:n]
	}
	return s
}
