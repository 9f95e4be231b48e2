package cli

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/vigil-med/vigil/internal/app"
	"github.com/vigil-med/vigil/internal/compliance"
	"github.com/vigil-med/vigil/internal/domain"
	"github.com/vigil-med/vigil/internal/regulation"
)

func regulationCmd(env *Env) *cobra.Command {
	cmd := &cobra.Command{Use: "regulation", Short: "EU law: NIS2 scope, which laws apply, Art. 21 assessments with evidence, gap report"}
	cmd.AddCommand(scopeCmd(env), entityTypesCmd(env), profileCmd(env), applicabilityCmd(env), overlaysCmd(env), assessmentCmd(env))
	return cmd
}

func entityIDs() string {
	var ids []string
	for _, e := range regulation.EntityTypes() {
		ids = append(ids, string(e.ID))
	}
	return strings.Join(ids, ", ")
}

// scopeInputFromFlags reads the scope flags shared by `regulation scope` and `regulation profile set` into the
// input of the scope check; errors name the flag and the values allowed.
func scopeInputFromFlags(cmd *cobra.Command) (regulation.ScopeInput, error) {
	in := regulation.ScopeInput{Employees: -1, TurnoverEUR: -1, BalanceSheetEUR: -1}
	f := cmd.Flags()
	et, _ := f.GetString("entity-type")
	if strings.TrimSpace(et) == "" {
		return in, fmt.Errorf("--entity-type is required (one of %s)", entityIDs())
	}
	t, err := regulation.ParseEntityType(et)
	if err != nil {
		return in, fmt.Errorf("--entity-type: unknown entity type %q (allowed: %s)", et, entityIDs())
	}
	in.EntityType = t
	in.Public, _ = f.GetBool("public")
	in.CERCritical, _ = f.GetBool("cer-critical")
	in.SoleProvider, _ = f.GetBool("sole-provider")
	in.OwnFiguresOnly, _ = f.GetBool("own-figures-only")
	c, _ := f.GetString("country")
	c = strings.ToUpper(strings.TrimSpace(c))
	if c != "" && (len(c) != 2 || c[0] < 'A' || c[0] > 'Z' || c[1] < 'A' || c[1] > 'Z') {
		return in, fmt.Errorf("--country: want a two-letter country code such as DE (EU Member States: %s), got %q", strings.Join(regulation.EUMemberStates(), ", "), c)
	}
	in.MemberState = c
	d, _ := f.GetString("designated")
	switch strings.ToLower(strings.TrimSpace(d)) {
	case "":
	case "essential", "important":
		in.Designated = regulation.Designation(strings.ToLower(strings.TrimSpace(d)))
	default:
		return in, fmt.Errorf("--designated: want essential or important, got %q", d)
	}
	if s, _ := f.GetString("employees"); strings.TrimSpace(s) != "" {
		v, err := compliance.ParseHeadcount(s)
		if err != nil {
			return in, fmt.Errorf("--employees: %v", err)
		}
		in.Employees = v
	}
	for _, x := range []struct {
		flag string
		dst  *int64
	}{{"turnover-eur", &in.TurnoverEUR}, {"balance-eur", &in.BalanceSheetEUR}} {
		if s, _ := f.GetString(x.flag); strings.TrimSpace(s) != "" {
			v, err := compliance.ParseAmount(s)
			if err != nil {
				return in, fmt.Errorf("--%s: %v", x.flag, err)
			}
			*x.dst = v
		}
	}
	return in, nil
}

func addScopeFlags(cmd *cobra.Command) {
	f := cmd.Flags()
	f.String("entity-type", "", "what the organisation is: "+entityIDs())
	f.String("employees", "", "staff in annual work units (full-time equivalents); empty = unknown")
	f.String("turnover-eur", "", "annual turnover in euro, e.g. 40000000 or 40m; empty = unknown")
	f.String("balance-eur", "", "annual balance-sheet total in euro; empty = unknown")
	f.Bool("public", false, "a public body (sized on its own figures all the same)")
	f.String("country", "", "Member State of establishment, ISO code such as DE")
	f.String("designated", "", "identified by the Member State as essential or important")
	f.Bool("cer-critical", false, "a critical entity under the CER Directive (EU) 2022/2557")
	f.Bool("sole-provider", false, "sole provider of an essential service in the Member State")
	f.Bool("own-figures-only", false, "the figures leave out linked or partner enterprises")
}

func scopeCmd(env *Env) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "scope",
		Short: "NIS2 scope check: essential, important, out of scope or uncertain, with the reasoning and article references",
		Long: `Runs the NIS2 scope check (Directive (EU) 2022/2555 Art 2-3, Annexes I-II, sizes of Recommendation
2003/361/EC) for the facts given on the command line; no database is needed. Figures left out are
unknown; the answer then says what to check. With --country, the national overlay of that Member State
(labels, authorities, registration) is applied when Vigil has one. Not legal advice.`,
		Example: `  vigil regulation scope --entity-type healthcare-provider --employees 300 --turnover-eur 40000000 --balance-eur 30000000 --country DE --json
  vigil regulation scope --entity-type medical-device-manufacturer --employees 120 --turnover-eur 18m --balance-eur 12m`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			in, err := scopeInputFromFlags(cmd)
			if err != nil {
				return err
			}
			ans := compliance.CheckScope(in, time.Now())
			if asJSON, _ := cmd.Flags().GetBool("json"); asJSON {
				return writeJSON(env.Stdout, ans)
			}
			printScope(env.Stdout, ans)
			return nil
		},
	}
	addScopeFlags(cmd)
	cmd.Flags().Bool("json", false, "print JSON: category, annex, size, reasons, to_check, duties, deadlines, authorities")
	return cmd
}

func categoryText(c regulation.Category) string {
	switch c {
	case regulation.Essential:
		return "ESSENTIAL entity"
	case regulation.Important:
		return "IMPORTANT entity"
	case regulation.OutOfScope:
		return "NOT IN SCOPE of NIS2"
	}
	return "UNCERTAIN: facts to check"
}

func printScope(w io.Writer, ans compliance.ScopeAnswer) {
	head := "NIS2 scope: " + categoryText(ans.Category)
	if ans.Annex != "" {
		head += " (Annex " + ans.Annex + ")"
	}
	fmt.Fprintln(w, head)
	if ans.NationalLabel != "" {
		fmt.Fprintf(w, "%s: %s\n", ans.Country, ans.NationalLabel)
	}
	fmt.Fprintf(w, "Size: %s\n\nWhy:\n", ans.Size)
	for i, r := range ans.Reasons {
		fmt.Fprintf(w, "  %d. [%s] %s\n", i+1, r.Ref, r.Text)
	}
	if len(ans.ToCheck) > 0 {
		fmt.Fprintln(w, "\nTo check:")
		for _, r := range ans.ToCheck {
			fmt.Fprintf(w, "  - [%s] %s\n", r.Ref, r.Text)
		}
	}
	if len(ans.Duties) > 0 {
		fmt.Fprintln(w, "\nWhat follows:")
		for _, d := range ans.Duties {
			fmt.Fprintf(w, "  - %s [%s]\n", d.Text, d.Ref)
		}
		for _, r := range ans.Registration {
			fmt.Fprintf(w, "  - %s [%s]\n", r.Text, r.Ref)
		}
	}
	if len(ans.Deadlines) > 0 {
		fmt.Fprintln(w, "\nDeadlines:")
		for _, d := range ans.Deadlines {
			fmt.Fprintf(w, "  - %s: %s [%s]\n", d.Text, d.Period, d.Ref)
		}
	}
	fmt.Fprintf(w, "\n%s (rules %s)\n", ans.Disclaimer, ans.Version)
}

func entityTypesCmd(env *Env) *cobra.Command {
	cmd := &cobra.Command{
		Use:     "entity-types",
		Example: `  vigil regulation entity-types --json`,
		Short:   "List the entity types of the NIS2 scope check with their Annex and legal reference",
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if asJSON, _ := cmd.Flags().GetBool("json"); asJSON {
				return writeJSON(env.Stdout, regulation.EntityTypes())
			}
			tw := tabwriter.NewWriter(env.Stdout, 2, 4, 2, ' ', 0)
			fmt.Fprintln(tw, "ID\tANNEX\tREFERENCE\tLABEL")
			for _, e := range regulation.EntityTypes() {
				fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", e.ID, e.Annex, e.Ref, e.Label)
			}
			return tw.Flush()
		},
	}
	cmd.Flags().Bool("json", false, "print JSON")
	return cmd
}

func profileCmd(env *Env) *cobra.Command {
	cmd := &cobra.Command{
		Use: "profile",
		Example: `  vigil regulation profile
  vigil regulation profile set --entity-type healthcare-provider --employees 4800 --public`,
		Short: "Show the organisation's regulatory profile and its NIS2 scope",
		Args:  cobra.NoArgs,
		RunE: env.withApp(func(cmd *cobra.Command, _ []string, a *app.App) error {
			ctx, org, sc, err := orgScope(cmd, a)
			if err != nil {
				return err
			}
			p, err := compliance.Profile(ctx, sc)
			if err != nil {
				return err
			}
			ans := compliance.CheckScope(compliance.ScopeInput(p), a.Now())
			if asJSON, _ := cmd.Flags().GetBool("json"); asJSON {
				return writeJSON(env.Stdout, map[string]any{"profile": p, "scope": ans})
			}
			saved := "saved " + p.Updated.Format("2006-01-02") + " by " + p.UpdatedBy
			if !p.Saved {
				saved = "not saved: proposed from the organisation's settings"
			}
			fmt.Fprintf(env.Stdout, "%s — regulatory profile (%s)\n", org.Name, saved)
			fmt.Fprintf(env.Stdout, "  entity type %s, public %v, country %s, staff %s, turnover %s, balance sheet %s\n\n",
				p.EntityType, p.Public, p.Country, figure(p.Employees), amount(p.TurnoverEUR), amount(p.BalanceSheetEUR))
			printScope(env.Stdout, ans)
			return nil
		}),
	}
	cmd.Flags().Bool("json", false, "print JSON")
	set := &cobra.Command{
		Use:   "set",
		Short: "Save the organisation's regulatory profile (the flags given replace the saved values)",
		Example: `  vigil regulation profile set --entity-type healthcare-provider --public --country DE --employees 4800 --turnover-eur 610m --balance-eur 540m
  vigil regulation profile set --employees 4900`,
		Args: cobra.NoArgs,
		RunE: env.withApp(func(cmd *cobra.Command, _ []string, a *app.App) error {
			ctx, _, sc, err := orgScope(cmd, a)
			if err != nil {
				return err
			}
			p, err := compliance.Profile(ctx, sc)
			if err != nil {
				return err
			}
			f := cmd.Flags()
			if !f.Changed("entity-type") {
				_ = f.Set("entity-type", p.EntityType)
			}
			in, err := scopeInputFromFlags(cmd)
			if err != nil {
				return err
			}
			p.EntityType = string(in.EntityType)
			if f.Changed("public") {
				p.Public = in.Public
			}
			if f.Changed("country") {
				p.Country = in.MemberState
			}
			if f.Changed("employees") {
				p.Employees = in.Employees
			}
			if f.Changed("turnover-eur") {
				p.TurnoverEUR = in.TurnoverEUR
			}
			if f.Changed("balance-eur") {
				p.BalanceSheetEUR = in.BalanceSheetEUR
			}
			if f.Changed("designated") {
				p.Designated = string(in.Designated)
			}
			if f.Changed("cer-critical") {
				p.CERCritical = in.CERCritical
			}
			if f.Changed("sole-provider") {
				p.SoleProvider = in.SoleProvider
			}
			if f.Changed("own-figures-only") {
				p.OwnFiguresOnly = in.OwnFiguresOnly
			}
			for flag, dst := range map[string]*bool{"manufacturer": &p.Manufacturer, "personal-data": &p.PersonalData,
				"health-data": &p.HealthData, "large-scale-health-data": &p.LargeScaleHealthData} {
				if f.Changed(flag) {
					*dst, _ = f.GetBool(flag)
				}
			}
			if err := compliance.SaveProfile(ctx, sc, &p); err != nil {
				return flagError(err)
			}
			ans := compliance.CheckScope(compliance.ScopeInput(p), a.Now())
			fmt.Fprintf(env.Stdout, "saved the regulatory profile: %s\n", categoryText(ans.Category))
			return nil
		}),
	}
	addScopeFlags(set)
	set.Flags().Bool("manufacturer", false, "places medical devices, IVDs or other products on the market")
	set.Flags().Bool("personal-data", true, "processes personal data")
	set.Flags().Bool("health-data", false, "processes health data")
	set.Flags().Bool("large-scale-health-data", false, "processes health data on a large scale (a hospital)")
	cmd.AddCommand(set)
	return cmd
}

// flagError names the command-line flag of a domain field error (turnover_eur → --turnover-eur).
func flagError(err error) error {
	if f := domain.ErrorField(err); f != "" {
		names := map[string]string{"balance_sheet_eur": "balance-eur"}
		name, ok := names[f]
		if !ok {
			name = strings.ReplaceAll(f, "_", "-")
		}
		return fmt.Errorf("--%s: %s", name, strings.TrimPrefix(domain.ErrorMessage(err), f+": "))
	}
	return err
}

func figure(v float64) string {
	if v < 0 {
		return "unknown"
	}
	return strconv.FormatFloat(v, 'f', -1, 64)
}

func amount(v int64) string {
	if v < 0 {
		return "unknown"
	}
	return "€" + strconv.FormatInt(v, 10)
}

func applicabilityCmd(env *Env) *cobra.Command {
	cmd := &cobra.Command{
		Use: "applicability",
		Example: `  vigil regulation applicability
  vigil regulation applicability --json`,
		Short: "Which of NIS2, MDR, IVDR, CRA, EHDS and GDPR apply to the organisation and its products, with duties, deadlines and authorities",
		Args:  cobra.NoArgs,
		RunE: env.withApp(func(cmd *cobra.Command, _ []string, a *app.App) error {
			ctx, org, sc, err := orgScope(cmd, a)
			if err != nil {
				return err
			}
			res, err := compliance.OrgApplicability(ctx, sc, a.Compliance, a.Now())
			if err != nil {
				return err
			}
			if asJSON, _ := cmd.Flags().GetBool("json"); asJSON {
				return writeJSON(env.Stdout, res)
			}
			fmt.Fprintf(env.Stdout, "%s — NIS2: %s\n", org.Name, categoryText(res.Assessment.Scope.Category))
			if o := res.Overlay.Overlay; o != nil {
				fmt.Fprintf(env.Stdout, "National overlay: %s %s (%s)\n", o.Name, o.Version, res.Overlay.File)
			} else {
				fmt.Fprintf(env.Stdout, "National overlay: none for %q (EU rules only)\n", res.Overlay.Country)
			}
			printLaws := func(laws []regulation.LawApplicability) {
				for _, la := range laws {
					fmt.Fprintf(env.Stdout, "  %-50s %s", la.Name+" ("+la.Ref+")", la.Applies)
					if len(la.Roles) > 0 {
						fmt.Fprintf(env.Stdout, " as %s", strings.Join(la.Roles, ", "))
					}
					fmt.Fprintln(env.Stdout)
					for _, d := range la.Deadlines {
						fmt.Fprintf(env.Stdout, "      deadline %s: %s [%s]\n", d.Period, d.Text, d.Ref)
					}
				}
			}
			fmt.Fprintln(env.Stdout, "\nOrganisation:")
			printLaws(res.Assessment.Organisation)
			if !res.ProductsWired {
				fmt.Fprintln(env.Stdout, "\nProducts: the inventory is not connected yet; check products with POST /api/v1/regulation/applicability.")
			}
			for _, p := range res.Assessment.Products {
				fmt.Fprintf(env.Stdout, "\nProduct %s:\n", p.Name)
				printLaws(p.Laws)
			}
			return nil
		}),
	}
	cmd.Flags().Bool("json", false, "print JSON")
	return cmd
}

func overlaysCmd(env *Env) *cobra.Command {
	cmd := &cobra.Command{
		Use:     "overlays",
		Example: `  vigil regulation overlays`,
		Short:   "List the national overlays (Member State rules over the EU texts) and where their data lives",
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			ovs := regulation.Overlays()
			if asJSON, _ := cmd.Flags().GetBool("json"); asJSON {
				return writeJSON(env.Stdout, ovs)
			}
			tw := tabwriter.NewWriter(env.Stdout, 2, 4, 2, ' ', 0)
			fmt.Fprintln(tw, "COUNTRY\tNAME\tVERSION\tNATIONAL LAW\tDATA")
			for _, o := range ovs {
				fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", o.Country, o.Name, o.Version, o.NationalLaw.Short, compliance.OverlayFile(o.Country))
			}
			if err := tw.Flush(); err != nil {
				return err
			}
			fmt.Fprintln(env.Stdout, "\nTo add a country see internal/regulation/data/overlays/README.md and docs/regulation.md.")
			return nil
		},
	}
	cmd.Flags().Bool("json", false, "print JSON")
	return cmd
}

func assessmentCmd(env *Env) *cobra.Command {
	cmd := &cobra.Command{Use: "assessment", Short: "NIS2 Art. 21 assessment campaigns: measures, evidence, sign-off, gap report"}
	parseID := func(s string) (int64, error) {
		id, err := strconv.ParseInt(s, 10, 64)
		if err != nil || id <= 0 {
			return 0, fmt.Errorf("assessment id %q: want a positive number (see vigil regulation assessment list)", s)
		}
		return id, nil
	}
	list := &cobra.Command{
		Use: "list", Short: "List the assessments", Args: cobra.NoArgs,
		Example: `  vigil regulation assessment list --json`,
		RunE: env.withApp(func(cmd *cobra.Command, _ []string, a *app.App) error {
			ctx, _, sc, err := orgScope(cmd, a)
			if err != nil {
				return err
			}
			page, err := sc.Assessments(ctx, domain.ListParams{Limit: domain.MaxPageSize})
			if err != nil {
				return err
			}
			if asJSON, _ := cmd.Flags().GetBool("json"); asJSON {
				return writeJSON(env.Stdout, page.Items)
			}
			tw := tabwriter.NewWriter(env.Stdout, 2, 4, 2, ' ', 0)
			fmt.Fprintln(tw, "ID\tNAME\tPERIOD\tOWNER\tSTATUS")
			for _, x := range page.Items {
				st := x.Status
				if x.Frozen() {
					st += " " + x.SignOff.At.Format("2006-01-02") + " by " + x.SignOff.Name
				}
				fmt.Fprintf(tw, "%d\t%s\t%s – %s\t%s\t%s\n", x.ID, x.Name, x.PeriodStart, x.PeriodEnd, x.Owner, st)
			}
			return tw.Flush()
		}),
	}
	list.Flags().Bool("json", false, "print JSON")

	create := &cobra.Command{
		Use: "new NAME", Short: "Start an assessment over the measures catalogue (or from a copy with --from)", Args: cobra.ExactArgs(1),
		Example: `  vigil regulation assessment new "NIS2 Art 21 assessment 2027" --from 3 --owner "CISO" --period-start 2027-01-01 --period-end 2027-12-31`,
		RunE: env.withApp(func(cmd *cobra.Command, args []string, a *app.App) error {
			ctx, _, sc, err := orgScope(cmd, a)
			if err != nil {
				return err
			}
			f := cmd.Flags()
			as := domain.Assessment{Name: args[0]}
			as.PeriodStart, _ = f.GetString("period-start")
			as.PeriodEnd, _ = f.GetString("period-end")
			as.Owner, _ = f.GetString("owner")
			from, _ := f.GetInt64("from")
			if err := compliance.StartAssessment(ctx, sc, &as, from); err != nil {
				return flagError(err)
			}
			fmt.Fprintf(env.Stdout, "started assessment %d: %s\n", as.ID, as.Name)
			return nil
		}),
	}
	create.Flags().String("period-start", "", "start of the period, YYYY-MM-DD")
	create.Flags().String("period-end", "", "end of the period, YYYY-MM-DD")
	create.Flags().String("owner", "", "who owns the campaign")
	create.Flags().Int64("from", 0, "start from a copy of this assessment")

	show := &cobra.Command{
		Use: "show ID", Short: "Show an assessment: every measure with status, maturity, gap, evidence", Args: cobra.ExactArgs(1),
		Example: `  vigil regulation assessment show 2 --status partial`,
		RunE: env.withApp(func(cmd *cobra.Command, args []string, a *app.App) error {
			ctx, org, sc, err := orgScope(cmd, a)
			if err != nil {
				return err
			}
			id, err := parseID(args[0])
			if err != nil {
				return err
			}
			b, err := compliance.LoadBoard(ctx, sc, a.Compliance, id, a.Now(), org.Location())
			if err != nil {
				return err
			}
			status, _ := cmd.Flags().GetString("status")
			if status != "" && !slices.Contains(domain.MeasureStatuses, status) {
				return fmt.Errorf("--status: want one of %s, got %q", strings.Join(domain.MeasureStatuses, ", "), status)
			}
			b.Rows = compliance.FilterRows(b.Rows, status)
			if asJSON, _ := cmd.Flags().GetBool("json"); asJSON {
				return writeJSON(env.Stdout, b)
			}
			fmt.Fprintf(env.Stdout, "%s (%s)\n", b.Assessment.Name, b.Assessment.Status)
			tw := tabwriter.NewWriter(env.Stdout, 2, 4, 2, ' ', 0)
			fmt.Fprintln(tw, "MEASURE\tSTATUS\tMATURITY\tGAP\tOWNER\tDUE\tEVIDENCE")
			for _, r := range b.Rows {
				due := r.State.DueDate
				if r.Overdue {
					due += " OVERDUE"
				}
				fmt.Fprintf(tw, "%s\t%s\t%d/%d\t%d\t%s\t%s\t%d\n", r.Measure.ID, r.State.Status, r.State.Maturity, r.State.TargetMaturity, r.Gap, r.State.Owner, due, r.EvidenceCount())
			}
			if err := tw.Flush(); err != nil {
				return err
			}
			for _, ae := range b.Auto {
				if ae.Status == compliance.AutoOK {
					fmt.Fprintf(env.Stdout, "automatic %s (as of %s): %s\n", ae.Kind, ae.Evidence.AsOf.In(org.Location()).Format("2006-01-02 15:04"), strings.Join(ae.Lines(), "; "))
				} else {
					fmt.Fprintf(env.Stdout, "automatic %s: %s\n", ae.Kind, ae.Message)
				}
			}
			return nil
		}),
	}
	show.Flags().Bool("json", false, "print JSON")
	show.Flags().String("status", "", "only measures with this status: "+strings.Join(domain.MeasureStatuses, ", "))

	set := &cobra.Command{
		Use: "set ID MEASURE", Short: "Set the status, maturity, owner, due date or comment of a measure", Args: cobra.ExactArgs(2),
		Example: `  vigil regulation assessment set 4 nis2.21.2.b --status partial --maturity 2 --owner "Head of IT" --due 2027-06-30`,
		RunE: env.withApp(func(cmd *cobra.Command, args []string, a *app.App) error {
			ctx, org, sc, err := orgScope(cmd, a)
			if err != nil {
				return err
			}
			id, err := parseID(args[0])
			if err != nil {
				return err
			}
			b, err := compliance.LoadBoard(ctx, sc, nil, id, a.Now(), org.Location())
			if err != nil {
				return err
			}
			row, ok := b.Row(args[1])
			if !ok {
				var ids []string
				for _, r := range b.Rows {
					ids = append(ids, r.Measure.ID)
				}
				return fmt.Errorf("measure %q: not in the catalogue (allowed: %s)", args[1], strings.Join(ids, ", "))
			}
			m := row.State
			f := cmd.Flags()
			if f.Changed("status") {
				m.Status, _ = f.GetString("status")
			}
			if f.Changed("maturity") {
				m.Maturity, _ = f.GetInt("maturity")
			}
			if f.Changed("target") {
				m.TargetMaturity, _ = f.GetInt("target")
			}
			if f.Changed("owner") {
				m.Owner, _ = f.GetString("owner")
			}
			if f.Changed("due") {
				m.DueDate, _ = f.GetString("due")
			}
			if f.Changed("comment") {
				m.Comment, _ = f.GetString("comment")
			}
			if err := compliance.SetMeasure(ctx, sc, &m); err != nil {
				names := map[string]string{"target_maturity": "target", "due_date": "due"}
				if n, ok := names[domain.ErrorField(err)]; ok {
					return fmt.Errorf("--%s: %s", n, strings.TrimPrefix(domain.ErrorMessage(err), domain.ErrorField(err)+": "))
				}
				return flagError(err)
			}
			fmt.Fprintf(env.Stdout, "%s: %s, maturity %d of 4 (target %d)\n", m.MeasureID, domain.MeasureStatusLabel(m.Status), m.Maturity, m.TargetMaturity)
			return nil
		}),
	}
	set.Flags().String("status", "", "one of "+strings.Join(domain.MeasureStatuses, ", "))
	set.Flags().Int("maturity", 0, "maturity level 0-4")
	set.Flags().Int("target", 3, "target maturity 0-4")
	set.Flags().String("owner", "", "owner of the measure")
	set.Flags().String("due", "", "due date YYYY-MM-DD")
	set.Flags().String("comment", "", "what is in place and what is missing (required for not-applicable)")

	evidence := &cobra.Command{
		Use: "evidence ID MEASURE", Short: "Add a document (--file) or a link (--url) to the evidence of a measure", Args: cobra.ExactArgs(2),
		Example: `  vigil regulation assessment evidence 2 nis2.21.2.j --url https://intranet.example/mfa-policy --title "MFA policy"
  vigil regulation assessment evidence 2 nis2.21.2.c --file backup-test-2026.pdf`,
		RunE: env.withApp(func(cmd *cobra.Command, args []string, a *app.App) error {
			ctx, _, sc, err := orgScope(cmd, a)
			if err != nil {
				return err
			}
			id, err := parseID(args[0])
			if err != nil {
				return err
			}
			file, _ := cmd.Flags().GetString("file")
			link, _ := cmd.Flags().GetString("url")
			title, _ := cmd.Flags().GetString("title")
			var e domain.MeasureEvidence
			switch {
			case (file == "") == (link == ""):
				return fmt.Errorf("give either --file or --url")
			case file != "":
				data, err := readLimited(file, compliance.MaxEvidenceBytes)
				if err != nil {
					return err
				}
				e, err = compliance.AddFile(ctx, sc, id, args[1], title, filepath.Base(file), data)
				if err != nil {
					return err
				}
				fmt.Fprintf(env.Stdout, "added %s (%d bytes, sha256 %s) to %s\n", e.FileName, e.Size, e.SHA256, e.MeasureID)
			default:
				e, err = compliance.AddLink(ctx, sc, id, args[1], title, link)
				if err != nil {
					return flagError(err)
				}
				fmt.Fprintf(env.Stdout, "added the link %s to %s\n", e.URL, e.MeasureID)
			}
			return nil
		}),
	}
	evidence.Flags().String("file", "", "a document to upload (at most 20 MiB)")
	evidence.Flags().String("url", "", "a link (http or https)")
	evidence.Flags().String("title", "", "title of the evidence")

	signOff := &cobra.Command{
		Use: "sign-off ID", Short: "Record the management body's sign-off: automatic evidence is snapshotted, the assessment frozen", Args: cobra.ExactArgs(1),
		Example: `  vigil regulation assessment sign-off 2 --name "Dr. A. Example" --role "managing director" --comment "approved with the plan"`,
		RunE: env.withApp(func(cmd *cobra.Command, args []string, a *app.App) error {
			ctx, _, sc, err := orgScope(cmd, a)
			if err != nil {
				return err
			}
			id, err := parseID(args[0])
			if err != nil {
				return err
			}
			f := cmd.Flags()
			var so domain.SignOff
			so.Name, _ = f.GetString("name")
			so.Role, _ = f.GetString("role")
			so.Comment, _ = f.GetString("comment")
			as, err := compliance.SignOff(ctx, sc, a.Compliance, id, so)
			if err != nil {
				return flagError(err)
			}
			fmt.Fprintf(env.Stdout, "assessment %d signed off by %s (%s) on %s; it is frozen now\n", as.ID, as.SignOff.Name, as.SignOff.Role, as.SignOff.At.Format("2006-01-02 15:04 MST"))
			return nil
		}),
	}
	signOff.Flags().String("name", "", "who signs for the management body")
	signOff.Flags().String("role", "", "their function, e.g. managing director")
	signOff.Flags().String("comment", "", "the decision or a comment")

	report := &cobra.Command{
		Use: "report ID", Short: "Write the gap report for the management body as PDF (--pdf FILE) or JSON", Args: cobra.ExactArgs(1),
		Example: `  vigil regulation assessment report 2 --pdf gap-report.pdf`,
		RunE: env.withApp(func(cmd *cobra.Command, args []string, a *app.App) error {
			ctx, org, sc, err := orgScope(cmd, a)
			if err != nil {
				return err
			}
			id, err := parseID(args[0])
			if err != nil {
				return err
			}
			b, err := compliance.LoadBoard(ctx, sc, a.Compliance, id, a.Now(), org.Location())
			if err != nil {
				return err
			}
			out, _ := cmd.Flags().GetString("pdf")
			if out == "" {
				return writeJSON(env.Stdout, b)
			}
			doc, err := compliance.ReportPDF(b, org, domain.ActorFrom(ctx).Name, a.Now())
			if err != nil {
				return err
			}
			if err := os.WriteFile(out, doc, 0o644); err != nil {
				return err
			}
			fmt.Fprintf(env.Stdout, "wrote %s (%d bytes)\n", out, len(doc))
			return nil
		}),
	}
	report.Flags().String("pdf", "", "write the PDF to this file (default: JSON to standard output)")
	cmd.AddCommand(list, create, show, set, evidence, signOff, report)
	return cmd
}

func readLimited(path string, limit int64) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, limit+1))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if int64(len(data)) > limit {
		return nil, fmt.Errorf("%s: too large (more than %d MiB)", path, limit>>20)
	}
	return data, nil
}
