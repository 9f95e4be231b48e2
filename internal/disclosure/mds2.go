package disclosure

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"sort"
	"strings"

	"github.com/vigil-med/vigil/internal/domain"
	"github.com/vigil-med/vigil/internal/mds2"
	"github.com/vigil-med/vigil/internal/store"
)

// MDS2 forms: import (attached to the product version the form is about), manufacturers' drafts
// (filled and edited in Vigil, exported as the 2019 workbook or JSON), comparison and facts.

// MDS2Options say which product version a form is about. Without ProductVersionID or Product, the
// form's DOC-1 (manufacturer, with aliases) and DOC-3 (models) / DOC-2 (device) find the product; when
// none matches, the product is created under the DOC-1 manufacturer.
type MDS2Options struct {
	Source           Source
	Manufacturer     string
	Product          string
	Version          string
	ProductVersionID int64
}

// ImportMDS2 imports an MDS2 form (the 2019 xlsx as vendors fill it, Vigil's JSON export, or a Markdown
// transcription) in one transaction: it keeps the document, finds or creates the product version and
// replaces that version's imported form. The same document for the same version again is skipped.
func ImportMDS2(ctx context.Context, sc *store.Scope, data []byte, opts MDS2Options) (*Report, error) {
	name := opts.Source.name()
	rep := newReport(domain.DisclosureMDS2, name)
	rep.SHA256 = sha256Hex(data)
	form, err := mds2.Read(bytes.NewReader(data), name, mds2.DefaultLimit)
	if err != nil {
		return rep, userError(err, mds2.ErrTooLarge)
	}
	rep.Format = mds2Format(data)
	for _, w := range form.Warnings {
		rep.warn("%s", w)
	}
	err = sc.Write(ctx, func(tx *store.Tx) error {
		pv, how, err := mds2Version(ctx, tx, form, opts, rep)
		if err != nil {
			return err
		}
		label := pv.Manufacturer + " " + pv.Product + " " + pv.Label()
		tsc := tx.Scope()
		old, err := tsc.MDS2FormsOfVersion(ctx, pv.ID)
		if err != nil {
			return err
		}
		for _, id := range old {
			f, err := tsc.MDS2Form(ctx, id)
			if err != nil {
				return err
			}
			if f.DocumentID != 0 {
				if d, err := tsc.Document(ctx, f.DocumentID); err == nil && d.SHA256 == rep.SHA256 {
					rep.DocumentID = d.ID
					rep.add(Change{Action: Skipped, What: "MDS2 form", Name: label, ID: f.ID, Detail: "the same document is this version's form already"})
					return nil
				}
			}
		}
		doc, err := keep(ctx, tx, domain.DisclosureMDS2, opts.Source, data, domain.DisclosureDocument{Format: rep.Format,
			Title: "MDS2 " + strings.TrimSpace(form.Manufacturer+" "+form.Device), Ref: form.DocumentID, ProductVersionID: pv.ID})
		if err != nil {
			return err
		}
		rep.DocumentID = doc.ID
		for _, id := range old {
			if _, err := tx.Exec(ctx, "DELETE FROM mds2_forms WHERE org_id = ? AND id = ?", tx.Org(), id); err != nil {
				return err
			}
		}
		f := formOf(form)
		f.ProductVersionID, f.DocumentID, f.Status = pv.ID, doc.ID, domain.MDS2Imported
		if err := tx.SaveMDS2Form(ctx, &f); err != nil {
			return err
		}
		counts := form.Counts()
		detail := fmt.Sprintf("%s; answers: %d yes, %d no, %d N/A, %d see note, %d text, %d blank", how, counts[mds2.ValueYes], counts[mds2.ValueNo],
			counts[mds2.ValueNA], counts[mds2.ValueSeeNote], counts[mds2.ValueText], counts[mds2.ValueBlank])
		action := Created
		if len(old) > 0 {
			action = Updated
		}
		rep.add(Change{Action: action, What: "MDS2 form", Name: label, Detail: detail, ID: f.ID})
		return tx.Audit(ctx, store.AuditEntry{Action: "mds2.import", Entity: "mds2_form", EntityID: f.ID,
			Summary: fmt.Sprintf("imported the MDS2 form %s of %s: %s", name, label, how),
			Data: map[string]any{"file": name, "sha256": rep.SHA256, "document_id": doc.ID, "product_version_id": pv.ID, "doc_1": form.Manufacturer,
				"doc_2": form.Device, "doc_3": form.Models, "doc_4": form.DocumentID}})
	})
	return rep, err
}

// mds2Format names the format of an MDS2 document from its first bytes.
func mds2Format(data []byte) string {
	switch {
	case bytes.HasPrefix(data, []byte("PK")):
		return "mds2-xlsx"
	case bytes.HasPrefix(bytes.TrimLeft(data, " \t\r\n\xef\xbb\xbf"), []byte("{")):
		return "mds2-json"
	}
	return "mds2-markdown"
}

// mds2Version finds (or creates) the product version a form is about and says how.
func mds2Version(ctx context.Context, tx *store.Tx, form *mds2.Form, opts MDS2Options, rep *Report) (domain.ProductVersion, string, error) {
	tsc := tx.Scope()
	if opts.ProductVersionID != 0 {
		pv, err := tsc.ProductVersion(ctx, opts.ProductVersionID)
		return pv, "attached to the chosen version", err
	}
	maker := strings.TrimSpace(opts.Manufacturer)
	if maker == "" {
		maker = strings.TrimSpace(form.Manufacturer)
	}
	if product := strings.TrimSpace(opts.Product); product != "" {
		if opts.Manufacturer == "" {
			if m, ok, err := uniqueProductMaker(ctx, tsc, product); err != nil {
				return domain.ProductVersion{}, "", err
			} else if ok {
				maker = m
			}
		}
		if maker == "" {
			maker = UnknownManufacturer
		}
		pv, created, err := tx.EnsureProductVersion(ctx, maker, product, opts.Version)
		if err == nil && created {
			rep.add(Change{Action: Created, What: "product version", Name: pv.Manufacturer + " " + pv.Product + " " + pv.Label(), ID: pv.ID})
		}
		return pv, "attached to the named product", err
	}
	cat, err := loadCatalogue(ctx, tsc)
	if err != nil {
		return domain.ProductVersion{}, "", err
	}
	if q, why := cat.formProduct(form); q != nil {
		v, vwhy := formVersion(form, q)
		if v != nil {
			pv, err := tsc.ProductVersion(ctx, v.ID)
			return pv, why + "; " + vwhy, err
		}
		pv, created, err := tx.EnsureProductVersion(ctx, cat.makerByID[q.Maker].Name, q.Name, "")
		if err == nil && created {
			rep.add(Change{Action: Created, What: "product version", Name: pv.Manufacturer + " " + pv.Product + " " + pv.Label(), ID: pv.ID})
		}
		return pv, why + "; the product has no versions yet", err
	}
	if maker == "" {
		maker = UnknownManufacturer
	}
	product := strings.TrimSpace(form.Device)
	if product == "" {
		product = strings.TrimSpace(form.Models)
	}
	if product == "" {
		return domain.ProductVersion{}, "", &domain.Error{Code: domain.EInvalid, Field: "product",
			Message: "the form names neither device (DOC-2) nor models (DOC-3): name the product (--product)"}
	}
	if len(product) > 200 {
		product = product[:200]
	}
	pv, created, err := tx.EnsureProductVersion(ctx, maker, product, "")
	if err != nil {
		return pv, "", err
	}
	how := fmt.Sprintf("no product of the inventory matched DOC-1 %q and DOC-3 %q", form.Manufacturer, form.Models)
	if created {
		rep.add(Change{Action: Created, What: "product version", Name: pv.Manufacturer + " " + pv.Product + " " + pv.Label(), ID: pv.ID,
			Detail: "from the form's DOC-1 and DOC-2 (" + how + ")"})
	}
	return pv, how, nil
}

// formProduct finds the product an MDS2 form describes: among the products of the DOC-1 manufacturer
// (name or alias), one whose model number DOC-3 lists, else one whose name words DOC-2 and DOC-3 hold.
func (c *catalogue) formProduct(form *mds2.Form) (*catProduct, string) {
	makers := c.makersFor(form.Manufacturer)
	text := form.Models + " " + form.Device
	compactWordsOf := setOf(compactWords(text))
	words := setOf(nameTokens(text))
	var byModel, byName []*catProduct
	for _, m := range makers {
		for i := range c.products {
			q := &c.products[i]
			if q.Maker != m.ID {
				continue
			}
			if q.model != "" && compactWordsOf[q.model] {
				byModel = append(byModel, q)
			} else if len(q.words) > 0 && q.words.distinctive() && q.words.within(words) {
				byName = append(byName, q)
			}
		}
	}
	switch {
	case len(byModel) == 1:
		return byModel[0], fmt.Sprintf("matched %s by its model number %s in DOC-3", byModel[0].Name, byModel[0].Model)
	case len(byModel) == 0 && len(byName) == 1:
		return byName[0], fmt.Sprintf("matched %s by name in DOC-2/DOC-3", byName[0].Name)
	}
	return nil, ""
}

// formVersion picks the version of q a form is about: one its DOC-2/DOC-3 name, else the newest.
func formVersion(form *mds2.Form, q *catProduct) (*domain.ProductVersion, string) {
	if len(q.versions) == 0 {
		return nil, ""
	}
	words := strings.Fields(strings.NewReplacer(",", " ", ";", " ", "(", " ", ")", " ").Replace(form.Models + " " + form.Device))
	var named []*domain.ProductVersion
	for i := range q.versions {
		v := &q.versions[i]
		for _, w := range words {
			if v.Version != "" && versionLike(w) && strings.EqualFold(strings.TrimPrefix(strings.ToLower(w), "v"), strings.ToLower(v.Version)) {
				named = append(named, v)
				break
			}
		}
	}
	if len(named) == 1 {
		return named[0], "version " + named[0].Version + " named in the form"
	}
	vs := append([]domain.ProductVersion(nil), q.versions...)
	sort.SliceStable(vs, func(i, j int) bool { return store.NaturalLess(vs[i].Version, vs[j].Version) })
	newest := vs[len(vs)-1]
	for i := range q.versions {
		if q.versions[i].ID == newest.ID {
			return &q.versions[i], "attached to the newest version " + newest.Label() + " (the form names no version)"
		}
	}
	return nil, ""
}

// formOf turns a parsed form into the stored model (answers in form order).
func formOf(f *mds2.Form) domain.MDS2Form {
	out := domain.MDS2Form{Manufacturer: f.Manufacturer, Device: f.Device, Models: f.Models, DocRef: f.DocumentID, Released: f.Released,
		Other: f.Other, Warnings: capStrings(f.Warnings, 100), Notes: map[string]string{}}
	for _, q := range mds2.Catalogue() {
		a := f.Answer(q.ID)
		out.Answers = append(out.Answers, domain.MDS2Answer{QuestionID: q.ID, Section: q.Section, Raw: a.Raw, Value: string(a.Value),
			Detail: a.Detail, Date: a.Date, Note: a.Note, NoteRefs: a.NoteRefs, IEC: a.Mapping.IEC, NIST: a.Mapping.NIST, ISO: a.Mapping.ISO})
	}
	for n, t := range f.Notes {
		out.Notes[n] = t
	}
	return out
}

// FormOf turns a stored form into the mds2 model (for export, comparison and facts).
func FormOf(f domain.MDS2Form) *mds2.Form {
	out := mds2.NewForm()
	out.Manufacturer, out.Device, out.Models, out.DocumentID, out.Released = f.Manufacturer, f.Device, f.Models, f.DocRef, f.Released
	out.Other, out.Warnings = f.Other, f.Warnings
	for _, a := range f.Answers {
		if _, ok := out.Answers[a.QuestionID]; !ok {
			continue
		}
		out.Answers[a.QuestionID] = mds2.Answer{ID: a.QuestionID, Raw: a.Raw, Value: mds2.Value(a.Value), Detail: a.Detail, Date: a.Date,
			Note: a.Note, NoteRefs: a.NoteRefs, Mapping: mds2.Mapping{IEC: a.IEC, NIST: a.NIST, ISO: a.ISO}}
	}
	for n, t := range f.Notes {
		out.Notes[n] = t
	}
	return out
}

// ExportMDS2 writes a stored form as the 2019 workbook ("xlsx") or as Vigil's JSON ("json").
func ExportMDS2(ctx context.Context, sc *store.Scope, w io.Writer, id int64, format string) error {
	f, err := sc.MDS2Form(ctx, id)
	if err != nil {
		return err
	}
	switch format {
	case "xlsx", "":
		return mds2.WriteXLSX(w, FormOf(f))
	case "json":
		return mds2.WriteJSON(w, FormOf(f))
	}
	return domain.Invalid("format", "xlsx or json, not %q", format)
}

// CompareMDS2 lines up stored forms (at least two) question by question (mds2.Compare).
func CompareMDS2(ctx context.Context, sc *store.Scope, ids []int64) (mds2.Comparison, []domain.MDS2Form, error) {
	if len(ids) < 2 {
		return mds2.Comparison{}, nil, domain.Invalid("ids", "choose at least two forms to compare")
	}
	if len(ids) > 6 {
		return mds2.Comparison{}, nil, domain.Invalid("ids", "compare at most six forms at once")
	}
	var forms []*mds2.Form
	var stored []domain.MDS2Form
	for _, id := range ids {
		f, err := sc.MDS2Form(ctx, id)
		if err != nil {
			return mds2.Comparison{}, nil, err
		}
		stored = append(stored, f)
		forms = append(forms, FormOf(f))
	}
	return mds2.Compare(forms...), stored, nil
}

// DraftInput starts a manufacturer's draft form.
type DraftInput struct {
	ProductVersionID int64  `json:"product_version_id,omitempty" doc:"the version the form is about (optional)"`
	Manufacturer     string `json:"manufacturer" doc:"DOC-1"`
	Device           string `json:"device" doc:"DOC-2"`
	Models           string `json:"models" doc:"DOC-3"`
	FromFormID       int64  `json:"from_form_id,omitempty" doc:"start from a copy of this form's answers"`
}

// NewDraft creates a draft form: blank, or a copy of another form; DOC-1 to DOC-3 default to the
// product version's manufacturer, product and model number.
func NewDraft(ctx context.Context, sc *store.Scope, in DraftInput) (domain.MDS2Form, error) {
	var f domain.MDS2Form
	err := sc.Write(ctx, func(tx *store.Tx) error {
		tsc := tx.Scope()
		form := mds2.NewForm()
		if in.FromFormID != 0 {
			src, err := tsc.MDS2Form(ctx, in.FromFormID)
			if err != nil {
				return err
			}
			form = FormOf(src)
			if in.ProductVersionID == 0 {
				in.ProductVersionID = src.ProductVersionID
			}
		}
		if in.ProductVersionID != 0 {
			pv, err := tsc.ProductVersion(ctx, in.ProductVersionID)
			if err != nil {
				return domain.Invalid("product_version_id", "there is no product version with id %d", in.ProductVersionID)
			}
			p, err := tsc.Product(ctx, pv.ProductID)
			if err != nil {
				return err
			}
			if in.Manufacturer == "" && form.Manufacturer == "" {
				in.Manufacturer = pv.Manufacturer
			}
			if in.Device == "" && form.Device == "" {
				in.Device = pv.Product
			}
			if in.Models == "" && form.Models == "" {
				in.Models = strings.TrimSpace(p.ModelNumber + " " + pv.Version)
			}
		}
		for id, v := range map[string]string{"DOC-1": in.Manufacturer, "DOC-2": in.Device, "DOC-3": in.Models} {
			if strings.TrimSpace(v) == "" {
				continue
			}
			if err := form.Set(id, v); err != nil {
				return domain.Invalid(id, "%v", err)
			}
		}
		form.Warnings = nil
		f = formOf(form)
		f.ProductVersionID, f.Status = in.ProductVersionID, domain.MDS2Draft
		if err := tx.SaveMDS2Form(ctx, &f); err != nil {
			return err
		}
		return tx.Audit(ctx, store.AuditEntry{Action: "mds2.draft_create", Entity: "mds2_form", EntityID: f.ID,
			Summary: "started an MDS2 draft for " + f.Title(), Data: map[string]any{"product_version_id": f.ProductVersionID, "from_form_id": in.FromFormID}})
	})
	return f, err
}

// DraftEdit changes answers, notes and the OTHR text of a draft. Absent entries stay as they are; an
// empty text clears.
type DraftEdit struct {
	Answers          map[string]string `json:"answers,omitempty" doc:"question id → answer text (Yes, No, N/A, See Note 3, free text)"`
	NoteColumns      map[string]string `json:"note_columns,omitempty" doc:"question id → note column text (See Note 3)"`
	Notes            map[string]string `json:"notes,omitempty" doc:"note number → note text"`
	Other            *string           `json:"other,omitempty" doc:"free text of section OTHR"`
	ProductVersionID *int64            `json:"product_version_id,omitempty" doc:"attach the draft to this version (0 detaches it)"`
}

// SaveDraft applies an edit to a draft form and audits it with the questions it changed. Imported
// forms are not edited: start a draft from them (NewDraft with FromFormID).
func SaveDraft(ctx context.Context, sc *store.Scope, id int64, e DraftEdit) (domain.MDS2Form, error) {
	var out domain.MDS2Form
	err := sc.Write(ctx, func(tx *store.Tx) error {
		stored, err := tx.Scope().MDS2Form(ctx, id)
		if err != nil {
			return err
		}
		if stored.Status != domain.MDS2Draft {
			return domain.Errorf(domain.EConflict, "this form was imported from a manufacturer's document and is kept as received; start a draft from it to edit")
		}
		form := FormOf(stored)
		before := formOf(form)
		var problems []string
		ids := make([]string, 0, len(e.Answers))
		for q := range e.Answers {
			ids = append(ids, q)
		}
		sort.Strings(ids)
		for _, q := range ids {
			if err := form.Set(q, e.Answers[q]); err != nil {
				problems = append(problems, fmt.Sprintf("%s: %v", q, err))
			}
		}
		for q, n := range e.NoteColumns {
			if err := form.SetNoteColumn(q, n); err != nil {
				problems = append(problems, fmt.Sprintf("%s (note): %v", q, err))
			}
		}
		for n, t := range e.Notes {
			if err := form.SetNote(n, t); err != nil {
				problems = append(problems, fmt.Sprintf("note %s: %v", n, err))
			}
		}
		if e.Other != nil {
			if err := form.SetOther(*e.Other); err != nil {
				problems = append(problems, fmt.Sprintf("OTHR: %v", err))
			}
		}
		if len(problems) > 0 {
			sort.Strings(problems)
			return &domain.Error{Code: domain.EInvalid, Field: "answers", Message: strings.Join(problems, "; ")}
		}
		f := formOf(form)
		f.ID, f.Status, f.ProductVersionID, f.CreatedBy, f.Created = stored.ID, domain.MDS2Draft, stored.ProductVersionID, stored.CreatedBy, stored.Created
		if e.ProductVersionID != nil {
			f.ProductVersionID = *e.ProductVersionID
		}
		f.Warnings = nil
		if err := tx.SaveMDS2Form(ctx, &f); err != nil {
			return err
		}
		var changed []string
		for i, a := range f.Answers {
			if b := before.Answers[i]; a.Raw != b.Raw || a.Note != b.Note {
				changed = append(changed, a.QuestionID)
			}
		}
		summary := fmt.Sprintf("edited the MDS2 draft %s: %d answers changed", f.Title(), len(changed))
		if len(changed) > 0 && len(changed) <= 8 {
			summary += " (" + strings.Join(changed, ", ") + ")"
		}
		if err := tx.Audit(ctx, store.AuditEntry{Action: "mds2.draft_edit", Entity: "mds2_form", EntityID: f.ID, Summary: summary,
			Data: map[string]any{"changed": changed, "notes": len(e.Notes), "other": e.Other != nil}}); err != nil {
			return err
		}
		out, err = tx.Scope().MDS2Form(ctx, f.ID)
		return err
	})
	return out, err
}

// Facts derives the facts of a stored form (mds2.Form.Facts).
func Facts(f domain.MDS2Form) mds2.Facts { return FormOf(f).Facts() }
