package cli

import (
	"encoding/json"
	"fmt"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/vigil-med/vigil/internal/app"
	"github.com/vigil-med/vigil/internal/domain"
)

func orgCmd(env *Env) *cobra.Command {
	cmd := &cobra.Command{Use: "org", Short: "Manage organisations (tenants: hospitals, groups, manufacturers, authorities)"}
	add := &cobra.Command{
		Use:   "add NAME",
		Short: "Create an organisation",
		Example: `  vigil org add "St. Example Hospital" --country DE
  vigil org add "Example Medical GmbH" --type manufacturer --slug example-medical`,
		Args: cobra.ExactArgs(1),
		RunE: env.withApp(func(cmd *cobra.Command, args []string, a *app.App) error {
			o := domain.Organisation{Name: args[0]}
			o.Slug, _ = cmd.Flags().GetString("slug")
			t, _ := cmd.Flags().GetString("type")
			o.Type = domain.OrgType(t)
			o.Country, _ = cmd.Flags().GetString("country")
			o.TimeZone, _ = cmd.Flags().GetString("time-zone")
			o.RequireMFA, _ = cmd.Flags().GetBool("require-mfa")
			if err := a.Store.CreateOrg(cliContext(cmd.Context(), 0), &o); err != nil {
				return err
			}
			fmt.Fprintf(env.Stdout, "created organisation %s (slug %s, id %d)\n", o.Name, o.Slug, o.ID)
			return nil
		}),
	}
	add.Flags().String("slug", "", "short name used with --org (default: derived from the name)")
	add.Flags().String("type", string(domain.OrgHospital), "hospital, group, manufacturer or authority")
	add.Flags().String("country", "", "two-letter country code, e.g. DE")
	add.Flags().String("time-zone", "Europe/Berlin", "IANA time zone for dates and deadlines")
	add.Flags().Bool("require-mfa", false, "require multi-factor authentication for every account")
	list := &cobra.Command{
		Use:   "list",
		Short: "List organisations",
		Example: `  vigil org list --data-dir /var/lib/vigil
  vigil org list --json`,
		Args: cobra.NoArgs,
		RunE: env.withApp(func(cmd *cobra.Command, _ []string, a *app.App) error {
			orgs, err := a.Store.Orgs(cmd.Context())
			if err != nil {
				return err
			}
			if asJSON, _ := cmd.Flags().GetBool("json"); asJSON {
				return json.NewEncoder(env.Stdout).Encode(orgs)
			}
			tw := tabwriter.NewWriter(env.Stdout, 2, 4, 2, ' ', 0)
			fmt.Fprintln(tw, "ID\tSLUG\tNAME\tTYPE\tCOUNTRY\tTIME ZONE")
			for _, o := range orgs {
				fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\t%s\n", o.ID, o.Slug, o.Name, o.Type, o.Country, o.TimeZone)
			}
			return tw.Flush()
		}),
	}
	list.Flags().Bool("json", false, "print JSON")
	cmd.AddCommand(add, list)
	return cmd
}
