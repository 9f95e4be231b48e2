package cli

import (
	"context"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/vigil-med/vigil/internal/app"
	"github.com/vigil-med/vigil/internal/store"
)

func migrateCmd(env *Env) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "migrate",
		Short: "Bring the database schema up to date (also done at every start)",
		Example: `  vigil migrate --status --database postgres://vigil@db/vigil
  vigil migrate --data-dir /var/lib/vigil`,
		Long: `Apply the database migrations this version of Vigil knows and that the database does not have yet.
The server does this at start; run it by hand before an upgrade to see what changes, or with --status
to list the migrations. A database with a newer schema than this binary knows is refused.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			cfg, err := env.loadConfig(cmd)
			if err != nil {
				return err
			}
			status, _ := cmd.Flags().GetBool("status")
			st, err := store.Open(cmd.Context(), store.Options{DataDir: cfg.DataDir, DSN: cfg.Database,
				ConnectTimeout: cfg.DBConnectTimeout, NoMigrate: true, Logger: app.NewLogger(cfg, env.Stderr)})
			if err != nil {
				return err
			}
			defer st.Close()
			if status {
				return printMigrations(cmd.Context(), env, st)
			}
			done, err := st.Migrate(cmd.Context())
			for _, m := range done {
				fmt.Fprintf(env.Stdout, "applied %04d_%s\n", m.Version, m.Name)
			}
			if err != nil {
				return err
			}
			if len(done) == 0 {
				fmt.Fprintf(env.Stdout, "the %s database is up to date\n", st.Engine())
			}
			return nil
		},
	}
	cmd.Flags().Bool("status", false, "list the migrations and whether each is applied, change nothing")
	return cmd
}

func printMigrations(ctx context.Context, env *Env, st *store.Store) error {
	list, err := st.MigrationStatus(ctx)
	if err != nil {
		return err
	}
	for _, m := range list {
		state := "pending"
		if m.Applied {
			state = "applied"
		}
		fmt.Fprintf(env.Stdout, "%04d_%-40s %s\n", m.Version, m.Name, state)
	}
	return nil
}
