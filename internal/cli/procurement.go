package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/vigil-med/vigil/internal/app"
	"github.com/vigil-med/vigil/internal/domain"
	"github.com/vigil-med/vigil/internal/mds2"
	"github.com/vigil-med/vigil/internal/procurement"
)

func tenderCmd(env *Env) *cobra.Command {
	cmd := &cobra.Command{Use: "tender", Short: "Cybersecurity in tenders: score vendors' MDS2 forms and SBOMs, list tenders"}
	cmd.AddCommand(tenderEvaluateCmd(env), tenderListCmd(env), tenderShowCmd(env))
	return cmd
}

// evaluateEntry is one vendor in the JSON of `vigil tender evaluate`.
type evaluateEntry struct {
	procurement.VendorResult
	Catalogue        string   `json:"catalogue"`
	CatalogueVersion string   `json:"catalogue_version"`
	ScaleMax         int      `json:"scale_max"`
	AsOf             string   `json:"as_of"`
	SBOM             string   `json:"sbom,omitempty"`
	Questionnaire    string   `json:"questionnaire,omitempty"`
	Warnings         []string `json:"warnings"`
}

func tenderEvaluateCmd(env *Env) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "evaluate",
		Short: "Score vendors' MDS2 forms (and SBOMs, questionnaires) against a requirement catalogue, without a stored tender",
		Long: `Score vendors for a quick pre-procurement check or a script. Each --mds2 file is one vendor; its
answers decide the criteria they map to (Yes = full score, No = 0; notes and free text are left for an
evaluator). --sbom NAME=FILE attaches an SBOM (CycloneDX or SPDX) to the vendor whose MDS2 file base name
(with or without extension) or MDS2 manufacturer (DOC-1) is NAME; it is checked for the NTIA minimum
elements and for end-of-life components. --questionnaire NAME=FILE attaches a returned questionnaire the same way.

--criteria is a built-in catalogue ("default" for devices, "cloud") or a YAML file in the same form.
Known vulnerabilities in SBOM components are checked against the vulnerability index of the data
directory (--data-dir or VIGIL_DATA_DIR: feeds/match.snap, written when the feeds are imported); without
it those criteria stay open.

The JSON (--json) is an array with one entry per vendor, in the order of the --mds2 flags: source, total
(weighted score in percent of the attainable maximum), knocked_out and knocked_out_by, rank, and for every
criterion id, title, weight, must, status, automatic, score (null while open), evidence and comment.`,
		Example: `  vigil tender evaluate --mds2 vendorA.xlsx --mds2 vendorB.xlsx
  vigil tender evaluate --criteria default --mds2 vendorA.xlsx --mds2 vendorB.md --sbom vendorA=bom.json --json`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			flags := cmd.Flags()
			criteria, _ := flags.GetString("criteria")
			mds2Files, _ := flags.GetStringArray("mds2")
			sbomArgs, _ := flags.GetStringArray("sbom")
			qArgs, _ := flags.GetStringArray("questionnaire")
			asJSON, _ := flags.GetBool("json")
			eolDir, _ := flags.GetString("eol-data")
			asOfText, _ := flags.GetString("as-of")
			if len(mds2Files) == 0 {
				return fmt.Errorf("give at least one vendor with --mds2 FILE")
			}
			cat, err := loadCatalogue(criteria)
			if err != nil {
				return err
			}
			if all, _ := flags.GetBool("all"); !all {
				if cat, err = cat.Select(cat.Defaults()); err != nil {
					return err
				}
			}
			asOf := time.Now().UTC()
			if asOfText != "" {
				if asOf, err = time.Parse("2006-01-02", asOfText); err != nil {
					return fmt.Errorf("--as-of %q: write the date as YYYY-MM-DD", asOfText)
				}
			}
			entries := make([]evaluateEntry, len(mds2Files))
			vendors := make([]procurement.Vendor, len(mds2Files))
			for i, path := range mds2Files {
				f, err := os.Open(path)
				if err != nil {
					return fmt.Errorf("--mds2 %s: %w", path, err)
				}
				form, err := mds2.Read(f, filepath.Base(path), procurement.MaxMDS2Bytes)
				f.Close()
				if err != nil {
					return fmt.Errorf("--mds2 %s: %w", path, err)
				}
				name := strings.TrimSpace(form.Manufacturer)
				if name == "" {
					base := filepath.Base(path)
					name = strings.TrimSuffix(base, filepath.Ext(base))
				}
				vendors[i] = procurement.Vendor{Name: name, Product: strings.TrimSpace(strings.Join([]string{form.Device, form.Models}, " ")), Source: path, MDS2: form}
				entries[i].Warnings = append([]string{}, form.Warnings...)
			}
			for _, arg := range sbomArgs {
				name, path, ok := strings.Cut(arg, "=")
				if !ok || name == "" || path == "" {
					return fmt.Errorf("--sbom %q: write it as NAME=FILE", arg)
				}
				i, err := procurement.MatchVendor(vendors, name)
				if err != nil {
					return fmt.Errorf("--sbom %s: %w", arg, err)
				}
				f, err := os.Open(path)
				if err != nil {
					return fmt.Errorf("--sbom %s: %w", arg, err)
				}
				ev, err := procurement.ReadSBOM(f, filepath.Base(path))
				f.Close()
				if err != nil {
					return fmt.Errorf("--sbom %s: %w", arg, err)
				}
				vendors[i].SBOM = ev
				entries[i].SBOM = path
				entries[i].Warnings = append(entries[i].Warnings, ev.Doc.Warnings...)
			}
			for _, arg := range qArgs {
				name, path, ok := strings.Cut(arg, "=")
				if !ok || name == "" || path == "" {
					return fmt.Errorf("--questionnaire %q: write it as NAME=FILE", arg)
				}
				i, err := procurement.MatchVendor(vendors, name)
				if err != nil {
					return fmt.Errorf("--questionnaire %s: %w", arg, err)
				}
				f, err := os.Open(path)
				if err != nil {
					return fmt.Errorf("--questionnaire %s: %w", arg, err)
				}
				res, err := procurement.ReadQuestionnaire(f, filepath.Base(path), cat)
				f.Close()
				if err != nil {
					return fmt.Errorf("--questionnaire %s: %w", arg, err)
				}
				vendors[i].Answers = res.Answers
				entries[i].Questionnaire = path
				for _, e := range res.Errors {
					entries[i].Warnings = append(entries[i].Warnings, path+": "+e.Error())
				}
				entries[i].Warnings = append(entries[i].Warnings, res.Warnings...)
			}
			dataDir, _ := flags.GetString("data-dir")
			if dataDir == "" {
				dataDir = env.Getenv("VIGIL_DATA_DIR")
			}
			eol, eolSource, err := procurement.LoadEOL(eolDir, dataDir)
			if err != nil {
				return err
			}
			opt := procurement.Options{AsOf: asOf, EOL: eol}
			if dataDir != "" {
				opt.Vulns = procurement.NewSnapshotChecker(dataDir) // no data (criteria stay open) until the feeds wrote the snapshot
			}
			ev := procurement.Evaluate(context.Background(), cat, vendors, opt)
			for i, v := range ev.Vendors {
				entries[i].VendorResult = v
				entries[i].Catalogue, entries[i].CatalogueVersion, entries[i].ScaleMax = ev.Catalogue, ev.Version, ev.Scale.Max
				entries[i].AsOf = asOf.Format("2006-01-02")
			}
			if asJSON {
				enc := json.NewEncoder(env.Stdout)
				enc.SetIndent("", "  ")
				return enc.Encode(entries)
			}
			printEvaluation(env, ev, entries, eolSource)
			return nil
		},
	}
	f := cmd.Flags()
	f.String("criteria", procurement.CatalogueDevice, `requirement catalogue: "default" (devices), "cloud", or a YAML file`)
	f.StringArray("mds2", nil, "a vendor's MDS2 form (xlsx, Markdown or Vigil JSON); repeat for each vendor")
	f.StringArray("sbom", nil, "NAME=FILE: an SBOM for the vendor whose MDS2 file base name or manufacturer is NAME")
	f.StringArray("questionnaire", nil, "NAME=FILE: a returned questionnaire (xlsx) for the vendor NAME")
	f.String("as-of", "", "evaluation date YYYY-MM-DD (support periods, certificates, end of life); default today")
	f.String("eol-data", "", "endoflife.date folder (products/*.md); default: the data directory's copy or the embedded subset")
	f.Bool("all", false, "score every criterion of the catalogue, not only those chosen for new tenders by default")
	f.Bool("json", false, "print JSON")
	return cmd
}

func loadCatalogue(name string) (*procurement.Catalogue, error) {
	if c, ok := procurement.Builtin(name); ok {
		return c, nil
	}
	b, err := os.ReadFile(name)
	if err != nil {
		return nil, fmt.Errorf("--criteria %q: not a built-in catalogue (%s) and not a readable file: %w", name, strings.Join(procurement.BuiltinNames(), ", "), err)
	}
	c, err := procurement.ParseCatalogue(filepath.Base(name), b)
	if err != nil {
		return nil, fmt.Errorf("--criteria %s: %w", name, err)
	}
	return c, nil
}

func printEvaluation(env *Env, ev procurement.Evaluation, entries []evaluateEntry, eolSource string) {
	w := env.Stdout
	fmt.Fprintf(w, "Catalogue %s %s, scale 0–%d, evaluated on %s; end-of-life data: %s.\n\n", ev.Catalogue, ev.Version, ev.Scale.Max,
		ev.AsOf.Format("2006-01-02"), eolSource)
	tw := tabwriter.NewWriter(w, 2, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "RANK\tVENDOR\tSOURCE\tTOTAL\tKNOCKED OUT\tOPEN")
	for _, v := range ev.Ranked() {
		ko := "no"
		if v.KnockedOut {
			ko = "yes: " + strings.Join(v.KnockedOutBy, ", ")
		}
		fmt.Fprintf(tw, "%d\t%s\t%s\t%.1f %%\t%s\t%d\n", v.Rank, v.Vendor, filepath.Base(v.Source), v.Total, ko, v.NeedsEvaluation)
	}
	tw.Flush()
	fmt.Fprintln(w)
	tw = tabwriter.NewWriter(w, 2, 4, 2, ' ', 0)
	head := []string{"CRITERION", "W", "MUST"}
	for _, v := range ev.Vendors {
		head = append(head, strings.ToUpper(clipText(v.Vendor, 18)))
	}
	fmt.Fprintln(tw, strings.Join(head, "\t"))
	if len(ev.Vendors) > 0 {
		for i, c := range ev.Vendors[0].Criteria {
			must := ""
			if c.Must {
				must = "must"
			}
			row := []string{c.ID, strconv.FormatFloat(c.Weight, 'f', -1, 64), must}
			for _, v := range ev.Vendors {
				row = append(row, cliScore(v.Criteria[i]))
			}
			fmt.Fprintln(tw, strings.Join(row, "\t"))
		}
	}
	tw.Flush()
	for i, e := range entries {
		if len(e.Warnings) > 0 {
			fmt.Fprintf(w, "\n%s: %d warnings, e.g. %s\n", ev.Vendors[i].Vendor, len(e.Warnings), e.Warnings[0])
		}
	}
	fmt.Fprintf(w, "\nScores: auto = decided by the evidence; open = needs an evaluator (evidence suggests ~n); KO = failed must criterion. Use --json for evidence and comments.\n")
}

func cliScore(c procurement.CriterionResult) string {
	switch c.Status {
	case procurement.StatusNotApplicable:
		return "n/a"
	case procurement.StatusNeedsEvaluation:
		if c.Suggested != nil {
			return fmt.Sprintf("open (~%d)", *c.Suggested)
		}
		return "open"
	}
	s := fmt.Sprintf("%d/%d", *c.Score, c.Max)
	if c.KnockOut {
		s += " KO"
	}
	return s
}

func clipText(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}

func tenderListCmd(env *Env) *cobra.Command {
	cmd := &cobra.Command{
		Use: "list",
		Example: `  vigil tender list
  vigil tender list --json`,
		Short: "List the organisation's tenders",
		Args:  cobra.NoArgs,
		RunE: env.withApp(func(cmd *cobra.Command, _ []string, a *app.App) error {
			ctx, _, sc, err := orgScope(cmd, a)
			if err != nil {
				return err
			}
			status, _ := cmd.Flags().GetString("status")
			page, err := sc.Tenders(ctx, domain.TenderFilter{ListParams: domain.ListParams{Limit: domain.MaxPageSize}, Status: status})
			if err != nil {
				return err
			}
			if asJSON, _ := cmd.Flags().GetBool("json"); asJSON {
				return json.NewEncoder(env.Stdout).Encode(page.Items)
			}
			tw := tabwriter.NewWriter(env.Stdout, 2, 4, 2, ' ', 0)
			fmt.Fprintln(tw, "ID\tREFERENCE\tTITLE\tKIND\tSTATUS\tBIDS")
			for _, t := range page.Items {
				fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\t%d\n", t.ID, t.Reference, t.Title, t.Kind, t.Status, t.Bids)
			}
			return tw.Flush()
		}),
	}
	cmd.Flags().String("status", "", "only tenders with this status")
	cmd.Flags().Bool("json", false, "print JSON")
	return cmd
}

func tenderShowCmd(env *Env) *cobra.Command {
	cmd := &cobra.Command{
		Use: "show ID|REFERENCE",
		Example: `  vigil tender show T-2026-014
  vigil tender show 3 --json`,
		Short: "Show a stored tender's evaluation (scores, knock-outs, ranking)",
		Args:  cobra.ExactArgs(1),
		RunE: env.withApp(func(cmd *cobra.Command, args []string, a *app.App) error {
			ctx, _, sc, err := orgScope(cmd, a)
			if err != nil {
				return err
			}
			id, err := strconv.ParseInt(args[0], 10, 64)
			if err != nil {
				page, err := sc.Tenders(ctx, domain.TenderFilter{ListParams: domain.ListParams{Limit: domain.MaxPageSize, Q: args[0]}})
				if err != nil {
					return err
				}
				for _, t := range page.Items {
					if t.Reference == args[0] {
						id = t.ID
					}
				}
				if id == 0 {
					return fmt.Errorf("no tender with reference %q", args[0])
				}
			}
			te, err := procurement.EvaluateTender(ctx, sc, id, a.Procurement.Options(a.Now()))
			if err != nil {
				return err
			}
			if asJSON, _ := cmd.Flags().GetBool("json"); asJSON {
				enc := json.NewEncoder(env.Stdout)
				enc.SetIndent("", "  ")
				return enc.Encode(te)
			}
			var buf bytes.Buffer
			fmt.Fprintf(&buf, "%s %s (%s)\n", te.Tender.Reference, te.Tender.Title, te.Tender.Status)
			env.Stdout.Write(buf.Bytes())
			printEvaluation(env, te.Evaluation, make([]evaluateEntry, len(te.Evaluation.Vendors)), a.Procurement.EOLSource())
			return nil
		}),
	}
	cmd.Flags().Bool("json", false, "print JSON")
	return cmd
}
