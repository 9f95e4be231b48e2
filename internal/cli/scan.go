package cli

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"runtime/pprof"

	"github.com/spf13/cobra"

	"github.com/vigil-med/vigil/internal/binpages"
	"github.com/vigil-med/vigil/internal/buildinfo"
	"github.com/vigil-med/vigil/internal/csaf"
	"github.com/vigil-med/vigil/internal/feeds"
	"github.com/vigil-med/vigil/internal/hugeheap"
	"github.com/vigil-med/vigil/internal/match"
	"github.com/vigil-med/vigil/internal/sbom"
	_ "github.com/vigil-med/vigil/internal/sbom/cyclonedx" // SBOM formats for sbom.Decode (the lean CycloneDX JSON decoder)
	_ "github.com/vigil-med/vigil/internal/sbom/spdx"
	"github.com/vigil-med/vigil/internal/scan"
	"github.com/vigil-med/vigil/internal/vex"
	"github.com/vigil-med/vigil/internal/vulndb"
)

// scanSnapshotMagic starts every match snapshot (see match.WriteSnapshot).
var scanSnapshotMagic = []byte("VIGLIDX\x00")

func scanCmd(env *Env) *cobra.Command {
	var feedsPath, format, failOn, output string
	var vexFiles []string
	var showSuppressed, reasons bool
	var cpuProfile, memProfile string
	cmd := &cobra.Command{
		Use:   "scan SBOM_FILE",
		Short: "Match an SBOM against the vulnerability feeds, without a server",
		Long: `Match the components of an SBOM (CycloneDX JSON or XML, SPDX JSON or tag-value) against the
vulnerability feeds and print the findings, one per component and vulnerability with the reason.

The feeds come from the match snapshot in the data directory (DATA_DIR/feeds/match.snap, written by
"vigil feeds import" and "vigil feeds sync"); the database is not opened. --feeds PATH uses a snapshot
file, or feed files or a folder of them (read with the same detection as "vigil feeds import").

Exit codes: 0 no finding at or above --fail-on (or --fail-on not given), 1 findings at or above
--fail-on, 2 usage errors and scans that cannot run (unreadable SBOM, VEX or feeds).`,
		Example: `  vigil scan firmware-4.2.cdx.json
  vigil scan sbom.spdx.json --format json --fail-on high
  vigil scan sbom.cdx.json --vex vendor.openvex.json --format sarif > vigil.sarif
  vigil scan sbom.cdx.json --feeds ./osv-go/ --format cyclonedx`,
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) != 1 {
				return exitError{2, fmt.Errorf("scan takes one SBOM file (got %d arguments); see vigil scan --help", len(args))}
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) (err error) {
			// Start-up left 23 MB of the executable resident of which a scan uses ~10 (see
			// internal/binpages): the memory a scan is known by is what it uses.
			binpages.Release()
			if stop, perr := scanProfiles(cpuProfile, memProfile); perr != nil {
				return exitError{2, perr}
			} else {
				defer stop()
			}
			// A scan is short-lived: collect garbage less often (the heap stays far below the memory
			// a scan of 30,000 components may use).
			debug.SetGCPercent(scanGCPercent)
			usage := func(err error) error { return exitError{2, err} }
			f, err := scan.ParseFormat(format)
			if err != nil {
				return usage(err)
			}
			level, fail, err := scan.ParseFailOn(failOn)
			if err != nil {
				return usage(err)
			}
			stmts, err := scanVEX(vexFiles)
			if err != nil {
				return usage(err)
			}
			name := args[0]
			idx, err := scanIndex(env, cmd, feedsPath, scanFileSize(name))
			if err != nil {
				return usage(err)
			}
			data, err := scanReadSBOM(env.Stdin, name)
			if err != nil {
				return usage(err)
			}
			doc, err := sbom.DecodeOwned(data, filepath.Base(name)) // no copy: data is not used again
			if err != nil {
				return usage(err)
			}
			res, err := scan.Run(cmd.Context(), doc, idx, scan.Options{VEX: stmts, ShowSuppressed: showSuppressed, SBOMName: filepath.Base(name),
				ToolVersion: buildinfo.Version()})
			if err != nil {
				return usage(err)
			}
			out := env.Stdout
			if output != "" {
				fh, err := os.Create(output)
				if err != nil {
					return usage(err)
				}
				defer fh.Close()
				out = fh
			}
			bw := bufio.NewWriterSize(out, 256<<10)
			if f == scan.Table {
				err = scan.WriteTable(bw, &res, scan.TableOptions{Reasons: reasons})
			} else {
				err = scan.Write(bw, &res, f)
			}
			if err == nil {
				err = bw.Flush()
			}
			if err != nil {
				return usage(err)
			}
			if fail {
				if code := scan.ExitCode(&res, level); code != 0 {
					return exitError{code: code}
				}
			}
			return nil
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&feedsPath, "feeds", "", "feed data to use instead of the data directory's snapshot: a snapshot file, feed files or a folder")
	fl.StringVarP(&format, "format", "f", "table", "output: table, json, sarif or cyclonedx")
	fl.StringVar(&failOn, "fail-on", "", "exit 1 when a finding is at or above: low, medium, high, critical or any")
	fl.StringArrayVar(&vexFiles, "vex", nil, "VEX document to apply (OpenVEX, CycloneDX VEX or CSAF); repeatable")
	fl.StringVarP(&output, "output", "o", "", "write the findings to this file instead of standard output")
	fl.BoolVar(&showSuppressed, "show-suppressed", false, "keep findings that VEX marks not_affected or fixed in the output")
	fl.BoolVar(&reasons, "reasons", false, "table: print each finding's reason under it")
	fl.StringVar(&cpuProfile, "cpuprofile", "", "write a CPU profile of the scan to this file (go tool pprof)")
	fl.StringVar(&memProfile, "memprofile", "", "write an allocation profile of the scan to this file (go tool pprof)")
	_ = fl.MarkHidden("cpuprofile")
	_ = fl.MarkHidden("memprofile")
	return cmd
}

// scanProfiles starts the profiles asked for; stop writes them.
func scanProfiles(cpu, mem string) (stop func(), err error) {
	var cf *os.File
	if cpu != "" {
		if cf, err = os.Create(cpu); err != nil {
			return nil, err
		}
		if err := pprof.StartCPUProfile(cf); err != nil {
			return nil, err
		}
	}
	if mem != "" {
		runtime.MemProfileRate = 4096
	}
	return func() {
		if cf != nil {
			pprof.StopCPUProfile()
			cf.Close()
		}
		if mem != "" {
			runtime.GC() // the profile is as of the last collection
			if f, err := os.Create(mem); err == nil {
				_ = pprof.Lookup("allocs").WriteTo(f, 0)
				f.Close()
			}
		}
	}, nil
}

// scanGCPercent is the collector's target for a scan: a little more headroom than the default
// (fewer collections in a process that lives a tenth of a second) without letting the heap grow far.
const scanGCPercent = 150

// scanHeap prepares the heap a scan is about to build in memory backed by huge pages (see
// internal/hugeheap: a 10,000-component scan faulted in ~9,000 small pages, half its time on a
// virtual machine). Its size: the index takes about 4 times its snapshot, the SBOM with its
// components and findings about 8 times its file (measured with the Go vulnerability database at
// 10,000 and 30,000 components); more than the scan uses costs nothing but address space.
func scanHeap(snapshotSize, sbomSize int64) {
	hugeheap.Prepare(4*snapshotSize + 8*sbomSize + 4<<20)
}

// scanFileSize returns the size of a file (0 when it has none: "-", a pipe, an error).
func scanFileSize(name string) int64 {
	if name == "-" {
		return 0
	}
	st, err := os.Stat(name)
	if err != nil || !st.Mode().IsRegular() {
		return 0
	}
	return st.Size()
}

// scanReadSBOM reads the SBOM file ("-": standard input) into a buffer of its exact size when it
// is a file, at most sbom.DefaultLimit bytes.
func scanReadSBOM(stdin io.Reader, name string) ([]byte, error) {
	if name == "-" {
		return sbom.ReadAll(stdin, 0)
	}
	st, err := os.Stat(name)
	if err != nil {
		return nil, err
	}
	if st.Size() > sbom.DefaultLimit {
		return nil, fmt.Errorf("sbom %q: %w: more than %d bytes", name, sbom.ErrTooLarge, sbom.DefaultLimit)
	}
	return os.ReadFile(name)
}

// scanIndex loads the vulnerability index: --feeds PATH, or the data directory's snapshot.
// sbomSize (0: not known) sizes the heap the scan prepares (scanHeap).
func scanIndex(env *Env, cmd *cobra.Command, feedsPath string, sbomSize int64) (*match.Index, error) {
	if feedsPath == "" {
		cfg, err := env.loadConfig(cmd)
		if err != nil {
			return nil, err
		}
		path := vulndb.SnapshotPath(cfg.DataDir)
		scanHeap(scanFileSize(path), sbomSize)
		idx, err := vulndb.LoadSnapshot(path)
		if errors.Is(err, os.ErrNotExist) {
			return nil, fmt.Errorf("no vulnerability feed data in %s: run \"vigil feeds import PATH\" or \"vigil feeds sync\" first, or pass --feeds PATH", cfg.DataDir)
		}
		return idx, err
	}
	if st, err := os.Stat(feedsPath); err == nil && !st.IsDir() {
		fh, err := os.Open(feedsPath)
		if err != nil {
			return nil, err
		}
		head := make([]byte, len(scanSnapshotMagic))
		n, _ := io.ReadFull(fh, head)
		fh.Close()
		if bytes.Equal(head[:n], scanSnapshotMagic) {
			scanHeap(st.Size(), sbomSize)
			return vulndb.LoadSnapshot(feedsPath)
		}
	}
	scanHeap(0, sbomSize) // feed files: their records come on top
	d, err := feeds.Load(feedsPath, feeds.Limits{})
	if err != nil {
		return nil, fmt.Errorf("--feeds %s: %w", feedsPath, err)
	}
	var src match.EPSSSource
	if d.EPSS != nil {
		src = d.EPSS
	}
	return match.NewIndex(d.Records, src), nil
}

// scanVEX reads the VEX documents; their statements are the manufacturer's (a stand-alone scan has
// no hospital analysis) and apply to the scanned SBOM.
func scanVEX(files []string) ([]match.Statement, error) {
	var out []match.Statement
	for _, name := range files {
		data, err := os.ReadFile(name)
		if err != nil {
			return nil, fmt.Errorf("--vex: %w", err)
		}
		stmts, format, err := vex.DecodeBytes(data, filepath.Base(name))
		if format == vex.CSAF {
			adv, cerr := csaf.ParseBytes(data, filepath.Base(name))
			if cerr != nil {
				return nil, fmt.Errorf("--vex: %w", cerr)
			}
			stmts, err = csaf.Statements(adv), nil
		}
		if err != nil {
			return nil, fmt.Errorf("--vex: %w", err)
		}
		for _, s := range stmts {
			out = append(out, match.Statement{Statement: s, Origin: match.Manufacturer})
		}
	}
	return out, nil
}
