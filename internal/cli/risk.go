package cli

import (
	"encoding/json"
	"fmt"
	"os"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/vigil-med/vigil/internal/app"
	"github.com/vigil-med/vigil/internal/domain"
	"github.com/vigil-med/vigil/internal/lifecycle/plan"
	"github.com/vigil-med/vigil/internal/report/pdf"
	"github.com/vigil-med/vigil/internal/risk"
	"github.com/vigil-med/vigil/internal/riskmgr"
	"github.com/vigil-med/vigil/internal/store"
)

// riskCmds adds `vigil plan replacement`, `vigil risk …` and `vigil legacy list`.
func riskCmds(root *cobra.Command, env *Env) {
	parentCmd(root, "plan", "Plan replacements and upgrades of legacy devices").AddCommand(riskPlanCmd(env))
	r := &cobra.Command{Use: "risk", Short: "Clinical risk of devices: scores with their factors, weights, compensating controls"}
	r.AddCommand(riskShowCmd(env), riskWeightsCmd(env), riskControlsCmd(env), riskSnapshotCmd(env))
	root.AddCommand(r)
	l := &cobra.Command{Use: "legacy", Short: "Legacy technology: devices past or near their end of support"}
	l.AddCommand(legacyListCmd(env))
	root.AddCommand(l)
}

// planJSON is the JSON of `vigil plan replacement`: the years with their items, risk before and after,
// how the plan was found and what remains.
type planJSON struct {
	Years      []planYearJSON      `json:"years"`
	RiskBefore float64             `json:"risk_before"`
	RiskAfter  float64             `json:"risk_after"`
	Method     string              `json:"method"`
	Gap        float64             `json:"gap"`
	Weights    string              `json:"weights_version"`
	Remaining  []riskmgr.Remaining `json:"remaining"`
}

type planYearJSON struct {
	Year         int         `json:"year"`
	CalendarYear int         `json:"calendar_year"`
	Budget       float64     `json:"budget"`
	Spend        float64     `json:"spend"`
	RiskRemoved  float64     `json:"risk_removed"`
	RiskLeft     float64     `json:"risk_remaining"`
	Items        []plan.Item `json:"items"`
}

func toPlanJSON(p riskmgr.PlanResult) planJSON {
	out := planJSON{Years: []planYearJSON{}, RiskBefore: p.RiskBefore, RiskAfter: p.RiskAfter, Method: p.Method, Gap: p.Gap,
		Weights: p.WeightsVersion, Remaining: p.Remaining}
	for _, y := range p.Years {
		items := y.Items
		if items == nil {
			items = []plan.Item{}
		}
		out.Years = append(out.Years, planYearJSON{Year: y.Year, CalendarYear: y.CalendarYear, Budget: y.Budget, Spend: y.Spend,
			RiskRemoved: y.RiskRemoved, RiskLeft: y.RiskRemaining, Items: items})
	}
	return out
}

func riskPlanCmd(env *Env) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "replacement",
		Short: "The replacement plan that removes the most risk for the money, year by year",
		Long: `The replacement plan that removes the most risk for the money, year by year.

Every device with risk (open findings, or past its end of support) is a candidate at its replacement
cost: the device's own, else its model's default. Devices that must stay are left out; models recorded
as replaced together go in the same year. Plan year 1 is the next calendar year. The plan is exact
(branch and bound) up to 200 candidates, else a greedy approximation with a proven bound (gap).

The JSON (--json) has years (year, calendar_year, budget, spend, risk_removed, risk_remaining, items with
asset, cost, risk_removed, why), risk_before, risk_after, method, gap and remaining (devices left, why
and how they are compensated).`,
		Example: `  vigil plan replacement --budget-per-year 250000 --years 3
  vigil plan replacement --budgets 300000,200000,200000 --years 3 --json
  vigil plan replacement --budget-per-year 250000 --years 3 --pdf funding-case.pdf`,
		Args: cobra.NoArgs,
		RunE: env.withApp(func(cmd *cobra.Command, _ []string, a *app.App) error {
			ctx, o, _, err := orgScope(cmd, a)
			if err != nil {
				return err
			}
			years, _ := cmd.Flags().GetInt("years")
			per, _ := cmd.Flags().GetFloat64("budget-per-year")
			budgets, _ := cmd.Flags().GetFloat64Slice("budgets")
			carry, _ := cmd.Flags().GetBool("carry-over")
			p, err := a.Risk.Plan(ctx, o.ID, riskmgr.PlanRequest{Years: years, BudgetPerYear: per, Budgets: budgets, CarryOver: carry})
			if err != nil {
				return err
			}
			if file, _ := cmd.Flags().GetString("pdf"); file != "" {
				m := pdf.Meta{Organisation: o.Name, Generated: a.Now(), Location: o.Location(), Confidential: true}
				b, err := riskmgr.FundingCase(p, m)
				if err != nil {
					return err
				}
				if err := os.WriteFile(file, b, 0o644); err != nil {
					return err
				}
			}
			if j, _ := cmd.Flags().GetBool("json"); j {
				return writeJSON(env.Stdout, toPlanJSON(p))
			}
			fmt.Fprintf(env.Stdout, "Risk now %.1f, after the plan %.1f (%s, weights %s)\n", p.RiskBefore, p.RiskAfter, p.Method, p.WeightsVersion)
			tw := tabwriter.NewWriter(env.Stdout, 2, 4, 2, ' ', 0)
			for _, y := range p.Years {
				fmt.Fprintf(tw, "\nYear %d (%d)\tspend %.0f of %.0f\trisk removed %.1f\tremaining %.1f\n", y.Year, y.CalendarYear, y.Spend, y.Budget, y.RiskRemoved, y.RiskRemaining)
				for _, it := range y.Items {
					fmt.Fprintf(tw, "  %s\t%.0f\t%.1f\t%s\n", it.Asset+it.Product, it.Cost, it.RiskRemoved, it.Why)
				}
			}
			if len(p.Remaining) > 0 {
				fmt.Fprintf(tw, "\nRemaining\t\t\t\n")
				for _, r := range p.Remaining {
					fmt.Fprintf(tw, "  %s\t%s\t%.1f\t%s; %s\n", r.Asset, r.Product, r.Risk, r.Reason, r.Compensation)
				}
			}
			return tw.Flush()
		}),
	}
	cmd.Flags().Int("years", 3, "plan horizon in years")
	cmd.Flags().Float64("budget-per-year", 0, "budget per year (euro)")
	cmd.Flags().Float64Slice("budgets", nil, "one budget per year, comma-separated (instead of --budget-per-year)")
	cmd.Flags().Bool("carry-over", false, "unspent money carries over to the next year")
	cmd.Flags().String("pdf", "", "also write the funding case (PDF) to this file")
	cmd.Flags().Bool("json", false, "print JSON")
	return cmd
}

func riskShowCmd(env *Env) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "show [ASSET-TAG]",
		Short: "Top risks, or one device's risk with every factor explained",
		Example: `  vigil risk show --top 10
  vigil risk show CT-B64-0001`,
		Args: cobra.MaximumNArgs(1),
		RunE: env.withApp(func(cmd *cobra.Command, args []string, a *app.App) error {
			ctx, o, _, err := orgScope(cmd, a)
			if err != nil {
				return err
			}
			as, err := a.Risk.Assess(ctx, o.ID)
			if err != nil {
				return err
			}
			asJSON, _ := cmd.Flags().GetBool("json")
			if len(args) == 1 {
				for _, ar := range as.Assets {
					if strings.EqualFold(ar.Asset.Tag, args[0]) {
						if asJSON {
							return writeJSON(env.Stdout, ar)
						}
						fmt.Fprint(env.Stdout, ar.Score.Explain())
						for _, f := range ar.Findings {
							fmt.Fprintln(env.Stdout)
							fmt.Fprint(env.Stdout, f.Explain())
						}
						if ar.Legacy.Legacy {
							fmt.Fprintf(env.Stdout, "\n%s\n", ar.Legacy.Summary())
						}
						return nil
					}
				}
				return domain.NotFound("device " + args[0])
			}
			top, _ := cmd.Flags().GetInt("top")
			list := as.Assets
			if top > 0 && len(list) > top {
				list = list[:top]
			}
			if asJSON {
				return writeJSON(env.Stdout, map[string]any{"as_of": as.AsOf, "weights_version": as.Weights.Version, "formula_version": risk.FormulaVersion,
					"total": as.Total, "assets": list})
			}
			fmt.Fprintf(env.Stdout, "Total risk %.1f over %d devices (formula %s, weights %s)\n", as.Total, len(as.Assets), risk.FormulaVersion, as.Weights.Version)
			tw := tabwriter.NewWriter(env.Stdout, 2, 4, 2, ' ', 0)
			fmt.Fprintln(tw, "DEVICE\tPRODUCT\tDEPARTMENT\tRISK\tBAND\tWHY")
			for _, ar := range list {
				fmt.Fprintf(tw, "%s\t%s %s\t%s\t%.1f\t%s\t%s\n", ar.Asset.Tag, ar.Asset.Manufacturer, ar.Asset.Product, ar.Asset.Department, ar.Score.Score, ar.Score.Band, ar.Why(as.AsOf))
			}
			return tw.Flush()
		}),
	}
	cmd.Flags().Int("top", 20, "how many devices to list (0: all)")
	cmd.Flags().Bool("json", false, "print JSON")
	return cmd
}

func riskWeightsCmd(env *Env) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "weights",
		Short: "Show the active risk weights and their history, or publish a new version",
		Long: `Show the active risk weights and their history, or publish a new version.

With --set FILE a JSON file in the form of the output becomes a new version (its "version" must be new)
and the active one; --activate VERSION makes an earlier version active again. Versions never change, so
a score from last quarter can be explained with last quarter's weights.`,
		Example: `  vigil risk weights --json > w.json
  vigil risk weights --set w.json --note "exposure of the DMZ raised"`,
		Args: cobra.NoArgs,
		RunE: env.withApp(func(cmd *cobra.Command, _ []string, a *app.App) error {
			ctx, o, sc, err := orgScope(cmd, a)
			if err != nil {
				return err
			}
			if file, _ := cmd.Flags().GetString("set"); file != "" {
				data, err := os.ReadFile(file)
				if err != nil {
					return err
				}
				var w risk.Weights
				dec := json.NewDecoder(strings.NewReader(string(data)))
				dec.DisallowUnknownFields()
				if err := dec.Decode(&w); err != nil {
					return fmt.Errorf("%s: %w", file, err)
				}
				note, _ := cmd.Flags().GetString("note")
				if err := a.Risk.PublishWeights(ctx, o.ID, w, note); err != nil {
					return err
				}
				fmt.Fprintf(env.Stdout, "published and activated risk weights %s\n", w.Version)
				return nil
			}
			if v, _ := cmd.Flags().GetString("activate"); v != "" {
				if err := sc.Write(ctx, func(tx *store.Tx) error { return tx.ActivateRiskWeights(ctx, v) }); err != nil {
					return err
				}
				fmt.Fprintf(env.Stdout, "risk weights %s are active again\n", v)
				return nil
			}
			w, err := a.Risk.Weights(ctx, o.ID)
			if err != nil {
				return err
			}
			if j, _ := cmd.Flags().GetBool("json"); j {
				return writeJSON(env.Stdout, w)
			}
			hist, err := sc.RiskWeightsVersions(ctx)
			if err != nil {
				return err
			}
			fmt.Fprintf(env.Stdout, "Active: %s (formula %s)\n", w.Version, risk.FormulaVersion)
			if len(hist) == 0 {
				fmt.Fprintf(env.Stdout, "No versions of your own: the defaults (%s) apply.\n", risk.DefaultWeightsVersion)
			}
			for _, h := range hist {
				mark := " "
				if h.Active {
					mark = "*"
				}
				fmt.Fprintf(env.Stdout, "%s %s  %s  %s  %s\n", mark, h.Version, h.Created.Format(time.DateOnly), h.CreatedBy, h.Note)
			}
			return nil
		}),
	}
	cmd.Flags().String("set", "", "publish the weights in this JSON file as a new version")
	cmd.Flags().String("note", "", "what changed (with --set)")
	cmd.Flags().String("activate", "", "make an earlier version active again")
	cmd.Flags().Bool("json", false, "print the active weights as JSON")
	return cmd
}

func riskControlsCmd(env *Env) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "controls",
		Short: "List compensating controls with their review dates (overdue flagged), or add one",
		Example: `  vigil risk controls --overdue
  vigil risk controls --add --asset CT-B64-0001 --kind segmentation --description "VLAN 231, only DICOM to PACS" --owner "Radiology IT" --review 2027-03-31`,
		Args: cobra.NoArgs,
		RunE: env.withApp(func(cmd *cobra.Command, _ []string, a *app.App) error {
			ctx, _, sc, err := orgScope(cmd, a)
			if err != nil {
				return err
			}
			f := cmd.Flags()
			if add, _ := f.GetBool("add"); add {
				c := domain.RiskControl{}
				c.Kind, _ = f.GetString("kind")
				c.Description, _ = f.GetString("description")
				c.Owner, _ = f.GetString("owner")
				if tag, _ := f.GetString("asset"); tag != "" {
					as, err := sc.AssetByTag(ctx, tag)
					if err != nil {
						return err
					}
					c.AssetID = as.ID
				}
				c.ProductID, _ = f.GetInt64("product")
				if r, _ := f.GetString("review"); r != "" {
					t, err := time.Parse(time.DateOnly, r)
					if err != nil {
						return fmt.Errorf("--review: %w", err)
					}
					c.ReviewDue = &t
				}
				if err := sc.Write(ctx, func(tx *store.Tx) error { return tx.CreateRiskControl(ctx, &c) }); err != nil {
					return err
				}
				fmt.Fprintf(env.Stdout, "recorded control %d\n", c.ID)
				return nil
			}
			cs, err := sc.RiskControls(ctx)
			if err != nil {
				return err
			}
			now := a.Now()
			if o, _ := f.GetBool("overdue"); o {
				var keep []domain.RiskControl
				for _, c := range cs {
					if c.Overdue(now) {
						keep = append(keep, c)
					}
				}
				cs = keep
			}
			if j, _ := f.GetBool("json"); j {
				if cs == nil {
					cs = []domain.RiskControl{}
				}
				return writeJSON(env.Stdout, cs)
			}
			tw := tabwriter.NewWriter(env.Stdout, 2, 4, 2, ' ', 0)
			fmt.Fprintln(tw, "ID\tFOR\tKIND\tDESCRIPTION\tOWNER\tREVIEW")
			for _, c := range cs {
				review := "none"
				if c.ReviewDue != nil {
					review = c.ReviewDue.Format(time.DateOnly)
					if c.Overdue(now) {
						review += " OVERDUE"
					}
				}
				fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\t%s\n", c.ID, c.Subject, c.Kind, c.Description, c.Owner, review)
			}
			return tw.Flush()
		}),
	}
	f := cmd.Flags()
	f.Bool("overdue", false, "only controls whose review is overdue")
	f.Bool("json", false, "print JSON")
	f.Bool("add", false, "record a control (with --asset or --product, --kind, --description, --owner, --review)")
	f.String("asset", "", "asset tag the control protects")
	f.Int64("product", 0, "product id the control protects (all its devices)")
	f.String("kind", "", "network-removed, segmentation, firewall, allow-listing, disabled-services or monitoring")
	f.String("description", "", "what the control is")
	f.String("owner", "", "who reviews it")
	f.String("review", "", "next review date (YYYY-MM-DD)")
	return cmd
}

func riskSnapshotCmd(env *Env) *cobra.Command {
	return &cobra.Command{
		Use:     "snapshot",
		Short:   "Take today's risk snapshot now (the server takes one daily)",
		Example: `  vigil risk snapshot`,
		Args:    cobra.NoArgs,
		RunE: env.withApp(func(cmd *cobra.Command, _ []string, a *app.App) error {
			ctx, o, _, err := orgScope(cmd, a)
			if err != nil {
				return err
			}
			s, err := a.Risk.Snapshot(ctx, o.ID)
			if err != nil {
				return err
			}
			fmt.Fprintf(env.Stdout, "%s: risk %.1f over %d devices, %d legacy, %d with KEV findings (weights %s)\n", s.Day, s.Risk, s.Assets, s.Legacy, s.KEV, s.WeightsVersion)
			return nil
		}),
	}
}

func legacyListCmd(env *Env) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "list",
		Short: "The legacy register: devices past or near end of support, why, since when, what compensates",
		Example: `  vigil legacy list
  vigil legacy list --months 24
  vigil legacy list --ended --json`,
		Args: cobra.NoArgs,
		RunE: env.withApp(func(cmd *cobra.Command, _ []string, a *app.App) error {
			ctx, o, _, err := orgScope(cmd, a)
			if err != nil {
				return err
			}
			months, _ := cmd.Flags().GetInt("months")
			if months < 1 || months > 120 {
				return fmt.Errorf("--months: give 1 to 120")
			}
			as, err := a.Risk.WithSoonMonths(months).Assess(ctx, o.ID)
			if err != nil {
				return err
			}
			reg := as.LegacyRegister()
			if ended, _ := cmd.Flags().GetBool("ended"); ended {
				var keep []riskmgr.LegacyEntry
				for _, e := range reg {
					if e.Status == "ended" {
						keep = append(keep, e)
					}
				}
				reg = keep
			}
			if j, _ := cmd.Flags().GetBool("json"); j {
				if reg == nil {
					reg = []riskmgr.LegacyEntry{}
				}
				return writeJSON(env.Stdout, reg)
			}
			tw := tabwriter.NewWriter(env.Stdout, 2, 4, 2, ' ', 0)
			fmt.Fprintln(tw, "DEVICE\tPRODUCT\tOS\tDEPARTMENT\tSTATUS\tSINCE\tRISK\tCOMPENSATION")
			for _, e := range reg {
				fmt.Fprintf(tw, "%s\t%s %s\t%s\t%s\t%s\t%s\t%s\t%s\n", e.Asset, e.Manufacturer, e.Product, e.OS, e.Department, e.Status, e.Since,
					strconv.FormatFloat(e.Risk, 'f', 1, 64), e.Compensation)
			}
			return tw.Flush()
		}),
	}
	cmd.Flags().Bool("ended", false, "only devices past their end of support")
	cmd.Flags().Int("months", 12, "also list devices whose support ends within this many months")
	cmd.Flags().Bool("json", false, "print JSON")
	return cmd
}
