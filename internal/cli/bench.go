package cli

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/vigil-med/vigil/internal/config"
	"github.com/vigil-med/vigil/internal/fleet"
	"github.com/vigil-med/vigil/internal/match"
	"github.com/vigil-med/vigil/internal/sbom"
	"github.com/vigil-med/vigil/internal/sbom/cyclonedx"
	"github.com/vigil-med/vigil/internal/store"
	"github.com/vigil-med/vigil/internal/vulndb"
)

// BenchResult is what `vigil bench --json` prints.
type BenchResult struct {
	Machine  string               `json:"machine"`
	Feeds    string               `json:"feeds"`
	Snapshot BenchSnapshot        `json:"snapshot"`
	Ingest   *BenchIngest         `json:"ingest,omitempty"`
	Scans    []BenchScan          `json:"scans"`
	PeakRSS  int64                `json:"peak_rss_bytes"` // VmHWM of this process (0 where /proc is missing)
	Index    match.Stats          `json:"index"`
	Fleet    []fleet.BenchFigures `json:"fleet,omitempty"`
	Settings map[string]any       `json:"settings"`
}

// BenchSnapshot is the snapshot load figure.
type BenchSnapshot struct {
	Bytes   int64   `json:"bytes"`
	LoadMS  float64 `json:"load_ms"` // best of three
	Records int     `json:"records"`
}

// BenchIngest is the feed import figure (with --feeds).
type BenchIngest struct {
	Records       int     `json:"records"`
	Seconds       float64 `json:"seconds"`
	RecordsPerSec float64 `json:"records_per_second"`
}

// BenchScan is one stand-alone scan figure.
type BenchScan struct {
	Components int     `json:"components"`
	SBOMBytes  int     `json:"sbom_bytes"`
	DecodeMS   float64 `json:"decode_ms"`
	MatchMS    float64 `json:"match_ms"`
	Findings   int     `json:"findings"`
}

func benchCmd(env *Env) *cobra.Command {
	var comps string
	var feedsPath string
	var known float64
	var seed uint64
	var asJSON bool
	var sbomDir string
	var fleetSpec string
	var databases []string
	cmd := &cobra.Command{
		Use:   "bench",
		Short: "Measure the matching engine on this machine (prints figures, asserts nothing)",
		Long: `Measure the vulnerability engine: the ingest rate of a feed import (with --feeds: imported into a
temporary SQLite database), the load time of the match snapshot, and for each --components size a
CycloneDX SBOM made of real package names of the loaded feeds (half of them packages the feeds know, at
versions on or near their range events) written to a temporary file, decoded and matched. Peak memory
is the process's high-water mark. Without --feeds the data directory's snapshot is used.

With --fleet ASSETS,VERSIONS,COMPONENTS a fleet is generated in a fresh organisation of a temporary
SQLite database (or the PostgreSQL database of --database, or those given with --fleet-database): product versions with SBOMs of
real package names, devices spread over them. Measured: the ingest rate of the SBOM components, the
full match with storing every finding (one transaction), a second full match, one new advisory for
golang.org/x/net re-matched incrementally and stored (the median of five in a row), "where is
golang.org/x/net?", and one SBOM imported again with its product version re-matched. Peak memory follows Go's garbage collector: GOMEMLIMIT (e.g. 800MiB) keeps it lower.`,
		Example: `  vigil bench --feeds $(go env GOMODCACHE)/golang.org/x/vulndb@v0.0.0-20261105234957-e22db6528018/data/osv
  vigil bench --components 10000,30000 --json
  vigil bench --fleet 50000,2000,500 --fleet-database sqlite --fleet-database postgres://postgres@127.0.0.1:5432/bench`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			var sizes []int
			for _, p := range strings.Split(comps, ",") {
				n, err := strconv.Atoi(strings.TrimSpace(p))
				if err != nil || n <= 0 {
					return exitError{2, fmt.Errorf("--components %q: want positive numbers separated by commas", comps)}
				}
				sizes = append(sizes, n)
			}
			ctx := cmd.Context()
			res := BenchResult{Machine: benchMachine(), Settings: map[string]any{"known_share": known, "seed": seed}}
			snap := ""
			if feedsPath != "" {
				dir, err := os.MkdirTemp("", "vigil-bench-")
				if err != nil {
					return err
				}
				defer os.RemoveAll(dir)
				ing, path, err := benchIngest(ctx, dir, feedsPath)
				if err != nil {
					return err
				}
				res.Ingest, snap, res.Feeds = ing, path, feedsPath
			} else {
				cfg, err := env.loadConfig(cmd)
				if err != nil {
					return err
				}
				snap, res.Feeds = vulndb.SnapshotPath(cfg.DataDir), vulndb.SnapshotPath(cfg.DataDir)
			}
			var idx *match.Index
			best := time.Duration(1 << 62)
			for range 3 {
				t := time.Now()
				x, err := vulndb.LoadSnapshot(snap)
				if err != nil {
					return err
				}
				best, idx = min(best, time.Since(t)), x
			}
			st, _ := os.Stat(snap)
			res.Index = idx.Stats()
			res.Snapshot = BenchSnapshot{Bytes: st.Size(), LoadMS: ms(best), Records: res.Index.Records}
			tmp := sbomDir
			if tmp == "" {
				var err error
				if tmp, err = os.MkdirTemp("", "vigil-bench-sbom-"); err != nil {
					return err
				}
				defer os.RemoveAll(tmp)
			} else if err := os.MkdirAll(tmp, 0o755); err != nil {
				return err
			}
			for _, n := range sizes {
				doc := &sbom.Document{Format: sbom.CycloneDXJSON, SpecVersion: "1.6", Serial: "urn:uuid:00000000-0000-4000-8000-000000000000",
					Subject:    &sbom.Component{Ref: "bench", Type: "application", Name: "vigil-bench", Version: strconv.Itoa(n)},
					Components: match.SyntheticComponents(idx, n, known, seed)}
				path := filepath.Join(tmp, fmt.Sprintf("bench-%d.cdx.json", n))
				var buf bytes.Buffer
				if err := cyclonedx.Encode(&buf, doc, sbom.CycloneDXJSON); err != nil {
					return err
				}
				if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
					return err
				}
				runtime.GC()
				t := time.Now()
				data, err := os.ReadFile(path)
				if err != nil {
					return err
				}
				dec, err := sbom.DecodeOwned(data, filepath.Base(path)) // as vigil scan decodes
				if err != nil {
					return err
				}
				decode := time.Since(t)
				t = time.Now()
				fs, err := idx.Match(ctx, &match.Target{Subject: dec.Subject, Components: dec.Components}, match.Options{})
				if err != nil {
					return err
				}
				res.Scans = append(res.Scans, BenchScan{Components: n, SBOMBytes: len(data), DecodeMS: ms(decode), MatchMS: ms(time.Since(t)), Findings: len(fs)})
			}
			if fleetSpec != "" {
				o, err := benchFleetOptions(fleetSpec, known, seed)
				if err != nil {
					return exitError{2, err}
				}
				if len(databases) == 0 {
					// the global --database (or VIGIL_DATABASE): PostgreSQL; else a temporary SQLite file
					databases = []string{"sqlite"}
					if cfg, err := env.loadConfig(cmd); err == nil && cfg.Database != "" {
						databases = []string{cfg.Database}
					}
				}
				for _, db := range databases {
					if !asJSON {
						o.Log = func(s string) { fmt.Fprintf(env.Stderr, "fleet (%s): %s\n", benchDBName(db), s) }
					}
					f, err := benchFleet(ctx, db, snap, o)
					if err != nil {
						return err
					}
					res.Fleet = append(res.Fleet, f)
					// what this database's run left behind (its findings index among it) goes back to the
					// system before the next one: each run's peak is its own
					debug.FreeOSMemory()
				}
			}
			res.PeakRSS = peakRSS()
			if asJSON {
				return writeJSON(env.Stdout, res)
			}
			w := env.Stdout
			fmt.Fprintf(w, "machine: %s\nfeeds:   %s (%d records, %d vulnerabilities, %d package keys, %d CPE keys)\n", res.Machine, res.Feeds,
				res.Index.Records, res.Index.Vulnerabilities, res.Index.PackageKeys, res.Index.CPEKeys)
			if res.Ingest != nil {
				fmt.Fprintf(w, "ingest:  %d records in %.2f s = %.0f records/s (temporary SQLite database)\n", res.Ingest.Records, res.Ingest.Seconds, res.Ingest.RecordsPerSec)
			}
			fmt.Fprintf(w, "snapshot: %d bytes, loaded in %.1f ms (best of 3)\n", res.Snapshot.Bytes, res.Snapshot.LoadMS)
			tw := tabwriter.NewWriter(w, 2, 4, 2, ' ', tabwriter.AlignRight)
			fmt.Fprintln(tw, "COMPONENTS\tSBOM BYTES\tDECODE MS\tMATCH MS\tFINDINGS\t")
			for _, s := range res.Scans {
				fmt.Fprintf(tw, "%d\t%d\t%.1f\t%.1f\t%d\t\n", s.Components, s.SBOMBytes, s.DecodeMS, s.MatchMS, s.Findings)
			}
			tw.Flush()
			for _, f := range res.Fleet {
				fmt.Fprintf(w, "fleet on %s: %d assets, %d product versions × %d components = %d components\n", f.Database, f.Assets, f.Versions,
					f.ComponentsPerVersion, f.Components)
				fmt.Fprintf(w, "  ingest:            %.2f s (%.0f components/s; inventory %.2f s)\n", f.IngestSeconds, f.IngestPerSecond, f.InventorySeconds)
				fmt.Fprintf(w, "  full match+store:  %.2f s (%d findings, %d active)\n", f.FullMatchSeconds, f.Findings, f.ActiveFindings)
				fmt.Fprintf(w, "  second full match: %.2f s (nothing changed)\n", f.RematchSeconds)
				fmt.Fprintf(w, "  one new advisory:  %.1f ms, median of 5 (%d product versions, %d components re-matched, %d new findings stored)\n", f.IncrementalMS,
					f.IncrementalVersions, f.IncrementalComponents, f.IncrementalNewFindings)
				fmt.Fprintf(w, "  where is:          %.3f ms (%d placements; the pages' search by name %.1f ms, the very first %.1f ms, the first after an SBOM import %.1f ms; by package URL %.1f ms)\n",
					f.WhereIsMS, f.WhereIsPlacements, f.WhereIsSQLMS, f.WhereIsSQLFirstMS, f.WhereIsAfterImportMS, f.WhereIsPURLMS)
				fmt.Fprintf(w, "  one SBOM again:    %.1f ms, median of 3 (its product version re-matched, the component cache updated)\n", f.SBOMRematchMS)
				fmt.Fprintf(w, "  findings list:     %.1f ms from memory (first page; with a search %.1f ms; after a triage %.1f ms; the first time, reading every finding, %.0f ms)\n",
					f.ListMS, f.ListFilteredMS, f.ListAfterTriageMS, f.ListFirstMS)
				fmt.Fprintf(w, "  handling figures:  %.1f ms (the dashboard's vulnerability card, the Art. 21 evidence)\n", f.HandlingMS)
			}
			fmt.Fprintf(w, "peak memory (VmHWM): %.1f MB\n", float64(res.PeakRSS)/(1<<20))
			return nil
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&comps, "components", "10000,30000", "SBOM sizes to scan, comma-separated")
	fl.StringVar(&feedsPath, "feeds", "", "feed files or folder to import into a temporary database first (measures the ingest rate)")
	fl.Float64Var(&known, "known", 0.5, "share of components that are packages the feeds know (0–1)")
	fl.Uint64Var(&seed, "seed", 1, "seed of the component generator")
	fl.BoolVar(&asJSON, "json", false, "print the figures as JSON")
	fl.StringVar(&fleetSpec, "fleet", "", `also measure the fleet matching: "ASSETS,VERSIONS,COMPONENTS" (e.g. 50000,2000,500) generated in a fresh database`)
	fl.StringArrayVar(&databases, "fleet-database", nil, "database of the fleet benchmark: sqlite (a temporary file, the default) or a PostgreSQL URL; repeat for both")
	fl.StringVar(&sbomDir, "sbom-dir", "", "keep the generated SBOMs in this folder (bench-N.cdx.json), e.g. to time vigil scan on them")
	return cmd
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

// benchIngest imports feeds into a fresh SQLite database in dir and returns the ingest figure and
// the snapshot written.
func benchIngest(ctx context.Context, dir, path string) (*BenchIngest, string, error) {
	st, err := store.Open(ctx, store.Options{DataDir: dir, ConnectTimeout: 5 * time.Second})
	if err != nil {
		return nil, "", err
	}
	defer st.Close()
	svc := vulndb.New(st, dir, config.Default().Feeds, slog.New(slog.DiscardHandler))
	t := time.Now()
	rep, err := svc.Import(ctx, path, vulndb.ImportOptions{})
	if err != nil {
		return nil, "", err
	}
	secs := time.Since(t).Seconds()
	n := 0
	for _, r := range rep.Sources {
		n += r.Read
	}
	return &BenchIngest{Records: n, Seconds: secs, RecordsPerSec: float64(n) / secs}, svc.SnapshotPath(), nil
}

// benchMachine describes the machine for the figures.
func benchMachine() string {
	model := ""
	if b, err := os.ReadFile("/proc/cpuinfo"); err == nil {
		sc := bufio.NewScanner(bytes.NewReader(b))
		for sc.Scan() {
			if k, v, ok := strings.Cut(sc.Text(), ":"); ok && strings.TrimSpace(k) == "model name" {
				model = strings.TrimSpace(v)
				break
			}
		}
	}
	if model == "" {
		model = runtime.GOARCH
	}
	return fmt.Sprintf("%s, %d CPUs, %s/%s, %s", model, runtime.NumCPU(), runtime.GOOS, runtime.GOARCH, runtime.Version())
}

// peakRSS returns the process's resident-memory high-water mark (VmHWM), 0 when unknown.
func peakRSS() int64 {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for _, l := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(l, "VmHWM:"); ok {
			f := strings.Fields(v)
			if len(f) >= 1 {
				n, _ := strconv.ParseInt(f[0], 10, 64)
				return n << 10
			}
		}
	}
	return 0
}

func benchFleetOptions(spec string, known float64, seed uint64) (fleet.BenchOptions, error) {
	p := strings.Split(spec, ",")
	o := fleet.BenchOptions{Known: known, Seed: seed}
	if len(p) != 3 {
		return o, fmt.Errorf("--fleet %q: want ASSETS,VERSIONS,COMPONENTS", spec)
	}
	for i, dst := range []*int{&o.Assets, &o.Versions, &o.Components} {
		n, err := strconv.Atoi(strings.TrimSpace(p[i]))
		if err != nil || n <= 0 {
			return o, fmt.Errorf("--fleet %q: want three positive numbers", spec)
		}
		*dst = n
	}
	if o.Versions > o.Assets {
		return o, fmt.Errorf("--fleet %q: more product versions than assets", spec)
	}
	return o, nil
}

func benchDBName(db string) string {
	if db == "sqlite" || db == "" {
		return "sqlite"
	}
	return "postgres"
}

// benchFleet runs the fleet benchmark on a fresh SQLite file or the PostgreSQL database db.
func benchFleet(ctx context.Context, db, snap string, o fleet.BenchOptions) (fleet.BenchFigures, error) {
	opts := store.Options{ConnectTimeout: 5 * time.Second}
	if benchDBName(db) == "sqlite" {
		dir, err := os.MkdirTemp("", "vigil-bench-fleet-")
		if err != nil {
			return fleet.BenchFigures{}, err
		}
		defer os.RemoveAll(dir)
		opts.DataDir = dir
	} else {
		opts.DSN = db
	}
	st, err := store.Open(ctx, opts)
	if err != nil {
		return fleet.BenchFigures{}, err
	}
	defer st.Close()
	idx, err := vulndb.LoadSnapshot(snap) // a fresh index: the benchmark adds an advisory to it
	if err != nil {
		return fleet.BenchFigures{}, err
	}
	return fleet.Bench(ctx, st, idx, o)
}
