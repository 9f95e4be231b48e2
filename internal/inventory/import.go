package inventory

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/vigil-med/vigil/internal/domain"
	"github.com/vigil-med/vigil/internal/store"
)

// Action is what an import does with a row.
type Action string

// Row outcomes.
const (
	ActionCreate    Action = "create"
	ActionUpdate    Action = "update"
	ActionUnchanged Action = "unchanged"
)

// Change is the outcome of one accepted row.
type Change struct {
	Row          int      `json:"row"`
	Action       Action   `json:"action"`
	AssetTag     string   `json:"asset_tag,omitempty"`
	Serial       string   `json:"serial,omitempty"`
	Manufacturer string   `json:"manufacturer"`
	Product      string   `json:"product"`
	Version      string   `json:"version"`
	Fields       []string `json:"fields,omitempty"` // what an update changes
}

// NewRecords names the records an import creates besides devices.
type NewRecords struct {
	Manufacturers []string `json:"manufacturers"`
	Products      []string `json:"products"`
	Versions      []string `json:"versions"`
	Sites         []string `json:"sites"`
	Locations     []string `json:"locations"`
	Departments   []string `json:"departments"`
}

// Report says what an import read, would do (dry run) or did.
type Report struct {
	File         string     `json:"file"`
	SHA256       string     `json:"sha256"`
	Format       string     `json:"format"`
	Encoding     string     `json:"encoding,omitempty"`
	Delimiter    string     `json:"delimiter,omitempty"`
	Sheet        string     `json:"sheet,omitempty"`
	HeaderRow    int        `json:"header_row"`
	Columns      []Column   `json:"columns"`
	Rows         int        `json:"rows"`
	Created      int        `json:"created"`
	Updated      int        `json:"updated"`
	Unchanged    int        `json:"unchanged"`
	Rejected     int        `json:"rejected"`
	New          NewRecords `json:"new"`
	Changes      []Change   `json:"changes"`
	Rejections   []Problem  `json:"rejections"`
	Warnings     []Problem  `json:"warnings"`
	DryRun       bool       `json:"dry_run"`
	SkipRejected bool       `json:"skip_rejected"`
	Applied      bool       `json:"applied"`
	ImportID     int64      `json:"import_id,omitempty"`
}

// Options control an import.
type Options struct {
	FileName     string
	Mapping      Mapping
	Sheet        string // XLSX: the sheet to read (default: the one that looks like an inventory)
	DryRun       bool   // plan and report, change nothing
	SkipRejected bool   // import the accepted rows even when others are rejected
	Today        domain.Date
	Limits       Limits // zero: DefaultLimits
	Mode         Mode

	beforeCommit func() error // tests: fail after everything was written
}

// ErrRejected is returned (with the report) when rows were rejected and SkipRejected is not set:
// nothing was imported.
var ErrRejected = errors.New("rows were rejected")

// Prepare reads the file and decides its columns: everything an import needs before it looks at the
// organisation's inventory. The report carries the file's description and the column mapping.
func Prepare(data []byte, opts Options) (*Table, int, []Column, *Report, error) {
	lim := opts.Limits
	if lim.MaxBytes == 0 {
		lim = DefaultLimits
	}
	sum := sha256.Sum256(data)
	rep := &Report{File: opts.FileName, SHA256: hex.EncodeToString(sum[:]), DryRun: opts.DryRun, SkipRejected: opts.SkipRejected,
		Changes: []Change{}, Rejections: []Problem{}, Warnings: []Problem{}}
	t, err := ReadTable(data, opts.Sheet, lim)
	if err != nil {
		return nil, 0, nil, rep, err
	}
	rep.Format, rep.Encoding, rep.Delimiter, rep.Sheet = t.Format, t.Encoding, t.Delimiter, t.Sheet
	header, score := findHeader(t.Rows)
	if score < 2 && len(opts.Mapping) == 0 {
		return nil, 0, nil, rep, invalid("no header row found: none of the first 20 rows names at least two known columns " +
			"(asset tag, serial number, manufacturer, model, …); name the columns with a mapping such as A=asset_tag,B=manufacturer")
	}
	if score < 2 {
		header = -1 // the mapping names columns by letter; every row is data
	}
	var names []string
	if header >= 0 {
		names = t.Rows[header]
		rep.HeaderRow = t.RowNumbers[header]
	}
	width := 0
	for _, r := range t.Rows {
		width = max(width, len(r))
	}
	cols, err := Columns(names, opts.Mapping, width)
	if err != nil {
		return nil, 0, nil, rep, err
	}
	rep.Columns = cols
	have := columnsByField(cols)
	if _, ok := have[FAssetTag]; !ok {
		if _, ok := have[FSerial]; !ok {
			return nil, 0, nil, rep, invalid("the file has no column for the asset tag or the serial number (recognised names include " +
				"Asset tag, Inventarnummer, Serial number, Seriennummer); name it with a mapping such as \"Nr.=asset_tag\"")
		}
	}
	return t, header, cols, rep, nil
}

// Import reads an inventory export and plans it against the organisation's inventory. A dry run
// returns the plan as a report; otherwise the plan is made and applied in one transaction: all or
// nothing. When rows are rejected and SkipRejected is not set, nothing is written and the report comes
// back with an error wrapping ErrRejected.
func Import(ctx context.Context, sc *store.Scope, data []byte, opts Options) (*Report, error) {
	t, header, cols, rep, err := Prepare(data, opts)
	if err != nil {
		return rep, err
	}
	return run(ctx, sc, t, header, cols, rep, opts)
}

// Mode restricts what an import may do with a device.
type Mode string

// Modes. The command line's add and edit are one-row imports in create-only and update-only mode.
const (
	Upsert     Mode = ""       // create or update
	CreateOnly Mode = "create" // a row matching an existing device is rejected
	UpdateOnly Mode = "update" // a row matching no device is rejected
)

// ImportFields is an import of rows given by field (the command line's add and edit): each row maps
// fields to cell text, parsed and planned exactly as an import file's cells are. The report's
// columns are the fields, named by their field names.
func ImportFields(ctx context.Context, sc *store.Scope, rows []map[Field]string, opts Options) (*Report, error) {
	var fields []Field
	for _, fi := range Fields {
		fields = append(fields, fi.Field)
	}
	t := &Table{Format: "fields"}
	header := make([]string, len(fields))
	for i, f := range fields {
		header[i] = string(f)
	}
	t.Rows, t.RowNumbers = append(t.Rows, header), append(t.RowNumbers, 0)
	for n, r := range rows {
		cells := make([]string, len(fields))
		for i, f := range fields {
			cells[i] = strings.TrimSpace(r[f])
		}
		t.Rows, t.RowNumbers = append(t.Rows, cells), append(t.RowNumbers, n+1)
	}
	cols, err := Columns(header, nil, len(header))
	if err != nil {
		return nil, err
	}
	rep := &Report{File: opts.FileName, Format: "fields", Columns: cols, DryRun: opts.DryRun, SkipRejected: opts.SkipRejected,
		Changes: []Change{}, Rejections: []Problem{}, Warnings: []Problem{}}
	return run(ctx, sc, t, 0, cols, rep, opts)
}

func run(ctx context.Context, sc *store.Scope, t *Table, header int, cols []Column, rep *Report, opts Options) (*Report, error) {
	if opts.Today.IsZero() {
		opts.Today = domain.DateOf(time.Now().UTC())
	}
	recs, rejected, warnings := parseRows(t, header, cols)
	plan := func(ix *store.InventoryIndex) *planner {
		p := newPlanner(ix, cols, opts.Today)
		p.mode = opts.Mode
		p.probs, p.warnings = rejected, warnings
		for _, r := range recs {
			if r.Row > 0 {
				p.plan(r)
			}
		}
		rep.fill(p, len(recs))
		return p
	}
	if opts.DryRun {
		ix, err := sc.InventoryIndex(ctx)
		if err != nil {
			return rep, err
		}
		plan(ix)
		return rep, rejectedErr(rep)
	}
	err := sc.Write(ctx, func(tx *store.Tx) error {
		ix, err := tx.InventoryIndex(ctx)
		if err != nil {
			return err
		}
		p := plan(ix)
		if err := rejectedErr(rep); err != nil {
			return err
		}
		if err := apply(ctx, tx, p, rep); err != nil {
			return err
		}
		if opts.beforeCommit != nil {
			return opts.beforeCommit()
		}
		return nil
	})
	rep.Applied = err == nil
	if err != nil {
		rep.ImportID = 0
	}
	return rep, err
}

func rejectedErr(rep *Report) error {
	if rep.Rejected == 0 || rep.SkipRejected {
		return nil
	}
	what := "nothing was imported"
	if rep.DryRun {
		what = "the import would be refused"
	}
	return &domain.Error{Code: domain.EInvalid, Field: "file", Err: ErrRejected,
		Message: fmt.Sprintf("%d of %d rows were rejected, so %s; correct them, or import the other rows and skip these", rep.Rejected, rep.Rows, what)}
}

// fill puts the plan into the report.
func (rep *Report) fill(p *planner, rows int) {
	rep.Rows = rows
	rep.Created, rep.Updated, rep.Unchanged = 0, 0, 0
	rep.Changes = rep.Changes[:0]
	for _, pl := range p.out {
		switch pl.summary.Action {
		case ActionCreate:
			rep.Created++
		case ActionUpdate:
			rep.Updated++
		default:
			rep.Unchanged++
		}
		rep.Changes = append(rep.Changes, pl.summary)
	}
	sortProblems(p.probs)
	sortProblems(p.warnings)
	rep.Rejections, rep.Warnings = p.probs, p.warnings
	rows2 := map[int]bool{}
	for _, pr := range p.probs {
		rows2[pr.Row] = true
	}
	rep.Rejected = len(rows2)
	n := NewRecords{Manufacturers: []string{}, Products: []string{}, Versions: []string{}, Sites: []string{}, Locations: []string{}, Departments: []string{}}
	for _, m := range p.newMfr {
		n.Manufacturers = append(n.Manufacturers, m.Name)
	}
	for _, pr := range p.newProd {
		n.Products = append(n.Products, p.mfrName[pr.ManufacturerID]+" "+pr.Name)
	}
	for _, v := range p.newVer {
		n.Versions = append(n.Versions, p.prodName[v.ProductID]+" "+v.Label())
	}
	siteName := map[int64]string{}
	for _, s := range p.ix.Sites {
		siteName[s.ID] = s.Name
	}
	for _, s := range p.newSite {
		n.Sites, siteName[s.ID] = append(n.Sites, s.Name), s.Name
	}
	for _, l := range p.newLoc {
		n.Locations = append(n.Locations, siteName[l.SiteID]+": "+l.Name)
	}
	for _, d := range p.newDept {
		n.Departments = append(n.Departments, d.Name)
	}
	rep.New = n
}

// apply creates the planned records and devices within the transaction and writes the audit event of
// the import.
func apply(ctx context.Context, tx *store.Tx, p *planner, rep *Report) error {
	ids := map[int64]int64{}
	real := func(id int64) int64 {
		if id < 0 {
			return ids[id]
		}
		return id
	}
	for _, m := range p.newMfr {
		tmp := m.ID
		m.ID = 0
		if err := tx.CreateManufacturer(ctx, &m); err != nil {
			return fmt.Errorf("create manufacturer %s: %w", m.Name, err)
		}
		ids[tmp] = m.ID
	}
	for _, pr := range p.newProd {
		tmp := pr.ID
		pr.ID, pr.ManufacturerID = 0, real(pr.ManufacturerID)
		if err := tx.CreateProduct(ctx, &pr); err != nil {
			return fmt.Errorf("create product %s: %w", pr.Name, err)
		}
		ids[tmp] = pr.ID
	}
	for _, v := range p.newVer {
		tmp := v.ID
		v.ID, v.ProductID = 0, real(v.ProductID)
		if err := tx.CreateProductVersion(ctx, &v); err != nil {
			return fmt.Errorf("create version %s: %w", v.Label(), err)
		}
		ids[tmp] = v.ID
	}
	for _, s := range p.newSite {
		tmp := s.ID
		s.ID = 0
		if err := tx.CreateSite(ctx, &s); err != nil {
			return fmt.Errorf("create site %s: %w", s.Name, err)
		}
		ids[tmp] = s.ID
	}
	for _, l := range p.newLoc {
		tmp := l.ID
		l.ID, l.SiteID = 0, real(l.SiteID)
		if err := tx.CreateLocation(ctx, &l); err != nil {
			return fmt.Errorf("create location %s: %w", l.Name, err)
		}
		ids[tmp] = l.ID
	}
	for _, d := range p.newDept {
		tmp := d.ID
		d.ID, d.SiteID = 0, real(d.SiteID)
		if err := tx.CreateDepartment(ctx, &d); err != nil {
			return fmt.Errorf("create department %s: %w", d.Name, err)
		}
		ids[tmp] = d.ID
	}
	var create, update []domain.Asset
	var created, updated []string
	for _, pl := range p.out {
		a := pl.asset
		a.ProductVersionID, a.SiteID, a.LocationID, a.DepartmentID = real(a.ProductVersionID), real(a.SiteID), real(a.LocationID), real(a.DepartmentID)
		switch pl.summary.Action {
		case ActionCreate:
			create, created = append(create, a), append(created, a.Name())
		case ActionUpdate:
			update, updated = append(update, a), append(updated, a.Name())
		}
	}
	rec := store.InventoryImport{FileName: rep.File, SHA256: rep.SHA256, Format: rep.Format, Rows: rep.Rows, Created: rep.Created,
		Updated: rep.Updated, Unchanged: rep.Unchanged, Rejected: rep.Rejected}
	if err := tx.RecordInventoryImport(ctx, &rec); err != nil {
		return err
	}
	rep.ImportID = rec.ID
	summary := fmt.Sprintf("imported %s: %d devices added, %d changed, %d unchanged, %d rows rejected", nameOr(rep.File), rep.Created,
		rep.Updated, rep.Unchanged, rep.Rejected)
	return tx.SaveAssets(ctx, create, update, store.AuditEntry{Action: "inventory.import", Entity: "inventory_import", EntityID: rec.ID,
		Summary: summary, Data: map[string]any{"file": rep.File, "sha256": rep.SHA256, "format": rep.Format, "rows": rep.Rows,
			"created": rep.Created, "updated": rep.Updated, "unchanged": rep.Unchanged, "rejected": rep.Rejected, "new": rep.New,
			"devices_added": capList(created, 500), "devices_changed": capList(updated, 500)}})
}

func nameOr(s string) string {
	if s == "" {
		return "an uploaded file"
	}
	return s
}

// capList keeps the first n names and says how many more there were.
func capList(s []string, n int) []string {
	if len(s) <= n {
		return s
	}
	return append(s[:n:n], fmt.Sprintf("… and %d more", len(s)-n))
}

// Summary is the report's result in one line ("would add 35, change 2; 1 unchanged; 5 rejected").
func (rep *Report) Summary() string {
	if rep.DryRun {
		return fmt.Sprintf("would add %d, change %d; %d unchanged; %d rejected", rep.Created, rep.Updated, rep.Unchanged, rep.Rejected)
	}
	if !rep.Applied {
		return fmt.Sprintf("nothing imported; %d rejected", rep.Rejected)
	}
	return fmt.Sprintf("added %d, changed %d; %d unchanged; %d rejected", rep.Created, rep.Updated, rep.Unchanged, rep.Rejected)
}
