// Command vigil runs Vigil: the web UI and REST API server, the demo, and the command-line tools.
package main

import (
	"context"
	"os"
	_ "time/tzdata" // IANA zones for deadlines on machines without a zoneinfo database

	"github.com/vigil-med/vigil/internal/cli"
)

func main() {
	os.Exit(cli.Run(context.Background(), os.Args[1:], os.Stdout, os.Stderr))
}
