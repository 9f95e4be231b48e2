package cli

import (
	"encoding/json"
	"fmt"
	"strconv"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/vigil-med/vigil/internal/app"
	"github.com/vigil-med/vigil/internal/auth"
	"github.com/vigil-med/vigil/internal/domain"
	"github.com/vigil-med/vigil/internal/store"
)

func tokenCmd(env *Env) *cobra.Command {
	cmd := &cobra.Command{Use: "token", Short: "Manage API tokens for /api/v1"}
	create := &cobra.Command{
		Use:   "create",
		Short: "Create an API token; the token is printed once",
		Long: `Create a bearer token for the REST API, scoped to the organisation (--org) and a role, with an expiry.
Only a hash is stored: copy the printed token now. Use it as "Authorization: Bearer <token>".`,
		Example: `  vigil token create --name "CMMS sync" --role clinical-engineer --days 90
  curl -H "Authorization: Bearer $TOKEN" http://localhost:8080/api/v1/me`,
		Args: cobra.NoArgs,
		RunE: env.withApp(func(cmd *cobra.Command, _ []string, a *app.App) error {
			ctx, org, sc, err := orgScope(cmd, a)
			if err != nil {
				return err
			}
			name, _ := cmd.Flags().GetString("name")
			role, _ := cmd.Flags().GetString("role")
			days, _ := cmd.Flags().GetInt("days")
			if days < 1 || days > 730 {
				return domain.Invalid("--days", "must be between 1 and 730")
			}
			secret, display, hash := auth.NewAPIToken()
			exp := time.Now().Add(time.Duration(days) * 24 * time.Hour)
			t := store.APIToken{Name: name, Role: domain.Role(role), Prefix: display, Hash: hash, Expires: &exp}
			if err := sc.Write(ctx, func(tx *store.Tx) error { return tx.CreateToken(ctx, &t) }); err != nil {
				return err
			}
			fmt.Fprintf(env.Stderr, "created token %d %q (%s) for %s, valid until %s\n", t.ID, t.Name, t.Role, org.Name, exp.Format("2006-01-02"))
			fmt.Fprintln(env.Stdout, secret)
			return nil
		}),
	}
	create.Flags().String("name", "", "what the token is for (required)")
	create.Flags().String("role", string(domain.RoleAuditor), "role: "+rolesList())
	create.Flags().Int("days", 90, "days until it expires (1–730)")
	_ = create.MarkFlagRequired("name")

	revoke := &cobra.Command{
		Use:   "revoke ID",
		Short: "Revoke an API token at once",
		Example: `  vigil token list            # find the token's ID
  vigil token revoke 7`,
		Args: cobra.ExactArgs(1),
		RunE: env.withApp(func(cmd *cobra.Command, args []string, a *app.App) error {
			ctx, _, sc, err := orgScope(cmd, a)
			if err != nil {
				return err
			}
			id, err := strconv.ParseInt(args[0], 10, 64)
			if err != nil {
				return domain.Invalid("ID", "must be the token's number (see vigil token list)")
			}
			if err := sc.Write(ctx, func(tx *store.Tx) error { return tx.RevokeToken(ctx, id) }); err != nil {
				return err
			}
			fmt.Fprintf(env.Stdout, "token %d revoked\n", id)
			return nil
		}),
	}
	list := &cobra.Command{
		Use:   "list",
		Short: "List API tokens",
		Example: `  vigil token list --org nordstadt
  vigil token list --json`,
		Args: cobra.NoArgs,
		RunE: env.withApp(func(cmd *cobra.Command, _ []string, a *app.App) error {
			ctx, _, sc, err := orgScope(cmd, a)
			if err != nil {
				return err
			}
			toks, err := sc.Tokens(ctx)
			if err != nil {
				return err
			}
			if asJSON, _ := cmd.Flags().GetBool("json"); asJSON {
				return json.NewEncoder(env.Stdout).Encode(toks)
			}
			tw := tabwriter.NewWriter(env.Stdout, 2, 4, 2, ' ', 0)
			fmt.Fprintln(tw, "ID\tNAME\tROLE\tPREFIX\tEXPIRES\tSTATE")
			for _, t := range toks {
				state, exp := "active", ""
				if t.RevokedAt != nil {
					state = "revoked"
				}
				if t.Expires != nil {
					exp = t.Expires.Format("2006-01-02")
				}
				fmt.Fprintf(tw, "%d\t%s\t%s\t%s…\t%s\t%s\n", t.ID, t.Name, t.Role, t.Prefix, exp, state)
			}
			return tw.Flush()
		}),
	}
	list.Flags().Bool("json", false, "print JSON")
	cmd.AddCommand(create, revoke, list)
	return cmd
}
