package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/schollz/progressbar/v3"
	"github.com/spf13/cobra"
	"golang.org/x/term"

	"github.com/vigil-med/vigil/internal/app"
	"github.com/vigil-med/vigil/internal/domain"
	"github.com/vigil-med/vigil/internal/vulndb"
)

func feedsCmd(env *Env) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "feeds",
		Short: "Vulnerability feeds: import files and bundles, sync from the sources, write offline bundles, show status",
		Long: `The vulnerability database: OSV (Go, PyPI, npm, Maven … as all.zip exports or folders of OSV JSON),
NVD CVE API 2.0, CISA KEV, the EU KEV list, ENISA EUVD answers, FIRST EPSS and endoflife.date. Records that
share an id or alias are merged into one vulnerability. After every change a match snapshot is written to
DATA_DIR/feeds/match.snap, which "vigil scan" reads without a database.`,
	}
	cmd.AddCommand(feedsImportCmd(env), feedsSyncCmd(env), feedsBundleCmd(env), feedsStatusCmd(env))
	return cmd
}

// feedsContext is the context of a feed command: the audit actor is the command line in the
// default organisation when there is one (feed data belongs to no organisation).
func feedsContext(cmd *cobra.Command, a *app.App) context.Context {
	if o, err := a.Store.OrgByRef(cmd.Context(), a.Config.Org); err == nil {
		return cliContext(cmd.Context(), o.ID)
	}
	return cliContext(cmd.Context(), 0)
}

func feedsImportCmd(env *Env) *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "import PATH...",
		Short: "Load feed files, folders or an offline bundle without network",
		Long: `Load vulnerability feed data from files and folders; the format of each file is detected: OSV JSON (a
record, an array, a folder such as the Go vulnerability database's data/osv, an all.zip export), NVD CVE
API 2.0 JSON (API pages, feed files, single CVE objects, .gz), CISA KEV (JSON or CSV), the EU KEV list,
ENISA EUVD answers, FIRST EPSS (CSV or .csv.gz), endoflife.date (a folder like its repository or an API
answer), and offline bundles written by "vigil feeds bundle" (checked against their manifest first).
Each file is one transaction: a file that cannot be read is named and imports nothing; the rest are
imported (exit code 1). CSAF advisories are imported with "vigil import csaf".`,
		Example: `  vigil feeds import $(go env GOMODCACHE)/golang.org/x/vulndb@v0.0.0-20261105234957-e22db6528018/data/osv
  vigil feeds import known_exploited_vulnerabilities.json epss_scores-current.csv.gz
  vigil feeds import vigil-feeds-2026-11-28.tar.gz --json`,
		Args: cobra.MinimumNArgs(1),
		RunE: env.withApp(func(cmd *cobra.Command, args []string, a *app.App) error {
			ctx := feedsContext(cmd, a)
			var reports []*vulndb.ImportReport
			var errs []error
			for _, p := range args {
				bar := newFeedsProgress(env.Stderr, !asJSON)
				rep, err := a.Feeds.Import(ctx, p, vulndb.ImportOptions{Progress: bar.report})
				bar.finish()
				if err != nil {
					errs = append(errs, fmt.Errorf("%s: %w", p, err))
				}
				if rep != nil {
					reports = append(reports, rep)
					if !asJSON {
						printImportReport(env.Stdout, rep)
					}
				}
			}
			if asJSON {
				if len(reports) == 1 {
					if err := writeJSON(env.Stdout, reports[0]); err != nil {
						return err
					}
				} else if err := writeJSON(env.Stdout, reports); err != nil {
					return err
				}
			}
			return errors.Join(errs...)
		}),
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print the report as JSON")
	return cmd
}

func printImportReport(w io.Writer, rep *vulndb.ImportReport) {
	kind := "files"
	if rep.Bundle {
		kind = "bundle files"
	}
	fmt.Fprintf(w, "%s: %d %s\n", rep.Path, len(rep.Files), kind)
	tw := tabwriter.NewWriter(w, 2, 4, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "SOURCE\tREAD\tCREATED\tUPDATED\tUNCHANGED\tSKIPPED\tDELETED\tSECONDS\t")
	for _, r := range rep.Sources {
		fmt.Fprintf(tw, "%s\t%d\t%d\t%d\t%d\t%d\t%d\t%.2f\t\n", r.Source, r.Read, r.Created, r.Updated, r.Unchanged, r.Skipped, r.Deleted, r.Seconds)
	}
	tw.Flush()
	for _, f := range rep.Files {
		if f.Error != "" {
			fmt.Fprintf(w, "  FAILED %s: %s\n", f.Path, f.Error)
		}
	}
	fmt.Fprintf(w, "feed generation %d; snapshot %s; %.2f s\n", rep.Generation, rep.Snapshot, rep.Seconds)
}

func feedsSyncCmd(env *Env) *cobra.Command {
	var asJSON bool
	var sources []string
	cmd := &cobra.Command{
		Use:   "sync",
		Short: "Fetch the feeds from their sources (conditional and resumable requests)",
		Long: `Fetch the vulnerability feeds from the addresses in the configuration (feeds.osv_url with
feeds.osv_ecosystems, feeds.nvd_url, feeds.kev_url, feeds.eukev_url, feeds.epss_url, feeds.endoflife_url).
Unchanged files are not downloaded again (ETag / Last-Modified), broken-off downloads resume, NVD is read
incrementally by last-modified windows and resumes from its cursor. A failing source is reported and
does not stop the others (exit code 1). The server does the same in the background every
feeds.sync_interval.`,
		Example: `  vigil feeds sync
  vigil feeds sync --source kev,epss
  VIGIL_FEEDS_NVD_API_KEY=… vigil feeds sync --source nvd`,
		Args: cobra.NoArgs,
		RunE: env.withApp(func(cmd *cobra.Command, args []string, a *app.App) error {
			for _, s := range sources {
				if !contains(domain.FeedSourceNames, s) || s == domain.FeedEUVD {
					return exitError{2, fmt.Errorf("--source %q: want one of osv, nvd, kev, eukev, epss, endoflife", s)}
				}
			}
			bar := newFeedsProgress(env.Stderr, !asJSON)
			rep, err := a.Feeds.Sync(feedsContext(cmd, a), vulndb.SyncOptions{Sources: sources, Progress: bar.report})
			bar.finish()
			if asJSON {
				if jerr := writeJSON(env.Stdout, rep); jerr != nil {
					return jerr
				}
			} else if rep != nil {
				for _, s := range rep.Sources {
					fmt.Fprintln(env.Stdout, s.Line())
				}
				fmt.Fprintf(env.Stdout, "feed generation %d; snapshot %s; %.1f s\n", rep.Generation, rep.Snapshot, rep.Seconds)
			}
			return err
		}),
	}
	cmd.Flags().StringSliceVar(&sources, "source", nil, "sources to sync (default feeds.sources): osv, nvd, kev, eukev, epss, endoflife")
	cmd.Flags().BoolVar(&asJSON, "json", false, "print the report as JSON")
	return cmd
}

func contains(xs []string, x string) bool {
	for _, y := range xs {
		if y == x {
			return true
		}
	}
	return false
}

func feedsBundleCmd(env *Env) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "bundle OUT",
		Short: "Write the stored feed data as an offline bundle for an air-gapped site",
		Long: `Write the stored feed data (every source's records, the EPSS scores, endoflife.date products and the
sources' status) as one .tar.gz with a manifest of SHA-256 hashes. On the air-gapped machine,
"vigil feeds import OUT" (or the upload on the Feeds page) checks every file against the manifest
before it stores anything.`,
		Example: `  vigil feeds sync && vigil feeds bundle vigil-feeds-$(date +%F).tar.gz`,
		Args:    cobra.ExactArgs(1),
		RunE: env.withApp(func(cmd *cobra.Command, args []string, a *app.App) error {
			out := args[0]
			f, err := os.Create(out + ".tmp")
			if err != nil {
				return err
			}
			m, err := a.Feeds.WriteBundle(cmd.Context(), f)
			if cerr := f.Close(); err == nil {
				err = cerr
			}
			if err == nil {
				err = os.Rename(out+".tmp", out)
			}
			if err != nil {
				os.Remove(out + ".tmp")
				return err
			}
			st, _ := os.Stat(out)
			fmt.Fprintf(env.Stdout, "%s: %d bytes, feed generation %d\n", out, st.Size(), m.Generation)
			for _, bf := range m.Files {
				fmt.Fprintf(env.Stdout, "  %-28s %10d bytes  %7d records  sha256 %s\n", bf.Name, bf.Bytes, bf.Records, bf.SHA256[:16]+"…")
			}
			return nil
		}),
	}
	return cmd
}

// FeedsStatus is what `vigil feeds status --json` prints.
type FeedsStatus struct {
	Sources         []domain.FeedSource  `json:"sources"`
	Vulnerabilities int                  `json:"vulnerabilities"`
	Generation      int64                `json:"generation"`
	Snapshot        string               `json:"snapshot"`
	SnapshotMeta    *vulndb.SnapshotMeta `json:"snapshot_meta,omitempty"`
	SnapshotFresh   bool                 `json:"snapshot_fresh"`
	NextSync        *time.Time           `json:"next_sync,omitempty"` // nil when feeds.sync_interval is 0
}

func feedsStatusCmd(env *Env) *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use: "status",
		Example: `  vigil feeds status
  vigil feeds status --json`,
		Short: "Show each feed source's last update, record count and errors",
		Args:  cobra.NoArgs,
		RunE: env.withApp(func(cmd *cobra.Command, args []string, a *app.App) error {
			ctx := cmd.Context()
			st, err := a.Feeds.Status(ctx)
			if err != nil {
				return err
			}
			out := FeedsStatus{Sources: st.Sources, Vulnerabilities: st.Vulnerabilities, Generation: st.Generation, Snapshot: st.Snapshot,
				SnapshotFresh: st.SnapshotFresh}
			if st.SnapshotMeta.Generation > 0 || !st.SnapshotMeta.Written.IsZero() {
				m := st.SnapshotMeta
				out.SnapshotMeta = &m
			}
			if !st.NextSync.IsZero() {
				out.NextSync = &st.NextSync
			}
			if asJSON {
				return writeJSON(env.Stdout, out)
			}
			tw := tabwriter.NewWriter(env.Stdout, 2, 4, 2, ' ', 0)
			fmt.Fprintln(tw, "SOURCE\tRECORDS\tLAST UPDATE\tLAST ATTEMPT\tERROR")
			for _, f := range out.Sources {
				fmt.Fprintf(tw, "%s\t%d\t%s\t%s\t%s\n", f.Label, f.Records, feedsTime(f.LastSuccess), feedsTime(f.LastAttempt), clipLine(f.LastError, 80))
			}
			tw.Flush()
			fresh := "up to date"
			if !out.SnapshotFresh {
				fresh = "STALE (it is rewritten at the next import or sync)"
			}
			fmt.Fprintf(env.Stdout, "\n%d vulnerabilities, feed generation %d\nsnapshot %s: %s\n", out.Vulnerabilities, out.Generation, out.Snapshot, fresh)
			if out.NextSync != nil {
				fmt.Fprintf(env.Stdout, "next background sync: %s\n", out.NextSync.Format("2006-01-02 15:04 UTC"))
			} else {
				fmt.Fprintln(env.Stdout, "background sync: off (feeds.sync_interval = 0)")
			}
			return nil
		}),
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print the status as JSON")
	return cmd
}

func feedsTime(t *time.Time) string {
	if t == nil {
		return "never"
	}
	return t.UTC().Format("2006-01-02 15:04 UTC")
}

func clipLine(s string, n int) string {
	s = strings.ReplaceAll(s, "\n", " ")
	if r := []rune(s); len(r) > n {
		return string(r[:n-1]) + "…"
	}
	return s
}

// feedsProgress draws progress bars on a terminal (stderr only, and only when it is one).
type feedsProgress struct {
	w   io.Writer
	on  bool
	bar *progressbar.ProgressBar
	key string
}

func newFeedsProgress(w io.Writer, want bool) *feedsProgress {
	on := false
	if f, ok := w.(*os.File); ok && want {
		on = term.IsTerminal(int(f.Fd()))
	}
	return &feedsProgress{w: w, on: on}
}

func (p *feedsProgress) report(pr vulndb.Progress) {
	if !p.on {
		return
	}
	if pr.Stage == "done" {
		p.finish()
		fmt.Fprintln(p.w, pr.Message)
		return
	}
	key := pr.Source + "/" + pr.Stage + "/" + fmt.Sprint(pr.Total)
	if pr.Stage == "download" {
		key += "/" + pr.Message
	}
	if key != p.key || p.bar == nil {
		p.finish()
		total := pr.Total
		if total <= 0 {
			total = -1
		}
		desc := domain.FeedSourceLabel(pr.Source) + " " + pr.Stage
		if pr.Source == "" {
			desc = pr.Stage
		}
		opts := []progressbar.Option{progressbar.OptionSetWriter(p.w), progressbar.OptionSetDescription(desc),
			progressbar.OptionSetWidth(30), progressbar.OptionThrottle(100 * time.Millisecond), progressbar.OptionClearOnFinish()}
		if pr.Stage == "download" {
			opts = append(opts, progressbar.OptionShowBytes(true))
		} else {
			opts = append(opts, progressbar.OptionShowCount())
		}
		p.bar = progressbar.NewOptions64(total, opts...)
		p.key = key
	}
	_ = p.bar.Set64(pr.Done)
}

func (p *feedsProgress) finish() {
	if p.bar != nil {
		_ = p.bar.Finish()
		p.bar = nil
	}
}
