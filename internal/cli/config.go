package cli

import (
	"fmt"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/vigil-med/vigil/internal/config"
)

func configCmd(env *Env) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "config",
		Short: "Show the effective configuration",
	}
	print := &cobra.Command{
		Use:   "print",
		Short: "Print every setting with its value (secrets masked) and its environment variable",
		Example: `  vigil config print
  vigil config print --config /etc/vigil/vigil.yaml`,
		Long: `Print the configuration Vigil would run with: flags, then VIGIL_* environment variables, then the
configuration file, then defaults. Passwords and secrets are masked. Every setting can be put in the
YAML file under its dotted name (smtp.host becomes smtp: {host: …}) or set through the variable shown.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			cfg, err := env.loadConfig(cmd)
			if err != nil {
				return err
			}
			tw := tabwriter.NewWriter(env.Stdout, 2, 4, 2, ' ', 0)
			fmt.Fprintln(tw, "SETTING\tVALUE\tENVIRONMENT\tDESCRIPTION")
			for _, s := range config.Settings(&cfg) {
				fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", s.Key, s.String(true), s.Env, s.Help)
			}
			return tw.Flush()
		},
	}
	serveFlags(print)
	cmd.AddCommand(print)
	return cmd
}
