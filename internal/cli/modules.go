package cli

import "github.com/spf13/cobra"

// addModuleCommands adds the commands of the modules (import, feeds, scan, plan …); one line each.
func addModuleCommands(root *cobra.Command, env *Env) {
	root.AddCommand(incidentCmd(env))
	root.AddCommand(regulationCmd(env))
	inventoryCmds(root, env)
	disclosureCmds(root, env)
	trainingCommands(root, env)
	root.AddCommand(tenderCmd(env))
	root.AddCommand(feedsCmd(env), scanCmd(env), benchCmd(env))
	root.AddCommand(fleetFindingsCmd(env), fleetVEXCmd(env))
	riskCmds(root, env)
	exchangeCmds(root, env)
}

// parentCmd returns the subcommand of root named name, creating it (with the short help text) when it
// does not exist yet. Modules share parents this way: each adds its own `vigil import <kind>`.
func parentCmd(root *cobra.Command, name, short string) *cobra.Command {
	for _, c := range root.Commands() {
		if c.Name() == name {
			return c
		}
	}
	c := &cobra.Command{Use: name, Short: short}
	root.AddCommand(c)
	return c
}
