package cli

import (
	"context"
	"encoding/json"
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
	"github.com/vigil-med/vigil/internal/domain"
	"github.com/vigil-med/vigil/internal/inventory"
	"github.com/vigil-med/vigil/internal/store"
)

// inventoryCmds adds `vigil inventory …` and `vigil import inventory`.
func inventoryCmds(root *cobra.Command, env *Env) {
	cmd := &cobra.Command{Use: "inventory", Short: "List, show, add, change and delete devices; sites, departments, zones and products"}
	cmd.AddCommand(invListCmd(env), invShowCmd(env), invAddCmd(env), invEditCmd(env), invDeleteCmd(env), invStatsCmd(env),
		invRefCmd(env, "site"), invRefCmd(env, "department"), invRefCmd(env, "zone"), invManufacturersCmd(env), invProductsCmd(env))
	root.AddCommand(cmd)
	parentCmd(root, "import", "Import data from files: inventories and manufacturers' disclosures").AddCommand(importInventoryCmd(env))
}

func today(o domain.Organisation) domain.Date { return domain.DateOf(time.Now().In(o.Location())) }

func printJSON(env *Env, v any) error {
	enc := json.NewEncoder(env.Stdout)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

// refID resolves a --site/--department/… value: an id, or a name (case-insensitive).
func refID[T any](kind, ref string, items []T, id func(T) int64, names func(T) []string) (int64, error) {
	if ref == "" {
		return 0, nil
	}
	if n, err := strconv.ParseInt(ref, 10, 64); err == nil {
		for _, it := range items {
			if id(it) == n {
				return n, nil
			}
		}
	}
	for _, it := range items {
		for _, name := range names(it) {
			if domain.NameKey(name) == domain.NameKey(ref) {
				return id(it), nil
			}
		}
	}
	return 0, domain.Invalid(kind, "there is no %s %q", kind, ref)
}

func invListCmd(env *Env) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "list",
		Short: "List devices, filtered, searched, sorted and paged",
		Example: `  vigil inventory list --q "alaris icu"
  vigil inventory list --criticality life-sustaining --support past --json
  vigil inventory list --manufacturer "B. Braun" --department Intensivstation --sort -purchase_date --limit 100`,
		Args: cobra.NoArgs,
		RunE: env.withApp(func(cmd *cobra.Command, _ []string, a *app.App) error {
			ctx, org, sc, err := orgScope(cmd, a)
			if err != nil {
				return err
			}
			fl := cmd.Flags()
			str := func(n string) string { v, _ := fl.GetString(n); return v }
			f := domain.AssetFilter{Category: str("category"), Today: today(org)}
			f.Q, f.Sort = str("q"), str("sort")
			f.Limit, _ = fl.GetInt("limit")
			f.Offset, _ = fl.GetInt("offset")
			if err := resolveFilter(ctx, sc, &f, str); err != nil {
				return err
			}
			page, err := sc.Assets(ctx, f)
			if err != nil {
				return err
			}
			if j, _ := fl.GetBool("json"); j {
				return printJSON(env, page)
			}
			tw := tabwriter.NewWriter(env.Stdout, 2, 4, 2, ' ', 0)
			fmt.Fprintln(tw, "ID\tTAG\tSERIAL\tMODEL\tVERSION\tDEPARTMENT\tZONE\tIP\tCRITICALITY\tSTATUS\tEND OF SUPPORT")
			for _, x := range page.Items {
				fmt.Fprintf(tw, "%d\t%s\t%s\t%s %s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", x.ID, x.AssetTag, x.Serial, x.Ref.Manufacturer, x.Ref.Product,
					x.Ref.Version, x.Ref.Department, x.Ref.Zone, x.IP, x.Criticality, x.Status, x.Ref.EndOfSupport)
			}
			tw.Flush()
			fmt.Fprintf(env.Stdout, "%d–%d of %d devices\n", min(page.Offset+1, page.Total), page.Offset+len(page.Items), page.Total)
			return nil
		}),
	}
	fl := cmd.Flags()
	fl.String("q", "", "search: every word must match tag, serial, host, IP, MAC, owner, notes, model, manufacturer, version, OS, department, location or zone")
	for _, n := range []string{"site", "department", "zone", "manufacturer", "product"} {
		fl.String(n, "", n+" (name or id)")
	}
	fl.String("category", "", "device category id (e.g. infusion-pump)")
	fl.String("criticality", "", "life-sustaining, critical, important or supportive")
	fl.String("status", "", "in-use, spare, maintenance or retired")
	fl.String("exposure", "", "exposure of the zone: internet-facing, dmz, clinical-lan, office-lan, isolated-vlan, standalone")
	fl.String("support", "", "end of support: past, soon (within 12 months), supported or unknown")
	fl.String("sort", "", "tag, serial, hostname, ip, criticality, status, purchase_date, updated, manufacturer, product, version, category, site, department, zone, support; - for descending")
	fl.Int("limit", domain.DefaultPageSize, fmt.Sprintf("devices per page (at most %d)", domain.MaxPageSize))
	fl.Int("offset", 0, "devices to skip")
	fl.Bool("json", false, "print JSON (a page: items, total, limit, offset)")
	return cmd
}

func resolveFilter(ctx context.Context, sc *store.Scope, f *domain.AssetFilter, str func(string) string) error {
	var err error
	if v := str("criticality"); v != "" {
		if f.Criticality, err = domain.ParseCriticality(v); err != nil {
			return err
		}
	}
	if v := str("status"); v != "" {
		if f.Status, err = domain.ParseAssetStatus(v); err != nil {
			return err
		}
	}
	if v := str("exposure"); v != "" {
		if f.Exposure, err = domain.ParseExposure(v); err != nil {
			return err
		}
	}
	if v := str("support"); v != "" {
		if f.Support, err = domain.ParseSupportState(v); err != nil {
			return err
		}
	}
	if v := str("site"); v != "" {
		ss, err := sc.Sites(ctx)
		if err != nil {
			return err
		}
		if f.SiteID, err = refID("site", v, ss, func(s domain.Site) int64 { return s.ID }, func(s domain.Site) []string { return []string{s.Name, s.Code} }); err != nil {
			return err
		}
	}
	if v := str("department"); v != "" {
		ds, err := sc.Departments(ctx)
		if err != nil {
			return err
		}
		if f.DepartmentID, err = refID("department", v, ds, func(d domain.Department) int64 { return d.ID },
			func(d domain.Department) []string { return []string{d.Name, d.Code} }); err != nil {
			return err
		}
	}
	if v := str("zone"); v != "" {
		zs, err := sc.Zones(ctx)
		if err != nil {
			return err
		}
		if f.ZoneID, err = refID("zone", v, zs, func(z domain.NetworkZone) int64 { return z.ID },
			func(z domain.NetworkZone) []string { return []string{z.Name} }); err != nil {
			return err
		}
	}
	if v := str("manufacturer"); v != "" {
		ms, err := sc.Manufacturers(ctx)
		if err != nil {
			return err
		}
		if f.ManufacturerID, err = refID("manufacturer", v, ms, func(m domain.Manufacturer) int64 { return m.ID },
			func(m domain.Manufacturer) []string { return append([]string{m.Name}, m.Aliases...) }); err != nil {
			return err
		}
	}
	if v := str("product"); v != "" {
		ps, err := sc.Products(ctx, domain.ProductFilter{ListParams: domain.ListParams{Limit: domain.MaxPageSize}})
		if err != nil {
			return err
		}
		if f.ProductID, err = refID("product", v, ps.Items, func(p domain.Product) int64 { return p.ID },
			func(p domain.Product) []string { return []string{p.Name, p.ModelNumber, p.Manufacturer + " " + p.Name} }); err != nil {
			return err
		}
	}
	return nil
}

// findAsset resolves a device by asset tag or id.
func findAsset(ctx context.Context, sc *store.Scope, ref string) (domain.Asset, error) {
	a, err := sc.AssetByTag(ctx, ref)
	if domain.ErrorCode(err) != domain.ENotFound {
		return a, err
	}
	if id, perr := strconv.ParseInt(ref, 10, 64); perr == nil {
		if a, err2 := sc.Asset(ctx, id); err2 == nil {
			return a, nil
		}
	}
	return a, domain.Errorf(domain.ENotFound, "no device with asset tag or id %q", ref)
}

func invShowCmd(env *Env) *cobra.Command {
	cmd := &cobra.Command{
		Use: "show TAG|ID",
		Example: `  vigil inventory show INF-004711
  vigil inventory show 1234 --json`,
		Short: "Show a device with its product, version, place and zone",
		Args:  cobra.ExactArgs(1),
		RunE: env.withApp(func(cmd *cobra.Command, args []string, a *app.App) error {
			ctx, org, sc, err := orgScope(cmd, a)
			if err != nil {
				return err
			}
			x, err := findAsset(ctx, sc, args[0])
			if err != nil {
				return err
			}
			if j, _ := cmd.Flags().GetBool("json"); j {
				return printJSON(env, x)
			}
			r := x.Ref
			tw := tabwriter.NewWriter(env.Stdout, 2, 4, 2, ' ', 0)
			for _, kv := range [][2]string{
				{"Device", fmt.Sprintf("%s (id %d)", x.Name(), x.ID)}, {"Asset tag", x.AssetTag}, {"Serial number", x.Serial},
				{"Model", strings.TrimSpace(r.Manufacturer + " " + r.Product + " " + r.ModelNumber)}, {"Category", domain.CategoryLabel(r.Category)},
				{"Version", r.Version}, {"Operating system", r.OperatingSystem},
				{"End of support", strings.TrimSpace(r.EndOfSupport.String() + " " + x.Support(today(org)).Label())},
				{"Criticality", x.Criticality.Label()}, {"Status", x.Status.Label()}, {"Site", r.Site}, {"Location", r.Location},
				{"Department", r.Department}, {"Network zone", zoneText(r)}, {"IP address", x.IP},
				{"MAC address", x.MAC}, {"Host name", x.Hostname}, {"Owner", x.Owner}, {"Stores patient data", map[bool]string{true: "yes", false: "no"}[x.PatientData]},
				{"Purchased", x.PurchaseDate.String()}, {"Replacement cost", x.Cost().String()}, {"Notes", x.Notes},
			} {
				fmt.Fprintf(tw, "%s:\t%s\n", kv[0], kv[1])
			}
			return tw.Flush()
		}),
	}
	cmd.Flags().Bool("json", false, "print JSON")
	return cmd
}

// deviceFlags are the flags of add and edit, by the import field they fill.
var deviceFlags = []struct {
	flag  string
	field inventory.Field
	help  string
}{
	{"tag", inventory.FAssetTag, "asset tag (inventory number)"},
	{"serial", inventory.FSerial, "serial number"},
	{"manufacturer", inventory.FManufacturer, "manufacturer (created when missing)"},
	{"model", inventory.FProduct, "model name (created when missing)"},
	{"model-number", inventory.FModelNumber, "model number"},
	{"version", inventory.FVersion, "firmware/software version (created when missing)"},
	{"os", inventory.FOperatingSystem, "operating system of a new version"},
	{"category", inventory.FCategory, "device category of a new model (e.g. infusion pump)"},
	{"class", inventory.FDeviceClass, "MDR/IVDR class of a new model"},
	{"site", inventory.FSite, "site (created when missing)"},
	{"building", inventory.FBuilding, "building"},
	{"floor", inventory.FFloor, "floor"},
	{"room", inventory.FRoom, "room"},
	{"location", inventory.FLocation, "location within the site (free text)"},
	{"department", inventory.FDepartment, "department (created when missing)"},
	{"cost-centre", inventory.FDepartmentCode, "department's cost centre"},
	{"zone", inventory.FZone, "network zone (name or VLAN; default: the zone of the IP)"},
	{"ip", inventory.FIP, "IP address"},
	{"mac", inventory.FMAC, "MAC address"},
	{"hostname", inventory.FHostname, "host name"},
	{"owner", inventory.FOwner, "responsible person or team"},
	{"criticality", inventory.FCriticality, "life-sustaining, critical, important or supportive"},
	{"patient-data", inventory.FPatientData, "stores patient data: yes or no"},
	{"purchase-date", inventory.FPurchaseDate, "purchase date (YYYY-MM-DD or DD.MM.YYYY)"},
	{"cost", inventory.FReplacementCost, "replacement cost in euros"},
	{"status", inventory.FStatus, "in-use, spare, maintenance or retired"},
	{"notes", inventory.FNotes, "notes"},
}

func addDeviceFlags(cmd *cobra.Command, skip string) {
	for _, f := range deviceFlags {
		if f.flag != skip {
			cmd.Flags().String(f.flag, "", f.help)
		}
	}
	cmd.Flags().Bool("json", false, "print the report as JSON")
}

// deviceRow collects the given flags into a row of fields.
func deviceRow(cmd *cobra.Command) map[inventory.Field]string {
	row := map[inventory.Field]string{}
	for _, f := range deviceFlags {
		if fl := cmd.Flags().Lookup(f.flag); fl != nil && fl.Changed {
			row[f.field] = fl.Value.String()
		}
	}
	return row
}

// fieldsError turns a one-row import's rejections into an error that names the flags.
func fieldsError(rep *inventory.Report, err error) error {
	if rep == nil || len(rep.Rejections) == 0 {
		return err
	}
	flag := map[inventory.Field]string{}
	for _, f := range deviceFlags {
		flag[f.field] = "--" + f.flag
	}
	var msgs []string
	for _, p := range rep.Rejections {
		if name := flag[p.Field]; name != "" {
			msgs = append(msgs, name+": "+p.Message)
		} else {
			msgs = append(msgs, p.Message)
		}
	}
	return &domain.Error{Code: domain.EInvalid, Message: strings.Join(msgs, "; ")}
}

func runDeviceImport(cmd *cobra.Command, env *Env, a *app.App, row map[inventory.Field]string, mode inventory.Mode, verb string) error {
	ctx, org, sc, err := orgScope(cmd, a)
	if err != nil {
		return err
	}
	rep, err := inventory.ImportFields(ctx, sc, []map[inventory.Field]string{row}, inventory.Options{FileName: "command line", Mode: mode, Today: today(org)})
	if err != nil {
		return fieldsError(rep, err)
	}
	if j, _ := cmd.Flags().GetBool("json"); j {
		return printJSON(env, rep)
	}
	c := rep.Changes[0]
	name := c.AssetTag
	if name == "" {
		name = "S/N " + c.Serial
	}
	switch c.Action {
	case inventory.ActionUnchanged:
		fmt.Fprintf(env.Stdout, "%s is unchanged\n", name)
	case inventory.ActionUpdate:
		fmt.Fprintf(env.Stdout, "%s %s: %s\n", verb, name, strings.Join(c.Fields, ", "))
	default:
		fmt.Fprintf(env.Stdout, "%s %s (%s)\n", verb, name, strings.TrimSpace(c.Manufacturer+" "+c.Product+" "+c.Version))
	}
	for _, w := range rep.Warnings {
		fmt.Fprintf(env.Stderr, "note: %s\n", w.Message)
	}
	n := rep.New
	for _, nw := range []struct {
		what  string
		names []string
	}{{"manufacturer", n.Manufacturers}, {"product", n.Products}, {"version", n.Versions}, {"site", n.Sites}, {"location", n.Locations}, {"department", n.Departments}} {
		for _, name := range nw.names {
			fmt.Fprintf(env.Stdout, "created %s %s\n", nw.what, name)
		}
	}
	return nil
}

func invAddCmd(env *Env) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "add",
		Short: "Add a device; its manufacturer, model, version, site and department are created when missing",
		Example: `  vigil inventory add --tag MT-100099 --serial 80412999 --manufacturer "B. Braun" --model "Infusomat Space" --version U62 \
    --site Hauptcampus --department Intensivstation --ip 10.11.2.99 --criticality life-sustaining`,
		Args: cobra.NoArgs,
		RunE: env.withApp(func(cmd *cobra.Command, _ []string, a *app.App) error {
			return runDeviceImport(cmd, env, a, deviceRow(cmd), inventory.CreateOnly, "added")
		}),
	}
	addDeviceFlags(cmd, "")
	return cmd
}

func invEditCmd(env *Env) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "edit TAG|ID",
		Short: "Change a device: the flags given replace its values (empty values are not applied)",
		Example: `  vigil inventory edit MT-100001 --version U62 --owner "Medizintechnik"
  vigil inventory edit 4711 --status retired`,
		Args: cobra.ExactArgs(1),
		RunE: env.withApp(func(cmd *cobra.Command, args []string, a *app.App) error {
			ctx, _, sc, err := orgScope(cmd, a)
			if err != nil {
				return err
			}
			x, err := findAsset(ctx, sc, args[0])
			if err != nil {
				return err
			}
			row := deviceRow(cmd)
			if len(row) == 0 {
				return domain.Invalid("flags", "nothing to change: give at least one of --version, --ip, --status, …")
			}
			row[inventory.FAssetTag], row[inventory.FSerial] = x.AssetTag, x.Serial
			if x.AssetTag == "" {
				row[inventory.FManufacturer] = firstNonEmpty(row[inventory.FManufacturer], x.Ref.Manufacturer)
			}
			return runDeviceImport(cmd, env, a, row, inventory.UpdateOnly, "changed")
		}),
	}
	addDeviceFlags(cmd, "tag")
	cmd.Flags().Lookup("serial").Hidden = true
	return cmd
}

func firstNonEmpty(s ...string) string {
	for _, v := range s {
		if v != "" {
			return v
		}
	}
	return ""
}

func invDeleteCmd(env *Env) *cobra.Command {
	return &cobra.Command{
		Use:     "delete TAG|ID",
		Example: `  vigil inventory delete INF-004711`,
		Short:   "Delete a device (devices that left the hospital are usually kept with --status retired)",
		Args:    cobra.ExactArgs(1),
		RunE: env.withApp(func(cmd *cobra.Command, args []string, a *app.App) error {
			ctx, _, sc, err := orgScope(cmd, a)
			if err != nil {
				return err
			}
			x, err := findAsset(ctx, sc, args[0])
			if err != nil {
				return err
			}
			if err := sc.Write(ctx, func(tx *store.Tx) error { return tx.DeleteAsset(ctx, x.ID) }); err != nil {
				return err
			}
			fmt.Fprintf(env.Stdout, "deleted %s\n", x.Name())
			return nil
		}),
	}
}

func invStatsCmd(env *Env) *cobra.Command {
	cmd := &cobra.Command{
		Use: "stats",
		Example: `  vigil inventory stats
  vigil inventory stats --json | jq .past_support`,
		Short: "Inventory figures: devices by criticality, exposure and category; end of support; replacement value",
		Args:  cobra.NoArgs,
		RunE: env.withApp(func(cmd *cobra.Command, _ []string, a *app.App) error {
			ctx, org, sc, err := orgScope(cmd, a)
			if err != nil {
				return err
			}
			st, err := sc.InventoryStats(ctx, today(org))
			if err != nil {
				return err
			}
			if j, _ := cmd.Flags().GetBool("json"); j {
				return printJSON(env, st)
			}
			tw := tabwriter.NewWriter(env.Stdout, 2, 4, 2, ' ', 0)
			fmt.Fprintf(tw, "Devices (not retired):\t%d\n", st.Devices)
			for _, c := range domain.Criticalities {
				fmt.Fprintf(tw, "  %s:\t%d\n", c.Label(), st.ByCriticality[c])
			}
			for _, e := range domain.Exposures {
				fmt.Fprintf(tw, "  in %s zones:\t%d\n", e.Label(), st.ByExposure[e])
			}
			fmt.Fprintf(tw, "Past end of support:\t%d\n", st.PastSupport)
			fmt.Fprintf(tw, "End of support within 12 months:\t%d\n", st.SoonSupport)
			fmt.Fprintf(tw, "Store patient data:\t%d\n", st.PatientData)
			fmt.Fprintf(tw, "Models / versions:\t%d / %d\n", st.Products, st.Versions)
			fmt.Fprintf(tw, "Replacement value:\t€ %s\n", st.Value)
			fmt.Fprintf(tw, "Retired:\t%d\n", st.Retired)
			return tw.Flush()
		}),
	}
	cmd.Flags().Bool("json", false, "print JSON")
	return cmd
}

// invRefCmd is `vigil inventory site|department|zone list|add`.
func invRefCmd(env *Env, kind string) *cobra.Command {
	cmd := &cobra.Command{Use: kind, Short: map[string]string{"site": "List or add sites", "department": "List or add departments",
		"zone": "List or add network zones"}[kind]}
	list := &cobra.Command{Use: "list", Short: "List the organisation's " + kind + "s", Args: cobra.NoArgs,
		Example: "  vigil inventory " + kind + " list --json",
		RunE: env.withApp(func(cmd *cobra.Command, _ []string, a *app.App) error {
			ctx, _, sc, err := orgScope(cmd, a)
			if err != nil {
				return err
			}
			asJSON, _ := cmd.Flags().GetBool("json")
			tw := tabwriter.NewWriter(env.Stdout, 2, 4, 2, ' ', 0)
			defer tw.Flush()
			switch kind {
			case "site":
				ss, err := sc.Sites(ctx)
				if err != nil {
					return err
				}
				if asJSON {
					return printJSON(env, ss)
				}
				fmt.Fprintln(tw, "ID\tNAME\tCODE\tDEVICES")
				for _, s := range ss {
					fmt.Fprintf(tw, "%d\t%s\t%s\t%d\n", s.ID, s.Name, s.Code, s.Assets)
				}
			case "department":
				ds, err := sc.Departments(ctx)
				if err != nil {
					return err
				}
				if asJSON {
					return printJSON(env, ds)
				}
				fmt.Fprintln(tw, "ID\tNAME\tCOST CENTRE\tSITE\tDEVICES")
				for _, d := range ds {
					fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%d\n", d.ID, d.Name, d.Code, d.Site, d.Assets)
				}
			default:
				zs, err := sc.Zones(ctx)
				if err != nil {
					return err
				}
				if asJSON {
					return printJSON(env, zs)
				}
				fmt.Fprintln(tw, "ID\tNAME\tEXPOSURE\tVLAN\tCIDR\tDEVICES")
				for _, z := range zs {
					fmt.Fprintf(tw, "%d\t%s\t%s\t%d\t%s\t%d\n", z.ID, z.Name, z.Exposure, z.VLAN, z.CIDR, z.Assets)
				}
			}
			return nil
		})}
	list.Flags().Bool("json", false, "print JSON")
	add := &cobra.Command{Use: "add NAME", Short: "Add a " + kind + " to the inventory", Args: cobra.ExactArgs(1),
		Example: "  vigil inventory " + kind + " add " + kindExample[kind],
		RunE: env.withApp(func(cmd *cobra.Command, args []string, a *app.App) error {
			ctx, _, sc, err := orgScope(cmd, a)
			if err != nil {
				return err
			}
			fl := cmd.Flags()
			str := func(n string) string { v, _ := fl.GetString(n); return v }
			var id int64
			err = sc.Write(ctx, func(tx *store.Tx) error {
				switch kind {
				case "site":
					s := domain.Site{Name: args[0], Code: str("code"), Address: str("address")}
					err := tx.CreateSite(ctx, &s)
					id = s.ID
					return err
				case "department":
					d := domain.Department{Name: args[0], Code: str("code")}
					if v := str("site"); v != "" {
						ss, err := tx.InventoryIndex(ctx)
						if err != nil {
							return err
						}
						if d.SiteID, err = refID("site", v, ss.Sites, func(s domain.Site) int64 { return s.ID },
							func(s domain.Site) []string { return []string{s.Name, s.Code} }); err != nil {
							return err
						}
					}
					err := tx.CreateDepartment(ctx, &d)
					id = d.ID
					return err
				default:
					vlan, _ := fl.GetInt("vlan")
					exp, err := domain.ParseExposure(str("exposure"))
					if err != nil {
						return err
					}
					z := domain.NetworkZone{Name: args[0], VLAN: vlan, CIDR: str("cidr"), Exposure: exp, Description: str("description")}
					err = tx.CreateZone(ctx, &z)
					id = z.ID
					return err
				}
			})
			if err != nil {
				return err
			}
			fmt.Fprintf(env.Stdout, "added %s %s (id %d)\n", kind, args[0], id)
			return nil
		})}
	switch kind {
	case "site":
		add.Flags().String("code", "", "short code")
		add.Flags().String("address", "", "address")
	case "department":
		add.Flags().String("code", "", "cost centre")
		add.Flags().String("site", "", "site (name or id)")
	default:
		add.Flags().String("exposure", "", "internet-facing, dmz, clinical-lan, office-lan, isolated-vlan or standalone (required)")
		add.Flags().Int("vlan", 0, "VLAN id")
		add.Flags().String("cidr", "", "address range, e.g. 10.11.0.0/16")
		add.Flags().String("description", "", "description")
		add.Example = `  vigil inventory zone add "Infusion pumps" --exposure isolated-vlan --vlan 110 --cidr 10.11.0.0/16`
	}
	cmd.AddCommand(list, add)
	return cmd
}

func invManufacturersCmd(env *Env) *cobra.Command {
	cmd := &cobra.Command{Use: "manufacturers", Short: "List manufacturers with their product and device counts", Args: cobra.NoArgs,
		Example: `  vigil inventory manufacturers --json`,
		RunE: env.withApp(func(cmd *cobra.Command, _ []string, a *app.App) error {
			ctx, _, sc, err := orgScope(cmd, a)
			if err != nil {
				return err
			}
			ms, err := sc.Manufacturers(ctx)
			if err != nil {
				return err
			}
			if j, _ := cmd.Flags().GetBool("json"); j {
				return printJSON(env, ms)
			}
			tw := tabwriter.NewWriter(env.Stdout, 2, 4, 2, ' ', 0)
			fmt.Fprintln(tw, "ID\tNAME\tPRODUCTS\tDEVICES\tALSO WRITTEN AS")
			for _, m := range ms {
				fmt.Fprintf(tw, "%d\t%s\t%d\t%d\t%s\n", m.ID, m.Name, m.Products, m.Assets, strings.Join(m.Aliases, "; "))
			}
			return tw.Flush()
		})}
	cmd.Flags().Bool("json", false, "print JSON")
	return cmd
}

func invProductsCmd(env *Env) *cobra.Command {
	cmd := &cobra.Command{Use: "products", Short: "List products (models) with their installed counts", Args: cobra.NoArgs,
		Example: `  vigil inventory products --q alaris`,
		RunE: env.withApp(func(cmd *cobra.Command, _ []string, a *app.App) error {
			ctx, _, sc, err := orgScope(cmd, a)
			if err != nil {
				return err
			}
			q, _ := cmd.Flags().GetString("q")
			page, err := sc.Products(ctx, domain.ProductFilter{ListParams: domain.ListParams{Q: q, Limit: domain.MaxPageSize}})
			if err != nil {
				return err
			}
			if j, _ := cmd.Flags().GetBool("json"); j {
				return printJSON(env, page)
			}
			tw := tabwriter.NewWriter(env.Stdout, 2, 4, 2, ' ', 0)
			fmt.Fprintln(tw, "ID\tMANUFACTURER\tMODEL\tCATEGORY\tCLASS\tVERSIONS\tINSTALLED\tEND OF SUPPORT")
			for _, p := range page.Items {
				fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\t%d\t%d\t%s\n", p.ID, p.Manufacturer, p.Name, p.Category, p.DeviceClass.Label(), p.Versions, p.Installed, p.EndOfSupport)
			}
			return tw.Flush()
		})}
	cmd.Flags().String("q", "", "search")
	cmd.Flags().Bool("json", false, "print JSON")
	return cmd
}

func importInventoryCmd(env *Env) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "inventory FILE",
		Short: "Import devices from a CMMS or asset-management export (CSV or XLSX)",
		Long: `Import devices from an export of an asset-management or CMMS system. The file's format, encoding
(UTF-8, UTF-8 with BOM, UTF-16, Windows-1252) and delimiter (, ; tab |) are detected, and the columns
are recognised by their names in English or German (docs/inventory.md lists them); --mapping names
columns the import does not recognise. Devices are matched by asset tag, or by serial number and
manufacturer; manufacturers, models, versions, sites, locations and departments are created when
missing. Empty cells never clear recorded values.

The import is one transaction. When rows are rejected, nothing is imported (exit status 1) unless
--skip-rejected is given; --dry-run shows what would happen and changes nothing.`,
		Example: `  vigil import inventory geraete.csv --dry-run
  vigil import inventory export.xlsx --sheet Geräte --mapping "Inv.-Nr.=asset_tag,G=ip,Lieferant=-"
  vigil import inventory export.csv --skip-rejected --json`,
		Args: cobra.ExactArgs(1),
		RunE: env.withApp(func(cmd *cobra.Command, args []string, a *app.App) error {
			ctx, org, sc, err := orgScope(cmd, a)
			if err != nil {
				return err
			}
			fl := cmd.Flags()
			opts := inventory.Options{FileName: filepath.Base(args[0]), Today: today(org)}
			opts.DryRun, _ = fl.GetBool("dry-run")
			opts.SkipRejected, _ = fl.GetBool("skip-rejected")
			opts.Sheet, _ = fl.GetString("sheet")
			m, _ := fl.GetString("mapping")
			if opts.Mapping, err = inventory.ParseMapping(m); err != nil {
				return err
			}
			f, err := os.Open(args[0])
			if err != nil {
				return err
			}
			data, err := inventory.ReadAll(f, inventory.DefaultLimits)
			f.Close()
			if err != nil {
				return fmt.Errorf("%s: %w", args[0], err)
			}
			rep, err := inventory.Import(ctx, sc, data, opts)
			if err != nil && (rep == nil || len(rep.Columns) == 0) {
				return fmt.Errorf("%s: %s", args[0], userMessage(err)) // the file could not be read
			}
			if j, _ := fl.GetBool("json"); j {
				if perr := printJSON(env, rep); perr != nil {
					return perr
				}
			} else if perr := rep.WriteText(env.Stdout, 20); perr != nil {
				return perr
			}
			if errors.Is(err, inventory.ErrRejected) {
				return exitError{code: 1, err: fmt.Errorf("%s: %s", args[0], userMessage(err))}
			}
			if err != nil {
				return fmt.Errorf("%s: %s", args[0], userMessage(err))
			}
			return nil
		}),
	}
	fl := cmd.Flags()
	fl.Bool("dry-run", false, "show what the import would do; change nothing")
	fl.Bool("skip-rejected", false, "import the other rows when some are rejected")
	fl.String("mapping", "", "columns by header or letter: Header=field,C=field,Other=- (fields: asset_tag, serial, manufacturer, model, version, ip, …)")
	fl.String("sheet", "", "XLSX: the sheet to read (default: the one that looks like an inventory)")
	fl.Bool("json", false, "print the report as JSON")
	return cmd
}

func zoneText(r *domain.AssetRef) string {
	if r.Zone == "" {
		return ""
	}
	return r.Zone + " (" + r.Exposure.Label() + ")"
}

// userMessage is an error's message without the field name in front (the command names the file).
func userMessage(err error) string {
	var de *domain.Error
	if errors.As(err, &de) && de.Code != domain.EInternal {
		return de.Message
	}
	return err.Error()
}

// kindExample is an example argument list for `vigil inventory KIND add`.
var kindExample = map[string]string{
	"site":       `"Main campus" --code MC --address "Klinikstraße 1, 20000 Nordstadt"`,
	"department": `"Intensive care" --code 4711 --site "Main campus"`,
	"zone":       `"Infusion pumps" --exposure isolated-vlan --vlan 110 --cidr 10.11.0.0/16`,
}
