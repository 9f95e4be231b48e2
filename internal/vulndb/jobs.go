package vulndb

import (
	"context"
	"fmt"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/vigil-med/vigil/internal/domain"
	"github.com/vigil-med/vigil/internal/jobs"
	"github.com/vigil-med/vigil/internal/store"
)

// Job kinds of the vulnerability database.
const (
	JobSync   = "feeds.sync"   // payload SyncPayload; scheduled every feeds.sync_interval
	JobImport = "feeds.import" // payload ImportPayload: an uploaded file or bundle
)

// SyncPayload is the payload of a feeds.sync job.
type SyncPayload struct {
	Sources []string `json:"sources,omitempty"` // default: feeds.sources
}

// ImportPayload is the payload of a feeds.import job.
type ImportPayload struct {
	Path   string `json:"path"`   // a file in the data directory's feed uploads folder; removed afterwards
	Name   string `json:"name"`   // the file name the user gave
	Remove bool   `json:"remove"` // remove Path when done
}

// RegisterJobs registers the feed jobs and, unless feeds.sync_interval is 0 (air-gapped), the
// recurring sync.
func RegisterJobs(r *jobs.Runner, s *Service) {
	r.Register(JobSync, func(ctx context.Context, j *store.Job, p *jobs.Progress) error {
		pl, err := jobs.Payload[SyncPayload](j)
		if err != nil {
			return err
		}
		srcs := pl.Sources
		if len(srcs) == 0 {
			srcs = s.Config.Sources
		}
		rep, err := s.Sync(ctx, SyncOptions{Sources: srcs, Progress: jobProgress(ctx, p, srcs)})
		var lines []string
		if rep != nil {
			for _, src := range rep.Sources {
				lines = append(lines, src.Line())
			}
		}
		p.Result = clip(strings.Join(lines, "\n"), 4000)
		if err != nil && rep != nil && rep.Failed < len(srcs) {
			// some sources synced: do not retry those; the failed ones show on the Feeds page and
			// are tried again at the next period
			return jobs.Permanent(err)
		}
		return err
	})
	r.Register(JobImport, func(ctx context.Context, j *store.Job, p *jobs.Progress) error {
		pl, err := jobs.Payload[ImportPayload](j)
		if err != nil {
			return err
		}
		if pl.Remove {
			defer os.Remove(pl.Path)
		}
		rep, err := s.Import(ctx, pl.Path, ImportOptions{Origin: pl.Name, Progress: func(pr Progress) {
			if pr.Total > 0 {
				p.Set(ctx, int(100*pr.Done/pr.Total), pr.Message)
			}
		}})
		if rep != nil {
			var lines []string
			for _, r := range rep.Sources {
				lines = append(lines, fmt.Sprintf("%s: %d read, %d new, %d changed, %d unchanged, %d skipped, %d removed",
					domain.FeedSourceLabel(r.Source), r.Read, r.Created, r.Updated, r.Unchanged, r.Skipped, r.Deleted))
			}
			p.Result = clip(pl.Name+"\n"+strings.Join(lines, "\n"), 4000)
		}
		if err != nil {
			return jobs.Permanent(err) // the same file fails the same way again
		}
		return nil
	})
	if s.Config.SyncInterval > 0 {
		r.Every(jobs.Schedule{Name: JobSync, Kind: JobSync, Every: s.Config.SyncInterval})
	}
}

// jobProgress turns sync progress into the job's percentage: each source an equal share.
func jobProgress(ctx context.Context, p *jobs.Progress, srcs []string) ProgressFunc {
	return func(pr Progress) {
		i := slices.Index(srcs, pr.Source)
		if i < 0 {
			return
		}
		frac := 0.0
		if pr.Total > 0 {
			frac = float64(pr.Done) / float64(pr.Total)
		}
		if pr.Stage == "done" {
			frac = 1
		}
		pct := int(100 * (float64(i) + frac) / float64(len(srcs)))
		msg := domain.FeedSourceLabel(pr.Source) + ": " + pr.Stage
		if pr.Message != "" {
			msg += " " + pr.Message
		}
		p.Set(ctx, pct, clip(msg, 200))
	}
}

// EnqueueSync queues a sync job now (a second request within the same minute is the same job).
func (s *Service) EnqueueSync(ctx context.Context, r *jobs.Runner, sources []string) (int64, error) {
	return r.Enqueue(ctx, store.NewJob{Kind: JobSync, Payload: SyncPayload{Sources: sources}, MaxAttempts: 3,
		UniqueKey: fmt.Sprintf("feeds.sync:manual:%d", s.Now().Unix()/60)})
}

// UploadsDir is where uploaded feed files wait for their import job.
func (s *Service) UploadsDir() string {
	return FeedsDir(s.DataDir) + string(os.PathSeparator) + "uploads"
}

// EnqueueImport stores an uploaded file and queues its import.
func (s *Service) EnqueueImport(ctx context.Context, r *jobs.Runner, name string, data []byte) (int64, error) {
	if err := os.MkdirAll(s.UploadsDir(), 0o750); err != nil {
		return 0, err
	}
	f, err := os.CreateTemp(s.UploadsDir(), "upload-*-"+fileSafe(name))
	if err != nil {
		return 0, err
	}
	_, err = f.Write(data)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(f.Name())
		return 0, err
	}
	id, err := r.Enqueue(ctx, store.NewJob{Kind: JobImport, Payload: ImportPayload{Path: f.Name(), Name: name, Remove: true}, MaxAttempts: 1})
	if err != nil {
		os.Remove(f.Name())
	}
	return id, err
}

// NextSync returns when the scheduler enqueues the next sync (zero when it is off).
func (s *Service) NextSync(now time.Time) time.Time {
	if s.Config.SyncInterval <= 0 {
		return time.Time{}
	}
	return now.UTC().Truncate(s.Config.SyncInterval).Add(s.Config.SyncInterval)
}
