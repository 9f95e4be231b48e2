package fleet

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/vigil-med/vigil/internal/jobs"
	"github.com/vigil-med/vigil/internal/match"
	"github.com/vigil-med/vigil/internal/store"
)

// Job kinds of the fleet matching.
const (
	// JobMatch is a fleet match: payload MatchPayload, organisation from the job.
	JobMatch = "fleet.match"
	// JobUpdate brings findings up to date after feed and document changes (Update): of the job's
	// organisation, or of every organisation for a system job. Scheduled every UpdateEvery and queued
	// after each feed sync or import.
	JobUpdate = "fleet.update"
)

// UpdateEvery is the period of the scheduled fleet.update.
const UpdateEvery = time.Minute

// MatchPayload says what a fleet.match job re-matches: every product version when ProductVersions is
// empty, else those (only the components with one of Keys when Keys is not empty).
type MatchPayload struct {
	ProductVersions []int64  `json:"product_versions,omitempty"`
	Keys            []string `json:"keys,omitempty"` // match.Key strings: "Go/golang.org/x/net", "CPE/openssl:openssl"
	Why             string   `json:"why,omitempty"`
}

// ParseKey reads a match.Key string ("Ecosystem/Name").
func ParseKey(s string) (match.Key, bool) {
	eco, name, ok := strings.Cut(s, "/")
	if !ok || eco == "" || name == "" {
		return match.Key{}, false
	}
	return match.Key{Ecosystem: eco, Name: name}, true
}

// RegisterJobs registers the fleet.match job.
func RegisterJobs(r *jobs.Runner, s *Service) {
	r.Register(JobMatch, func(ctx context.Context, j *store.Job, p *jobs.Progress) error {
		if j.OrgID == 0 {
			return jobs.Permanent(fmt.Errorf("fleet.match needs an organisation"))
		}
		pl, err := jobs.Payload[MatchPayload](j)
		if err != nil {
			return err
		}
		prog := func(done, total int) {
			if total > 0 {
				p.Set(ctx, 100*done/total, fmt.Sprintf("%d of %d product versions matched", done, total))
			}
		}
		var res Result
		if len(pl.ProductVersions) == 0 {
			res, err = s.MatchAll(ctx, j.OrgID, prog)
		} else {
			var keys []match.Key
			for _, k := range pl.Keys {
				if key, ok := ParseKey(k); ok {
					keys = append(keys, key)
				}
			}
			res, err = s.MatchVersions(ctx, j.OrgID, pl.ProductVersions, keys, prog)
		}
		if err != nil {
			return err
		}
		p.Result = res.String()
		s.Store.RefreshFindingIndexes(ctx)
		return nil
	})
	r.Register(JobUpdate, func(ctx context.Context, j *store.Job, p *jobs.Progress) error {
		var err error
		if j.OrgID != 0 {
			var u UpdateResult
			u, err = s.Update(ctx, j.OrgID)
			p.Result = u.String()
		} else {
			err = s.UpdateAll(ctx)
		}
		if err == nil {
			s.Store.RefreshFindingIndexes(ctx)
		}
		return err
	})
	r.Every(jobs.Schedule{Name: JobUpdate, Kind: JobUpdate, Every: UpdateEvery})
}

// EnqueueUpdate queues a fleet.update of every organisation (requests within ten seconds are one job).
func EnqueueUpdate(ctx context.Context, r *jobs.Runner) (int64, error) {
	return r.Enqueue(ctx, store.NewJob{Kind: JobUpdate, MaxAttempts: 3, UniqueKey: fmt.Sprintf("fleet.update:%d", time.Now().Unix()/10)})
}

// EnqueueMatch queues a match of the organisation's fleet (every product version when ids is empty).
// Requests within the same second for the same versions are one job.
func EnqueueMatch(ctx context.Context, r *jobs.Runner, org int64, ids []int64, why string) (int64, error) {
	key := fmt.Sprintf("fleet.match:%d:%v:%d", org, ids, time.Now().Unix())
	if len(key) > 200 {
		key = key[:200]
	}
	return r.Enqueue(ctx, store.NewJob{OrgID: org, Kind: JobMatch, Payload: MatchPayload{ProductVersions: ids, Why: why}, MaxAttempts: 3,
		UniqueKey: key})
}
