package cli

import (
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/spf13/cobra"

	"github.com/vigil-med/vigil/internal/app"
)

func backupCmd(env *Env) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "backup [FILE]",
		Short: "Write a consistent snapshot of the database (safe while the server runs)",
		Long: `Write a logical backup of the whole database — every organisation — to FILE (or --out; "-" for
standard output). It is one consistent snapshot taken while the server keeps running, gzip-compressed
JSON lines in the same format for SQLite and PostgreSQL: a backup of an embedded SQLite database can be
restored into PostgreSQL and back. Keep backups encrypted and off the machine: they hold everything.`,
		Example: `  vigil backup /backup/vigil-$(date +%F).vgb
  vigil backup --database postgres://vigil@db/vigil - | age -r "$KEY" > vigil.vgb.age`,
		Args: cobra.MaximumNArgs(1),
		RunE: env.withApp(func(cmd *cobra.Command, args []string, a *app.App) error {
			out, _ := cmd.Flags().GetString("out")
			if len(args) == 1 {
				out = args[0]
			}
			if out == "" {
				return fmt.Errorf("name the backup file: vigil backup FILE (or --out FILE, - for standard output)")
			}
			var w io.Writer = env.Stdout
			var f *os.File
			if out != "-" {
				var err error
				tmp := out + ".partial"
				f, err = os.OpenFile(tmp, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, 0o600)
				if err != nil {
					return err
				}
				defer os.Remove(tmp)
				w = f
			}
			st, err := a.Store.Backup(cmd.Context(), w)
			if err != nil {
				if f != nil {
					f.Close()
				}
				return fmt.Errorf("backup: %w", err)
			}
			if f != nil {
				if err := f.Sync(); err != nil {
					return err
				}
				if err := f.Close(); err != nil {
					return err
				}
				if err := os.Rename(out+".partial", out); err != nil {
					return err
				}
			}
			fmt.Fprintf(env.Stderr, "backup of %s: %d tables, %d rows → %s\n", a.Store.Describe(), st.Tables, st.Rows, out)
			return nil
		}),
	}
	cmd.Flags().String("out", "", "backup file (instead of the argument)")
	return cmd
}

func restoreCmd(env *Env) *cobra.Command {
	return &cobra.Command{
		Use:   "restore FILE",
		Short: "Load a backup into a new, empty database",
		Long: `Restore a backup made with "vigil backup" into the database named by --data-dir or --database. The target
must be empty (a new data directory or a new PostgreSQL database): restore never overwrites data. The
restore is one transaction, so a damaged backup changes nothing. Stop any server that uses the target
first, then start it on the restored data.`,
		Example: `  vigil restore --data-dir /var/lib/vigil-restored vigil-2026-11-28.vgb
  vigil restore --database postgres://vigil@db/vigil_new vigil-2026-11-28.vgb`,
		Args: cobra.ExactArgs(1),
		RunE: env.withApp(func(cmd *cobra.Command, args []string, a *app.App) error {
			f, err := os.Open(args[0])
			if err != nil {
				return err
			}
			defer f.Close()
			st, err := a.Store.Restore(cmd.Context(), f)
			if err != nil {
				return fmt.Errorf("restore %s: %w", filepath.Base(args[0]), err)
			}
			fmt.Fprintf(env.Stdout, "restored %d tables, %d rows into %s\n", st.Tables, st.Rows, a.Store.Describe())
			rep, err := a.Store.VerifyAudit(cmd.Context(), 0)
			if err != nil {
				return err
			}
			if len(rep.Problems) > 0 {
				return fmt.Errorf("restored, but the audit log does not verify (%d problems): run vigil audit verify", len(rep.Problems))
			}
			fmt.Fprintf(env.Stdout, "audit log verified: %d events intact\n", rep.Events)
			return nil
		}),
	}
}
