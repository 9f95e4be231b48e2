package cli

import (
	"fmt"
	"net/url"
	"os"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/vigil-med/vigil/internal/app"
	"github.com/vigil-med/vigil/internal/domain"
	"github.com/vigil-med/vigil/internal/fleet"
)

func fleetFindingsCmd(env *Env) *cobra.Command {
	cmd := &cobra.Command{Use: "findings", Short: "The fleet's vulnerability findings: match, list, show and triage"}
	cmd.AddCommand(fleetListCmd(env), fleetShowCmd(env), fleetTriageCmd(env), fleetMatchCmd(env))
	return cmd
}

func fleetListCmd(env *Env) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "list",
		Short: "List the findings (KEV first, then by severity), with filters",
		Example: `  vigil findings list --kev
  vigil findings list --severity high --state new,in_triage --json
  vigil findings list --product-version 42 --all`,
		Args: cobra.NoArgs,
		RunE: env.withApp(func(cmd *cobra.Command, _ []string, a *app.App) error {
			ctx, _, sc, err := orgScope(cmd, a)
			if err != nil {
				return err
			}
			fl := cmd.Flags()
			q := url.Values{}
			for flag, param := range map[string]string{"state": "state", "severity": "severity", "vuln": "vuln", "min-epss": "min_epss",
				"product-version": "product_version_id", "asset": "asset_id", "manufacturer": "manufacturer_id", "department": "department_id"} {
				if v, _ := fl.GetString(flag); v != "" {
					q.Set(param, v)
				}
			}
			for _, b := range []string{"kev", "all"} {
				if v, _ := fl.GetBool(b); v {
					q.Set(b, "true")
				}
			}
			limit, _ := fl.GetInt("limit")
			search, _ := fl.GetString("q")
			f, err := fleet.ParseFilter(q, domain.ListParams{Limit: limit, Q: search})
			if err != nil {
				return err
			}
			page, err := sc.FleetFindings(ctx, f)
			if err != nil {
				return err
			}
			if j, _ := fl.GetBool("json"); j {
				return writeJSON(env.Stdout, page)
			}
			tw := tabwriter.NewWriter(env.Stdout, 2, 4, 2, ' ', 0)
			fmt.Fprintln(tw, "ID\tVULNERABILITY\tSEVERITY\tKEV\tEPSS\tSTATE\tPRODUCT\tCOMPONENT\tDEVICES")
			for _, x := range page.Items {
				fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%d\n", x.ID, x.VulnID, x.Severity, fleetKEV(&x), fleetEPSS(x.EPSSScore), x.State,
					x.Manufacturer+" "+x.Product+" "+x.Version, fleetComponent(&x), x.Installed)
			}
			tw.Flush()
			fmt.Fprintf(env.Stdout, "%d of %d findings\n", len(page.Items), page.Total)
			return nil
		}),
	}
	fl := cmd.Flags()
	fl.String("state", "", "triage states, comma-separated: "+strings.Join(domain.FindingStates(), ", "))
	fl.String("severity", "", "at least this severity: low, medium, high, critical")
	fl.Bool("kev", false, "only known exploited vulnerabilities (CISA or EU KEV)")
	fl.String("min-epss", "", "EPSS score at least (0–1)")
	fl.String("vuln", "", "only this vulnerability (canonical id)")
	fl.String("product-version", "", "only this product version (id)")
	fl.String("asset", "", "only this device's findings (asset id)")
	fl.String("manufacturer", "", "only this manufacturer's products (id)")
	fl.String("department", "", "only devices of this department (id)")
	fl.String("q", "", "search vulnerability id, alias, component and product")
	fl.Bool("all", false, "include findings VEX suppresses and those no longer matched")
	fl.Int("limit", domain.DefaultPageSize, "findings to list")
	fl.Bool("json", false, "print JSON")
	return cmd
}

func fleetKEV(f *domain.Finding) string {
	var k []string
	if f.CISAKEV {
		k = append(k, "CISA")
	}
	if f.EUKEV {
		k = append(k, "EU")
	}
	return strings.Join(k, "+")
}

func fleetEPSS(p *float64) string {
	if p == nil {
		return "–"
	}
	return strconv.FormatFloat(*p, 'f', 3, 64)
}

func fleetComponent(f *domain.Finding) string {
	if c := f.Component(); c != "" {
		return c
	}
	return "(product)"
}

func fleetShowCmd(env *Env) *cobra.Command {
	cmd := &cobra.Command{
		Use:     "show ID",
		Short:   "Show one finding with its reason, VEX decision, triage state and history",
		Example: "  vigil findings show 17\n  vigil findings show 17 --json",
		Args:    cobra.ExactArgs(1),
		RunE: env.withApp(func(cmd *cobra.Command, args []string, a *app.App) error {
			ctx, _, sc, err := orgScope(cmd, a)
			if err != nil {
				return err
			}
			id, err := strconv.ParseInt(args[0], 10, 64)
			if err != nil {
				return domain.Invalid("ID", "must be the number of a finding")
			}
			f, err := sc.FleetFinding(ctx, id)
			if err != nil {
				return err
			}
			h, err := sc.FindingEvents(ctx, id)
			if err != nil {
				return err
			}
			if j, _ := cmd.Flags().GetBool("json"); j {
				return writeJSON(env.Stdout, map[string]any{"finding": f, "history": h})
			}
			w := env.Stdout
			fmt.Fprintf(w, "Finding %d: %s (%s", f.ID, f.VulnID, f.Severity)
			if f.CVSSScore > 0 {
				fmt.Fprintf(w, " %.1f", f.CVSSScore)
			}
			fmt.Fprintln(w, ")")
			if len(f.Aliases) > 0 {
				fmt.Fprintf(w, "Aliases:    %s\n", strings.Join(f.Aliases, ", "))
			}
			fmt.Fprintf(w, "Product:    %s %s %s (%d devices)\n", f.Manufacturer, f.Product, f.Version, f.Installed)
			fmt.Fprintf(w, "Component:  %s\n", fleetComponent(&f))
			fmt.Fprintf(w, "Reason:     %s\n", f.Reason)
			for _, r := range f.OtherReasons {
				fmt.Fprintf(w, "            also: %s\n", r)
			}
			fmt.Fprintf(w, "Source:     %s (%s, confidence %.1f%s)\n", f.Source, f.Matcher, f.Confidence, map[bool]string{true: ", guessed", false: ""}[f.Guessed])
			if f.FixedVersion != "" {
				fmt.Fprintf(w, "Fixed in:   %s\n", f.FixedVersion)
			}
			if k := fleetKEV(&f); k != "" || f.EPSSScore != nil {
				fmt.Fprintf(w, "Exploited:  KEV %s, EPSS %s\n", map[bool]string{true: k, false: "no"}[k != ""], fleetEPSS(f.EPSSScore))
			}
			if f.VEXOrigin != "" {
				fmt.Fprintf(w, "VEX:        %s by the %s (%s) %s\n", f.MatchStatus, f.VEXOrigin, f.VEXSource, f.VEXJustification)
			}
			fmt.Fprintf(w, "State:      %s", f.State)
			if f.Owner != "" && f.Expires != nil {
				fmt.Fprintf(w, " (owner %s, until %s)", f.Owner, f.Expires.Format("2006-01-02"))
			}
			if f.Justification != "" {
				fmt.Fprintf(w, " (%s)", f.Justification)
			}
			fmt.Fprintln(w)
			if f.Gone != nil {
				fmt.Fprintf(w, "No longer matched since %s\n", f.Gone.Format(time.RFC3339))
			}
			for _, e := range h {
				what := e.Comment
				if e.Kind == "state" {
					what = e.FromState + " → " + e.ToState
					if e.Comment != "" {
						what += ": " + e.Comment
					}
				}
				fmt.Fprintf(w, "  %s  %s  %s\n", e.At.Format("2006-01-02 15:04"), e.Actor, what)
			}
			return nil
		}),
	}
	cmd.Flags().Bool("json", false, "print JSON")
	return cmd
}

func fleetTriageCmd(env *Env) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "triage ID",
		Short: "Change a finding's triage state or comment on it",
		Long: `Change a finding's triage state (` + strings.Join(domain.FindingStates(), ", ") + `) or only add a
comment. not_affected needs a VEX justification (--justification), risk_accepted an owner and an
expiry date. The decision becomes the hospital's VEX statement on the finding, which takes precedence
over the manufacturer's.`,
		Example: `  vigil findings triage 17 --state exploitable --comment "reachable from the clinical LAN"
  vigil findings triage 17 --state not_affected --justification vulnerable_code_not_in_execute_path
  vigil findings triage 17 --state risk_accepted --owner "Dr. Weber" --expires 2027-06-30
  vigil findings triage 17 --comment "asked the manufacturer"`,
		Args: cobra.ExactArgs(1),
		RunE: env.withApp(func(cmd *cobra.Command, args []string, a *app.App) error {
			ctx, o, _, err := orgScope(cmd, a)
			if err != nil {
				return err
			}
			id, err := strconv.ParseInt(args[0], 10, 64)
			if err != nil {
				return domain.Invalid("ID", "must be the number of a finding")
			}
			fl := cmd.Flags()
			var t domain.Triage
			t.State, _ = fl.GetString("state")
			t.Justification, _ = fl.GetString("justification")
			t.Owner, _ = fl.GetString("owner")
			t.Comment, _ = fl.GetString("comment")
			if s, _ := fl.GetString("expires"); s != "" {
				d, err := domain.ParseDate(s)
				if err != nil {
					return domain.Invalid("expires", "must be a date (YYYY-MM-DD)")
				}
				e := d.Time()
				t.Expires = &e
			}
			f, err := a.Fleet.Triage(ctx, o.ID, id, t)
			if err != nil {
				return err
			}
			if j, _ := fl.GetBool("json"); j {
				return writeJSON(env.Stdout, f)
			}
			fmt.Fprintf(env.Stdout, "Finding %d (%s in %s): %s\n", f.ID, f.VulnID, fleetComponent(&f), f.State)
			return nil
		}),
	}
	fl := cmd.Flags()
	fl.String("state", "", "new state: "+strings.Join(domain.FindingStates(), ", "))
	fl.String("justification", "", "VEX justification of not_affected: "+strings.Join(domain.VEXJustifications, ", "))
	fl.String("owner", "", "who accepts the risk (risk_accepted)")
	fl.String("expires", "", "when the accepted risk is reviewed (YYYY-MM-DD)")
	fl.String("comment", "", "a comment for the history")
	fl.Bool("json", false, "print JSON")
	return cmd
}

func fleetMatchCmd(env *Env) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "match",
		Short: "Match every product version against the vulnerability database now",
		Long: `Match the SBOM components of every product version against the imported feeds, apply the
manufacturers' CSAF product status and all VEX statements, and store the findings (triage is kept).
The server does this in the background after feed and document changes; this runs it at once.`,
		Example: "  vigil findings match\n  vigil findings match --json",
		Args:    cobra.NoArgs,
		RunE: env.withApp(func(cmd *cobra.Command, _ []string, a *app.App) error {
			ctx, o, _, err := orgScope(cmd, a)
			if err != nil {
				return err
			}
			res, err := a.Fleet.MatchAll(ctx, o.ID, nil)
			if err != nil {
				return err
			}
			if j, _ := cmd.Flags().GetBool("json"); j {
				return writeJSON(env.Stdout, res)
			}
			fmt.Fprintln(env.Stdout, res.String())
			return nil
		}),
	}
	cmd.Flags().Bool("json", false, "print JSON")
	return cmd
}

func fleetVEXCmd(env *Env) *cobra.Command {
	cmd := &cobra.Command{Use: "vex", Short: "The hospital's own VEX: export its triage decisions"}
	export := &cobra.Command{
		Use:   "export",
		Short: "Export the hospital's VEX statements (triage decisions) as OpenVEX or CycloneDX",
		Example: `  vigil vex export --format openvex > hospital.openvex.json
  vigil vex export --format cyclonedx --out hospital.vex.cdx.json`,
		Args: cobra.NoArgs,
		RunE: env.withApp(func(cmd *cobra.Command, _ []string, a *app.App) error {
			ctx, o, _, err := orgScope(cmd, a)
			if err != nil {
				return err
			}
			format, _ := cmd.Flags().GetString("format")
			w := env.Stdout
			if out, _ := cmd.Flags().GetString("out"); out != "" {
				f, err := os.Create(out)
				if err != nil {
					return err
				}
				defer f.Close()
				w = f
			}
			return a.Fleet.ExportVEX(ctx, o.ID, format, o.Name, w)
		}),
	}
	export.Flags().String("format", fleet.VEXOpenVEX, "openvex or cyclonedx")
	export.Flags().String("out", "", "write to this file instead of standard output")
	cmd.AddCommand(export)
	return cmd
}
