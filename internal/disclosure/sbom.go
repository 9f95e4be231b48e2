package disclosure

import (
	"context"
	"fmt"
	"io"
	"sort"
	"strings"

	"github.com/vigil-med/vigil/internal/domain"
	"github.com/vigil-med/vigil/internal/purl"
	"github.com/vigil-med/vigil/internal/sbom"
	"github.com/vigil-med/vigil/internal/sbom/cyclonedx"
	_ "github.com/vigil-med/vigil/internal/sbom/spdx" // registers SPDX with sbom.Decode
	"github.com/vigil-med/vigil/internal/store"
)

// UnknownManufacturer files SBOMs whose manufacturer nobody named.
const UnknownManufacturer = "Unknown manufacturer"

// SBOMOptions say which product version an SBOM describes. With ProductVersionID set, the SBOM is
// attached to that version; otherwise Product and Version name it (the version is created when
// missing), and when they are empty the SBOM's own subject (CycloneDX metadata component, SPDX
// described package) names it. Manufacturer defaults to the existing product's manufacturer, else the
// subject's supplier, else UnknownManufacturer.
type SBOMOptions struct {
	Source           Source
	Manufacturer     string
	Product          string
	Version          string
	ProductVersionID int64
}

// ImportSBOM imports an SBOM (CycloneDX 1.2–1.6 JSON or XML, SPDX 2.2/2.3 JSON or tag-value) in one
// transaction: it keeps the document, creates the product version when missing, and replaces that
// version's components. The same document for the same version again is skipped.
func ImportSBOM(ctx context.Context, sc *store.Scope, data []byte, opts SBOMOptions) (*Report, error) {
	name := opts.Source.name()
	rep := newReport(domain.DisclosureSBOM, name)
	rep.SHA256 = sha256Hex(data)
	doc, err := sbom.DecodeBytes(data, name)
	if err != nil {
		return rep, userError(err, sbom.ErrTooLarge)
	}
	rep.Format = string(doc.Format)
	for _, w := range doc.Warnings {
		rep.warn("%s", w)
	}
	comps := componentsOf(doc)
	err = sc.Write(ctx, func(tx *store.Tx) error {
		pv, err := sbomVersion(ctx, tx, doc, opts, rep)
		if err != nil {
			return err
		}
		label := pv.Manufacturer + " " + pv.Product + " " + pv.Label()
		tsc := tx.Scope()
		old, err := tsc.SBOM(ctx, pv.ID)
		hadOld := err == nil
		if err != nil && domain.ErrorCode(err) != domain.ENotFound {
			return err
		}
		if hadOld {
			if d, err := tsc.Document(ctx, old.DocumentID); err == nil && d.SHA256 == rep.SHA256 {
				rep.DocumentID = d.ID
				rep.add(Change{Action: Skipped, What: "SBOM", Name: label, ID: pv.ID, Detail: "the same document is this version's SBOM already"})
				return nil
			}
		}
		var oldComps []domain.Component
		if hadOld {
			if oldComps, err = tsc.VersionComponents(ctx, pv.ID); err != nil {
				return err
			}
		}
		kept, err := keep(ctx, tx, domain.DisclosureSBOM, opts.Source, data, domain.DisclosureDocument{Format: string(doc.Format),
			Title: "SBOM of " + label, Ref: doc.Serial, ProductVersionID: pv.ID})
		if err != nil {
			return err
		}
		rep.DocumentID = kept.ID
		info := domain.SBOMInfo{ProductVersionID: pv.ID, DocumentID: kept.ID, Format: string(doc.Format), SpecVersion: doc.SpecVersion,
			Serial: doc.Serial, Created: doc.Created, Tools: doc.Tools, Warnings: capStrings(doc.Warnings, 100)}
		if s := doc.Subject; s != nil {
			info.SubjectName, info.SubjectVersion, info.SubjectPURL, info.SubjectCPE = s.Name, s.Version, s.PURL, s.CPE
		}
		if err := tx.ReplaceSBOM(ctx, &info, comps); err != nil {
			return err
		}
		detail := fmt.Sprintf("%d components", len(comps))
		action := Created
		if hadOld {
			action = Updated
			d := sbom.Diff(documentOf(old, oldComps), doc)
			detail += fmt.Sprintf(" (was %d: %d added, %d removed, %d changed)", len(oldComps), len(d.Added), len(d.Removed), len(d.Changed))
		}
		rep.add(Change{Action: action, What: "SBOM", Name: label, Detail: detail, ID: pv.ID})
		n, err := ReattachVEX(ctx, tx)
		if err != nil {
			return err
		}
		if n > 0 {
			rep.add(Change{Action: Updated, What: "VEX statements", Name: label, Detail: fmt.Sprintf("%d statements attached that named no version before", n)})
		}
		if _, err := remapProductAdvisories(ctx, tx, pv.ProductID); err != nil {
			return err
		}
		return tx.Audit(ctx, store.AuditEntry{Action: "sbom.import", Entity: "product_version", EntityID: pv.ID,
			Summary: fmt.Sprintf("imported the SBOM of %s from %s: %s", label, name, detail),
			Data: map[string]any{"file": name, "sha256": rep.SHA256, "format": doc.Format, "document_id": kept.ID, "components": len(comps),
				"serial": doc.Serial}})
	})
	return rep, err
}

// sbomVersion finds or creates the product version an SBOM is for.
func sbomVersion(ctx context.Context, tx *store.Tx, doc *sbom.Document, opts SBOMOptions, rep *Report) (domain.ProductVersion, error) {
	tsc := tx.Scope()
	if opts.ProductVersionID != 0 {
		return tsc.ProductVersion(ctx, opts.ProductVersionID)
	}
	product, version, maker := strings.TrimSpace(opts.Product), strings.TrimSpace(opts.Version), strings.TrimSpace(opts.Manufacturer)
	if s := doc.Subject; s != nil {
		if product == "" {
			product = s.Name
			if version == "" {
				version = s.Version
			}
		}
		if maker == "" && product == s.Name {
			maker = s.Supplier
		}
	}
	if product == "" {
		return domain.ProductVersion{}, &domain.Error{Code: domain.EInvalid, Field: "product",
			Message: "the SBOM does not say what it describes: name the product and version (--product and --version)"}
	}
	if maker == "" || opts.Manufacturer == "" {
		if m, ok, err := uniqueProductMaker(ctx, tsc, product); err != nil {
			return domain.ProductVersion{}, err
		} else if ok {
			maker = m
		}
	}
	if maker == "" {
		maker = UnknownManufacturer
		rep.warn("no manufacturer was named; the product is filed under %q (name it with --manufacturer)", maker)
	}
	pv, created, err := tx.EnsureProductVersion(ctx, maker, product, version)
	if err != nil {
		return pv, err
	}
	if created {
		rep.add(Change{Action: Created, What: "product version", Name: pv.Manufacturer + " " + pv.Product + " " + pv.Label(), ID: pv.ID})
	}
	return pv, nil
}

// uniqueProductMaker returns the manufacturer of the one product with this name or model number.
func uniqueProductMaker(ctx context.Context, sc *store.Scope, product string) (string, bool, error) {
	page, err := sc.Products(ctx, domain.ProductFilter{ListParams: domain.ListParams{Q: product, Limit: domain.MaxPageSize}})
	if err != nil {
		return "", false, err
	}
	maker, n := "", 0
	for _, p := range page.Items {
		if domain.NameKey(p.Name) == domain.NameKey(product) || domain.NameKey(p.ModelNumber) == domain.NameKey(product) {
			maker, n = p.Manufacturer, n+1
		}
	}
	return maker, n == 1, nil
}

// componentsOf normalises an SBOM's components for the store (keys for "where is").
func componentsOf(doc *sbom.Document) []domain.Component {
	out := make([]domain.Component, 0, len(doc.Components))
	for _, c := range doc.Components {
		dc := domain.Component{Ref: c.Ref, Parent: c.Parent, Type: c.Type, Group: c.Group, Name: c.Name, Version: c.Version, PURL: c.PURL,
			CPE: strings.ToLower(c.CPE), Supplier: c.Supplier, Licenses: c.Licenses}
		if dc.Name == "" {
			dc.Name = c.Ref
		}
		if c.PURL != "" {
			dc.PURLKey = purl.WithoutVersion(c.PURL)
		}
		for _, h := range c.Hashes {
			dc.Hashes = append(dc.Hashes, domain.ComponentHash{Alg: h.Alg, Value: h.Value})
		}
		out = append(out, dc)
	}
	return out
}

// documentOf rebuilds an SBOM document from what the store holds (for export and diff).
func documentOf(info domain.SBOMInfo, comps []domain.Component) *sbom.Document {
	d := &sbom.Document{Format: sbom.Format(info.Format), SpecVersion: info.SpecVersion, Serial: info.Serial, Created: info.Created, Tools: info.Tools}
	if info.SubjectName != "" {
		d.Subject = &sbom.Component{Ref: "subject", Name: info.SubjectName, Version: info.SubjectVersion, PURL: info.SubjectPURL, CPE: info.SubjectCPE}
	}
	for _, c := range comps {
		sc := sbom.Component{Ref: c.Ref, Parent: c.Parent, Type: c.Type, Group: c.Group, Name: c.Name, Version: c.Version, Supplier: c.Supplier,
			PURL: c.PURL, CPE: c.CPE, Licenses: c.Licenses}
		for _, h := range c.Hashes {
			sc.Hashes = append(sc.Hashes, sbom.Hash{Alg: h.Alg, Value: h.Value})
		}
		d.Components = append(d.Components, sc)
	}
	return d
}

// VersionSBOM returns the SBOM of a product version as a document (ENotFound when it has none).
func VersionSBOM(ctx context.Context, sc *store.Scope, productVersionID int64) (*sbom.Document, domain.SBOMInfo, error) {
	info, err := sc.SBOM(ctx, productVersionID)
	if err != nil {
		return nil, info, err
	}
	comps, err := sc.VersionComponents(ctx, productVersionID)
	if err != nil {
		return nil, info, err
	}
	return documentOf(info, comps), info, nil
}

// ExportSBOM writes the SBOM of a product version as a CycloneDX 1.6 BOM in JSON (or XML with
// format sbom.CycloneDXXML). The subject is the SBOM's own, else the product version itself (type
// device, supplier its manufacturer).
func ExportSBOM(ctx context.Context, sc *store.Scope, w io.Writer, productVersionID int64, format sbom.Format) error {
	doc, info, err := VersionSBOM(ctx, sc, productVersionID)
	if err != nil {
		return err
	}
	if doc.Subject == nil {
		doc.Subject = &sbom.Component{Ref: "subject", Type: "device", Name: info.Product, Version: info.Version, Supplier: info.Manufacturer}
	}
	if format == "" {
		format = sbom.CycloneDXJSON
	}
	return cyclonedx.Encode(w, doc, format)
}

// SBOMDiff is the difference between the SBOMs of two product versions.
type SBOMDiff struct {
	From    domain.SBOMInfo    `json:"from"`
	To      domain.SBOMInfo    `json:"to"`
	Added   []domain.Component `json:"added"`
	Removed []domain.Component `json:"removed"`
	Changed []ComponentChange  `json:"changed"`
	Same    int                `json:"unchanged"`
}

// ComponentChange is a component whose version differs.
type ComponentChange struct {
	Key  string           `json:"key"`
	From domain.Component `json:"from"`
	To   domain.Component `json:"to"`
}

// DiffSBOMs compares the SBOMs of two product versions (sbom.Diff: components matched by package URL
// without version, else group/name).
func DiffSBOMs(ctx context.Context, sc *store.Scope, from, to int64) (SBOMDiff, error) {
	var out SBOMDiff
	a, ai, err := VersionSBOM(ctx, sc, from)
	if err != nil {
		return out, err
	}
	b, bi, err := VersionSBOM(ctx, sc, to)
	if err != nil {
		return out, err
	}
	out.From, out.To = ai, bi
	d := sbom.Diff(a, b)
	conv := func(c sbom.Component) domain.Component {
		return domain.Component{Ref: c.Ref, Type: c.Type, Group: c.Group, Name: c.Name, Version: c.Version, PURL: c.PURL, CPE: c.CPE,
			Supplier: c.Supplier, Licenses: c.Licenses}
	}
	out.Added, out.Removed, out.Changed = []domain.Component{}, []domain.Component{}, []ComponentChange{}
	for _, c := range d.Added {
		out.Added = append(out.Added, conv(c))
	}
	for _, c := range d.Removed {
		out.Removed = append(out.Removed, conv(c))
	}
	for _, c := range d.Changed {
		out.Changed = append(out.Changed, ComponentChange{Key: c.Key, From: conv(c.From), To: conv(c.To)})
	}
	out.Same = len(b.Components) - len(d.Added) - len(d.Changed)
	return out, nil
}

// PreviousSBOMVersion returns the version of the same product with an SBOM that comes before v in
// version order (or after it, when v is the first); 0 when the product has no other SBOM.
func PreviousSBOMVersion(ctx context.Context, sc *store.Scope, v domain.ProductVersion) (int64, error) {
	all, err := sc.SBOMs(ctx, v.ProductID)
	if err != nil {
		return 0, err
	}
	var others []domain.SBOMInfo
	for _, s := range all {
		if s.ProductVersionID != v.ID {
			others = append(others, s)
		}
	}
	if len(others) == 0 {
		return 0, nil
	}
	sort.SliceStable(others, func(i, j int) bool { return store.NaturalLess(others[i].Version, others[j].Version) })
	best := others[0].ProductVersionID
	for _, s := range others {
		if store.NaturalLess(s.Version, v.Version) {
			best = s.ProductVersionID
		}
	}
	return best, nil
}

func capStrings(s []string, n int) []string {
	if len(s) <= n {
		return s
	}
	return append(s[:n:n], fmt.Sprintf("… and %d more", len(s)-n))
}
