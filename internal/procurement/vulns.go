package procurement

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/vigil-med/vigil/internal/match"
	"github.com/vigil-med/vigil/internal/sbom"
	"github.com/vigil-med/vigil/internal/vuln"
)

// MatchSnapshotFile is where, below the data directory, the vulnerability-feeds module keeps the index
// snapshot of the matching engine (match.WriteSnapshot).
const MatchSnapshotFile = "feeds/match.snap"

// IndexChecker is the VulnChecker over the matching engine's index: the components of a vendor's SBOM
// are matched (match.Index.Match: OSV ranges by package URL, NVD criteria by CPE) and every active
// finding becomes an SBOMVuln with its canonical id, severity, CVSS base score, known-exploited flag
// (CISA KEV or EU KEV) and the nearest fixed version.
type IndexChecker struct {
	Index *match.Index
}

// Check matches the components and returns their known vulnerabilities, in component order.
func (c IndexChecker) Check(ctx context.Context, components []sbom.Component) ([]SBOMVuln, error) {
	if c.Index == nil {
		return nil, ErrNoVulnData
	}
	found, err := c.Index.Match(ctx, &match.Target{Components: components}, match.Options{})
	if err != nil {
		return nil, err
	}
	out := []SBOMVuln{}
	for _, f := range match.Active(found) {
		out = append(out, sbomVulnOf(f))
	}
	return out, nil
}

func sbomVulnOf(f match.Finding) SBOMVuln {
	v := SBOMVuln{ComponentRef: f.Package.Ref, Component: f.Package.Name, ID: f.VulnID}
	if f.Package.Version != "" {
		v.Component += " " + f.Package.Version
	}
	if len(f.FixedVersions) > 0 {
		v.FixedIn = f.FixedVersions[0]
	}
	if x := f.Vulnerability; x != nil {
		if r := x.Rated(); r.Level != vuln.Unknown {
			v.Severity, v.CVSS = r.Level.String(), r.Score
		}
		v.KEV = x.CISAKEV != nil || x.EUKEV != nil
	}
	return v
}

// SnapshotChecker is the VulnChecker of a running Vigil: it reads the index snapshot the feeds module
// writes (MatchSnapshotFile below the data directory) when the first SBOM is checked, and again
// whenever the file has changed since (the feeds are updated while Vigil runs). While the file does not
// exist it answers ErrNoVulnData, so criteria that need vulnerability data stay with evaluators; a
// snapshot that cannot be read is an error naming the file. It is safe for concurrent use.
type SnapshotChecker struct {
	Path string
	// MaxBytes bounds the snapshot (match.MaxSnapshotBytes when 0).
	MaxBytes int64

	mu      sync.Mutex
	idx     *match.Index
	modTime time.Time
	size    int64
}

// NewSnapshotChecker returns the checker of the snapshot in the data directory.
func NewSnapshotChecker(dataDir string) *SnapshotChecker {
	return &SnapshotChecker{Path: filepath.Join(dataDir, filepath.FromSlash(MatchSnapshotFile))}
}

// Index returns the current index: read (again) when the file is new or changed; nil with
// ErrNoVulnData while there is no snapshot.
func (s *SnapshotChecker) Index() (*match.Index, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	st, err := os.Stat(s.Path)
	if errors.Is(err, fs.ErrNotExist) {
		s.idx = nil
		return nil, ErrNoVulnData
	}
	if err != nil {
		return nil, fmt.Errorf("vulnerability snapshot %s: %w", s.Path, err)
	}
	if s.idx != nil && st.ModTime().Equal(s.modTime) && st.Size() == s.size {
		return s.idx, nil
	}
	f, err := os.Open(s.Path)
	if err != nil {
		return nil, fmt.Errorf("vulnerability snapshot %s: %w", s.Path, err)
	}
	defer f.Close()
	idx, err := match.ReadSnapshot(f, s.MaxBytes)
	if err != nil {
		return nil, fmt.Errorf("vulnerability snapshot %s: %w", s.Path, err)
	}
	s.idx, s.modTime, s.size = idx, st.ModTime(), st.Size()
	return idx, nil
}

// Check matches the components against the current snapshot (see IndexChecker).
func (s *SnapshotChecker) Check(ctx context.Context, components []sbom.Component) ([]SBOMVuln, error) {
	idx, err := s.Index()
	if err != nil {
		return nil, err
	}
	return IndexChecker{Index: idx}.Check(ctx, components)
}
