package cli

import (
	"os/signal"
	"syscall"

	"github.com/spf13/cobra"

	"github.com/vigil-med/vigil/internal/app"
)

func serveFlags(cmd *cobra.Command) {
	f := cmd.Flags()
	f.String("listen", "", "address to listen on, host:port (default 127.0.0.1:8080; also VIGIL_LISTEN)")
	f.String("base-url", "", "external URL of the server, e.g. https://vigil.hospital.example (also VIGIL_BASE_URL)")
	f.String("tls-cert", "", "PEM certificate file: serve HTTPS (also VIGIL_TLS_CERT)")
	f.String("tls-key", "", "PEM private key file (also VIGIL_TLS_KEY)")
}

func serveCmd(env *Env) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "serve",
		Short: "Run the web UI, the REST API and the background jobs",
		Long: `Run Vigil's server: the web UI, the REST API under /api/v1 (OpenAPI at /api/v1/openapi.json), health
checks at /healthz and /readyz, Prometheus metrics at /metrics, and the background jobs (feed sync,
reminders, notifications). The database is migrated at start. Stop it with Ctrl-C or SIGTERM: running
requests and jobs get time to finish.

Create the first organisation and administrator before you sign in:
  vigil org add "St. Example Hospital" --country DE
  vigil user add ciso@hospital.example --role admin`,
		Example: `  vigil serve --data-dir /var/lib/vigil --listen 0.0.0.0:8443 --tls-cert cert.pem --tls-key key.pem
  VIGIL_DATABASE=postgres://vigil@db.internal/vigil vigil serve --base-url https://vigil.hospital.example`,
		Args: cobra.NoArgs,
		RunE: env.withApp(func(cmd *cobra.Command, _ []string, a *app.App) error {
			ctx, stop := signal.NotifyContext(cmd.Context(), syscall.SIGINT, syscall.SIGTERM)
			defer stop()
			return a.Serve(ctx, env.Ready)
		}),
	}
	serveFlags(cmd)
	return cmd
}
