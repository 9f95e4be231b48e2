package cli

import "github.com/spf13/cobra"

// addModuleCommands adds the commands of the modules (import, feeds, scan, plan …); one line each.
func addModuleCommands(root *cobra.Command, env *Env) {
	root.AddCommand(incidentCmd(env))
}
