package cli

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/vigil-med/vigil/internal/app"
	"github.com/vigil-med/vigil/internal/domain"
	"github.com/vigil-med/vigil/internal/store"
	"github.com/vigil-med/vigil/internal/training"
)

// trainingCommands adds `vigil training …` and the imports `vigil import staff` and
// `vigil import training-results`.
func trainingCommands(root *cobra.Command, env *Env) {
	imp := parentCmd(root, "import", "Import data from files (CSV, XLSX and the formats of each module)")
	imp.AddCommand(importCmd(env, "staff", training.StaffFields, `Import the staff register from an HR export (CSV or XLSX)`,
		`Reads an HR export and adds or updates the people of the staff register, matched by staff number or
else e-mail address. Columns are recognised by their English or German names (Personalnummer, Name or
Vorname/Nachname, E-Mail, Abteilung, Stellenbezeichnung, Berufsgruppe, Vorgesetzter, Eintrittsdatum,
Austrittsdatum, Vorstand …); name others with --mapping. People added, or whose job group, department
or board membership changed, get the curricula of the automatic assignment rules; an organisation
without a training programme gets the starter catalogue first. The import is all or nothing: any
problem is reported with its row and column, and nothing is written.`,
		`  vigil import staff hr-export.csv --dry-run
  vigil import staff personal.xlsx --mapping "staff_number=Kennung,department=Kostenstelle"`))
	imp.AddCommand(importCmd(env, "training-results", training.ResultFields, `Import results of e-learning platforms and phishing simulations (CSV or XLSX)`,
		`Reads results — completed, passed or failed for a module (by code or title), clicked, reported or
ignored for a phishing campaign — for people of the staff register (by staff number or e-mail) into
the training records. Results recorded before are skipped. All or nothing, like the staff import.`,
		`  vigil import training-results lms-export.csv
  vigil import training-results phishing-q1.csv --dry-run --json`))

	cmd := &cobra.Command{Use: "training", Short: "The security skills programme: coverage, catalogue, assignments, reminders"}
	cov := &cobra.Command{
		Use: "coverage",
		Example: `  vigil training coverage
  vigil training coverage --json | jq .totals`,
		Short: "Print training coverage: completed, due and overdue per department, audience and module, and the board",
		Args:  cobra.NoArgs,
		RunE: env.withApp(func(cmd *cobra.Command, _ []string, a *app.App) error {
			ctx, _, sc, err := orgScope(cmd, a)
			if err != nil {
				return err
			}
			r, err := training.Coverage(ctx, sc, a.Now())
			if err != nil {
				return err
			}
			if asJSON, _ := cmd.Flags().GetBool("json"); asJSON {
				enc := json.NewEncoder(env.Stdout)
				enc.SetIndent("", "  ")
				return enc.Encode(r)
			}
			printCoverage(env.Stdout, r)
			return nil
		}),
	}
	cov.Flags().Bool("json", false, "print JSON")

	cat := &cobra.Command{Use: "catalogue", Short: "The starter catalogue of modules and curricula"}
	install := &cobra.Command{
		Use:     "install",
		Example: `  vigil training catalogue install`,
		Short:   "Copy the starter catalogue's modules and curricula the organisation does not have yet",
		Args:    cobra.NoArgs,
		RunE: env.withApp(func(cmd *cobra.Command, _ []string, a *app.App) error {
			ctx, org, sc, err := orgScope(cmd, a)
			if err != nil {
				return err
			}
			var res training.InstallResult
			if err := sc.Write(ctx, func(tx *store.Tx) error {
				var err error
				res, err = training.InstallCatalogue(ctx, tx)
				return err
			}); err != nil {
				return err
			}
			if asJSON, _ := cmd.Flags().GetBool("json"); asJSON {
				return json.NewEncoder(env.Stdout).Encode(res)
			}
			fmt.Fprintf(env.Stdout, "catalogue %s in %s: %d modules and %d curricula added (with %d automatic rules), %d modules and %d curricula kept\n",
				res.Version, org.Name, res.ModulesAdded, res.CurriculaAdded, res.RulesAdded, res.ModulesKept, res.CurriculaKept)
			return nil
		}),
	}
	install.Flags().Bool("json", false, "print JSON")
	cat.AddCommand(install)

	assign := &cobra.Command{
		Use:   "assign",
		Short: "Assign a curriculum (or a module) to a department, an audience or everyone",
		Example: `  vigil training assign --curriculum all-staff-awareness
  vigil training assign --curriculum management-board --audience board --due 2026-09-30
  vigil training assign --module tabletop-exercise --department "IT & Information Security"`,
		Args: cobra.NoArgs,
		RunE: env.withApp(func(cmd *cobra.Command, _ []string, a *app.App) error {
			ctx, _, sc, err := orgScope(cmd, a)
			if err != nil {
				return err
			}
			var req training.BulkAssign
			f := cmd.Flags()
			cur, _ := f.GetString("curriculum")
			mod, _ := f.GetString("module")
			aud, _ := f.GetString("audience")
			due, _ := f.GetString("due")
			req.Department, _ = f.GetString("department")
			req.Audience = domain.Audience(aud)
			req.Auto, _ = f.GetBool("auto")
			if cur != "" {
				c, err := sc.CurriculumByCode(ctx, cur)
				if err != nil {
					return err
				}
				req.CurriculumID = c.ID
			}
			if mod != "" {
				m, err := sc.TrainingModuleByCode(ctx, mod)
				if err != nil {
					return err
				}
				req.ModuleID = m.ID
			}
			if due != "" {
				if req.Due, err = training.ParseDate(due); err != nil {
					return fmt.Errorf("--due %q %v", due, err)
				}
			}
			var res training.AssignResult
			if err := sc.Write(ctx, func(tx *store.Tx) error {
				var err error
				res, err = training.Assign(ctx, tx, req, a.Now())
				return err
			}); err != nil {
				return err
			}
			if asJSON, _ := f.GetBool("json"); asJSON {
				return json.NewEncoder(env.Stdout).Encode(res)
			}
			fmt.Fprintf(env.Stdout, "%d people selected: %d assignments created, %d reactivated, %d given an earlier due date, %d unchanged\n",
				res.People, res.Created, res.Reactivated, res.Tightened, res.Unchanged)
			if res.RuleID != 0 {
				fmt.Fprintf(env.Stdout, "automatic rule %d assigns it to newcomers of the selection too\n", res.RuleID)
			}
			return nil
		}),
	}
	assign.Flags().String("curriculum", "", "curriculum code")
	assign.Flags().String("module", "", "module code (instead of a curriculum)")
	assign.Flags().String("department", "", "only people of this department")
	assign.Flags().String("audience", "", "only people of this audience: "+audiencesList())
	assign.Flags().String("due", "", "due date (default: the curriculum's due days from today)")
	assign.Flags().Bool("auto", false, "also assign to people who join the selection later")
	assign.Flags().Bool("json", false, "print JSON")

	remind := &cobra.Command{
		Use:     "remind",
		Example: `  vigil training remind`,
		Short:   "Queue reminders for training that falls due soon or is overdue now (the server also does it hourly)",
		Args:    cobra.NoArgs,
		RunE: env.withApp(func(cmd *cobra.Command, _ []string, a *app.App) error {
			ctx, org, _, err := orgScope(cmd, a)
			if err != nil {
				return err
			}
			res, err := training.SendReminders(ctx, a.Store, a.Notifier, org.ID, a.Now())
			if err != nil {
				return err
			}
			if asJSON, _ := cmd.Flags().GetBool("json"); asJSON {
				return json.NewEncoder(env.Stdout).Encode(res)
			}
			fmt.Fprintln(env.Stdout, res.String()+"; the e-mails are sent by the server's background jobs")
			return nil
		}),
	}
	remind.Flags().Bool("json", false, "print JSON")
	cmd.AddCommand(cov, cat, assign, remind)
	root.AddCommand(cmd)
}

func audiencesList() string {
	var s []string
	for _, a := range domain.Audiences {
		s = append(s, string(a))
	}
	return strings.Join(s, ", ")
}

func importCmd(env *Env, kind string, fields []training.Field, short, long, example string) *cobra.Command {
	var names []string
	for _, f := range fields {
		names = append(names, f.Name)
	}
	cmd := &cobra.Command{
		Use:     kind + " FILE",
		Short:   short,
		Long:    long + "\n\nFields for --mapping: " + strings.Join(names, ", ") + ".",
		Example: example,
		Args:    cobra.ExactArgs(1),
		RunE: env.withApp(func(cmd *cobra.Command, args []string, a *app.App) error {
			ctx, org, _, err := orgScope(cmd, a)
			if err != nil {
				return err
			}
			f := cmd.Flags()
			mapping, _ := f.GetString("mapping")
			dry, _ := f.GetBool("dry-run")
			asJSON, _ := f.GetBool("json")
			m, err := training.ParseMapping(mapping, fields)
			if err != nil {
				return err
			}
			var in io.Reader = env.Stdin
			name := "stdin"
			if args[0] != "-" {
				fh, err := os.Open(args[0])
				if err != nil {
					return err
				}
				defer fh.Close()
				in, name = fh, filepath.Base(args[0])
			}
			opt := training.ImportOptions{Mapping: m, DryRun: dry, Now: a.Now()}
			var res training.ImportResult
			if kind == "staff" {
				res, err = training.ImportStaff(ctx, a.Store, org.ID, name, in, opt)
			} else {
				res, err = training.ImportResults(ctx, a.Store, org.ID, name, in, opt)
			}
			if err != nil {
				return err
			}
			if asJSON {
				enc := json.NewEncoder(env.Stdout)
				enc.SetIndent("", "  ")
				if err := enc.Encode(res); err != nil {
					return err
				}
			} else {
				printImport(env.Stdout, res)
			}
			if !res.OK {
				return exitError{code: 1, err: fmt.Errorf("%s: %d problem(s); nothing was imported", res.File, len(res.Rejections))}
			}
			return nil
		}),
	}
	cmd.Flags().String("mapping", "", `columns for fields the file names differently: "field=Column,field=Column"`)
	cmd.Flags().Bool("dry-run", false, "check the file and report what would change, without writing")
	cmd.Flags().Bool("json", false, "print the result as JSON")
	return cmd
}

func printImport(w io.Writer, r training.ImportResult) {
	where := r.Format
	if r.Sheet != "" {
		where += ", sheet " + r.Sheet
	}
	fmt.Fprintf(w, "%s (%s, header on row %d): %d data rows\n", r.File, where, r.HeaderRow, r.Rows)
	var cols []string
	for _, c := range r.Columns {
		cols = append(cols, fmt.Sprintf("%s ← %q", c.Field, c.Column))
	}
	if len(cols) > 0 {
		fmt.Fprintf(w, "columns: %s\n", strings.Join(cols, ", "))
	}
	if len(r.Rejections) > 0 {
		fmt.Fprintf(w, "%d problem(s) — nothing was imported:\n", len(r.Rejections))
		for _, rj := range r.Rejections {
			fmt.Fprintf(w, "  %s\n", rj)
		}
		return
	}
	for _, wn := range r.Warnings {
		fmt.Fprintf(w, "warning: %s\n", wn)
	}
	verb := "imported"
	if r.DryRun {
		verb = "dry run, nothing written; would import"
	}
	if r.Kind == "staff" {
		fmt.Fprintf(w, "%s: %d people added, %d changed, %d unchanged; %d assignments made by rules, %d withdrawn\n",
			verb, r.Created, r.Updated, r.Unchanged, r.Assigned, r.Withdrawn)
		if r.Installed {
			fmt.Fprintln(w, "the starter catalogue was installed (the organisation had no training programme)")
		}
		return
	}
	fmt.Fprintf(w, "%s: %d results added, %d recorded before\n", verb, r.Created, r.Unchanged)
}

func printCoverage(w io.Writer, r training.Report) {
	t := r.Totals
	fmt.Fprintf(w, "Training coverage on %s: %d people, %d with training assigned, %d fully trained (%.1f %%)\n",
		r.Day, r.People, r.PeopleAssigned, r.PeopleComplete, r.PeopleRate)
	fmt.Fprintf(w, "Assignments: %d — completed %d (%.1f %%), due %d, overdue %d, not yet due %d (expired completions among them: %d)\n\n",
		t.Assigned, t.Completed, t.Rate, t.Due, t.Overdue, t.NotYetDue, t.Expired)
	table := func(title string, gs []training.Group) {
		tw := tabwriter.NewWriter(w, 2, 4, 2, ' ', tabwriter.AlignRight)
		fmt.Fprintf(tw, "%s\tpeople\tassigned\tcompleted\tdue\toverdue\tnot yet due\trate\t\n", strings.ToUpper(title))
		for _, g := range gs {
			fmt.Fprintf(tw, "%s\t%d\t%d\t%d\t%d\t%d\t%d\t%.1f %%\t\n", g.Label, g.People, g.Assigned, g.Completed, g.Due, g.Overdue, g.NotYetDue, g.Rate)
		}
		tw.Flush()
		fmt.Fprintln(w)
	}
	table("department (lagging first)", r.ByDepartment)
	table("audience", r.ByAudience)
	table("module", r.ByModule)
	b := r.Board
	fmt.Fprintf(w, "Management body (NIS2 Art 20(2)): %d members, %d trained (%.1f %%), %d without a management course; "+
		"management modules completed %d, due %d, overdue %d\n", b.Members, b.MembersTrained, b.TrainedRate, b.MembersNoCourse, b.Completed, b.Due, b.Overdue)
	for _, m := range b.People {
		state := string(m.State)
		if state == "" {
			state = "no course assigned"
		}
		fmt.Fprintf(w, "  %s (%s): %s\n", m.Name, m.JobTitle, strings.ReplaceAll(state, "_", " "))
	}
	if p := r.Phishing.Totals; p.Sent > 0 {
		fmt.Fprintf(w, "\nPhishing simulations since %s: %d messages, %.1f %% clicked, %.1f %% reported\n", r.Phishing.Since.Format(time.DateOnly), p.Sent, p.ClickRate, p.ReportRate)
	}
}
