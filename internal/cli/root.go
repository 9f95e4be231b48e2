// Package cli is Vigil's command line. Run is called by main and by tests (in-process, with their own
// output writers and environment).
package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/user"

	"github.com/spf13/cobra"

	"github.com/vigil-med/vigil/internal/app"
	"github.com/vigil-med/vigil/internal/config"
	"github.com/vigil-med/vigil/internal/domain"
	"github.com/vigil-med/vigil/internal/store"
)

// Env is what a command may touch of the outside world.
type Env struct {
	Stdin  io.Reader
	Stdout io.Writer
	Stderr io.Writer
	Getenv func(string) string
	// Ready, when set, is called with the listening address by serve and demo (tests use it).
	Ready func(addr string)
}

// Run executes the command line args (without the program name) and returns the exit code.
func Run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	return RunEnv(ctx, args, Env{Stdin: os.Stdin, Stdout: stdout, Stderr: stderr, Getenv: os.Getenv})
}

// exitError carries an exit code other than 1.
type exitError struct {
	code int
	err  error
}

func (e exitError) Error() string {
	if e.err == nil {
		return ""
	}
	return e.err.Error()
}

// RunEnv is Run with an explicit environment.
func RunEnv(ctx context.Context, args []string, env Env) int {
	root := newRoot(&env)
	root.SetArgs(args)
	root.SetOut(env.Stdout)
	root.SetErr(env.Stderr)
	root.SetIn(env.Stdin)
	err := root.ExecuteContext(ctx)
	if err == nil {
		return 0
	}
	var ee exitError
	if errors.As(err, &ee) {
		if ee.err != nil {
			fmt.Fprintln(env.Stderr, "vigil:", ee.err)
		}
		return ee.code
	}
	fmt.Fprintln(env.Stderr, "vigil:", err)
	return 1
}

func newRoot(env *Env) *cobra.Command {
	root := &cobra.Command{
		Use:   "vigil",
		Short: "Cybersecurity for medical technology: inventory, disclosures, vulnerabilities, risk and EU law in one tool",
		Long: `Vigil helps hospitals and medical-device manufacturers run cybersecurity for medical technology:
an inventory of devices, manufacturers' disclosures (SBOM, MDS2, CSAF, VEX), vulnerability matching,
clinical risk, legacy technology, NIS2/GDPR/MDR/CRA duties and incident clocks — as one program with a
web UI, a REST API and this command line.

Start with the demo:   vigil demo
Run a server:          vigil serve --data-dir /var/lib/vigil
With PostgreSQL:       vigil serve --database postgres://vigil@db/vigil

Settings come from flags, then VIGIL_* environment variables, then the file named by --config, then
defaults. "vigil config print" shows the result.`,
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	pf := root.PersistentFlags()
	pf.String("config", "", "YAML configuration file (also VIGIL_CONFIG)")
	pf.String("data-dir", "", "data directory for the embedded database (default ./vigil-data; also VIGIL_DATA_DIR)")
	pf.String("database", "", "PostgreSQL URL, e.g. postgres://user@host/vigil (also VIGIL_DATABASE)")
	pf.String("org", "", "organisation (slug or id) to act on; default: the first one (also VIGIL_ORG)")
	pf.String("log-level", "", "debug, info, warn or error")
	pf.String("log-format", "", "text or json")
	root.AddCommand(
		serveCmd(env), demoCmd(env), migrateCmd(env), userCmd(env), orgCmd(env), tokenCmd(env), auditCmd(env),
		backupCmd(env), restoreCmd(env), configCmd(env), versionCmd(env),
	)
	addModuleCommands(root, env)
	return root
}

// loadConfig builds the validated configuration of a command.
func (env *Env) loadConfig(cmd *cobra.Command) (config.Config, error) {
	file, _ := cmd.Flags().GetString("config")
	if file == "" {
		file = env.Getenv("VIGIL_CONFIG")
	}
	return config.Load(config.Source{File: file, Env: env.Getenv, Flags: cmd.Flags()})
}

// openApp loads the configuration and opens the application (database migrated).
func (env *Env) openApp(cmd *cobra.Command) (*app.App, error) {
	cfg, err := env.loadConfig(cmd)
	if err != nil {
		return nil, err
	}
	return app.Open(cmd.Context(), cfg, app.NewLogger(cfg, env.Stderr))
}

// orgScope resolves --org (or the default organisation) and returns it with its store scope and a
// context whose audit actor is the command line.
func orgScope(cmd *cobra.Command, a *app.App) (context.Context, domain.Organisation, *store.Scope, error) {
	o, err := a.Store.OrgByRef(cmd.Context(), a.Config.Org)
	if err != nil {
		return nil, o, nil, err
	}
	return cliContext(cmd.Context(), o.ID), o, a.Store.Scope(o.ID), nil
}

// cliContext carries the operating-system user as the audit actor.
func cliContext(ctx context.Context, org int64) context.Context {
	name := "cli"
	if u, err := user.Current(); err == nil {
		name = "cli:" + u.Username
	}
	return domain.WithActor(ctx, domain.Actor{Kind: domain.ActorCLI, Name: name, OrgID: org, Role: domain.RoleAdmin})
}

// withApp runs fn with an opened application and closes it afterwards.
func (env *Env) withApp(fn func(cmd *cobra.Command, args []string, a *app.App) error) func(*cobra.Command, []string) error {
	return func(cmd *cobra.Command, args []string) error {
		a, err := env.openApp(cmd)
		if err != nil {
			return err
		}
		defer a.Close()
		return fn(cmd, args, a)
	}
}
