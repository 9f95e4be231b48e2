package cli

import (
	"bufio"
	"encoding/json"
	"fmt"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/vigil-med/vigil/internal/app"
	"github.com/vigil-med/vigil/internal/auth"
	"github.com/vigil-med/vigil/internal/domain"
	"github.com/vigil-med/vigil/internal/store"
)

func userCmd(env *Env) *cobra.Command {
	cmd := &cobra.Command{Use: "user", Short: "Manage the user accounts of an organisation"}
	add := &cobra.Command{
		Use:   "add EMAIL",
		Short: "Add a user; prints a first password unless --password-stdin gives one",
		Example: `  vigil user add ciso@hospital.example --role admin --name "Dr. A. Example"
  printf '%s' "$PW" | vigil user add eng@hospital.example --role clinical-engineer --password-stdin`,
		Args: cobra.ExactArgs(1),
		RunE: env.withApp(func(cmd *cobra.Command, args []string, a *app.App) error {
			ctx, org, sc, err := orgScope(cmd, a)
			if err != nil {
				return err
			}
			role, _ := cmd.Flags().GetString("role")
			name, _ := cmd.Flags().GetString("name")
			pw, generated, err := env.password(cmd, args[0])
			if err != nil {
				return err
			}
			hash, err := auth.HashPassword(pw)
			if err != nil {
				return err
			}
			u := domain.User{Email: args[0], Name: name, Role: domain.Role(role), PasswordHash: hash}
			if err := sc.Write(ctx, func(tx *store.Tx) error { return tx.CreateUser(ctx, &u) }); err != nil {
				return err
			}
			fmt.Fprintf(env.Stdout, "added %s (%s) to %s\n", u.Email, u.Role.Label(), org.Name)
			if generated {
				fmt.Fprintf(env.Stdout, "first password: %s\n", pw)
			}
			return nil
		}),
	}
	add.Flags().String("role", string(domain.RoleClinicalEngineer), "role: "+rolesList())
	add.Flags().String("name", "", "the person's name")
	add.Flags().Bool("password-stdin", false, "read the password from standard input")

	list := &cobra.Command{
		Use:   "list",
		Short: "List the users of the organisation",
		Example: `  vigil user list --data-dir /var/lib/vigil
  vigil user list --org meridian --json`,
		Args: cobra.NoArgs,
		RunE: env.withApp(func(cmd *cobra.Command, _ []string, a *app.App) error {
			ctx, _, sc, err := orgScope(cmd, a)
			if err != nil {
				return err
			}
			page, err := sc.Users(ctx, domain.ListParams{Limit: domain.MaxPageSize})
			if err != nil {
				return err
			}
			if asJSON, _ := cmd.Flags().GetBool("json"); asJSON {
				return json.NewEncoder(env.Stdout).Encode(page.Items)
			}
			tw := tabwriter.NewWriter(env.Stdout, 2, 4, 2, ' ', 0)
			fmt.Fprintln(tw, "EMAIL\tNAME\tROLE\tMFA\tSTATE")
			for _, u := range page.Items {
				state := "active"
				if u.Disabled {
					state = "disabled"
				}
				fmt.Fprintf(tw, "%s\t%s\t%s\t%v\t%s\n", u.Email, u.Name, u.Role, u.MFAEnabled, state)
			}
			return tw.Flush()
		}),
	}
	list.Flags().Bool("json", false, "print JSON")

	passwd := &cobra.Command{
		Use:   "passwd EMAIL",
		Short: "Set a new password (printed when generated) and end the user's sessions",
		Example: `  vigil user passwd ciso@hospital.example
  printf '%s' "$PW" | vigil user passwd ciso@hospital.example --password-stdin`,
		Args: cobra.ExactArgs(1),
		RunE: env.withApp(func(cmd *cobra.Command, args []string, a *app.App) error {
			ctx, _, sc, err := orgScope(cmd, a)
			if err != nil {
				return err
			}
			u, err := sc.UserByEmail(ctx, args[0])
			if err != nil {
				return err
			}
			pw, generated, err := env.password(cmd, u.Email)
			if err != nil {
				return err
			}
			hash, err := auth.HashPassword(pw)
			if err != nil {
				return err
			}
			if err := sc.Write(ctx, func(tx *store.Tx) error { return tx.SetPassword(ctx, u.ID, hash, "") }); err != nil {
				return err
			}
			fmt.Fprintf(env.Stdout, "password of %s changed\n", u.Email)
			if generated {
				fmt.Fprintf(env.Stdout, "new password: %s\n", pw)
			}
			return nil
		}),
	}
	passwd.Flags().Bool("password-stdin", false, "read the password from standard input")

	disable := &cobra.Command{
		Use:   "disable EMAIL",
		Short: "Disable an account: it cannot sign in, its sessions and tokens end",
		Example: `  vigil user disable leaver@hospital.example
  vigil user disable returner@hospital.example --enable`,
		Args: cobra.ExactArgs(1),
		RunE: env.withApp(func(cmd *cobra.Command, args []string, a *app.App) error {
			ctx, _, sc, err := orgScope(cmd, a)
			if err != nil {
				return err
			}
			u, err := sc.UserByEmail(ctx, args[0])
			if err != nil {
				return err
			}
			enable, _ := cmd.Flags().GetBool("enable")
			u.Disabled = !enable
			if err := sc.Write(ctx, func(tx *store.Tx) error { return tx.UpdateUser(ctx, u) }); err != nil {
				return err
			}
			if enable {
				fmt.Fprintf(env.Stdout, "%s is enabled again\n", u.Email)
			} else {
				fmt.Fprintf(env.Stdout, "%s is disabled\n", u.Email)
			}
			return nil
		}),
	}
	disable.Flags().Bool("enable", false, "enable the account again instead")
	cmd.AddCommand(add, list, passwd, disable)
	return cmd
}

// password reads a password from stdin when --password-stdin is set, or generates one.
func (env *Env) password(cmd *cobra.Command, email string) (pw string, generated bool, err error) {
	if fromStdin, _ := cmd.Flags().GetBool("password-stdin"); fromStdin {
		line, err := bufio.NewReader(env.Stdin).ReadString('\n')
		if err != nil && line == "" {
			return "", false, fmt.Errorf("reading the password from standard input: %w", err)
		}
		pw = strings.TrimRight(line, "\r\n")
		if err := auth.CheckPasswordPolicy(pw, email); err != nil {
			return "", false, err
		}
		return pw, false, nil
	}
	return auth.RandomToken(12), true, nil
}

func rolesList() string {
	var s []string
	for _, r := range domain.Roles {
		s = append(s, string(r))
	}
	return strings.Join(s, ", ")
}
