package cli

import (
	"encoding/json"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/vigil-med/vigil/internal/app"
)

func auditCmd(env *Env) *cobra.Command {
	cmd := &cobra.Command{Use: "audit", Short: "Work with the append-only audit log"}
	verify := &cobra.Command{
		Use:   "verify",
		Short: "Check the hash chain of the audit log; names every edited, inserted or deleted entry",
		Example: `  vigil audit verify --data-dir /var/lib/vigil
  vigil audit verify --database postgres://vigil@db/vigil --org nordstadt --only-org --json`,
		Long: `Recompute the hash chain of every organisation's audit log (or only --org's with --only-org) and report
each event whose content no longer matches its hash, each event that does not link to its predecessor,
and each missing event. Exit code 0: intact; 1: broken (the problems are listed).`,
		Args: cobra.NoArgs,
		RunE: env.withApp(func(cmd *cobra.Command, _ []string, a *app.App) error {
			var org int64
			if only, _ := cmd.Flags().GetBool("only-org"); only {
				o, err := a.Store.OrgByRef(cmd.Context(), a.Config.Org)
				if err != nil {
					return err
				}
				org = o.ID
			}
			rep, err := a.Store.VerifyAudit(cmd.Context(), org)
			if err != nil {
				return err
			}
			if asJSON, _ := cmd.Flags().GetBool("json"); asJSON {
				if err := json.NewEncoder(env.Stdout).Encode(rep); err != nil {
					return err
				}
			} else {
				for _, p := range rep.Problems {
					fmt.Fprintln(env.Stdout, "BROKEN:", p.String())
				}
				fmt.Fprintf(env.Stdout, "checked %d events in %d organisations: ", rep.Events, rep.Orgs)
				if len(rep.Problems) == 0 {
					fmt.Fprintln(env.Stdout, "the audit log is intact")
				} else {
					fmt.Fprintf(env.Stdout, "%d problems\n", len(rep.Problems))
				}
			}
			if len(rep.Problems) > 0 {
				return exitError{code: 1}
			}
			return nil
		}),
	}
	verify.Flags().Bool("json", false, "print the report as JSON")
	verify.Flags().Bool("only-org", false, "check only the organisation of --org (default: all)")
	cmd.AddCommand(verify)
	return cmd
}
