package disclosure

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"

	"github.com/vigil-med/vigil/internal/csaf"
	"github.com/vigil-med/vigil/internal/domain"
	"github.com/vigil-med/vigil/internal/store"
)

// CSAF advisories: each document is imported in a transaction of its own (a folder or a provider's feed
// imports every good document and reports each bad one with its problems), the latest version per
// tracking id is kept and mapped to the inventory, earlier versions stay as evidence.

// Input is one document to import: its bytes and where they came from. Err, when set, is why the
// document could not be read (a download or hash check that failed); it is reported as a failure.
type Input struct {
	Data   []byte
	Source Source
	Err    error
}

// ImportCSAF imports one CSAF document (see ImportCSAFBatch). The error is the document's problem when
// it could not be imported; the report then lists every problem with its JSON path.
func ImportCSAF(ctx context.Context, sc *store.Scope, data []byte, src Source) (*Report, error) {
	rep, err := ImportCSAFBatch(ctx, sc, []Input{{Data: data, Source: src}})
	if len(rep.Errors) == 1 {
		return rep, csafFileError(rep.Errors[0])
	}
	return rep, err
}

func csafFileError(e FileError) error {
	msg := e.Message
	if n := len(e.Problems); n > 0 {
		shown := e.Problems[:min(n, 10)]
		msg += ":\n  " + strings.Join(shown, "\n  ")
		if n > len(shown) {
			msg += fmt.Sprintf("\n  … and %d more", n-len(shown))
		}
	}
	return &domain.Error{Code: domain.EInvalid, Field: "file", Message: msg}
}

// ImportCSAFBatch imports CSAF documents one transaction each: a bad document fails alone, with its
// name and the problems found (JSON paths), and the others are imported. A document already received
// (same SHA-256) is skipped; an older version of a stored advisory is kept as evidence only; a newer
// one replaces the stored advisory and is mapped again. The error is non-nil when a document failed.
func ImportCSAFBatch(ctx context.Context, sc *store.Scope, inputs []Input) (*Report, error) {
	rep := newReport(domain.DisclosureCSAF, "")
	if len(inputs) == 1 {
		rep.File = inputs[0].Source.name()
	}
	cat, err := loadCatalogue(ctx, sc)
	if err != nil {
		return rep, err
	}
	for _, in := range inputs {
		name := in.Source.name()
		if in.Source.Ref != "" {
			name = in.Source.Ref
		}
		if in.Err != nil {
			rep.fail(FileError{File: name, Message: messageOf(in.Err)})
			continue
		}
		if err := importCSAFDoc(ctx, sc, cat, in, name, rep); err != nil {
			if domain.ErrorCode(err) == domain.EInternal || domain.ErrorCode(err) == domain.EUnavailable {
				return rep, err // the database, not the document
			}
			rep.fail(FileError{File: name, Message: messageOf(err)})
		}
	}
	if rep.Failed > 0 {
		return rep, &domain.Error{Code: domain.EInvalid, Field: "file",
			Message: fmt.Sprintf("%d of %d documents could not be imported (the others were)", rep.Failed, len(inputs))}
	}
	return rep, nil
}

func importCSAFDoc(ctx context.Context, sc *store.Scope, cat *catalogue, in Input, name string, rep *Report) error {
	if int64(len(in.Data)) > csaf.DefaultMaxSize {
		return tooLarge(name, csaf.DefaultMaxSize)
	}
	adv, err := csaf.ParseBytes(in.Data, name)
	if err != nil {
		fe := FileError{File: name, Message: err.Error()}
		var ie *csaf.InvalidError
		if errors.As(err, &ie) {
			fe.Message = fmt.Sprintf("%s is not a valid CSAF 2.0 document (%d problems)", name, len(ie.Problems))
			for _, p := range ie.Problems {
				fe.Problems = append(fe.Problems, p.String())
			}
		}
		rep.fail(fe)
		return nil
	}
	if rep.Format == "" {
		rep.Format = "csaf"
	}
	if len(rep.Changes) == 0 && rep.SHA256 == "" {
		rep.SHA256 = adv.SHA256
	}
	label := adv.TrackingID + " " + adv.Title
	if strings.HasPrefix(adv.Title, adv.TrackingID) {
		label = adv.Title // CISA writes "ICSMA-17-009-01A_St. Jude …"
	}
	return sc.Write(ctx, func(tx *store.Tx) error {
		tsc := tx.Scope()
		if d, err := tsc.DocumentBySHA256(ctx, domain.DisclosureCSAF, adv.SHA256); err == nil {
			rep.add(Change{Action: Skipped, What: "advisory", Name: label, Detail: "this document was imported before (" + d.Imported.Format("2006-01-02") + ")"})
			return nil
		} else if domain.ErrorCode(err) != domain.ENotFound {
			return err
		}
		old, err := tsc.AdvisoryByTrackingID(ctx, adv.TrackingID)
		exists := err == nil
		if err != nil && domain.ErrorCode(err) != domain.ENotFound {
			return err
		}
		doc, err := keep(ctx, tx, domain.DisclosureCSAF, in.Source, in.Data, domain.DisclosureDocument{Format: "csaf",
			Title: label, Ref: adv.TrackingID, Version: adv.Version})
		if err != nil {
			return err
		}
		if exists && olderCSAF(adv, old) {
			rep.DocumentID = doc.ID
			rep.add(Change{Action: Skipped, What: "advisory", Name: label, ID: old.ID,
				Detail: fmt.Sprintf("version %s is older than the stored version %s; kept as evidence", adv.Version, old.Version)})
			return tx.Audit(ctx, store.AuditEntry{Action: "csaf.import", Entity: "advisory", EntityID: old.ID,
				Summary: fmt.Sprintf("kept %s version %s as evidence (version %s is stored)", adv.TrackingID, adv.Version, old.Version),
				Data:    map[string]any{"document_id": doc.ID, "sha256": adv.SHA256}})
		}
		a, products, vulns := advisoryOf(adv, doc.ID)
		if err := tx.SaveAdvisory(ctx, &a, products, vulns); err != nil {
			return err
		}
		res, err := applyMapping(ctx, tx, cat, &a, products, adv)
		if err != nil {
			return err
		}
		action, detail := Created, ""
		if exists {
			action, detail = Updated, fmt.Sprintf("version %s replaces %s; ", adv.Version, old.Version)
		}
		detail += res.String()
		rep.DocumentID = doc.ID
		rep.add(Change{Action: action, What: "advisory", Name: label, Detail: detail, ID: a.ID})
		for _, w := range adv.Warnings {
			rep.warn("%s: %s", name, w)
		}
		return tx.Audit(ctx, store.AuditEntry{Action: "csaf.import", Entity: "advisory", EntityID: a.ID,
			Summary: fmt.Sprintf("imported advisory %s version %s: %s", adv.TrackingID, adv.Version, res.String()),
			Data: map[string]any{"tracking_id": adv.TrackingID, "version": adv.Version, "document_id": doc.ID, "sha256": adv.SHA256,
				"source": in.Source.Ref, "products": len(products), "mapped": res.Mapped, "unmapped": res.Unmapped, "ignored": res.Ignored,
				"versions": res.Versions, "statements": res.Statements}})
	})
}

// olderCSAF reports whether the incoming document is an older version than the stored advisory.
func olderCSAF(in *csaf.Advisory, stored domain.Advisory) bool {
	if c := csaf.CompareGeneric(in.Version, stored.Version); c != 0 {
		return c < 0
	}
	return !in.CurrentRelease.IsZero() && in.CurrentRelease.Before(stored.CurrentRelease)
}

// MappingResult counts what the mapping of an advisory did.
type MappingResult struct {
	Mapped     int `json:"mapped"`
	Unmapped   int `json:"unmapped"`
	Ignored    int `json:"ignored"`
	Versions   int `json:"versions" doc:"product versions of the inventory covered"`
	Statements int `json:"statements" doc:"VEX statements derived for them"`
}

func (r MappingResult) String() string {
	s := fmt.Sprintf("%d products mapped (%d versions in the inventory)", r.Mapped, r.Versions)
	if r.Unmapped > 0 {
		s += fmt.Sprintf(", %d in the mapping queue", r.Unmapped)
	}
	if r.Ignored > 0 {
		s += fmt.Sprintf(", %d ignored", r.Ignored)
	}
	return s
}

func (r *MappingResult) add(o MappingResult) {
	r.Mapped += o.Mapped
	r.Unmapped += o.Unmapped
	r.Ignored += o.Ignored
	r.Versions += o.Versions
	r.Statements += o.Statements
}

// applyMapping maps the products of a stored advisory and derives the VEX statements of the versions
// they cover from the document's product status (replacing earlier ones).
func applyMapping(ctx context.Context, tx *store.Tx, cat *catalogue, a *domain.Advisory, products []domain.AdvisoryProduct, parsed *csaf.Advisory) (MappingResult, error) {
	var res MappingResult
	publisher := ""
	if a.PublisherCategory == "vendor" {
		publisher = a.Publisher
	}
	decisions := cat.mapAdvisory(products, publisher)
	byCSAF := map[string]int{}
	versions := map[int64]bool{}
	for i := range products {
		d := decisions[i]
		byCSAF[products[i].CSAFID] = i
		if err := tx.DeleteAdvisoryStatements(ctx, products[i].ID); err != nil {
			return res, err
		}
		if err := tx.SetAdvisoryMapping(ctx, products[i].ID, d.state, d.note, d.suggestions, d.links); err != nil {
			return res, err
		}
		switch d.state {
		case domain.MappingMapped:
			res.Mapped++
		case domain.MappingIgnored:
			res.Ignored++
		default:
			res.Unmapped++
		}
		for _, l := range d.links {
			for _, v := range l.Versions {
				versions[v] = true
			}
		}
	}
	res.Versions = len(versions)
	var stmts []domain.VEXStatement
	for _, s := range csaf.Statements(parsed) {
		i, ok := byCSAF[s.Product.ID]
		if !ok || decisions[i].state != domain.MappingMapped {
			continue
		}
		seen := map[int64]bool{}
		for _, l := range decisions[i].links {
			for _, v := range l.Versions {
				if seen[v] {
					continue
				}
				seen[v] = true
				st := statementOf(s)
				st.DocumentID, st.AdvisoryID, st.AdvisoryProductID, st.ProductVersionID = a.DocumentID, a.ID, products[i].ID, v
				st.SourceKind, st.SourceFormat = domain.VEXManufacturer, "csaf"
				if st.Source == "" {
					st.Source = a.TrackingID
				}
				stmts = append(stmts, st)
			}
		}
	}
	res.Statements = len(stmts)
	return res, tx.AddVEXStatements(ctx, stmts)
}

// advisoryOf turns a parsed advisory into the stored model.
func advisoryOf(adv *csaf.Advisory, docID int64) (domain.Advisory, []domain.AdvisoryProduct, []domain.AdvisoryVulnerability) {
	a := domain.Advisory{TrackingID: adv.TrackingID, Version: adv.Version, Title: adv.Title, Publisher: adv.Publisher.Name,
		PublisherCategory: adv.Publisher.Category, PublisherNamespace: adv.Publisher.Namespace, TLP: adv.TLP, Status: adv.Status,
		Profile: adv.Profile, Lang: adv.Lang, InitialRelease: adv.InitialRelease, CurrentRelease: adv.CurrentRelease, Aliases: adv.Aliases,
		DocumentID: docID, Summary: noteText(adv.Notes, "summary", "description", "general")}
	for _, r := range adv.References {
		a.References = append(a.References, domain.Link{Category: r.Category, Summary: r.Summary, URL: r.URL})
	}
	for i, w := range adv.Warnings {
		if i == 50 {
			a.Warnings = append(a.Warnings, fmt.Sprintf("… and %d more", len(adv.Warnings)-i))
			break
		}
		a.Warnings = append(a.Warnings, w.String())
	}
	publisher := ""
	if adv.Publisher.Category == "vendor" {
		publisher = adv.Publisher.Name
	}
	vendors := map[string]bool{}
	products := make([]domain.AdvisoryProduct, 0, len(adv.Products))
	for _, p := range adv.Products {
		ap := domain.AdvisoryProduct{CSAFID: p.ID, Name: p.Name, Vendor: p.Vendor, Family: p.Family, ProductName: p.ProductName,
			Version: p.Version, PURL: p.PURL, CPE: p.CPE, ModelNumbers: p.ModelNumbers, Relationship: joinRelationship(p.Relationship),
			State: domain.MappingUnmapped}
		if p.Range != nil {
			ap.VersionRange = p.Range.Raw
		}
		if ap.Name == "" {
			ap.Name = strings.Join(p.Path, " ")
		}
		v := ap.Vendor
		if v == "" {
			v = publisher
		}
		ap.VendorKey, ap.NameKey = vendorKey(v), productKey(ruleName(&ap))
		if p.Vendor != "" && !vendors[p.Vendor] {
			vendors[p.Vendor] = true
			a.Vendors = append(a.Vendors, p.Vendor)
		}
		products = append(products, ap)
	}
	cves := map[string]bool{}
	vulns := make([]domain.AdvisoryVulnerability, 0, len(adv.Vulnerabilities))
	for _, v := range adv.Vulnerabilities {
		av := domain.AdvisoryVulnerability{CVE: v.CVE, Title: v.Title, ReleaseDate: v.ReleaseDate, Summary: noteText(v.Notes, "summary", "description", "details", "general"),
			Statuses: map[string][]string{}}
		for _, id := range v.IDs {
			av.IDs = append(av.IDs, id.System+": "+id.Text)
		}
		if v.CWE != nil {
			av.CWE = strings.TrimSpace(v.CWE.ID + " " + v.CWE.Name)
		}
		for _, s := range v.Scores {
			if s.BaseScore > av.CVSSScore || (s.BaseScore == av.CVSSScore && s.Version > av.CVSSVersion) {
				av.CVSSScore, av.CVSSVersion, av.CVSSVector, av.Severity = s.BaseScore, s.Version, s.Vector, strings.ToLower(s.Severity)
			}
		}
		if av.Severity == "" && av.CVSSScore > 0 {
			av.Severity = severityOf(av.CVSSScore)
		}
		ps := v.ProductStatus
		for k, ids := range map[string][]string{"known_affected": ps.KnownAffected, "fixed": ps.Fixed, "known_not_affected": ps.KnownNotAffected,
			"under_investigation": ps.UnderInvestigation, "first_affected": ps.FirstAffected, "last_affected": ps.LastAffected,
			"first_fixed": ps.FirstFixed, "recommended": ps.Recommended} {
			if len(ids) > 0 {
				av.Statuses[k] = ids
			}
		}
		for _, r := range v.Remediations {
			av.Remediations = append(av.Remediations, domain.Remediation{Category: r.Category, Details: r.Details, URL: r.URL, ProductIDs: r.ProductIDs})
		}
		if v.CVE != "" && !cves[v.CVE] {
			cves[v.CVE] = true
			a.CVEs = append(a.CVEs, v.CVE)
		}
		if av.CVSSScore > a.MaxCVSS {
			a.MaxCVSS, a.Severity = av.CVSSScore, av.Severity
		}
		vulns = append(vulns, av)
	}
	sort.Strings(a.CVEs)
	return a, products, vulns
}

// severityOf is the CVSS v3 rating of a base score.
func severityOf(score float64) string {
	switch {
	case score >= 9:
		return "critical"
	case score >= 7:
		return "high"
	case score >= 4:
		return "medium"
	case score > 0:
		return "low"
	}
	return ""
}

// noteText returns the text of the first note of the first category given that has one.
func noteText(notes []csaf.Note, categories ...string) string {
	for _, c := range categories {
		for _, n := range notes {
			if n.Category == c && strings.TrimSpace(n.Text) != "" {
				t := strings.TrimSpace(n.Text)
				if len(t) > 4000 {
					t = t[:4000] + " …"
				}
				return t
			}
		}
	}
	return ""
}
