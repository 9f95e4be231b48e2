package cli

import (
	"fmt"
	"os"
	"strconv"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/vigil-med/vigil/internal/app"
	"github.com/vigil-med/vigil/internal/domain"
	"github.com/vigil-med/vigil/internal/exchange"
	"github.com/vigil-med/vigil/internal/store"
)

// exchangeCmds adds `vigil subscription …` (hospital side) and `vigil advisory …` (manufacturer side).
func exchangeCmds(root *cobra.Command, env *Env) {
	sub := &cobra.Command{Use: "subscription", Short: "Subscriptions to manufacturers' CSAF providers (Vigil or any trusted provider)"}
	sub.AddCommand(subscriptionAddCmd(env), subscriptionListCmd(env), subscriptionSyncCmd(env), subscriptionRemoveCmd(env))
	adv := &cobra.Command{Use: "advisory", Short: "Manufacturer side: write, check and publish CSAF 2.0 security advisories"}
	adv.AddCommand(advisoryCreateCmd(env), advisoryListCmd(env), advisoryPreviewCmd(env), advisoryPublishCmd(env), advisoryExportCmd(env))
	root.AddCommand(sub, adv)
}

func subscriptionAddCmd(env *Env) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "add URL",
		Short: "Subscribe to a provider: discover it, pin its signing key and store the subscription",
		Long: `Subscribe to a manufacturer's CSAF provider: its domain, origin or provider-metadata.json URL (a Vigil
manufacturer instance: https://HOST/exchange/ORG/.well-known/csaf/provider-metadata.json). The provider
is discovered and its OpenPGP key pinned: the file given with --key, else the key the provider lists
(checked against the fingerprint in its metadata). Every later sync accepts only documents signed with
the pinned key and matching their SHA-256/512 files. A subscriber token (--token) gives access to
TLP:GREEN and AMBER documents.`,
		Example: `  vigil subscription add https://psirt.meridian-medical.example/exchange/meridian/.well-known/csaf/provider-metadata.json
  vigil subscription add psirt.example.com --key psirt.asc --token vgs_… --every 6`,
		Args: cobra.ExactArgs(1),
		RunE: env.withApp(func(cmd *cobra.Command, args []string, a *app.App) error {
			ctx, _, sc, err := orgScope(cmd, a)
			if err != nil {
				return err
			}
			fl := cmd.Flags()
			in := exchange.SubscriptionInput{URL: args[0]}
			in.Name, _ = fl.GetString("name")
			in.Token, _ = fl.GetString("token")
			in.Kind, _ = fl.GetString("kind")
			in.TLP, _ = fl.GetStringSlice("tlp")
			if k, _ := fl.GetString("key"); k != "" {
				b, err := os.ReadFile(k)
				if err != nil {
					return err
				}
				in.Key = string(b)
			}
			if fl.Changed("every") {
				h, _ := fl.GetInt("every")
				in.EveryHours = &h
			}
			s, err := a.Exchange.Subscribe(ctx, sc, in)
			if err != nil {
				return fmt.Errorf("%s: %s", args[0], userMessage(err))
			}
			if j, _ := fl.GetBool("json"); j {
				return writeJSON(env.Stdout, s)
			}
			fmt.Fprintf(env.Stdout, "subscription %d: %s (%s), key %s, TLP %s, sync every %d h\n", s.ID, s.Name, s.URL, s.KeyFingerprint,
				strings.Join(s.TLP, "/"), s.EveryHours)
			return nil
		}),
	}
	fl := cmd.Flags()
	fl.String("key", "", "the provider's OpenPGP public key (armoured file) to pin; default: the key the provider lists")
	fl.String("token", "", "subscriber token for TLP:GREEN/AMBER documents")
	fl.String("name", "", "a name for the subscription (default: the publisher's name)")
	fl.String("kind", "", "vigil or csaf (default: from the URL)")
	fl.StringSlice("tlp", nil, "TLP labels to fetch (default WHITE; WHITE,GREEN,AMBER with a token)")
	fl.Int("every", 24, "scheduled sync every this many hours (0: on demand only)")
	fl.Bool("json", false, "print the subscription as JSON")
	return cmd
}

func subscriptionListCmd(env *Env) *cobra.Command {
	cmd := &cobra.Command{
		Use:     "list",
		Short:   "List the subscriptions with their last sync and status",
		Example: "  vigil subscription list\n  vigil subscription list --json",
		Args:    cobra.NoArgs,
		RunE: env.withApp(func(cmd *cobra.Command, args []string, a *app.App) error {
			ctx, _, sc, err := orgScope(cmd, a)
			if err != nil {
				return err
			}
			subs, err := sc.Subscriptions(ctx)
			if err != nil {
				return err
			}
			if j, _ := cmd.Flags().GetBool("json"); j {
				return writeJSON(env.Stdout, subs)
			}
			tw := tabwriter.NewWriter(env.Stdout, 0, 4, 2, ' ', 0)
			fmt.Fprintln(tw, "ID\tNAME\tKIND\tSTATUS\tLAST SYNC\tDOCUMENTS\tURL")
			for _, s := range subs {
				last := "never"
				if s.LastSync != nil {
					last = s.LastSync.Format("2006-01-02 15:04")
				}
				fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\t%d\t%s\n", s.ID, s.Name, s.Kind, s.Status, last, s.Documents, s.URL)
			}
			return tw.Flush()
		}),
	}
	cmd.Flags().Bool("json", false, "print JSON")
	return cmd
}

func subscriptionSyncCmd(env *Env) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "sync [ID]",
		Short: "Sync now: fetch, verify hashes and signatures, import and list the affected devices",
		Long: `Sync one subscription (or all of the organisation's): list the provider's advisories, download each with
its SHA-256/512 files and OpenPGP signature, reject any that fails a check, import the others through
the CSAF import (mapped to the inventory's product versions) and notify about affected devices. The
exit status is 1 when a document was rejected or the provider could not be read.`,
		Example: "  vigil subscription sync\n  vigil subscription sync 3 --json",
		Args:    cobra.MaximumNArgs(1),
		RunE: env.withApp(func(cmd *cobra.Command, args []string, a *app.App) error {
			ctx, _, sc, err := orgScope(cmd, a)
			if err != nil {
				return err
			}
			var ids []int64
			if len(args) == 1 {
				id, err := strconv.ParseInt(args[0], 10, 64)
				if err != nil {
					return fmt.Errorf("ID: %q is not a number", args[0])
				}
				ids = append(ids, id)
			} else {
				subs, err := sc.Subscriptions(ctx)
				if err != nil {
					return err
				}
				for _, s := range subs {
					ids = append(ids, s.ID)
				}
			}
			asJSON, _ := cmd.Flags().GetBool("json")
			var results []exchange.SyncResult
			failed := 0
			for _, id := range ids {
				res, err := a.Exchange.Sync(ctx, sc, id)
				if err != nil {
					failed++
					fmt.Fprintf(env.Stderr, "vigil: subscription %d: %s\n", id, userMessage(err))
					continue
				}
				if len(res.Rejected) > 0 {
					failed++
				}
				results = append(results, res)
				if asJSON {
					continue
				}
				fmt.Fprintf(env.Stdout, "%s: %s\n", res.Subscription.Name, res.Summary())
				for _, r := range res.Rejected {
					fmt.Fprintf(env.Stdout, "  rejected: %s\n", r)
				}
				for _, adv := range res.Advisories {
					fmt.Fprintf(env.Stdout, "  %s %s: %d affected devices\n", adv.Action, adv.Name, len(adv.Devices))
					for _, d := range adv.Devices {
						fmt.Fprintf(env.Stdout, "    %s  %s %s  owner %s  %s: %s\n", firstOf(d.AssetTag, d.Serial), d.Product, d.Version, firstOf(d.Owner, "-"),
							d.Vulnerability, d.Remediation)
					}
				}
			}
			if asJSON {
				if err := writeJSON(env.Stdout, results); err != nil {
					return err
				}
			}
			if failed > 0 {
				return exitError{code: 1, err: fmt.Errorf("%d of %d subscriptions failed or rejected documents", failed, len(ids))}
			}
			return nil
		}),
	}
	cmd.Flags().Bool("json", false, "print the results as JSON")
	return cmd
}

func firstOf(s ...string) string {
	for _, v := range s {
		if v != "" {
			return v
		}
	}
	return ""
}

func subscriptionRemoveCmd(env *Env) *cobra.Command {
	return &cobra.Command{
		Use:     "remove ID",
		Short:   "Unsubscribe (what was imported stays)",
		Example: "  vigil subscription remove 3",
		Args:    cobra.ExactArgs(1),
		RunE: env.withApp(func(cmd *cobra.Command, args []string, a *app.App) error {
			ctx, _, sc, err := orgScope(cmd, a)
			if err != nil {
				return err
			}
			id, err := strconv.ParseInt(args[0], 10, 64)
			if err != nil {
				return fmt.Errorf("ID: %q is not a number", args[0])
			}
			return sc.Write(ctx, func(tx *store.Tx) error { return tx.DeleteSubscription(ctx, id) })
		}),
	}
}

func advisoryCreateCmd(env *Env) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "create",
		Short: "Write an advisory draft for product versions of the manufacturer's catalogue",
		Long: `Write a security advisory as a draft. Affected and fixed versions are named PRODUCT@VERSION (the product's
name or model number) or by version id. Check it with "vigil advisory preview" and publish it with
"vigil advisory publish": it is then validated as CSAF 2.0, signed and served by the organisation's
trusted provider.`,
		Example: `  vigil advisory create --tracking-id MMS-SA-2026-001 --title "VitaFlow 300: hard-coded credentials" \
    --cve CVE-2026-10001 --cvss "CVSS:3.1/AV:A/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H" \
    --summary "The service interface accepts a fixed password." --remediation "Update to 3.2.1." \
    --affected "VitaFlow 300@3.2.0" --fixed "VitaFlow 300@3.2.1"`,
		Args: cobra.NoArgs,
		RunE: env.withApp(func(cmd *cobra.Command, args []string, a *app.App) error {
			ctx, _, sc, err := orgScope(cmd, a)
			if err != nil {
				return err
			}
			fl := cmd.Flags()
			var adv domain.ExchangeAdvisory
			adv.TrackingID, _ = fl.GetString("tracking-id")
			adv.Title, _ = fl.GetString("title")
			adv.TLP, _ = fl.GetString("tlp")
			adv.CVEs, _ = fl.GetStringSlice("cve")
			adv.CWE, _ = fl.GetString("cwe")
			adv.CVSSVector, _ = fl.GetString("cvss")
			adv.Summary, _ = fl.GetString("summary")
			adv.Details, _ = fl.GetString("details")
			adv.RemediationCategory, _ = fl.GetString("remediation-category")
			adv.Remediation, _ = fl.GetString("remediation")
			adv.RemediationURL, _ = fl.GetString("remediation-url")
			adv.Workaround, _ = fl.GetString("workaround")
			for _, list := range []struct {
				flag string
				dst  *[]int64
			}{{"affected", &adv.Affected}, {"fixed", &adv.Fixed}} {
				refs, _ := fl.GetStringArray(list.flag)
				for _, r := range refs {
					id, err := exchange.ResolveVersion(ctx, sc, r)
					if err != nil {
						return fmt.Errorf("--%s: %s", list.flag, userMessage(err))
					}
					*list.dst = append(*list.dst, id)
				}
			}
			if err := a.Exchange.SaveAdvisory(ctx, sc, &adv); err != nil {
				return err
			}
			if j, _ := fl.GetBool("json"); j {
				return writeJSON(env.Stdout, adv)
			}
			fmt.Fprintf(env.Stdout, "advisory %d: %s %s (draft)\n", adv.ID, adv.TrackingID, adv.Title)
			return nil
		}),
	}
	fl := cmd.Flags()
	fl.String("tracking-id", "", "the advisory's id, e.g. MMS-SA-2026-001")
	fl.String("title", "", "title")
	fl.String("tlp", "WHITE", "TLP label: WHITE (CLEAR), GREEN, AMBER or RED; only WHITE is public")
	fl.StringSlice("cve", nil, "CVE ids (repeat or comma-separate)")
	fl.String("cwe", "", "CWE id, optionally with its name: \"CWE-798 Use of Hard-coded Credentials\"")
	fl.String("cvss", "", "CVSS 3.1 vector")
	fl.String("summary", "", "what the vulnerability is and what an attacker can do")
	fl.String("details", "", "details")
	fl.String("remediation-category", "vendor_fix", "vendor_fix, mitigation, workaround, none_available or no_fix_planned")
	fl.String("remediation", "", "what operators must do")
	fl.String("remediation-url", "", "link to the fix or bulletin")
	fl.String("workaround", "", "a workaround until the fix is installed")
	fl.StringArray("affected", nil, "affected version: PRODUCT@VERSION or id (repeat)")
	fl.StringArray("fixed", nil, "fixed version: PRODUCT@VERSION or id (repeat)")
	fl.Bool("json", false, "print the advisory as JSON")
	return cmd
}

func advisoryListCmd(env *Env) *cobra.Command {
	cmd := &cobra.Command{
		Use:     "list",
		Short:   "List the manufacturer's advisories with their status and version",
		Example: "  vigil advisory list\n  vigil advisory list --json",
		Args:    cobra.NoArgs,
		RunE: env.withApp(func(cmd *cobra.Command, args []string, a *app.App) error {
			ctx, _, sc, err := orgScope(cmd, a)
			if err != nil {
				return err
			}
			page, err := sc.ExchangeAdvisories(ctx, domain.ListParams{Limit: domain.MaxPageSize})
			if err != nil {
				return err
			}
			if j, _ := cmd.Flags().GetBool("json"); j {
				return writeJSON(env.Stdout, page.Items)
			}
			tw := tabwriter.NewWriter(env.Stdout, 0, 4, 2, ' ', 0)
			fmt.Fprintln(tw, "ID\tTRACKING ID\tSTATUS\tVERSION\tTLP\tCVSS\tTITLE")
			for _, x := range page.Items {
				st := x.Status
				if x.Changed {
					st += " (changed)"
				}
				fmt.Fprintf(tw, "%d\t%s\t%s\t%d\t%s\t%.1f\t%s\n", x.ID, x.TrackingID, st, x.Revision, x.TLP, x.CVSSScore, x.Title)
			}
			return tw.Flush()
		}),
	}
	cmd.Flags().Bool("json", false, "print JSON")
	return cmd
}

func advisoryID(args []string) (int64, error) {
	id, err := strconv.ParseInt(args[0], 10, 64)
	if err != nil || id <= 0 {
		return 0, fmt.Errorf("ID: %q is not an advisory id (see vigil advisory list)", args[0])
	}
	return id, nil
}

func advisoryPreviewCmd(env *Env) *cobra.Command {
	return &cobra.Command{
		Use:     "preview ID",
		Short:   "Print the CSAF 2.0 document the next publication would publish, and its problems",
		Example: "  vigil advisory preview 1 > draft.json",
		Args:    cobra.ExactArgs(1),
		RunE: env.withApp(func(cmd *cobra.Command, args []string, a *app.App) error {
			ctx, _, sc, err := orgScope(cmd, a)
			if err != nil {
				return err
			}
			id, err := advisoryID(args)
			if err != nil {
				return err
			}
			doc, probs, err := a.Exchange.Preview(ctx, sc, id)
			if err != nil {
				return err
			}
			_, _ = env.Stdout.Write(doc)
			for _, p := range probs {
				fmt.Fprintln(env.Stderr, "problem:", p)
			}
			if len(probs) > 0 {
				return exitError{code: 1, err: fmt.Errorf("the document does not validate (%d problems)", len(probs))}
			}
			return nil
		}),
	}
}

func advisoryPublishCmd(env *Env) *cobra.Command {
	return &cobra.Command{
		Use:     "publish ID",
		Short:   "Publish the next version: validated with gocsaf, signed, served by the provider",
		Example: "  vigil advisory publish 1",
		Args:    cobra.ExactArgs(1),
		RunE: env.withApp(func(cmd *cobra.Command, args []string, a *app.App) error {
			ctx, org, sc, err := orgScope(cmd, a)
			if err != nil {
				return err
			}
			id, err := advisoryID(args)
			if err != nil {
				return err
			}
			p, err := a.Exchange.PublishAdvisory(ctx, sc, id)
			if err != nil {
				return err
			}
			fmt.Fprintf(env.Stdout, "published %s version %d (TLP:%s, SHA-256 %s)\nprovider: %s\n", p.FileName, p.Version, p.TLP, p.SHA256,
				a.Exchange.MetadataURL(org.Slug))
			return nil
		}),
	}
}

func advisoryExportCmd(env *Env) *cobra.Command {
	return &cobra.Command{
		Use:   "export DIR",
		Short: "Write the organisation's CSAF provider as static files (for a web server of your own)",
		Long: `Write the trusted provider (provider-metadata.json, the advisories with their hashes and signatures,
ROLIE feeds, index.txt and changes.csv, the public key) under DIR. URLs inside are those of the instance
(base_url): set it to where the files will be served. Folders of TLP:GREEN/AMBER/RED are written too;
the web server in front of them must protect them.`,
		Example: "  VIGIL_BASE_URL=https://psirt.meridian-medical.example vigil advisory export ./site",
		Args:    cobra.ExactArgs(1),
		RunE: env.withApp(func(cmd *cobra.Command, args []string, a *app.App) error {
			ctx, org, _, err := orgScope(cmd, a)
			if err != nil {
				return err
			}
			site, err := a.Exchange.Site(ctx, org)
			if err != nil {
				return err
			}
			if err := site.WriteDir(args[0]); err != nil {
				return err
			}
			fmt.Fprintf(env.Stdout, "wrote %d files under %s\n", len(site.Files), args[0])
			return nil
		}),
	}
}
