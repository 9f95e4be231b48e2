package cli

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/vigil-med/vigil/internal/app"
	"github.com/vigil-med/vigil/internal/domain"
	"github.com/vigil-med/vigil/internal/incident"
	"github.com/vigil-med/vigil/internal/regulation"
	"github.com/vigil-med/vigil/internal/regulation/deadline"
)

func incidentCmd(env *Env) *cobra.Command {
	cmd := &cobra.Command{Use: "incident", Short: "Incidents and their legal reporting clocks (NIS2, GDPR, MDR, CRA)"}
	cmd.AddCommand(incidentDeadlinesCmd(env), incidentListCmd(env), incidentShowCmd(env), incidentCreateCmd(env))
	return cmd
}

func incidentDeadlinesCmd(env *Env) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "deadlines",
		Short: "Compute the reporting deadlines an incident starts (no database needed)",
		Long: `Compute the reporting deadlines of the chosen regimes from the awareness time, as Vigil counts them:
periods in hours are absolute time; periods in days and months end at the same local clock time in --tz.
Each deadline also shows its legal end under Regulation (EEC, Euratom) No 1182/71 where that differs.
A deadline whose start event has not happened (the final report before the notification) is listed
without a due time and says what starts it. Times take an offset (RFC 3339) or are read in --tz.

Regimes: ` + regimeList(),
		Example: `  vigil incident deadlines --aware 2026-03-28T23:30:00+01:00 --tz Europe/Berlin --regime nis2 --regime gdpr --json
  vigil incident deadlines --aware 2026-03-28T23:30 --notified 2026-03-30T10:00 --tz Europe/Berlin --regime nis2 --country DE`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			f := cmd.Flags()
			tz, _ := f.GetString("tz")
			loc, err := time.LoadLocation(tz)
			if err != nil || tz == "" || strings.EqualFold(tz, "local") {
				return fmt.Errorf("--tz: unknown time zone %q (use an IANA name such as Europe/Berlin)", tz)
			}
			in := deadline.Input{Location: loc}
			aware, _ := f.GetString("aware")
			if aware == "" {
				return fmt.Errorf("--aware: required (when the organisation became aware of the incident)")
			}
			if in.Aware, err = parseFlagTime("--aware", aware, loc); err != nil {
				return err
			}
			for flag, dst := range map[string]**time.Time{"notified": &in.Notified, "fix-available": &in.FixAvailable} {
				if s, _ := f.GetString(flag); s != "" {
					t, err := parseFlagTime("--"+flag, s, loc)
					if err != nil {
						return err
					}
					*dst = &t
				}
			}
			if in.Notified != nil && in.Notified.Before(in.Aware) {
				return fmt.Errorf("--notified: %s is before --aware", in.Notified.Format(time.RFC3339))
			}
			regimes, _ := f.GetStringArray("regime")
			if len(regimes) == 0 {
				return fmt.Errorf("--regime: give at least one (%s)", regimeList())
			}
			for _, r := range regimes {
				for _, part := range strings.Split(r, ",") {
					rg, err := deadline.ParseRegime(part)
					if err != nil {
						return fmt.Errorf("--regime: %w", err)
					}
					if !containsRegime(in.Regimes, rg) {
						in.Regimes = append(in.Regimes, rg)
					}
				}
			}
			if c, _ := f.GetString("country"); c != "" {
				o, ok := regulation.OverlayFor(c)
				if !ok {
					var have []string
					for _, o := range regulation.Overlays() {
						have = append(have, o.Country)
					}
					return fmt.Errorf("--country: no Member State overlay for %q (available: %s)", c, strings.Join(have, ", "))
				}
				in.National = o.Deadlines()
			}
			if err := in.Validate(); err != nil {
				return err
			}
			out := incident.ComputeClocks(in)
			if asJSON, _ := f.GetBool("json"); asJSON {
				return writeJSON(env.Stdout, out)
			}
			tw := tabwriter.NewWriter(env.Stdout, 2, 4, 2, ' ', 0)
			fmt.Fprintf(tw, "DEADLINE\tDUE (%s)\tLEGAL END (1182/71)\tSEND TO\tBASIS\n", loc)
			for _, c := range out {
				due, end := "—", ""
				switch {
				case c.Pending:
					due = "starts with " + c.WaitingFor
				case c.DueLocal != "":
					t, _ := time.Parse(time.RFC3339, c.DueLocal)
					due = t.In(loc).Format("Mon 2006-01-02 15:04 MST")
				default:
					due = "without undue delay"
				}
				if c.LegalEndLocal != "" {
					t, _ := time.Parse(time.RFC3339, c.LegalEndLocal)
					end = t.In(loc).Format("Mon 2006-01-02 15:04 MST")
				}
				fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", c.ID, due, end, c.Recipient, c.Basis)
			}
			return tw.Flush()
		},
	}
	f := cmd.Flags()
	f.String("aware", "", "when the organisation became aware (RFC 3339, or YYYY-MM-DDTHH:MM in --tz)")
	f.String("notified", "", "when the incident notification was submitted (starts the final report)")
	f.String("fix-available", "", "when a fix or mitigation became available (starts the CRA vulnerability final report)")
	f.String("tz", "UTC", "the organisation's time zone (IANA); days and months are counted on its clock")
	f.StringArray("regime", nil, "regime that applies (repeat): "+regimeList())
	f.String("country", "", "Member State overlay (recipients, national basis, public holidays), e.g. DE")
	f.Bool("json", false, "print JSON")
	return cmd
}

func regimeList() string {
	ids := make([]string, len(deadline.AllRegimes))
	for i, r := range deadline.AllRegimes {
		ids[i] = string(r)
	}
	return strings.Join(ids, ", ")
}

func containsRegime(rs []deadline.Regime, r deadline.Regime) bool {
	for _, x := range rs {
		if x == r {
			return true
		}
	}
	return false
}

// parseFlagTime reads RFC 3339, or a local date and time in loc, naming the flag in errors.
func parseFlagTime(flag, s string, loc *time.Location) (time.Time, error) {
	s = strings.TrimSpace(s)
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t, nil
	}
	for _, layout := range []string{"2006-01-02T15:04:05", "2006-01-02T15:04", "2006-01-02 15:04"} {
		if t, err := time.ParseInLocation(layout, s, loc); err == nil {
			return t, nil
		}
	}
	return time.Time{}, fmt.Errorf("%s: %q is not a time (want RFC 3339 such as 2026-03-28T23:30:00+01:00, or 2026-03-28T23:30 in --tz)", flag, s)
}

func incidentListCmd(env *Env) *cobra.Command {
	cmd := &cobra.Command{
		Use: "list",
		Example: `  vigil incident list --status open,contained
  vigil incident list --exercises --json`,
		Short: "List incidents (or, with --exercises, exercises: the two are never mixed)",
		Args:  cobra.NoArgs,
		RunE: env.withApp(func(cmd *cobra.Command, _ []string, a *app.App) error {
			ctx, org, sc, err := orgScope(cmd, a)
			if err != nil {
				return err
			}
			f := domain.IncidentFilter{ListParams: domain.ListParams{Limit: domain.MaxPageSize}}
			f.Exercise, _ = cmd.Flags().GetBool("exercises")
			if st, _ := cmd.Flags().GetString("status"); st != "" {
				for _, s := range strings.Split(st, ",") {
					v, err := domain.ParseIncidentStatus(s)
					if err != nil {
						return fmt.Errorf("--status: %s", plainMessage(err))
					}
					f.Status = append(f.Status, v)
				}
			}
			page, err := sc.Incidents(ctx, f)
			if err != nil {
				return err
			}
			if asJSON, _ := cmd.Flags().GetBool("json"); asJSON {
				return writeJSON(env.Stdout, page)
			}
			loc := org.Location()
			tw := tabwriter.NewWriter(env.Stdout, 2, 4, 2, ' ', 0)
			fmt.Fprintln(tw, "REF\tSTATUS\tCATEGORY\tAWARE\tTITLE")
			for _, in := range page.Items {
				fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", in.Ref(), in.Status, in.Category, in.AwareAt.In(loc).Format(incident.DateTimeLayout), in.Title)
			}
			return tw.Flush()
		}),
	}
	cmd.Flags().Bool("exercises", false, "list exercises instead of real incidents")
	cmd.Flags().String("status", "", "only these statuses, comma-separated (open, contained, resolved, closed)")
	cmd.Flags().Bool("json", false, "print JSON")
	return cmd
}

// incidentShowJSON is `vigil incident show --json`: the record with its countdowns at the time of the call.
type incidentShowJSON struct {
	*incident.Record
	Clocks []incident.Countdown `json:"clocks"`
}

func incidentShowCmd(env *Env) *cobra.Command {
	cmd := &cobra.Command{
		Use: "show ID",
		Example: `  vigil incident show 7
  vigil incident show 7 --json`,
		Short: "Show an incident with its clocks (most urgent first), answers and timeline",
		Args:  cobra.ExactArgs(1),
		RunE: env.withApp(func(cmd *cobra.Command, args []string, a *app.App) error {
			id, err := parseRef(args[0])
			if err != nil {
				return err
			}
			ctx, org, sc, err := orgScope(cmd, a)
			if err != nil {
				return err
			}
			rec, err := incident.Load(ctx, sc, id)
			if err != nil {
				return err
			}
			clocks := incident.Countdowns(rec.Incident, rec.Active(), a.Now())
			if asJSON, _ := cmd.Flags().GetBool("json"); asJSON {
				return writeJSON(env.Stdout, incidentShowJSON{Record: rec, Clocks: clocks})
			}
			loc := org.Location()
			in := rec.Incident
			w := env.Stdout
			if in.Exercise {
				fmt.Fprintf(w, "EXERCISE (scenario %s, time runs %d× faster)\n", in.Scenario, in.Acceleration)
			}
			fmt.Fprintf(w, "%s  %s\nStatus: %s   Category: %s   Aware: %s\n", in.Ref(), in.Title, in.Status, in.Category.Label(),
				in.AwareAt.In(loc).Format(incident.DateTimeLayout))
			if in.Description != "" {
				fmt.Fprintf(w, "\n%s\n", in.Description)
			}
			if len(rec.Assets) > 0 {
				fmt.Fprintln(w, "\nAffected devices:")
				for _, d := range rec.Assets {
					fmt.Fprintf(w, "  %s\n", incident.DeviceLine(d))
				}
			}
			if len(in.Devices) > 0 {
				fmt.Fprintf(w, "\nOther affected systems: %s\n", strings.Join(in.Devices, "; "))
			}
			fmt.Fprintln(w, "\nClocks (most urgent first):")
			tw := tabwriter.NewWriter(w, 2, 4, 2, ' ', 0)
			fmt.Fprintf(tw, "  DEADLINE\tSTATE\tDUE (%s)\tSEND TO\n", loc)
			for _, c := range clocks {
				due := ""
				if c.Due != nil {
					due = c.Due.In(loc).Format(incident.DateTimeLayout)
				}
				fmt.Fprintf(tw, "  %s\t%s\t%s\t%s\n", c.DeadlineID, c.Text, due, c.Recipient)
			}
			tw.Flush()
			fmt.Fprintln(w, "\nAnswers:")
			for _, q := range deadline.Questions().Questions {
				v := rec.Answers[q.ID]
				if v == "" {
					v = "not answered"
				}
				fmt.Fprintf(w, "  %-28s %s\n", q.ID, v)
			}
			fmt.Fprintln(w, "\nTimeline:")
			for _, e := range rec.Timeline {
				fmt.Fprintf(w, "  %s  %s\n", e.At.In(loc).Format(incident.DateTimeLayout), e.Summary)
			}
			return nil
		}),
	}
	cmd.Flags().Bool("json", false, "print JSON")
	return cmd
}

// parseRef reads an incident id: "12", "INC-12" or "EX-12".
func parseRef(s string) (int64, error) {
	t := strings.ToUpper(strings.TrimSpace(s))
	t = strings.TrimPrefix(strings.TrimPrefix(t, "INC-"), "EX-")
	id, err := strconv.ParseInt(t, 10, 64)
	if err != nil || id <= 0 {
		return 0, fmt.Errorf("incident %q: want a number such as 12 or INC-12", s)
	}
	return id, nil
}

func incidentCreateCmd(env *Env) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "create",
		Short: "Open an incident and compute its clocks",
		Long: `Open an incident. Answer the guided questions with --answer QUESTION=ANSWER (repeat), now or later in
the web UI; unanswered questions count as unknown, which shows the clocks provisionally.

Questions: ` + questionList(),
		Example: `  vigil incident create --title "Ransomware on an imaging workstation" --aware 2026-03-28T23:30:00+01:00 --category ransomware \
    --device RAD-WS-MC07 --answer nis2.entity=essential --answer nis2.severe-disruption=yes --answer gdpr.personal-data=unknown`,
		Args: cobra.NoArgs,
		RunE: env.withApp(func(cmd *cobra.Command, _ []string, a *app.App) error {
			ctx, org, sc, err := orgScope(cmd, a)
			if err != nil {
				return err
			}
			f := cmd.Flags()
			in := domain.Incident{}
			in.Title, _ = f.GetString("title")
			in.Description, _ = f.GetString("description")
			cat, _ := f.GetString("category")
			if in.Category, err = domain.ParseIncidentCategory(cat); err != nil {
				return fmt.Errorf("--category: %s", plainMessage(err))
			}
			in.AwareAt = a.Now()
			if s, _ := f.GetString("aware"); s != "" {
				if in.AwareAt, err = parseFlagTime("--aware", s, org.Location()); err != nil {
					return err
				}
			}
			answers := map[string]string{}
			list, _ := f.GetStringArray("answer")
			for _, kv := range list {
				q, v, ok := strings.Cut(kv, "=")
				if !ok {
					return fmt.Errorf("--answer %q: want QUESTION=ANSWER, e.g. nis2.severe-disruption=yes", kv)
				}
				answers[strings.TrimSpace(q)] = strings.TrimSpace(v)
			}
			var assetIDs []int64
			devs, _ := f.GetStringArray("device")
			for _, ref := range devs {
				dev, err := sc.FindAsset(ctx, ref)
				if err != nil {
					return fmt.Errorf("--device %s: %s", ref, plainMessage(err))
				}
				assetIDs = append(assetIDs, dev.ID)
			}
			if err := incident.CreateWithDevices(ctx, sc, &in, answers, assetIDs); err != nil {
				switch field := domain.ErrorField(err); {
				case strings.HasPrefix(field, "answers."):
					return fmt.Errorf("--answer %s: %s", strings.TrimPrefix(field, "answers."), plainMessage(err))
				case field == "title" || field == "aware_at":
					return fmt.Errorf("--%s: %s", strings.TrimSuffix(field, "_at"), plainMessage(err))
				}
				return err
			}
			ds, err := sc.IncidentDeadlines(ctx, in.ID)
			if err != nil {
				return err
			}
			clocks := incident.Countdowns(in, ds, a.Now())
			if asJSON, _ := f.GetBool("json"); asJSON {
				return writeJSON(env.Stdout, map[string]any{"incident": in, "clocks": clocks})
			}
			fmt.Fprintf(env.Stdout, "opened %s: %s\n", in.Ref(), in.Title)
			loc := org.Location()
			for _, c := range clocks {
				due := c.Text
				if c.Due != nil {
					due = c.Due.In(loc).Format(incident.DateTimeLayout) + " (" + c.Text + ")"
				}
				fmt.Fprintf(env.Stdout, "  %-16s %s\n", c.DeadlineID, due)
			}
			return nil
		}),
	}
	f := cmd.Flags()
	f.String("title", "", "short title (required)")
	f.String("description", "", "what happened")
	f.String("aware", "", "when the organisation became aware (RFC 3339 or local time; default now)")
	f.String("category", string(domain.CategoryOther), "ransomware, data-breach, device-malfunction, supplier-compromise, outage or other")
	f.StringArray("answer", nil, "QUESTION=ANSWER to a guided question (repeat)")
	f.StringArray("device", nil, "asset tag or host name of an affected inventory device (repeat)")
	f.Bool("json", false, "print JSON")
	return cmd
}

func questionList() string {
	var l []string
	for _, q := range deadline.Questions().Questions {
		l = append(l, q.ID+" ("+strings.Join(q.Answers, "|")+")")
	}
	return "\n  " + strings.Join(l, "\n  ")
}

// plainMessage is a domain error's message without its field (the CLI names the flag instead).
func plainMessage(err error) string {
	var e *domain.Error
	if errors.As(err, &e) {
		return e.Message
	}
	return err.Error()
}
