package web

import (
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/vigil-med/vigil/internal/domain"
	"github.com/vigil-med/vigil/internal/procurement"
	"github.com/vigil-med/vigil/internal/store"
)

// --- Requirement catalogue -----------------------------------------------------------------------------------

type catalogueRow struct {
	procurement.Criterion
	ENISA    []string
	Sources  []string
	RuleText string
}

type procCatalogueView struct {
	Name      string
	Names     []string
	Cat       *procurement.Catalogue
	Version   int
	Rows      []catalogueRow
	Groups    []string
	Versions  []domain.ProcurementCatalogue
	Practices []procurement.Practice
	CanEdit   bool
	Errors    FieldErrors
}

func ruleText(cr procurement.Criterion) string {
	var parts []string
	for _, r := range cr.Rules {
		switch {
		case len(r.MDS2) > 0:
			var ids []string
			for _, q := range r.MDS2 {
				s := q.Q
				if q.Invert {
					s += " (No is good)"
				}
				if q.Required {
					s += " (required)"
				}
				ids = append(ids, s)
			}
			parts = append(parts, "MDS2 "+strings.Join(ids, ", "))
		case r.Fact != "":
			parts = append(parts, "MDS2 fact "+r.Fact)
		case r.Questionnaire != "":
			p := "questionnaire (" + r.Questionnaire + ")"
			if r.Full != r.Zero {
				p += fmt.Sprintf(": full at %g, none at %g", r.Full, r.Zero)
			}
			parts = append(parts, p)
		case r.SBOM != "":
			parts = append(parts, "SBOM check "+r.SBOM)
		case r.Cloud != "":
			parts = append(parts, "cloud assessment "+r.Cloud)
		}
		if r.Cap > 0 {
			parts[len(parts)-1] += fmt.Sprintf(" (at most %.0f %%)", 100*r.Cap)
		}
	}
	if len(parts) == 0 {
		return "evaluator"
	}
	return strings.Join(parts, "; then ")
}

func (s *Server) procCataloguePage(c *Ctx, name string, status int, errs FieldErrors) error {
	if !slices.Contains(procurement.BuiltinNames(), name) {
		return domain.NotFound("catalogue")
	}
	cat, version, err := procurement.OrgCatalogue(c.R.Context(), c.Scope, name)
	if err != nil {
		return err
	}
	v := procCatalogueView{Name: name, Names: procurement.BuiltinNames(), Cat: cat, Version: version, CanEdit: c.P.Can(domain.PermProcurement), Errors: errs}
	if v.Errors == nil {
		v.Errors = FieldErrors{}
	}
	seen := map[string]bool{}
	for _, cr := range cat.Criteria {
		row := catalogueRow{Criterion: cr, ENISA: cr.ENISA(), RuleText: ruleText(cr)}
		for _, r := range cr.Refs {
			if r.Source == "enisa-proc-2020" {
				continue
			}
			if src, ok := cat.Source(r.Source); ok {
				row.Sources = append(row.Sources, src.Short+" "+r.Ref)
			}
		}
		v.Rows = append(v.Rows, row)
		if !seen[cr.Group] {
			seen[cr.Group] = true
			v.Groups = append(v.Groups, cr.Group)
		}
	}
	if v.Versions, err = c.Scope.ProcurementCatalogueVersions(c.R.Context(), name); err != nil {
		return err
	}
	if cat.Kind == procurement.KindDevice {
		v.Practices = cat.Practices
	}
	return c.RenderStatus(status, "procurement/catalogue", "Requirement catalogue", v)
}

func (s *Server) procCatalogue(c *Ctx) error {
	name := c.R.URL.Query().Get("name")
	if name == "" {
		name = procurement.CatalogueDevice
	}
	return s.procCataloguePage(c, name, http.StatusOK, nil)
}

func (s *Server) procCatalogueSave(c *Ctx) error {
	name := c.Form("name")
	if !slices.Contains(procurement.BuiltinNames(), name) {
		return domain.NotFound("catalogue")
	}
	if c.Form("reset") != "" {
		if _, err := procurement.ResetCatalogue(c.R.Context(), c.Scope, name); err != nil {
			return err
		}
		return c.Redirect("/procurement/catalogue?name="+name, "ok", "The built-in catalogue was stored as a new version.")
	}
	cat, _, err := procurement.OrgCatalogue(c.R.Context(), c.Scope, name)
	if err != nil {
		return err
	}
	edit := procurement.CatalogueEdit{Note: c.Form("note")}
	if m, err := strconv.Atoi(c.Form("scale_max")); err == nil {
		edit.ScaleMax = m
	}
	fe := FieldErrors{}
	for _, cr := range cat.Criteria {
		e := procurement.CriterionEdit{ID: cr.ID}
		w, err := strconv.ParseFloat(strings.ReplaceAll(c.Form("weight."+cr.ID), ",", "."), 64)
		if err != nil {
			fe["weight."+cr.ID] = "a number, e.g. 2"
			continue
		}
		must, def, evidence := c.FormBool("must."+cr.ID), c.FormBool("default."+cr.ID), c.Form("evidence."+cr.ID)
		e.Weight, e.Must, e.Default, e.Evidence = &w, &must, &def, &evidence
		edit.Criteria = append(edit.Criteria, e)
	}
	if len(fe) == 0 {
		if _, _, err = procurement.EditCatalogue(c.R.Context(), c.Scope, name, edit); err != nil && !fe.FromError(err) {
			return err
		}
	}
	if len(fe) > 0 {
		return s.procCataloguePage(c, name, http.StatusUnprocessableEntity, fe)
	}
	return c.Redirect("/procurement/catalogue?name="+name, "ok", "Saved as a new version. Tenders keep the requirements they were created with until you choose them again.")
}

// --- Cloud assessment form ------------------------------------------------------------------------------------

type certRow struct {
	Scheme, Label, ValidUntil, Reference string
}

type cloudFormView struct {
	Action                                                              string
	Certs                                                               []certRow
	Location, Regions, Transfers, KeyControl, ExportFormats, Notes      string
	AtRest, InTransit, SubDisclosed, Exit, NIS2, MFA, Logs, Backup, DPA string
	IncidentHours, SLA, SubProcessors                                   string
}

func triState(b *bool) string {
	switch {
	case b == nil:
		return ""
	case *b:
		return "yes"
	}
	return "no"
}

func cloudForm(p *procurement.CloudProfile, action string) cloudFormView {
	f := cloudFormView{Action: action}
	if p == nil {
		p = &procurement.CloudProfile{}
	}
	for _, s := range domain.CertSchemes {
		row := certRow{Scheme: s.ID, Label: s.Label}
		for _, c := range p.Certifications {
			if c.Scheme == s.ID {
				row.ValidUntil, row.Reference = c.ValidUntil, c.Reference
				if row.ValidUntil == "" {
					row.ValidUntil = "valid"
				}
			}
		}
		f.Certs = append(f.Certs, row)
	}
	f.Location, f.Regions, f.Transfers, f.KeyControl, f.ExportFormats, f.Notes = p.DataLocation, p.Regions, p.Transfers, p.KeyControl, p.ExportFormats, p.Notes
	f.AtRest, f.InTransit, f.SubDisclosed, f.Exit = triState(p.EncryptionAtRest), triState(p.EncryptionInTransit), triState(p.SubProcessorsDisclosed), triState(p.ExitPlan)
	f.NIS2, f.MFA, f.Logs, f.Backup, f.DPA = triState(p.NIS2Clauses), triState(p.MFA), triState(p.AuditLogs), triState(p.Backup), triState(p.DPA)
	if p.IncidentHours > 0 {
		f.IncidentHours = strconv.Itoa(p.IncidentHours)
	}
	if p.AvailabilitySLA > 0 {
		f.SLA = strconv.FormatFloat(p.AvailabilitySLA, 'f', -1, 64)
	}
	f.SubProcessors = strings.Join(p.SubProcessors, "\n")
	return f
}

func formTri(c *Ctx, name string) *bool {
	switch c.Form(name) {
	case "yes":
		b := true
		return &b
	case "no":
		b := false
		return &b
	}
	return nil
}

// parseCloudForm reads the cloud assessment form. A certificate row counts when its "valid until" field
// holds a date or the word "valid" (no date stated).
func parseCloudForm(c *Ctx) (*procurement.CloudProfile, error) {
	p := &procurement.CloudProfile{Certifications: []procurement.Certification{}, SubProcessors: []string{}}
	for _, s := range domain.CertSchemes {
		until := c.Form("cert." + s.ID)
		if until == "" {
			continue
		}
		cert := procurement.Certification{Scheme: s.ID, Reference: c.Form("certref." + s.ID)}
		if !strings.EqualFold(until, "valid") {
			cert.ValidUntil = until
		}
		p.Certifications = append(p.Certifications, cert)
	}
	p.DataLocation, p.Regions, p.Transfers, p.KeyControl = c.Form("data_location"), c.Form("regions"), c.Form("transfers"), c.Form("key_control")
	p.ExportFormats, p.Notes = c.Form("export_formats"), c.Form("notes")
	p.EncryptionAtRest, p.EncryptionInTransit, p.SubProcessorsDisclosed, p.ExitPlan = formTri(c, "encryption_at_rest"), formTri(c, "encryption_in_transit"), formTri(c, "sub_processors_disclosed"), formTri(c, "exit_plan")
	p.NIS2Clauses, p.MFA, p.AuditLogs, p.Backup, p.DPA = formTri(c, "nis2_clauses"), formTri(c, "mfa"), formTri(c, "audit_logs"), formTri(c, "backup"), formTri(c, "dpa")
	if v := c.Form("incident_hours"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil {
			return nil, domain.Invalid("incident_hours", "a whole number of hours")
		}
		p.IncidentHours = n
	}
	if v := c.Form("availability_sla"); v != "" {
		f, err := strconv.ParseFloat(strings.ReplaceAll(v, ",", "."), 64)
		if err != nil {
			return nil, domain.Invalid("availability_sla", "a percentage such as 99.9")
		}
		p.AvailabilitySLA = f
	}
	for _, l := range strings.Split(c.Form("sub_processors"), "\n") {
		if l = strings.TrimSpace(l); l != "" {
			p.SubProcessors = append(p.SubProcessors, l)
		}
	}
	if err := p.Validate(); err != nil {
		return nil, domain.Invalid("cloud", "%v", err)
	}
	return p, nil
}

// --- Cloud services register --------------------------------------------------------------------------------

type cloudRow struct {
	domain.CloudService
	Overdue bool
	Total   string
}

type procCloudListView struct {
	Page    domain.Page[domain.CloudService]
	Rows    []cloudRow
	Q       string
	Overdue bool
	CanEdit bool
	New     domain.CloudService
	Errors  FieldErrors
}

func (s *Server) procCloudListPage(c *Ctx, status int, newSvc domain.CloudService, errs FieldErrors) error {
	p := c.List()
	overdue := c.R.URL.Query().Get("overdue") == "1"
	page, err := c.Scope.CloudServices(c.R.Context(), domain.CloudServiceFilter{ListParams: p, Overdue: overdue, Now: c.Now()})
	if err != nil {
		return err
	}
	v := procCloudListView{Page: page, Q: p.Q, Overdue: overdue, CanEdit: c.P.Can(domain.PermProcurement), New: newSvc, Errors: errs}
	if v.Errors == nil {
		v.Errors = FieldErrors{}
	}
	for _, sv := range page.Items {
		r := cloudRow{CloudService: sv, Overdue: sv.Overdue(c.Now()), Total: "not reviewed"}
		if sv.LastTotal != nil {
			r.Total = strconv.FormatFloat(*sv.LastTotal, 'f', 1, 64) + " %"
		}
		v.Rows = append(v.Rows, r)
	}
	return c.RenderStatus(status, "procurement/cloud", "Cloud services", v)
}

func (s *Server) procCloudList(c *Ctx) error {
	return s.procCloudListPage(c, http.StatusOK, domain.CloudService{Criticality: "medium", ServiceModel: "saas", ReviewIntervalMonths: 12}, nil)
}

func cloudFromForm(c *Ctx, sv domain.CloudService) domain.CloudService {
	sv.Name, sv.Provider, sv.ServiceModel, sv.Category = c.Form("name"), c.Form("provider"), c.Form("service_model"), c.Form("category")
	sv.MedicalVendor, sv.Description, sv.DataCategories = c.FormBool("medical_vendor"), c.Form("description"), c.Form("data_categories")
	sv.Criticality, sv.Owner = c.Form("criticality"), c.Form("owner")
	sv.ReviewIntervalMonths, _ = strconv.Atoi(c.Form("review_interval_months"))
	return sv
}

func (s *Server) procCloudCreate(c *Ctx) error {
	sv := cloudFromForm(c, domain.CloudService{})
	if err := c.Scope.Write(c.R.Context(), func(tx *store.Tx) error { return tx.CreateCloudService(c.R.Context(), &sv) }); err != nil {
		fe := FieldErrors{}
		if !fe.FromError(err) {
			return err
		}
		return s.procCloudListPage(c, http.StatusUnprocessableEntity, sv, fe)
	}
	return c.Redirect(fmt.Sprintf("/procurement/cloud/%d", sv.ID), "ok", "Service added. Record its assessment on evidence below.")
}

type procCloudView struct {
	S          domain.CloudService
	Overdue    bool
	Assessment *procurement.VendorResult
	Rows       []critRow
	Reviews    []domain.CloudReview
	Form       cloudFormView
	CanEdit    bool
	Errors     FieldErrors
	Expiring   []string
	NextReview string
}

func (s *Server) procCloudPage(c *Ctx, id int64, status int, errs FieldErrors) error {
	ctx := c.R.Context()
	sv, err := c.Scope.CloudService(ctx, id)
	if err != nil {
		return err
	}
	v := procCloudView{S: sv, Overdue: sv.Overdue(c.Now()), Form: cloudForm(sv.Profile, fmt.Sprintf("/procurement/cloud/%d/profile", id)),
		CanEdit: c.P.Can(domain.PermProcurement), Errors: errs}
	for _, cert := range sv.Profile.ExpiringCerts(c.Now(), 90) {
		state := "expires within 90 days"
		if cert.ValidUntil < c.Now().Format("2006-01-02") {
			state = "has expired"
		}
		v.Expiring = append(v.Expiring, fmt.Sprintf("%s certificate (valid until %s) %s.", procurement.CertLabel(cert.Scheme), cert.ValidUntil, state))
	}
	if v.Errors == nil {
		v.Errors = FieldErrors{}
	}
	if sv.NextReview != nil {
		v.NextReview = sv.NextReview.In(c.Loc()).Format("2006-01-02")
	}
	if sv.Profile != nil {
		res, cat, err := procurement.AssessCloudService(ctx, c.Scope, sv, s.procOptions(c))
		if err != nil {
			return err
		}
		v.Assessment = &res
		v.Rows = critRows(cat, res, nil)
	}
	if v.Reviews, err = c.Scope.CloudReviews(ctx, id); err != nil {
		return err
	}
	return c.RenderStatus(status, "procurement/cloud_service", sv.Name, v)
}

func (s *Server) procCloudService(c *Ctx) error {
	id, err := c.PathInt("id")
	if err != nil {
		return err
	}
	return s.procCloudPage(c, id, http.StatusOK, nil)
}

func (s *Server) procCloudUpdate(c *Ctx) error {
	id, err := c.PathInt("id")
	if err != nil {
		return err
	}
	sv, err := c.Scope.CloudService(c.R.Context(), id)
	if err != nil {
		return err
	}
	if c.Form("delete") != "" {
		if err := c.Scope.Write(c.R.Context(), func(tx *store.Tx) error { return tx.DeleteCloudService(c.R.Context(), id) }); err != nil {
			return err
		}
		return c.Redirect("/procurement/cloud", "ok", sv.Name+" was removed from the register.")
	}
	sv = cloudFromForm(c, sv)
	d, err := procDate(c, "next_review")
	if err == nil {
		if d != nil {
			sv.NextReview = d
		}
		err = c.Scope.Write(c.R.Context(), func(tx *store.Tx) error { return tx.UpdateCloudService(c.R.Context(), sv) })
	}
	if err != nil {
		fe := FieldErrors{}
		if !fe.FromError(err) {
			return err
		}
		return s.procCloudPage(c, id, http.StatusUnprocessableEntity, fe)
	}
	return c.Redirect(fmt.Sprintf("/procurement/cloud/%d", id), "ok", "Saved.")
}

func (s *Server) procCloudProfile(c *Ctx) error {
	id, err := c.PathInt("id")
	if err != nil {
		return err
	}
	sv, err := c.Scope.CloudService(c.R.Context(), id)
	if err != nil {
		return err
	}
	p, err := parseCloudForm(c)
	if err == nil {
		sv.Profile = p
		err = c.Scope.Write(c.R.Context(), func(tx *store.Tx) error { return tx.UpdateCloudService(c.R.Context(), sv) })
	}
	if err != nil {
		fe := FieldErrors{}
		if !fe.FromError(err) {
			return err
		}
		fe["cloud"] = domain.ErrorMessage(err)
		return s.procCloudPage(c, id, http.StatusUnprocessableEntity, fe)
	}
	return c.Redirect(fmt.Sprintf("/procurement/cloud/%d", id), "ok", "Assessment saved. Record a review to keep its score and set the next due date.")
}

func (s *Server) procCloudReview(c *Ctx) error {
	id, err := c.PathInt("id")
	if err != nil {
		return err
	}
	r, err := procurement.ReviewCloudService(c.R.Context(), c.Scope, id, c.Form("note"), s.procOptions(c))
	if err != nil {
		fe := FieldErrors{}
		if !fe.FromError(err) {
			return err
		}
		fe["review"] = domain.ErrorMessage(err)
		return s.procCloudPage(c, id, http.StatusUnprocessableEntity, fe)
	}
	return c.Redirect(fmt.Sprintf("/procurement/cloud/%d", id), "ok",
		fmt.Sprintf("Review recorded: %.1f %%. Next review due %s.", r.Total, r.NextReview.In(c.Loc()).Format("2006-01-02")))
}
