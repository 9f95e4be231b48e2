package vulndb

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"slices"
	"time"

	"github.com/vigil-med/vigil/internal/domain"
	"github.com/vigil-med/vigil/internal/feeds"
	"github.com/vigil-med/vigil/internal/vuln"
)

// Progress reports how far an import or sync is; the CLI draws it as a progress bar, the job
// stores it as the job's progress.
type Progress struct {
	Source  string
	Stage   string // "read", "write", "download", "page"
	Done    int64  // units of the stage (files, bytes, records)
	Total   int64  // 0 when unknown
	Message string
}

// ProgressFunc receives progress reports; it may be nil.
type ProgressFunc func(Progress)

func (f ProgressFunc) report(p Progress) {
	if f != nil {
		f(p)
	}
}

// ImportOptions adjust an import.
type ImportOptions struct {
	// Origin is recorded as where the data came from (default: the path). Uploads give the file
	// name the user chose.
	Origin   string
	Progress ProgressFunc
}

// ImportFile is what an import did with one input.
type ImportFile struct {
	Path    string `json:"path"`
	Format  string `json:"format"`
	Records int    `json:"records"`
	Error   string `json:"error,omitempty"`
}

// ImportReport is the outcome of an import.
type ImportReport struct {
	Path       string              `json:"path"`
	Bundle     bool                `json:"bundle,omitempty"`
	Sources    []domain.FeedResult `json:"sources"`
	Files      []ImportFile        `json:"files"`
	Failed     int                 `json:"failed"` // files that could not be imported
	Generation int64               `json:"generation"`
	Snapshot   string              `json:"snapshot"`
	Seconds    float64             `json:"seconds"`
}

// ErrPartial is returned (wrapped) by Import when some inputs failed and the others were imported.
var ErrPartial = errors.New("some inputs could not be imported")

// batchRecords is the size above which records of several files are no longer gathered into one
// transaction (a single file is always one transaction, whatever its size).
const batchRecords = 5000

// sourceOf maps a feed format to the source it fills.
func sourceOf(f feeds.Format) string {
	switch f {
	case feeds.OSV, feeds.OSVZip:
		return domain.FeedOSV
	case feeds.NVD:
		return domain.FeedNVD
	case feeds.CISAKEV:
		return domain.FeedKEV
	case feeds.EUKEV:
		return domain.FeedEUKEV
	case feeds.EUVD:
		return domain.FeedEUVD
	case feeds.EPSS:
		return domain.FeedEPSS
	case feeds.EndOfLife:
		return domain.FeedEndOfLife
	}
	return ""
}

// Import loads a feed file, a folder of feed files (formats detected per file by internal/feeds),
// or an offline bundle written by WriteBundle, without network. Each file is written in one
// transaction (small files of one source are gathered into transactions of whole files): a file
// that cannot be read is reported and imports nothing, the others are imported, and the error
// wraps ErrPartial. Finally the match snapshot is brought up to date.
func (s *Service) Import(ctx context.Context, path string, opts ImportOptions) (*ImportReport, error) {
	start := time.Now()
	if ok, err := IsBundle(path); err != nil {
		return nil, err
	} else if ok {
		return s.importBundle(ctx, path, opts)
	}
	origin := opts.Origin
	if origin == "" {
		origin = path
	}
	rep := &ImportReport{Path: path}
	ins, err := feeds.Inputs(path)
	if err != nil {
		return nil, err
	}
	im := &importer{s: s, rep: rep, origin: origin, runs: map[string]*domain.FeedResult{}}
	for i, in := range ins {
		opts.Progress.report(Progress{Source: sourceOf(in.Format), Stage: "read", Done: int64(i), Total: int64(len(ins)), Message: filepath.Base(in.Path)})
		if err := ctx.Err(); err != nil {
			return rep, err
		}
		if err := im.input(ctx, in); err != nil {
			return im.finish(ctx, start, err)
		}
	}
	return im.finish(ctx, start, im.flush(ctx))
}

type importer struct {
	s       *Service
	rep     *ImportReport
	origin  string
	runs    map[string]*domain.FeedResult
	pending []vuln.Vulnerability
	source  string
	files   []int // rep.Files of the pending records
}

func (im *importer) run(source string) *domain.FeedResult {
	r := im.runs[source]
	if r == nil {
		r = &domain.FeedResult{Source: source}
		im.runs[source] = r
	}
	return r
}

func (im *importer) fail(i int, source string, err error) {
	im.rep.Files[i].Error = err.Error()
	im.rep.Failed++
	if source != "" {
		im.s.saveFailure(context.WithoutCancel(context.Background()), source, im.origin, err)
	}
}

// input reads one input; a read error is recorded for the file, a store error ends the import.
func (im *importer) input(ctx context.Context, in feeds.Input) error {
	src := sourceOf(in.Format)
	i := len(im.rep.Files)
	im.rep.Files = append(im.rep.Files, ImportFile{Path: in.Path, Format: string(in.Format)})
	d, err := feeds.LoadInput(in, feeds.Limits{})
	if err != nil {
		im.fail(i, src, err)
		return nil
	}
	if len(d.Files) > 0 {
		im.rep.Files[i].Records = d.Files[0].Records
	}
	switch in.Format {
	case feeds.EPSS:
		if err := im.flush(ctx); err != nil {
			return err
		}
		r := im.run(src)
		r.Files++
		_, err := im.s.applyEPSS(ctx, d.EPSS, im.origin, false, r)
		if err != nil {
			im.fail(i, src, err)
		}
		return err
	case feeds.EndOfLife:
		if err := im.flush(ctx); err != nil {
			return err
		}
		r := im.run(src)
		r.Files++
		_, err := im.s.applyEndOfLife(ctx, d.EndOfLife, im.origin, r)
		if err != nil {
			im.fail(i, src, err)
		}
		return err
	}
	if len(d.Records) == 0 {
		im.run(src).Files++
		return nil
	}
	if im.source != src || len(im.pending)+len(d.Records) > batchRecords {
		if err := im.flush(ctx); err != nil {
			return err
		}
	}
	im.source = src
	im.pending = append(im.pending, d.Records...)
	im.files = append(im.files, i)
	return nil
}

// flush writes the pending records in one transaction.
func (im *importer) flush(ctx context.Context) error {
	if len(im.pending) == 0 {
		return nil
	}
	r := im.run(im.source)
	res, err := im.s.applyRecords(ctx, batch{source: im.source, records: im.pending, origin: im.origin, run: r})
	if err != nil {
		for _, i := range im.files {
			im.fail(i, im.source, fmt.Errorf("not stored: %w", err))
		}
	} else {
		res.Files = len(im.files)
		r.Add(res)
	}
	im.pending, im.files, im.source = nil, nil, ""
	return err
}

// finish writes the snapshot and completes the report.
func (im *importer) finish(ctx context.Context, start time.Time, err error) (*ImportReport, error) {
	for _, name := range domain.FeedSourceNames {
		if r := im.runs[name]; r != nil {
			im.rep.Sources = append(im.rep.Sources, *r)
		}
	}
	if serr := im.s.EnsureSnapshot(ctx); serr != nil {
		err = errors.Join(err, serr)
	}
	im.rep.Snapshot = im.s.SnapshotPath()
	im.rep.Generation, _ = im.s.Store.FeedGeneration(ctx)
	im.rep.Seconds = time.Since(start).Seconds()
	if err == nil && im.rep.Failed > 0 {
		var names []string
		for _, f := range im.rep.Files {
			if f.Error != "" {
				names = append(names, f.Error)
			}
		}
		err = fmt.Errorf("%w: %d of %d: %s", ErrPartial, im.rep.Failed, len(im.rep.Files), names[0])
		if len(names) > 1 {
			err = fmt.Errorf("%w (and %d more)", err, len(names)-1)
		}
	}
	slices.SortStableFunc(im.rep.Sources, func(a, b domain.FeedResult) int {
		return slices.Index(domain.FeedSourceNames, a.Source) - slices.Index(domain.FeedSourceNames, b.Source)
	})
	return im.rep, err
}
