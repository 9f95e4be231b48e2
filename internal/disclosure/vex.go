package disclosure

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/vigil-med/vigil/internal/csaf"
	"github.com/vigil-med/vigil/internal/domain"
	"github.com/vigil-med/vigil/internal/purl"
	"github.com/vigil-med/vigil/internal/store"
	"github.com/vigil-med/vigil/internal/vex"
)

// VEX documents: OpenVEX, CycloneDX VEX and CSAF VEX give statements in one model. Each statement is
// attached to the product versions its product names:
//
//   - a CycloneDX BOM-Link (urn:cdx:serial/version#ref) to the version whose SBOM has that serial number,
//     and to the component with that bom-ref;
//   - a package URL to the version whose SBOM describes that package (its subject), in that version;
//   - a CPE to the versions of the product with those CPE parts;
//   - a product name (and version or range) to the versions of the one product of that name;
//   - failing those, a package URL (with version) of the product that is a component in versions' SBOMs:
//     the statement is then about that component of each of those versions.
//
// Statements that match nothing are kept unattached (and attached later, when an SBOM or the inventory
// names their product: ReattachVEX).

// VEXOptions control a VEX import.
type VEXOptions struct {
	Source     Source
	SourceKind string // manufacturer (default) or hospital
}

// ImportVEX imports a VEX document in one transaction. A document received before (same SHA-256) is
// skipped. A CSAF document (CSAF VEX) is read by the CSAF reader.
func ImportVEX(ctx context.Context, sc *store.Scope, data []byte, opts VEXOptions) (*Report, error) {
	name := opts.Source.name()
	rep := newReport(domain.DisclosureVEX, name)
	rep.SHA256 = sha256Hex(data)
	switch opts.SourceKind {
	case "":
		opts.SourceKind = domain.VEXManufacturer
	case domain.VEXManufacturer, domain.VEXHospital:
	default:
		return rep, domain.Invalid("source", "manufacturer or hospital, not %q", opts.SourceKind)
	}
	stmts, format, err := vex.DecodeBytes(data, name)
	source := ""
	if errors.Is(err, vex.ErrCSAF) {
		adv, perr := csaf.ParseBytes(data, name)
		if perr != nil {
			var ie *csaf.InvalidError
			if errors.As(perr, &ie) {
				fe := FileError{File: name, Message: fmt.Sprintf("%s is not a valid CSAF 2.0 document (%d problems)", name, len(ie.Problems))}
				for _, p := range ie.Problems {
					fe.Problems = append(fe.Problems, p.String())
				}
				rep.fail(fe)
				return rep, csafFileError(fe)
			}
			return rep, userError(perr)
		}
		stmts, err, source = csaf.Statements(adv), nil, adv.TrackingID
	}
	if err != nil {
		return rep, userError(err, vex.ErrTooLarge)
	}
	rep.Format = string(format)
	if len(stmts) == 0 {
		return rep, invalid("%s holds no VEX statements", name)
	}
	err = sc.Write(ctx, func(tx *store.Tx) error {
		tsc := tx.Scope()
		if d, err := tsc.DocumentBySHA256(ctx, domain.DisclosureVEX, rep.SHA256); err == nil {
			rep.DocumentID = d.ID
			rep.add(Change{Action: Skipped, What: "VEX document", Name: name, Detail: "this document was imported before (" + d.Imported.Format("2006-01-02") + ")"})
			return nil
		} else if domain.ErrorCode(err) != domain.ENotFound {
			return err
		}
		title := source
		if title == "" {
			title = stmts[0].Source
		}
		if title == "" {
			title = name
		}
		doc, err := keep(ctx, tx, domain.DisclosureVEX, opts.Source, data, domain.DisclosureDocument{Format: string(format), Title: title, Ref: stmts[0].Source})
		if err != nil {
			return err
		}
		rep.DocumentID = doc.ID
		at, err := newAttacher(ctx, tsc)
		if err != nil {
			return err
		}
		var out []domain.VEXStatement
		attached, versions := 0, map[int64]bool{}
		for _, s := range stmts {
			st := statementOf(s)
			st.DocumentID, st.SourceKind = doc.ID, opts.SourceKind
			if st.Source == "" {
				st.Source = source
			}
			targets, err := at.targets(ctx, s)
			if err != nil {
				return err
			}
			if len(targets) == 0 {
				out = append(out, st)
				continue
			}
			attached++
			for _, t := range targets {
				x := st
				x.ProductVersionID = t.ProductVersionID
				if t.ComponentName != "" || t.ComponentPURL != "" {
					x.ComponentName, x.ComponentVersion, x.ComponentPURL = t.ComponentName, t.ComponentVersion, t.ComponentPURL
				}
				versions[t.ProductVersionID] = true
				out = append(out, x)
			}
		}
		if err := tx.AddVEXStatements(ctx, out); err != nil {
			return err
		}
		detail := fmt.Sprintf("%d statements, %d attached to %d product versions", len(stmts), attached, len(versions))
		if n := len(stmts) - attached; n > 0 {
			detail += fmt.Sprintf("; %d name no product of the inventory (kept unattached)", n)
			rep.warn("%d statements name products that are not in the inventory; they are kept and attached when an SBOM or the inventory names them", n)
		}
		rep.add(Change{Action: Created, What: "VEX statements", Name: title, Detail: detail, ID: doc.ID})
		return tx.Audit(ctx, store.AuditEntry{Action: "vex.import", Entity: "disclosure_document", EntityID: doc.ID,
			Summary: fmt.Sprintf("imported VEX %s (%s): %s", name, format, detail),
			Data: map[string]any{"file": name, "sha256": rep.SHA256, "format": format, "statements": len(stmts), "attached": attached,
				"versions": len(versions), "source_kind": opts.SourceKind}})
	})
	return rep, err
}

// statementOf turns a parsed statement into the stored model (without document and version).
func statementOf(s vex.Statement) domain.VEXStatement {
	st := domain.VEXStatement{Vulnerability: s.Vulnerability, Aliases: s.Aliases, ProductRef: s.Product.ID, ProductName: s.Product.Name,
		ProductVer: s.Product.Version, ProductPURL: s.Product.PURL, ProductCPE: s.Product.CPE, Status: string(s.Status),
		Justification: string(s.Justification), Impact: s.ImpactStatement, Action: s.ActionStatement, Stated: s.Timestamp,
		Source: s.Source, SourceFormat: s.SourceFormat}
	if st.ProductVer == "" {
		st.ProductVer = s.Product.VersionRange
	}
	if c := s.Component; c != nil {
		st.ComponentName, st.ComponentVersion, st.ComponentPURL = c.Name, c.Version, c.PURL
		if st.ComponentName == "" {
			st.ComponentName = c.ID
		}
	}
	if st.Vulnerability == "" && len(s.Aliases) > 0 {
		st.Vulnerability = s.Aliases[0]
	}
	if !vex.ValidStatus(s.Status) {
		st.Status = string(vex.UnderInvestigation)
	}
	return st
}

// attacher finds the product versions a VEX statement's product names.
type attacher struct {
	sc       *store.Scope
	cat      *catalogue
	subjects map[int64]domain.SBOMInfo
}

func newAttacher(ctx context.Context, sc *store.Scope) (*attacher, error) {
	cat, err := loadCatalogue(ctx, sc)
	if err != nil {
		return nil, err
	}
	subj, err := sc.SBOMSubjects(ctx)
	if err != nil {
		return nil, err
	}
	return &attacher{sc: sc, cat: cat, subjects: subj}, nil
}

// target is a product version (and component) a statement is about.
type target struct {
	ProductVersionID                               int64
	ComponentName, ComponentVersion, ComponentPURL string
}

func (at *attacher) targets(ctx context.Context, s vex.Statement) ([]target, error) {
	p := s.Product
	if p.Name == "" && p.PURL == "" && !strings.Contains(p.ID, ":") && strings.Count(p.ID, "@") == 1 {
		p.Name, p.Version, _ = strings.Cut(p.ID, "@") // "name@version", as vex.EncodeOpenVEX names a product without identifiers
	}
	// A BOM-Link into an SBOM of the inventory.
	for _, id := range []string{p.ID, p.PURL} {
		if serial, _, ref, ok := vex.ParseBOMLink(id); ok {
			sb, err := at.sc.SBOMBySerial(ctx, serial)
			if domain.ErrorCode(err) == domain.ENotFound {
				continue
			}
			if err != nil {
				return nil, err
			}
			t := target{ProductVersionID: sb.ProductVersionID}
			if ref != "" {
				comps, err := at.sc.VersionComponents(ctx, sb.ProductVersionID)
				if err != nil {
					return nil, err
				}
				for _, c := range comps {
					if c.Ref == ref {
						t.ComponentName, t.ComponentVersion, t.ComponentPURL = c.Name, c.Version, c.PURL
					}
				}
			}
			return []target{t}, nil
		}
	}
	// The package URL of an SBOM subject.
	if p.PURL != "" {
		key := purl.WithoutVersion(p.PURL)
		pv, _ := purl.Parse(p.PURL)
		var out []target
		for id, sb := range at.subjects {
			if purl.WithoutVersion(sb.SubjectPURL) == key && key != "" && (pv.Version == "" || versionMatches(sb.Version, pv.Version) ||
				sb.SubjectVersion == pv.Version) {
				out = append(out, target{ProductVersionID: id})
			}
		}
		if len(out) > 0 {
			return out, nil
		}
	}
	spec := versionSpec{Version: p.Version}
	if p.VersionRange != "" {
		spec = versionSpec{Range: csaf.ParseRange(p.VersionRange)}
	}
	// A CPE of a product.
	if p.CPE != "" {
		if parts := strings.Split(store.ComponentCPEKey(p.CPE), ":"); len(parts) == 3 {
			if spec.Version == "" && spec.Range == nil {
				spec.Version = store.ComponentCPEVersion(p.CPE)
			}
			var out []target
			for i := range at.cat.products {
				q := &at.cat.products[i]
				if q.CPEVendor == parts[1] && q.CPEProduct == parts[2] {
					out = append(out, versionTargets(spec, q)...)
				}
			}
			if len(out) > 0 {
				return out, nil
			}
		}
	}
	// A product name ("ABC", or with the manufacturer's name: "Example Company ABC").
	if words := setOf(nameTokens(p.Name)); len(words) > 0 && (p.Version != "" || p.VersionRange != "") {
		var match *catProduct
		n := 0
		for i := range at.cat.products {
			q := &at.cat.products[i]
			own := words
			if m := at.cat.makerByID[q.Maker]; m != nil {
				own = words.minus(m.words)
			}
			if words.equal(q.allWords) || words.equal(q.words) || (len(own) > 0 && own.equal(q.words)) {
				match, n = q, n+1
			}
		}
		if n == 1 {
			if out := versionTargets(spec, match); len(out) > 0 {
				return out, nil
			}
		}
	}
	// The product is a component of versions' SBOMs. (A statement about a component of a product that is
	// not in the inventory stays unattached: it says nothing about other products with that component.)
	for _, cp := range []string{p.PURL} {
		if cp == "" {
			continue
		}
		pp, err := purl.Parse(cp)
		if err != nil || pp.Version == "" {
			continue
		}
		page, err := at.sc.Components(ctx, domain.ComponentFilter{PURLKey: purl.WithoutVersion(cp), Version: pp.Version,
			ListParams: domain.ListParams{Limit: domain.MaxPageSize}})
		if err != nil {
			return nil, err
		}
		var out []target
		seen := map[int64]bool{}
		for _, c := range page.Items {
			if !seen[c.ProductVersionID] {
				seen[c.ProductVersionID] = true
				out = append(out, target{ProductVersionID: c.ProductVersionID, ComponentName: c.Name, ComponentVersion: c.Version, ComponentPURL: c.PURL})
			}
		}
		if len(out) > 0 {
			return out, nil
		}
	}
	return nil, nil
}

// versionTargets returns the versions of q that the spec names exactly or by range (a statement without
// readable version names none).
func versionTargets(spec versionSpec, q *catProduct) []target {
	var out []target
	for _, v := range q.versions {
		if spec.Version == "" && spec.Range == nil {
			continue
		}
		if spec.Range == nil && !versionMatches(v.Version, spec.Version) {
			continue
		}
		if m, _ := spec.covers(*q, v.Version); m {
			out = append(out, target{ProductVersionID: v.ID})
		}
	}
	return out
}

// ReattachVEX tries again to attach the statements of VEX documents that matched no product version
// (after an SBOM import or a change of the inventory). It reports how many it attached.
func ReattachVEX(ctx context.Context, tx *store.Tx) (int, error) {
	sc := tx.Scope()
	loose, err := sc.UnattachedVEX(ctx)
	if err != nil || len(loose) == 0 {
		return 0, err
	}
	at, err := newAttacher(ctx, sc)
	if err != nil {
		return 0, err
	}
	n := 0
	var copies []domain.VEXStatement
	for _, s := range loose {
		vs := vex.Statement{Vulnerability: s.Vulnerability, Product: vex.Product{ID: s.ProductRef, Name: s.ProductName, Version: s.ProductVer,
			PURL: s.ProductPURL, CPE: s.ProductCPE}}
		if s.ComponentPURL != "" {
			vs.Component = &vex.Product{Name: s.ComponentName, Version: s.ComponentVersion, PURL: s.ComponentPURL}
		}
		if strings.HasPrefix(s.ProductVer, "vers:") {
			vs.Product.Version, vs.Product.VersionRange = "", s.ProductVer
		}
		ts, err := at.targets(ctx, vs)
		if err != nil {
			return n, err
		}
		for i, t := range ts {
			x := s
			x.ProductVersionID = t.ProductVersionID
			if t.ComponentName != "" || t.ComponentPURL != "" {
				x.ComponentName, x.ComponentVersion, x.ComponentPURL = t.ComponentName, t.ComponentVersion, t.ComponentPURL
			}
			if i == 0 {
				if err := tx.AttachVEX(ctx, x); err != nil {
					return n, err
				}
				n++
				continue
			}
			copies = append(copies, x)
		}
	}
	return n, tx.AddVEXStatements(ctx, copies)
}
