package cli

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/vigil-med/vigil/internal/app"
	"github.com/vigil-med/vigil/internal/disclosure"
	"github.com/vigil-med/vigil/internal/domain"
	"github.com/vigil-med/vigil/internal/sbom"
	"github.com/vigil-med/vigil/internal/store"
)

// disclosureCmds adds `vigil import sbom|mds2|csaf|vex` and `vigil disclosures …`.
func disclosureCmds(root *cobra.Command, env *Env) {
	imp := parentCmd(root, "import", "Import data from files: inventories and manufacturers' disclosures")
	imp.AddCommand(importSBOMCmd(env), importMDS2Cmd(env), importCSAFCmd(env), importVEXCmd(env))
	cmd := &cobra.Command{Use: "disclosures", Short: "Manufacturers' disclosures: documents, components, advisories and their mapping"}
	cmd.AddCommand(discDocumentsCmd(env), discWhereIsCmd(env), discExportSBOMCmd(env), discQueueCmd(env), discRemapCmd(env))
	root.AddCommand(cmd)
}

// discImportScope is orgScope for the import commands: into a database without any organisation (a
// first import into a fresh data directory), it creates one, "My organisation" (slug "default"), and
// says so; rename it in the web UI (Administration → Organisation).
func discImportScope(env *Env, cmd *cobra.Command, a *app.App) (context.Context, *store.Scope, error) {
	ctx, _, sc, err := orgScope(cmd, a)
	if err == nil || a.Config.Org != "" || domain.ErrorCode(err) != domain.ENotFound {
		return ctx, sc, err
	}
	orgs, lerr := a.Store.Orgs(cmd.Context())
	if lerr != nil || len(orgs) > 0 {
		return ctx, sc, err
	}
	o := domain.Organisation{Name: "My organisation", Slug: "default"}
	if err := a.Store.CreateOrg(cliContext(cmd.Context(), 0), &o); err != nil {
		return nil, nil, err
	}
	fmt.Fprintf(env.Stderr, "vigil: the database had no organisation; created %q (slug %s) for the import\n", o.Name, o.Slug)
	ctx, _, sc, err = orgScope(cmd, a)
	return ctx, sc, err
}

// discReadFile reads a document file with the size limit.
func discReadFile(p string) ([]byte, error) {
	f, err := os.Open(p)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return disclosure.ReadFile(f, p)
}

// discReport prints an import's report (text or JSON) and turns a failed import into the command's error.
func discReport(env *Env, cmd *cobra.Command, file string, rep *disclosure.Report, err error) error {
	if j, _ := cmd.Flags().GetBool("json"); j && rep != nil {
		if perr := writeJSON(env.Stdout, rep); perr != nil {
			return perr
		}
	} else if rep != nil && (err == nil || len(rep.Changes) > 0 || len(rep.Errors) > 0) {
		if perr := rep.WriteText(env.Stdout, 20); perr != nil {
			return perr
		}
	}
	if err == nil {
		return nil
	}
	msg := userMessage(err)
	if !strings.Contains(msg, file) {
		msg = file + ": " + msg
	}
	return exitError{code: 1, err: errors.New(msg)}
}

func importSBOMCmd(env *Env) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "sbom FILE",
		Short: "Import the SBOM of a product version (CycloneDX 1.2–1.6 JSON/XML, SPDX 2.2/2.3 JSON/tag-value)",
		Long: `Import a software bill of materials and make its components those of a product version. The version
is named by --product and --version (and created when missing, with its product and manufacturer);
without them, the SBOM's own subject (CycloneDX metadata component, SPDX described package) names it.
The manufacturer defaults to the existing product's, else the SBOM's supplier. An earlier SBOM of the
version is replaced (its document stays as evidence); the same file again is skipped.`,
		Example: `  vigil import sbom infusomat-u62.cdx.json --manufacturer "B. Braun" --product "Infusomat Space" --version U62
  vigil import sbom bom.xml --json`,
		Args: cobra.ExactArgs(1),
		RunE: env.withApp(func(cmd *cobra.Command, args []string, a *app.App) error {
			ctx, sc, err := discImportScope(env, cmd, a)
			if err != nil {
				return err
			}
			data, err := discReadFile(args[0])
			if err != nil {
				return err
			}
			fl := cmd.Flags()
			opts := disclosure.SBOMOptions{Source: disclosure.Source{FileName: filepath.Base(args[0]), Kind: "file", Ref: args[0]}}
			opts.Product, _ = fl.GetString("product")
			opts.Version, _ = fl.GetString("version")
			opts.Manufacturer, _ = fl.GetString("manufacturer")
			rep, err := disclosure.ImportSBOM(ctx, sc, data, opts)
			return discReport(env, cmd, args[0], rep, err)
		}),
	}
	fl := cmd.Flags()
	fl.String("product", "", "the product (model) the SBOM describes; default: the SBOM's subject")
	fl.String("version", "", "its firmware/software version")
	fl.String("manufacturer", "", "its manufacturer (name or alias)")
	fl.Bool("json", false, "print the report as JSON")
	return cmd
}

func importMDS2Cmd(env *Env) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "mds2 FILE",
		Short: "Import an MDS2 form (2019 xlsx, Vigil JSON or a Markdown transcription)",
		Long: `Import a Manufacturer Disclosure Statement for Medical Device Security (ANSI/NEMA HN 1-2019). Every
answer and note is stored by question id with its normalised value. Without --product, the form's
DOC-1 (manufacturer, also by alias) and DOC-3 (model numbers) or DOC-2 (device) find the product; when
nothing matches, the product is created under the DOC-1 manufacturer, and the report says which.
A 2013 or unknown form is refused with what was found.`,
		Example: `  vigil import mds2 "MDS2 Infusomat Space.xlsx"
  vigil import mds2 form.xlsx --manufacturer Philips --product "IntelliVue MX800" --version N.00.01`,
		Args: cobra.ExactArgs(1),
		RunE: env.withApp(func(cmd *cobra.Command, args []string, a *app.App) error {
			ctx, sc, err := discImportScope(env, cmd, a)
			if err != nil {
				return err
			}
			data, err := discReadFile(args[0])
			if err != nil {
				return err
			}
			fl := cmd.Flags()
			opts := disclosure.MDS2Options{Source: disclosure.Source{FileName: filepath.Base(args[0]), Kind: "file", Ref: args[0]}}
			opts.Product, _ = fl.GetString("product")
			opts.Version, _ = fl.GetString("version")
			opts.Manufacturer, _ = fl.GetString("manufacturer")
			rep, err := disclosure.ImportMDS2(ctx, sc, data, opts)
			return discReport(env, cmd, args[0], rep, err)
		}),
	}
	fl := cmd.Flags()
	fl.String("product", "", "the product the form is about; default: found from DOC-1 and DOC-3")
	fl.String("version", "", "its version")
	fl.String("manufacturer", "", "its manufacturer; default: DOC-1")
	fl.Bool("json", false, "print the report as JSON")
	return cmd
}

func importCSAFCmd(env *Env) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "csaf PATH|URL",
		Short: "Import CSAF 2.0 advisories from a file, a folder or a trusted provider, and map them to the inventory",
		Long: `Import CSAF 2.0 advisories: a file, every *.json file of a folder, a provider (its domain, origin or
provider-metadata.json URL: discovered, listed from ROLIE feeds or directory listings, each document
checked against its SHA-256/512 files and OpenPGP signature), or the URL of one advisory.

Each document is imported in a transaction of its own: a bad document fails alone, named with every
problem found (JSON paths), and the others are imported; the exit status is 1 when any failed. The
latest version per tracking id is kept and mapped to the inventory's products and versions (CPE, package
URL, model numbers, names with the manufacturers' aliases, version ranges); earlier versions are kept as
evidence. Products that cannot be mapped wait in the mapping queue (web UI: Disclosures → Mapping queue;
"vigil disclosures queue").`,
		Example: `  vigil import csaf icsma-24-151-02.json
  vigil import csaf ./advisories/
  vigil import csaf psirt.example.com --key psirt-key.asc --since 2025-01-01
  vigil import csaf https://psirt.example.com/.well-known/csaf/provider-metadata.json --json`,
		Args: cobra.ExactArgs(1),
		RunE: env.withApp(func(cmd *cobra.Command, args []string, a *app.App) error {
			ctx, sc, err := discImportScope(env, cmd, a)
			if err != nil {
				return err
			}
			fl := cmd.Flags()
			var inputs []disclosure.Input
			var notes []string
			if disclosure.IsURL(args[0]) {
				opts := disclosure.ProviderOptions{Client: a.HTTPClient}
				if k, _ := fl.GetString("key"); k != "" {
					if opts.Key, err = os.ReadFile(k); err != nil {
						return err
					}
				}
				if s, _ := fl.GetString("since"); s != "" {
					d, err := domain.ParseDate(s)
					if err != nil {
						return fmt.Errorf("--since: %w", err)
					}
					opts.Since = d.Time()
				}
				inputs, notes, err = disclosure.FetchCSAF(ctx, args[0], opts)
			} else {
				inputs, err = disclosure.CSAFFiles(args[0])
			}
			if err != nil {
				return fmt.Errorf("%s: %s", args[0], userMessage(err))
			}
			if len(inputs) == 0 {
				fmt.Fprintf(env.Stdout, "%s: no advisories to import\n", args[0])
				return nil
			}
			start := time.Now()
			rep, err := disclosure.ImportCSAFBatch(ctx, sc, inputs)
			rep.File = args[0]
			rep.Warnings = append(rep.Warnings, notes...)
			a.Log.Debug("csaf import", "documents", len(inputs), "took", time.Since(start))
			if len(inputs) == 1 && len(rep.Errors) == 1 {
				e := rep.Errors[0]
				if j, _ := fl.GetBool("json"); j {
					_ = writeJSON(env.Stdout, rep)
				}
				msg := e.Message
				if len(e.Problems) > 0 {
					msg += ":\n  " + strings.Join(e.Problems[:min(len(e.Problems), 20)], "\n  ")
				}
				return exitError{code: 1, err: errors.New(msg)}
			}
			return discReport(env, cmd, args[0], rep, err)
		}),
	}
	fl := cmd.Flags()
	fl.String("key", "", "provider: the provider's OpenPGP public key (armoured file); pinned, and every document must be signed with it")
	fl.String("since", "", "provider: only advisories changed after this date (YYYY-MM-DD)")
	fl.Bool("json", false, "print the report as JSON")
	return cmd
}

func importVEXCmd(env *Env) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "vex FILE",
		Short: "Import VEX statements (OpenVEX, CycloneDX VEX, CSAF VEX)",
		Long: `Import a VEX document. Its statements are attached to the product versions their products name: a
CycloneDX BOM-Link into an SBOM of the inventory, the package URL of an SBOM's subject, a product's CPE,
or a product name and version; failing those, a package URL that is a component of versions' SBOMs
(the statement is then about that component). Statements that name nothing in the inventory are kept
and attached when an SBOM or the inventory names their product.`,
		Example: `  vigil import vex pump-u62.openvex.json
  vigil import vex our-assessment.cdx.json --source hospital`,
		Args: cobra.ExactArgs(1),
		RunE: env.withApp(func(cmd *cobra.Command, args []string, a *app.App) error {
			ctx, sc, err := discImportScope(env, cmd, a)
			if err != nil {
				return err
			}
			data, err := discReadFile(args[0])
			if err != nil {
				return err
			}
			opts := disclosure.VEXOptions{Source: disclosure.Source{FileName: filepath.Base(args[0]), Kind: "file", Ref: args[0]}}
			opts.SourceKind, _ = cmd.Flags().GetString("source")
			rep, err := disclosure.ImportVEX(ctx, sc, data, opts)
			return discReport(env, cmd, args[0], rep, err)
		}),
	}
	cmd.Flags().String("source", "manufacturer", "who states it: manufacturer or hospital")
	cmd.Flags().Bool("json", false, "print the report as JSON")
	return cmd
}

func discDocumentsCmd(env *Env) *cobra.Command {
	cmd := &cobra.Command{
		Use:     "documents",
		Short:   "List the disclosure documents received (newest first)",
		Example: "  vigil disclosures documents --kind csaf --q philips\n  vigil disclosures documents --json",
		Args:    cobra.NoArgs,
		RunE: env.withApp(func(cmd *cobra.Command, _ []string, a *app.App) error {
			ctx, _, sc, err := orgScope(cmd, a)
			if err != nil {
				return err
			}
			fl := cmd.Flags()
			var f domain.DocumentFilter
			k, _ := fl.GetString("kind")
			if f.Kind, err = domain.ParseDisclosureKind(k); err != nil {
				return err
			}
			f.Q, _ = fl.GetString("q")
			f.Limit, _ = fl.GetInt("limit")
			page, err := sc.Documents(ctx, f)
			if err != nil {
				return err
			}
			if j, _ := fl.GetBool("json"); j {
				return writeJSON(env.Stdout, page)
			}
			tw := tabwriter.NewWriter(env.Stdout, 2, 4, 2, ' ', 0)
			fmt.Fprintln(tw, "ID\tKIND\tIMPORTED\tTITLE\tFILE\tSIZE\tSHA-256")
			for _, d := range page.Items {
				fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\t%d\t%.16s…\n", d.ID, d.Kind, d.Imported.Format("2006-01-02 15:04"), d.Title, d.FileName, d.Size, d.SHA256)
			}
			tw.Flush()
			fmt.Fprintf(env.Stdout, "%d of %d documents\n", len(page.Items), page.Total)
			return nil
		}),
	}
	fl := cmd.Flags()
	fl.String("kind", "", "sbom, mds2, csaf or vex")
	fl.String("q", "", "search title, file name, id, source and hash")
	fl.Int("limit", domain.DefaultPageSize, "documents to list")
	fl.Bool("json", false, "print JSON")
	return cmd
}

func discWhereIsCmd(env *Env) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "where-is [NAME]",
		Short: "Where is this component? The product versions whose SBOM has it, with their installed devices",
		Example: `  vigil disclosures where-is log4j-core
  vigil disclosures where-is --purl pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1
  vigil disclosures where-is --cpe cpe:2.3:a:openssl:openssl:1.0.2k --json`,
		Args: cobra.MaximumNArgs(1),
		RunE: env.withApp(func(cmd *cobra.Command, args []string, a *app.App) error {
			ctx, _, sc, err := orgScope(cmd, a)
			if err != nil {
				return err
			}
			fl := cmd.Flags()
			q := ""
			if len(args) > 0 {
				q = args[0]
			}
			p, _ := fl.GetString("purl")
			c, _ := fl.GetString("cpe")
			if q == "" && p == "" && c == "" {
				return domain.Invalid("name", "give a component name, --purl or --cpe")
			}
			res, err := disclosure.WhereIs(ctx, sc, q, p, c)
			if err != nil {
				return err
			}
			if j, _ := fl.GetBool("json"); j {
				return writeJSON(env.Stdout, res)
			}
			tw := tabwriter.NewWriter(env.Stdout, 2, 4, 2, ' ', 0)
			fmt.Fprintln(tw, "VERSION ID\tMANUFACTURER\tPRODUCT\tVERSION\tDEVICES\tCOMPONENTS")
			for _, u := range res.Versions {
				fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%d\t%s\n", u.ProductVersionID, u.Manufacturer, u.Product, u.Version, u.Installed, strings.Join(u.Components, ", "))
			}
			tw.Flush()
			fmt.Fprintf(env.Stdout, "%d product versions, %d devices\n", len(res.Versions), res.Devices)
			return nil
		}),
	}
	cmd.Flags().String("purl", "", "package URL (with a version: that version only)")
	cmd.Flags().String("cpe", "", "CPE 2.3 or 2.2 name")
	cmd.Flags().Bool("json", false, "print JSON")
	return cmd
}

func discExportSBOMCmd(env *Env) *cobra.Command {
	cmd := &cobra.Command{
		Use:     "export-sbom VERSION_ID",
		Short:   "Export the SBOM of a product version as CycloneDX 1.6",
		Example: "  vigil disclosures export-sbom 42 > pump-u62.cdx.json\n  vigil disclosures export-sbom 42 --xml --out pump.cdx.xml",
		Args:    cobra.ExactArgs(1),
		RunE: env.withApp(func(cmd *cobra.Command, args []string, a *app.App) error {
			ctx, _, sc, err := orgScope(cmd, a)
			if err != nil {
				return err
			}
			id, err := strconv.ParseInt(args[0], 10, 64)
			if err != nil {
				return domain.Invalid("VERSION_ID", "must be the number of a product version")
			}
			format := sbom.CycloneDXJSON
			if x, _ := cmd.Flags().GetBool("xml"); x {
				format = sbom.CycloneDXXML
			}
			w := env.Stdout
			if out, _ := cmd.Flags().GetString("out"); out != "" {
				f, err := os.Create(out)
				if err != nil {
					return err
				}
				defer f.Close()
				w = f
			}
			return disclosure.ExportSBOM(ctx, sc, w, id, format)
		}),
	}
	cmd.Flags().Bool("xml", false, "write XML instead of JSON")
	cmd.Flags().String("out", "", "write to this file instead of standard output")
	return cmd
}

func discQueueCmd(env *Env) *cobra.Command {
	cmd := &cobra.Command{
		Use:     "queue",
		Short:   "List the advisory products waiting in the mapping queue",
		Example: "  vigil disclosures queue\n  vigil disclosures queue --q philips --json",
		Args:    cobra.NoArgs,
		RunE: env.withApp(func(cmd *cobra.Command, _ []string, a *app.App) error {
			ctx, _, sc, err := orgScope(cmd, a)
			if err != nil {
				return err
			}
			fl := cmd.Flags()
			f := domain.AdvisoryProductFilter{State: domain.MappingUnmapped}
			f.Q, _ = fl.GetString("q")
			f.Limit, _ = fl.GetInt("limit")
			page, err := sc.AdvisoryProducts(ctx, f)
			if err != nil {
				return err
			}
			if j, _ := fl.GetBool("json"); j {
				return writeJSON(env.Stdout, page)
			}
			tw := tabwriter.NewWriter(env.Stdout, 2, 4, 2, ' ', 0)
			fmt.Fprintln(tw, "ID\tADVISORY\tVENDOR\tPRODUCT\tVERSION\tWHY")
			for _, p := range page.Items {
				fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\t%s\n", p.ID, p.TrackingID, p.Vendor, p.ProductName, p.VersionText(), p.Note)
			}
			tw.Flush()
			fmt.Fprintf(env.Stdout, "%d of %d products wait in the mapping queue (map them in the web UI: Disclosures → Mapping queue)\n", len(page.Items), page.Total)
			return nil
		}),
	}
	fl := cmd.Flags()
	fl.String("q", "", "search name, vendor, version and tracking id")
	fl.Int("limit", domain.DefaultPageSize, "products to list")
	fl.Bool("json", false, "print JSON")
	return cmd
}

func discRemapCmd(env *Env) *cobra.Command {
	return &cobra.Command{
		Use:     "remap",
		Short:   "Apply the mapping of advisories and VEX statements again (after the inventory changed)",
		Example: "  vigil disclosures remap\n  vigil disclosures remap --org nordstadt",
		Args:    cobra.NoArgs,
		RunE: env.withApp(func(cmd *cobra.Command, _ []string, a *app.App) error {
			ctx, _, sc, err := orgScope(cmd, a)
			if err != nil {
				return err
			}
			res, err := disclosure.Remap(ctx, sc)
			if err != nil {
				return err
			}
			fmt.Fprintln(env.Stdout, "Mapping applied again: "+res.String())
			return nil
		}),
	}
}
