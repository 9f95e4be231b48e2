// Package vulndb is Vigil's vulnerability database: it stores the vulnerability feeds (OSV, NVD,
// CISA KEV, EU KEV, EUVD, EPSS, endoflife.date) in the store, keeps the merged view of every
// vulnerability and a log of changes up to date, and writes a fresh match snapshot into the data
// directory after every change so that `vigil scan` starts without a database.
//
// Feeds arrive three ways, all through the same transactional path (apply.go): Import reads files
// and folders without network (formats detected by internal/feeds) and offline bundles; Sync fetches
// from the sources' public addresses with conditional and resumable requests; and the background job
// "feeds.sync" does the same inside the server. WriteBundle writes an offline bundle for an
// air-gapped site.
//
// What the fleet matching builds on:
//   - feed_records (source, record_id, vuln_id, data): the normalised records; ReadRecords decodes.
//   - vulnerabilities / vulnerability_aliases / vulnerability_packages: the merged view.
//   - feed_changes: one row per committed change, its id the feed generation; MatchKeys name the
//     packages (match.Key strings) whose findings may change. Store.FeedChanges(after, n) pages them.
//   - SnapshotPath(): DATA_DIR/feeds/match.snap, a match.Index snapshot of the current generation
//     (its sidecar match.snap.json names the generation); Service.Index returns the in-memory index.
package vulndb

import (
	"context"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/vigil-med/vigil/internal/config"
	"github.com/vigil-med/vigil/internal/domain"
	"github.com/vigil-med/vigil/internal/match"
	"github.com/vigil-med/vigil/internal/netguard"
	"github.com/vigil-med/vigil/internal/store"
	"github.com/vigil-med/vigil/internal/vuln"
)

// Service is the vulnerability database of one Vigil installation. It is safe for concurrent use;
// feed writes are serialised within the process (and across processes by the store's feed
// generation and a lock file for the snapshot).
type Service struct {
	Store   *store.Store
	DataDir string
	Config  config.Feeds
	Log     *slog.Logger
	// Client makes the sync requests; tests point the URLs at httptest servers.
	Client *http.Client
	Now    func() time.Time
	// Version is Vigil's version, written into bundles.
	Version string

	mu     sync.Mutex // serialises feed writes and the cached index
	idx    *match.Index
	idxGen int64
}

// New returns the service for a store and data directory.
func New(st *store.Store, dataDir string, cfg config.Feeds, log *slog.Logger) *Service {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Service{Store: st, DataDir: dataDir, Config: cfg, Log: log, Now: time.Now,
		Client: netguard.Client(cfg.HTTPTimeout)}
}

// FeedsDir is the folder of the feed files in a data directory.
func FeedsDir(dataDir string) string { return filepath.Join(dataDir, "feeds") }

// SnapshotPath is where the match snapshot of a data directory lives: DATA_DIR/feeds/match.snap.
// `vigil scan` reads it without opening the database.
func SnapshotPath(dataDir string) string { return filepath.Join(FeedsDir(dataDir), "match.snap") }

// SnapshotPath is the snapshot of the service's data directory.
func (s *Service) SnapshotPath() string { return SnapshotPath(s.DataDir) }

// SnapshotMeta is the sidecar of a snapshot (match.snap.json): which feed generation it holds.
type SnapshotMeta struct {
	Generation      int64     `json:"generation"`
	CRC32C          uint32    `json:"crc32c"` // the snapshot's payload checksum: a sidecar of another snapshot does not count
	Written         time.Time `json:"written"`
	Records         int       `json:"records"`
	Vulnerabilities int       `json:"vulnerabilities"`
	Bytes           int64     `json:"bytes"`
}

// ReadSnapshotMeta returns the sidecar of the snapshot at path when it describes that snapshot.
func ReadSnapshotMeta(path string) (SnapshotMeta, error) {
	var m SnapshotMeta
	b, err := os.ReadFile(path + ".json")
	if err != nil {
		return m, err
	}
	if err := json.Unmarshal(b, &m); err != nil {
		return m, fmt.Errorf("%s.json: %w", path, err)
	}
	crc, err := snapshotCRC(path)
	if err != nil {
		return m, err
	}
	if crc != m.CRC32C {
		return m, fmt.Errorf("%s.json describes another snapshot", path)
	}
	return m, nil
}

// snapshotCRC reads the payload checksum from a snapshot's header.
func snapshotCRC(path string) (uint32, error) {
	f, err := os.Open(path)
	if err != nil {
		return 0, err
	}
	defer f.Close()
	var hdr [24]byte
	if _, err := io.ReadFull(f, hdr[:]); err != nil {
		return 0, fmt.Errorf("%s: %w", path, err)
	}
	return binary.LittleEndian.Uint32(hdr[20:]), nil
}

// LoadSnapshot reads the match index from a snapshot file.
func LoadSnapshot(path string) (*match.Index, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	idx, err := match.ReadSnapshot(f, 0)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return idx, nil
}

// Index returns the match index of the current feed data: the cached one when it is of the
// current generation, else the snapshot when it is, else one rebuilt from the stored records. The
// index is shared: do not Update it.
func (s *Service) Index(ctx context.Context) (*match.Index, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	idx, _, err := s.index(ctx)
	return idx, err
}

// index is Index with s.mu held; it also returns the generation.
func (s *Service) index(ctx context.Context) (*match.Index, int64, error) {
	gen, err := s.Store.FeedGeneration(ctx)
	if err != nil {
		return nil, 0, err
	}
	if s.idx != nil && s.idxGen == gen {
		return s.idx, gen, nil
	}
	if m, err := ReadSnapshotMeta(s.SnapshotPath()); err == nil && m.Generation == gen {
		if idx, err := LoadSnapshot(s.SnapshotPath()); err == nil {
			s.idx, s.idxGen = idx, gen
			return idx, gen, nil
		} else {
			s.Log.Warn("feed snapshot unreadable; rebuilding from the database", "err", err)
		}
	}
	idx, err := s.rebuild(ctx)
	if err != nil {
		return nil, 0, err
	}
	s.idx, s.idxGen = idx, gen
	return idx, gen, nil
}

// rebuild builds the index from every stored record and the stored EPSS scores.
func (s *Service) rebuild(ctx context.Context) (*match.Index, error) {
	var records []vuln.Vulnerability
	if err := s.Store.EachFeedRecord(ctx, "", func(r domain.FeedRecord) error {
		v, err := DecodeRecord(r.Data)
		if err != nil {
			return fmt.Errorf("feed record %s %s: %w", r.Source, r.RecordID, err)
		}
		records = append(records, v)
		return nil
	}); err != nil {
		return nil, err
	}
	scores, err := s.epssFor(ctx, records, nil)
	if err != nil {
		return nil, err
	}
	return match.NewIndex(records, scores), nil
}

// ReadRecords decodes the stored records of a source ("" for all), for callers that build their
// own index.
func (s *Service) ReadRecords(ctx context.Context, source string) ([]vuln.Vulnerability, error) {
	var out []vuln.Vulnerability
	err := s.Store.EachFeedRecord(ctx, source, func(r domain.FeedRecord) error {
		v, err := DecodeRecord(r.Data)
		if err != nil {
			return fmt.Errorf("feed record %s %s: %w", r.Source, r.RecordID, err)
		}
		out = append(out, v)
		return nil
	})
	return out, err
}

// EnsureSnapshot writes the snapshot when it is missing or not of the current generation (after a
// change made by another process sharing the database, or a crash between commit and write).
func (s *Service) EnsureSnapshot(ctx context.Context) error {
	gen, err := s.Store.FeedGeneration(ctx)
	if err != nil {
		return err
	}
	if m, err := ReadSnapshotMeta(s.SnapshotPath()); err == nil && m.Generation == gen {
		return nil
	}
	return s.WriteSnapshot(ctx)
}

// WriteSnapshot writes the index of the current generation to SnapshotPath atomically (a temporary
// file renamed over the old one), then its sidecar.
func (s *Service) WriteSnapshot(ctx context.Context) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.writeSnapshot(ctx)
}

func (s *Service) writeSnapshot(ctx context.Context) error {
	idx, gen, err := s.index(ctx)
	if err != nil {
		return err
	}
	dir := FeedsDir(s.DataDir)
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return fmt.Errorf("feed snapshot: %w", err)
	}
	unlock, err := lockFile(filepath.Join(dir, ".snapshot.lock"), time.Minute)
	if err != nil {
		return err
	}
	defer unlock()
	path := s.SnapshotPath()
	if m, err := ReadSnapshotMeta(path); err == nil && m.Generation > gen {
		return nil // another process wrote a newer one meanwhile
	}
	n, err := writeAtomic(path, idx.WriteSnapshot)
	if err != nil {
		return fmt.Errorf("feed snapshot: %w", err)
	}
	crc, err := snapshotCRC(path)
	if err != nil {
		return err
	}
	st := idx.Stats()
	meta, _ := json.MarshalIndent(SnapshotMeta{Generation: gen, CRC32C: crc, Written: s.Now().UTC(), Records: st.Records,
		Vulnerabilities: st.Vulnerabilities, Bytes: n}, "", "  ")
	if _, err := writeAtomic(path+".json", func(w io.Writer) error { _, err := w.Write(meta); return err }); err != nil {
		return fmt.Errorf("feed snapshot: %w", err)
	}
	return nil
}

// writeAtomic writes a file through a temporary file in the same folder, synced and renamed over
// path, and returns its size.
func writeAtomic(path string, write func(io.Writer) error) (int64, error) {
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return 0, err
	}
	tmp := f.Name()
	cw := &countWriter{w: f}
	err = write(cw)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Chmod(tmp, 0o644)
	}
	if err == nil {
		err = os.Rename(tmp, path)
	}
	if err != nil {
		os.Remove(tmp)
		return 0, err
	}
	return cw.n, nil
}

type countWriter struct {
	w io.Writer
	n int64
}

func (c *countWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.n += int64(n)
	return n, err
}

// lockFile takes an exclusive lock file (created with O_EXCL), waiting up to wait; a lock older
// than ten minutes is taken for the leftover of a crashed process and removed.
func lockFile(path string, wait time.Duration) (func(), error) {
	deadline := time.Now().Add(wait)
	for {
		f, err := os.OpenFile(path, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o600)
		if err == nil {
			fmt.Fprintf(f, "%d\n", os.Getpid())
			f.Close()
			return func() { os.Remove(path) }, nil
		}
		if !errors.Is(err, os.ErrExist) {
			return nil, err
		}
		if st, err := os.Stat(path); err == nil && time.Since(st.ModTime()) > 10*time.Minute {
			os.Remove(path)
			continue
		}
		if time.Now().After(deadline) {
			return nil, fmt.Errorf("%s is held by another process (remove it if no vigil process is running)", path)
		}
		time.Sleep(50 * time.Millisecond)
	}
}
