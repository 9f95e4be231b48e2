package cli

import (
	"fmt"
	"os"
	"os/signal"
	"syscall"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/vigil-med/vigil/internal/app"
	"github.com/vigil-med/vigil/internal/demo"
)

func demoCmd(env *Env) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "demo",
		Short: "Start Vigil with a realistic fictional hospital to try it out",
		Long: `Start the server on an embedded database filled with a fictional 600-bed university hospital: sites,
departments, users for every role, a manufacturer and a hospital group, and the data of every module.
Without --data-dir the data lives in a temporary directory that is removed when you stop the demo
(Ctrl-C). With --data-dir the data stays, so other vigil commands can work on it while the demo runs
(for example: vigil user list --data-dir DIR). Never put real data into a demo: every demo account has
the same published password.`,
		Example: `  vigil demo
  vigil demo --data-dir ./demo-data --listen 127.0.0.1:9090`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			cfg, err := env.loadConfig(cmd)
			if err != nil {
				return err
			}
			if env.Getenv("VIGIL_FEEDS_SYNC_INTERVAL") == "" {
				// The demo brings its own offline feed data; it fetches the public feeds only when asked
				// ("Sync now" on the Feeds page, or VIGIL_FEEDS_SYNC_INTERVAL=24h).
				cfg.Feeds.SyncInterval = 0
			}
			if !cmd.Flags().Changed("data-dir") && env.Getenv("VIGIL_DATA_DIR") == "" && cfg.Database == "" {
				dir, err := os.MkdirTemp("", "vigil-demo-")
				if err != nil {
					return err
				}
				defer os.RemoveAll(dir)
				cfg.DataDir = dir
			}
			log := app.NewLogger(cfg, env.Stderr)
			ctx, stop := signal.NotifyContext(cmd.Context(), syscall.SIGINT, syscall.SIGTERM)
			defer stop()
			a, err := app.Open(ctx, cfg, log)
			if err != nil {
				return err
			}
			defer a.Close()
			if demo.Exists(ctx, a.Store) {
				fmt.Fprintf(env.Stderr, "using the demo data already in %s\n", a.Store.Describe())
			} else {
				fmt.Fprintf(env.Stderr, "loading the demo hospital into %s …\n", a.Store.Describe())
				if _, err := demo.Load(ctx, a.Store, a.Now(), func(step string) { fmt.Fprintf(env.Stderr, "  %s\n", step) }, demo.WithFeeds(a.Feeds)); err != nil {
					return err
				}
			}
			return a.Serve(ctx, func(addr string) {
				fmt.Fprintf(env.Stdout, "\nVigil demo is running at %s\n\n", a.Config.ExternalURL())
				tw := tabwriter.NewWriter(env.Stdout, 2, 4, 2, ' ', 0)
				fmt.Fprintln(tw, "ORGANISATION\tE-MAIL\tROLE")
				for _, l := range demo.Logins() {
					fmt.Fprintf(tw, "%s\t%s\t%s\n", l.Org, l.Email, l.Role.Label())
				}
				tw.Flush()
				fmt.Fprintf(env.Stdout, "\nEvery demo account's password is %q. Data directory: %s\nPress Ctrl-C to stop.\n", demo.Password, cfg.DataDir)
				if env.Ready != nil {
					env.Ready(addr)
				}
			})
		},
	}
	serveFlags(cmd)
	return cmd
}
