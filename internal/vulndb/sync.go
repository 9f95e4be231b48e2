package vulndb

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/vigil-med/vigil/internal/domain"
	"github.com/vigil-med/vigil/internal/feeds"
	"github.com/vigil-med/vigil/internal/feeds/nvd"
	"github.com/vigil-med/vigil/internal/lazyre"
	"github.com/vigil-med/vigil/internal/store"
)

// SyncOptions adjust a sync.
type SyncOptions struct {
	Sources  []string // default: Config.Sources
	Progress ProgressFunc
}

// SyncSource is the outcome of one source.
type SyncSource struct {
	Source      string            `json:"source"`
	Result      domain.FeedResult `json:"result"`
	NotModified bool              `json:"not_modified"` // every file of the source was unchanged (HTTP 304)
	Error       string            `json:"error,omitempty"`
	Seconds     float64           `json:"seconds"`
}

// Line is the source's status line for people.
func (r SyncSource) Line() string {
	label := domain.FeedSourceLabel(r.Source)
	switch {
	case r.Error != "":
		return fmt.Sprintf("%-28s FAILED: %s", label, r.Error)
	case r.NotModified:
		return fmt.Sprintf("%-28s not modified (%.1f s)", label, r.Seconds)
	}
	x := r.Result
	return fmt.Sprintf("%-28s %d read: %d new, %d changed, %d unchanged, %d skipped, %d removed (%.1f s)", label, x.Read, x.Created, x.Updated,
		x.Unchanged, x.Skipped, x.Deleted, r.Seconds)
}

// SyncReport is the outcome of a sync.
type SyncReport struct {
	Sources    []SyncSource `json:"sources"`
	Failed     int          `json:"failed"`
	Generation int64        `json:"generation"`
	Snapshot   string       `json:"snapshot"`
	Seconds    float64      `json:"seconds"`
}

// ErrSyncFailed is wrapped when at least one source failed (the others were synced).
var ErrSyncFailed = errors.New("feed sync failed")

// Sync fetches the sources from their configured addresses and stores what changed. A failing
// source is recorded in its status and does not stop the others; the error then wraps
// ErrSyncFailed. The snapshot is brought up to date at the end.
func (s *Service) Sync(ctx context.Context, opts SyncOptions) (*SyncReport, error) {
	start := time.Now()
	srcs := opts.Sources
	if len(srcs) == 0 {
		srcs = s.Config.Sources
	}
	rep := &SyncReport{}
	var errs []string
	for _, src := range srcs {
		if err := ctx.Err(); err != nil {
			return rep, err
		}
		t := time.Now()
		r := SyncSource{Source: src}
		run := &domain.FeedResult{Source: src}
		notMod, origin, err := s.syncSource(ctx, src, run, opts.Progress)
		r.Result, r.NotModified, r.Seconds = *run, notMod, time.Since(t).Seconds()
		r.Result.Seconds = r.Seconds
		r.Result.NotModified = notMod
		if err != nil {
			r.Error = err.Error()
			rep.Failed++
			errs = append(errs, src+": "+err.Error())
			s.saveFailure(context.WithoutCancel(ctx), src, origin, err)
		} else if notMod {
			s.saveNotModified(ctx, src, origin, r.Result)
		}
		rep.Sources = append(rep.Sources, r)
		opts.Progress.report(Progress{Source: src, Stage: "done", Message: r.Line()})
	}
	var err error
	if serr := s.EnsureSnapshot(ctx); serr != nil {
		err = serr
	}
	rep.Snapshot = s.SnapshotPath()
	rep.Generation, _ = s.Store.FeedGeneration(ctx)
	rep.Seconds = time.Since(start).Seconds()
	if len(errs) > 0 {
		err = errors.Join(fmt.Errorf("%w: %d of %d sources: %s", ErrSyncFailed, len(errs), len(srcs), strings.Join(errs, "; ")), err)
	}
	return rep, err
}

// saveNotModified records a successful sync that found nothing new.
func (s *Service) saveNotModified(ctx context.Context, src, origin string, run domain.FeedResult) {
	b := batch{source: src, origin: origin}
	if err := s.Store.WriteGlobal(ctx, func(tx *store.Tx) error { return s.saveStatus(ctx, tx, b, run) }); err != nil {
		s.Log.Warn("feed status", "source", src, "err", err)
	}
}

// syncSource syncs one source; it reports whether nothing had changed and where it fetched from.
func (s *Service) syncSource(ctx context.Context, src string, run *domain.FeedResult, progress ProgressFunc) (notModified bool, origin string, err error) {
	c := s.Config
	switch src {
	case domain.FeedOSV:
		if len(c.OSVEcosystems) == 0 {
			return false, c.OSVURL, errors.New("no OSV ecosystems configured (feeds.osv_ecosystems)")
		}
		notModified = true
		var errs []string
		for _, eco := range c.OSVEcosystems {
			u := strings.TrimSuffix(c.OSVURL, "/") + "/" + url.PathEscape(eco) + "/all.zip"
			nm, err := s.syncFile(ctx, src, u, "osv-"+fileSafe(eco)+".zip", run, progress)
			if err != nil {
				errs = append(errs, eco+": "+err.Error())
				continue
			}
			notModified = notModified && nm
		}
		if len(errs) > 0 {
			return false, c.OSVURL, errors.New(strings.Join(errs, "; "))
		}
		return notModified, c.OSVURL, nil
	case domain.FeedNVD:
		return false, c.NVDURL, s.syncNVD(ctx, run, progress)
	case domain.FeedKEV:
		nm, err := s.syncFile(ctx, src, c.KEVURL, "kev.json", run, progress)
		return nm, c.KEVURL, err
	case domain.FeedEUKEV:
		nm, err := s.syncFile(ctx, src, c.EUKEVURL, "eukev.json", run, progress)
		return nm, c.EUKEVURL, err
	case domain.FeedEPSS:
		nm, err := s.syncFile(ctx, src, c.EPSSURL, "epss.csv.gz", run, progress)
		return nm, c.EPSSURL, err
	case domain.FeedEndOfLife:
		nm, err := s.syncFile(ctx, src, c.EndOfLifeURL, "endoflife.json", run, progress)
		return nm, c.EndOfLifeURL, err
	}
	return false, "", fmt.Errorf("unknown feed source %q (known: %s)", src, strings.Join(domain.FeedSourceNames, ", "))
}

var unsafeName = lazyre.New(`[^A-Za-z0-9._-]+`)

func fileSafe(s string) string { return unsafeName.ReplaceAllString(s, "_") }

// syncFile fetches one feed file and imports it: the CISA KEV and EU KEV catalogues as complete
// catalogues, EPSS as the complete score file.
func (s *Service) syncFile(ctx context.Context, src, u, name string, run *domain.FeedResult, progress ProgressFunc) (bool, error) {
	if u == "" {
		return false, fmt.Errorf("no URL configured for %s", src)
	}
	d, err := s.fetch(ctx, src, u, name, progress)
	if err != nil {
		return false, err
	}
	if d.notModified {
		return true, nil
	}
	progress.report(Progress{Source: src, Stage: "write", Message: name})
	fm, err := feeds.Detect(d.path)
	if err != nil {
		return false, fmt.Errorf("%s: %w", u, err)
	}
	if want := sourceOf(fm); want != src {
		return false, fmt.Errorf("%s: got %s data, not %s", u, fm, src)
	}
	data, err := feeds.LoadInput(feeds.Input{Path: d.path, Format: fm}, feeds.Limits{})
	if err != nil {
		return false, fmt.Errorf("%s: %w", u, err)
	}
	run.Files++
	switch src {
	case domain.FeedEPSS:
		_, err = s.applyEPSS(ctx, data.EPSS, u, true, run)
	case domain.FeedEndOfLife:
		_, err = s.applyEndOfLife(ctx, data.EndOfLife, u, run)
	default:
		var res domain.FeedResult
		res, err = s.applyRecords(ctx, batch{source: src, records: data.Records, origin: u, run: run,
			complete: src == domain.FeedKEV || src == domain.FeedEUKEV})
		if err == nil {
			run.Add(res)
		}
	}
	if err != nil {
		return false, err
	}
	return false, s.commitFetch(ctx, d)
}

// nvdState is the NVD cursor, stored as the state of source "nvd". Records last modified up to
// Since are stored. A window [Start, End] (at most 120 days, NVD's limit) or, the first time, the
// full download (Full) is fetched page by page; StartIndex is the next page, so a broken-off sync
// resumes where it stopped.
type nvdState struct {
	Since      time.Time `json:"since,omitzero"`
	Full       bool      `json:"full,omitempty"`
	FullFrom   time.Time `json:"full_from,omitzero"`
	Start      time.Time `json:"window_start,omitzero"`
	End        time.Time `json:"window_end,omitzero"`
	StartIndex int       `json:"start_index,omitempty"`
}

const nvdMaxWindow = 120 * 24 * time.Hour

// nvdTime is the date form the NVD API takes (ISO 8601 with milliseconds and offset).
const nvdTime = "2006-01-02T15:04:05.000-07:00"

func (s *Service) nvdDelay() time.Duration {
	switch {
	case s.Config.NVDDelay > 0:
		return s.Config.NVDDelay
	case s.Config.NVDAPIKey != "":
		return 600 * time.Millisecond
	}
	return 6 * time.Second // NVD: without a key, at most 5 requests in 30 seconds
}

func (s *Service) syncNVD(ctx context.Context, run *domain.FeedResult, progress ProgressFunc) error {
	if s.Config.NVDURL == "" {
		return errors.New("no URL configured for nvd (feeds.nvd_url)")
	}
	f, err := s.Store.FeedSource(ctx, domain.FeedNVD)
	if err != nil {
		return err
	}
	var st nvdState
	if f.State != "" {
		_ = json.Unmarshal([]byte(f.State), &st)
	}
	now := s.Now().UTC().Truncate(time.Millisecond)
	if st.Since.IsZero() && !st.Full {
		st = nvdState{Full: true, FullFrom: now}
	}
	requests := 0
	for {
		if !st.Full && st.End.IsZero() {
			if !st.Since.Before(now) {
				return nil
			}
			st.Start, st.End, st.StartIndex = st.Since, st.Since.Add(nvdMaxWindow), 0
			if st.End.After(now) {
				st.End = now
			}
		}
		// one page
		if requests > 0 {
			select {
			case <-ctx.Done():
				return ctx.Err()
			case <-time.After(s.nvdDelay()):
			}
		}
		requests++
		q := url.Values{}
		q.Set("resultsPerPage", strconv.Itoa(s.Config.NVDPageSize))
		q.Set("startIndex", strconv.Itoa(st.StartIndex))
		if !st.Full {
			q.Set("lastModStartDate", st.Start.UTC().Format(nvdTime))
			q.Set("lastModEndDate", st.End.UTC().Format(nvdTime))
		}
		u := s.Config.NVDURL + "?" + q.Encode()
		page, err := s.nvdPage(ctx, u)
		if err != nil {
			return err
		}
		next := st.StartIndex + len(page.Vulnerabilities)
		done := len(page.Vulnerabilities) == 0 || next >= page.TotalResults
		ns := st
		ns.StartIndex = next
		if done {
			if st.Full {
				ns = nvdState{Since: st.FullFrom}
			} else {
				ns = nvdState{Since: st.End}
			}
		}
		state, _ := json.Marshal(ns)
		res, err := s.applyRecords(ctx, batch{source: domain.FeedNVD, records: page.Vulnerabilities, origin: s.Config.NVDURL, state: string(state), run: run})
		if err != nil {
			return err
		}
		run.Add(res)
		run.Files++
		what := "all records"
		if !st.Full {
			what = st.Start.Format("2006-01-02") + " – " + st.End.Format("2006-01-02")
		}
		progress.report(Progress{Source: domain.FeedNVD, Stage: "page", Done: int64(next), Total: int64(page.TotalResults), Message: what})
		st = ns
	}
}

func (s *Service) nvdPage(ctx context.Context, u string) (nvd.Page, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return nvd.Page{}, err
	}
	req.Header.Set("User-Agent", "Vigil/"+s.Version+" (vulnerability feed sync)")
	if s.Config.NVDAPIKey != "" {
		req.Header.Set("apiKey", s.Config.NVDAPIKey)
	}
	shown := strings.Replace(u, s.Config.NVDURL, "NVD", 1)
	resp, err := s.Client.Do(req)
	if err != nil {
		return nvd.Page{}, fmt.Errorf("%s: %w", shown, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		msg, _ := io.ReadAll(io.LimitReader(resp.Body, 300))
		if m := resp.Header.Get("message"); m != "" {
			msg = []byte(m)
		}
		return nvd.Page{}, fmt.Errorf("%s: HTTP %s: %s (the sync resumes from this page next time)", shown, resp.Status, strings.TrimSpace(string(msg)))
	}
	p, err := nvd.Decode(resp.Body, shown, nvd.Limits{MaxBytes: 512 << 20})
	if err != nil {
		return p, err
	}
	if p.ResultsPerPage == 0 && p.TotalResults == 0 && len(p.Vulnerabilities) > 0 {
		return p, fmt.Errorf("%s: not an NVD API page", shown)
	}
	return p, nil
}
