package web

import (
	"encoding/json"
	"fmt"
	"html/template"
	"net/http"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/vigil-med/vigil/internal/domain"
	"github.com/vigil-med/vigil/internal/lifecycle"
	"github.com/vigil-med/vigil/internal/risk"
	"github.com/vigil-med/vigil/internal/riskmgr"
	"github.com/vigil-med/vigil/internal/store"
	"github.com/vigil-med/vigil/internal/web/chart"
)

func (s *Server) riskRoutes(mux *http.ServeMux) {
	if s.Risk == nil {
		// Without a configured service (tests of other pages) the pages still work, on recorded data only.
		s.Risk = &riskmgr.Service{Store: s.Store, Now: s.Now}
	}
	read, write := domain.PermRead, domain.PermRisk
	mux.HandleFunc("GET /risk", s.page(read, s.riskOverview))
	mux.HandleFunc("GET /risk/assets/{id}", s.page(read, s.riskAsset))
	mux.HandleFunc("GET /risk/legacy", s.page(read, s.riskLegacy))
	mux.HandleFunc("GET /risk/controls", s.page(read, s.riskControls))
	mux.HandleFunc("POST /risk/controls", s.page(write, s.riskControlCreate))
	mux.HandleFunc("POST /risk/controls/{id}/review", s.page(write, s.riskControlReview))
	mux.HandleFunc("POST /risk/controls/{id}/delete", s.page(write, s.riskControlDelete))
	mux.HandleFunc("GET /risk/weights", s.page(read, s.riskWeights))
	mux.HandleFunc("POST /risk/weights", s.page(write, s.riskWeightsPublish))
	mux.HandleFunc("GET /risk/plan", s.page(read, s.riskPlan))
	mux.HandleFunc("GET /risk/plan/funding-case.pdf", s.page(read, s.riskFundingCase))
	mux.HandleFunc("POST /risk/keeps", s.page(write, s.riskKeepCreate))
	mux.HandleFunc("POST /risk/keeps/{id}/delete", s.page(write, s.riskKeepDelete))
	mux.HandleFunc("POST /risk/groups", s.page(write, s.riskGroupCreate))
	mux.HandleFunc("POST /risk/groups/{id}/delete", s.page(write, s.riskGroupDelete))
	mux.HandleFunc("POST /risk/support", s.page(write, s.riskSupportCreate))
	mux.HandleFunc("POST /risk/support/{id}/delete", s.page(write, s.riskSupportDelete))
}

// --- Overview -------------------------------------------------------------------------------------------

type riskRow struct {
	riskmgr.AssetRisk
	Why string
}

type riskOverviewView struct {
	AsOf           time.Time
	Total          float64
	Formula        string
	Weights        string
	Devices        int
	Critical, High int
	KEVDevices     int
	Legacy         int
	Overdue        int
	Top            []riskRow
	TrendTotal     template.HTML
	TrendDept      template.HTML
	TrendMaker     template.HTML
	LegacyByDept   template.HTML
}

func (s *Server) riskOverview(c *Ctx) error {
	ctx := c.R.Context()
	as, err := s.Risk.Assess(ctx, c.P.Org.ID)
	if err != nil {
		return err
	}
	v := riskOverviewView{AsOf: as.AsOf, Total: as.Total, Formula: risk.FormulaVersion, Weights: as.Weights.Version, Devices: len(as.Assets)}
	perModel := map[int64]int{}
	for _, ar := range as.Assets {
		switch ar.Score.Band {
		case risk.BandCritical:
			v.Critical++
		case risk.BandHigh:
			v.High++
		}
		if ar.KEV > 0 {
			v.KEVDevices++
		}
		if ar.Legacy.Status == lifecycle.StatusEnded {
			v.Legacy++
		}
		// The 20 highest, at most three of one model, so one large fleet does not hide the others.
		if len(v.Top) < 20 && ar.Score.Score > 0 && perModel[ar.Asset.ProductID] < 3 {
			perModel[ar.Asset.ProductID]++
			v.Top = append(v.Top, riskRow{AssetRisk: ar, Why: ar.Why(as.AsOf)})
		}
	}
	overdue, err := s.Risk.OverdueControls(ctx, c.P.Org.ID)
	if err != nil {
		return err
	}
	v.Overdue = len(overdue)
	from := c.Now().AddDate(0, 0, -90).Format(time.DateOnly)
	if v.TrendTotal, err = riskTrend(c, "total", from, 1, "Total risk over the last 90 days"); err != nil {
		return err
	}
	if v.TrendDept, err = riskTrend(c, "department", from, 5, "Risk per department (the five highest)"); err != nil {
		return err
	}
	if v.TrendMaker, err = riskTrend(c, "manufacturer", from, 5, "Risk per manufacturer (the five highest)"); err != nil {
		return err
	}
	var labels []string
	var vals []float64
	for _, sh := range as.By("department") {
		if sh.Legacy == 0 {
			continue
		}
		labels, vals = append(labels, sh.Name), append(vals, sh.Percent())
		if len(labels) == 8 {
			break
		}
	}
	if len(labels) > 0 {
		v.LegacyByDept = chart.HBars("Share of devices past end of support, by department", labels, vals, func(x float64) string { return fmt.Sprintf("%.0f %%", x) })
	}
	return c.Render("risk/overview", "Risk", v)
}

// riskTrend draws the snapshots of a dimension as lines: the n names with the highest latest value.
func riskTrend(c *Ctx, dim, from string, n int, title string) (template.HTML, error) {
	snaps, err := c.Scope.RiskSnapshots(c.R.Context(), dim, from)
	if err != nil || len(snaps) == 0 {
		return "", err
	}
	var days []string
	dayIdx := map[string]int{}
	byName := map[string]map[string]float64{}
	latest := map[string]float64{}
	for _, sn := range snaps {
		if _, ok := dayIdx[sn.Day]; !ok {
			dayIdx[sn.Day] = len(days)
			days = append(days, sn.Day)
		}
		name := sn.Name
		if dim == "total" {
			name = "Total"
		}
		if byName[name] == nil {
			byName[name] = map[string]float64{}
		}
		byName[name][sn.Day] = sn.Risk
		latest[name] = sn.Risk
	}
	names := make([]string, 0, len(latest))
	for k := range latest {
		names = append(names, k)
	}
	sort.Slice(names, func(i, j int) bool {
		if latest[names[i]] != latest[names[j]] {
			return latest[names[i]] > latest[names[j]]
		}
		return names[i] < names[j]
	})
	if len(names) > n {
		names = names[:n]
	}
	var series []chart.Series
	for _, name := range names {
		vals := make([]float64, len(days))
		for i, d := range days {
			vals[i] = byName[name][d]
		}
		series = append(series, chart.Series{Name: name, Values: vals})
	}
	labels := make([]string, len(days))
	for i, d := range days {
		labels[i] = d[5:] // MM-DD
	}
	return chart.Lines(title, labels, series, nil), nil
}

// --- One device -----------------------------------------------------------------------------------------

type riskAssetView struct {
	R        riskmgr.AssetRisk
	Why      string
	Explain  string
	Findings []riskFindingView
	Summary  string
	AsOf     time.Time
}

type riskFindingView struct {
	risk.FindingScore
	Legacy bool
	Link   string // the finding's page: what matched and why, its triage ("" for the legacy term)
}

func (s *Server) riskAsset(c *Ctx) error {
	id, err := c.PathInt("id")
	if err != nil {
		return err
	}
	as, err := s.Risk.Assess(c.R.Context(), c.P.Org.ID)
	if err != nil {
		return err
	}
	ar, ok := as.Find(id)
	if !ok {
		return domain.NotFound("device")
	}
	v := riskAssetView{R: ar, Why: ar.Why(as.AsOf), Explain: ar.Score.Explain(), Summary: ar.Legacy.Summary(), AsOf: as.AsOf}
	for _, f := range ar.Findings {
		fv := riskFindingView{FindingScore: f, Legacy: riskmgr.IsLegacyTerm(f)}
		if id, ok := riskmgr.StoredFindingID(f); ok {
			fv.Link = "/vulnerabilities/findings/" + strconv.FormatInt(id, 10)
		}
		v.Findings = append(v.Findings, fv)
	}
	return c.Render("risk/asset", "Risk of "+ar.Asset.Tag, v)
}

// --- Legacy register ------------------------------------------------------------------------------------

type riskLegacyView struct {
	Rows       []riskmgr.LegacyEntry
	Total      int
	Limit      int
	Offset     int
	Ended      int
	Soon       int
	Unprotect  int
	ByDept     []riskmgr.Share
	SoonMonths int
	Supports   []riskSupportRow
	Sources    []string
	CanEdit    bool
	Products   []domain.Product
}

type riskSupportRow struct {
	domain.RiskSupport
	Product string
}

func (s *Server) riskLegacy(c *Ctx) error {
	months, _ := strconv.Atoi(c.R.URL.Query().Get("months"))
	if months < 1 || months > 120 {
		months = 12
	}
	as, err := s.Risk.WithSoonMonths(months).Assess(c.R.Context(), c.P.Org.ID)
	if err != nil {
		return err
	}
	all := as.LegacyRegister()
	p := c.List()
	v := riskLegacyView{SoonMonths: months, Total: len(all), Limit: 50, Offset: min(p.Offset, len(all))}
	v.Rows = all[v.Offset:min(v.Offset+v.Limit, len(all))]
	for _, e := range all {
		if e.Status == lifecycle.StatusEnded {
			v.Ended++
			if len(e.Controls) == 0 {
				v.Unprotect++
			}
		} else {
			v.Soon++
		}
	}
	for _, sh := range as.By("department") {
		if sh.Legacy > 0 {
			v.ByDept = append(v.ByDept, sh)
		}
	}
	slices.SortStableFunc(v.ByDept, func(a, b riskmgr.Share) int {
		switch {
		case a.Percent() > b.Percent():
			return -1
		case a.Percent() < b.Percent():
			return 1
		}
		return 0
	})
	sups, err := c.Scope.RiskSupports(c.R.Context())
	if err != nil {
		return err
	}
	page, err := c.Scope.Products(c.R.Context(), domain.ProductFilter{ListParams: domain.ListParams{Limit: domain.MaxPageSize}})
	if err != nil {
		return err
	}
	names := map[int64]string{}
	for _, p := range page.Items {
		names[p.ID] = p.Name
	}
	for _, sp := range sups {
		v.Supports = append(v.Supports, riskSupportRow{RiskSupport: sp, Product: names[sp.ProductID]})
	}
	v.Sources, v.CanEdit = domain.SupportSources, c.P.Can(domain.PermRisk)
	if v.CanEdit {
		v.Products = page.Items
	}
	return c.Render("risk/legacy", "Legacy register", v)
}

// --- Compensating controls ------------------------------------------------------------------------------

type riskControlRow struct {
	domain.RiskControl
	Overdue bool
	Link    string
}

type riskControlsView struct {
	Rows     []riskControlRow
	Overdue  int
	Kinds    []string
	CanEdit  bool
	Errors   FieldErrors
	New      domain.RiskControl
	NewAsset string
	Products []domain.Product
}

func (s *Server) riskControlsPage(c *Ctx, status int, nc domain.RiskControl, asset string, errs FieldErrors) error {
	ctx := c.R.Context()
	cs, err := c.Scope.RiskControls(ctx)
	if err != nil {
		return err
	}
	v := riskControlsView{Kinds: domain.ControlKinds, CanEdit: c.P.Can(domain.PermRisk), Errors: errs, New: nc, NewAsset: asset}
	if v.Errors == nil {
		v.Errors = FieldErrors{}
	}
	now := c.Now()
	for _, rc := range cs {
		row := riskControlRow{RiskControl: rc, Overdue: rc.Overdue(now)}
		if rc.AssetID != 0 {
			row.Link = fmt.Sprintf("/inventory/assets/%d", rc.AssetID)
		} else {
			row.Link = fmt.Sprintf("/inventory/products/%d", rc.ProductID)
		}
		if row.Overdue {
			v.Overdue++
		}
		v.Rows = append(v.Rows, row)
	}
	if v.CanEdit {
		page, err := c.Scope.Products(ctx, domain.ProductFilter{ListParams: domain.ListParams{Limit: domain.MaxPageSize}})
		if err != nil {
			return err
		}
		v.Products = page.Items
	}
	return c.RenderStatus(status, "risk/controls", "Compensating controls", v)
}

func (s *Server) riskControls(c *Ctx) error {
	return s.riskControlsPage(c, http.StatusOK, domain.RiskControl{Kind: domain.ControlSegmentation}, "", nil)
}

func (s *Server) riskControlCreate(c *Ctx) error {
	ctx := c.R.Context()
	rc := domain.RiskControl{Kind: c.Form("kind"), Description: c.Form("description"), Owner: c.Form("owner")}
	asset := c.Form("asset")
	fe := FieldErrors{}
	if asset != "" {
		a, err := c.Scope.AssetByTag(ctx, asset)
		if err != nil {
			fe["asset_id"] = fmt.Sprintf("no device with the asset tag %q", asset)
			return s.riskControlsPage(c, http.StatusUnprocessableEntity, rc, asset, fe)
		}
		rc.AssetID = a.ID
	} else if p := c.Form("product_id"); p != "" {
		rc.ProductID, _ = strconv.ParseInt(p, 10, 64)
	}
	if d := c.Form("review_due"); d != "" {
		t, err := time.Parse(time.DateOnly, d)
		if err != nil {
			fe["review_due"] = "give a date as YYYY-MM-DD"
			return s.riskControlsPage(c, http.StatusUnprocessableEntity, rc, asset, fe)
		}
		rc.ReviewDue = &t
	}
	if err := c.Scope.Write(ctx, func(tx *store.Tx) error { return tx.CreateRiskControl(ctx, &rc) }); err != nil {
		if !fe.FromError(err) {
			return err
		}
		return s.riskControlsPage(c, http.StatusUnprocessableEntity, rc, asset, fe)
	}
	return c.Redirect("/risk/controls", "ok", "Control recorded. It lowers the exposure of the devices it protects from now on.")
}

func (s *Server) riskControlReview(c *Ctx) error {
	ctx := c.R.Context()
	id, err := c.PathInt("id")
	if err != nil {
		return err
	}
	rc, err := c.Scope.RiskControl(ctx, id)
	if err != nil {
		return err
	}
	t, err := time.Parse(time.DateOnly, c.Form("review_due"))
	if err != nil || !t.After(c.Now()) {
		return c.Redirect("/risk/controls", "error", "Give the next review date (YYYY-MM-DD, in the future).")
	}
	rc.ReviewDue = &t
	if err := c.Scope.Write(ctx, func(tx *store.Tx) error { return tx.UpdateRiskControl(ctx, rc) }); err != nil {
		return err
	}
	return c.Redirect("/risk/controls", "ok", "Review recorded; next review "+t.Format(time.DateOnly)+".")
}

func (s *Server) riskControlDelete(c *Ctx) error {
	ctx := c.R.Context()
	id, err := c.PathInt("id")
	if err != nil {
		return err
	}
	if err := c.Scope.Write(ctx, func(tx *store.Tx) error { return tx.DeleteRiskControl(ctx, id) }); err != nil {
		return err
	}
	return c.Redirect("/risk/controls", "ok", "Control removed.")
}

// --- Weights editor -------------------------------------------------------------------------------------

type riskWeightField struct {
	Key, Group, Label string
	Value             float64
}

type riskWeightsView struct {
	Active   risk.Weights
	Formula  string
	Fields   []riskWeightField
	Versions []domain.RiskWeightsVersion
	CanEdit  bool
	Errors   FieldErrors
	Version  string
	Note     string
}

// weightFields flattens the weights into labelled numbers (key "exposure.clinical-lan" and so on).
func weightFields(w risk.Weights) []riskWeightField {
	b, _ := json.Marshal(w)
	var m map[string]any
	_ = json.Unmarshal(b, &m)
	var out []riskWeightField
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		switch v := m[k].(type) {
		case float64:
			out = append(out, riskWeightField{Key: k, Group: "General", Label: strings.ReplaceAll(k, "_", " "), Value: v})
		case map[string]any:
			sub := make([]string, 0, len(v))
			for sk := range v {
				sub = append(sub, sk)
			}
			sort.Strings(sub)
			for _, sk := range sub {
				f, _ := v[sk].(float64)
				out = append(out, riskWeightField{Key: k + "." + sk, Group: strings.ReplaceAll(k, "_", " "), Label: sk, Value: f})
			}
		}
	}
	return out
}

func (s *Server) riskWeightsPage(c *Ctx, status int, w risk.Weights, version, note string, errs FieldErrors) error {
	vs, err := c.Scope.RiskWeightsVersions(c.R.Context())
	if err != nil {
		return err
	}
	active, err := s.Risk.Weights(c.R.Context(), c.P.Org.ID)
	if err != nil {
		return err
	}
	if errs == nil {
		errs = FieldErrors{}
	}
	v := riskWeightsView{Active: active, Formula: risk.FormulaVersion, Fields: weightFields(w), Versions: vs, CanEdit: c.P.Can(domain.PermRisk),
		Errors: errs, Version: version, Note: note}
	return c.RenderStatus(status, "risk/weights", "Risk weights", v)
}

func (s *Server) riskWeights(c *Ctx) error {
	w, err := s.Risk.Weights(c.R.Context(), c.P.Org.ID)
	if err != nil {
		return err
	}
	return s.riskWeightsPage(c, http.StatusOK, w, "", "", nil)
}

func (s *Server) riskWeightsPublish(c *Ctx) error {
	ctx := c.R.Context()
	cur, err := s.Risk.Weights(ctx, c.P.Org.ID)
	if err != nil {
		return err
	}
	fe := FieldErrors{}
	b, _ := json.Marshal(cur)
	var m map[string]any
	_ = json.Unmarshal(b, &m)
	for _, f := range weightFields(cur) {
		raw := c.Form("w." + f.Key)
		if raw == "" {
			continue
		}
		x, err := strconv.ParseFloat(strings.ReplaceAll(raw, ",", "."), 64)
		if err != nil {
			fe["w."+f.Key] = "not a number"
			continue
		}
		if top, sub, ok := strings.Cut(f.Key, "."); ok {
			m[top].(map[string]any)[sub] = x
		} else {
			m[f.Key] = x
		}
	}
	version, note := c.Form("version"), c.Form("note")
	m["version"] = version
	b, _ = json.Marshal(m)
	var w risk.Weights
	_ = json.Unmarshal(b, &w)
	if len(fe) > 0 {
		return s.riskWeightsPage(c, http.StatusUnprocessableEntity, w, version, note, fe)
	}
	if err := s.Risk.PublishWeights(ctx, c.P.Org.ID, w, note); err != nil {
		if !fe.FromError(err) {
			return err
		}
		return s.riskWeightsPage(c, http.StatusUnprocessableEntity, w, version, note, fe)
	}
	return c.Redirect("/risk/weights", "ok", "Weights "+version+" published and active. Earlier scores keep the version they were computed with.")
}

// --- Replacement plan -----------------------------------------------------------------------------------

type riskPlanModel struct {
	Model      string
	Department string
	Devices    int
	Cost       float64
	Risk       float64
	Why        string
}

type riskPlanYear struct {
	Year   int
	Cal    int
	Budget float64
	Spend  float64
	Risk   float64
	Left   float64
	Models []riskPlanModel
}

type riskPlanView struct {
	Budget    string
	Years     string
	Error     string
	P         *riskmgr.PlanResult
	PlanYears []riskPlanYear
	BurnDown  template.HTML
	Removed   float64
	Share     float64
	GapPct    float64
	PDFQuery  string
	Keeps     []domain.RiskKeep
	Groups    []domain.RiskGroup
	CanEdit   bool
	Products  []domain.Product
}

func (s *Server) riskPlanFromQuery(c *Ctx) (riskmgr.PlanRequest, string, string, error) {
	q := c.R.URL.Query()
	budget, years := q.Get("budget_per_year"), q.Get("years")
	if budget == "" {
		budget = "250000"
	}
	if years == "" {
		years = "3"
	}
	req := riskmgr.PlanRequest{}
	var err error
	if req.BudgetPerYear, err = strconv.ParseFloat(strings.ReplaceAll(budget, " ", ""), 64); err != nil {
		return req, budget, years, domain.Invalid("budget_per_year", "give the budget per year as a number, e.g. 250000")
	}
	if req.Years, err = strconv.Atoi(years); err != nil {
		return req, budget, years, domain.Invalid("years", "give the number of years, e.g. 3")
	}
	return req, budget, years, req.Validate()
}

func (s *Server) riskPlan(c *Ctx) error {
	ctx := c.R.Context()
	req, budget, years, reqErr := s.riskPlanFromQuery(c)
	v := riskPlanView{Budget: budget, Years: years}
	var err error
	if v.Keeps, err = firstOf(c.Scope.RiskKeeps(ctx)); err != nil {
		return err
	}
	if v.Groups, err = firstOf(c.Scope.RiskGroups(ctx)); err != nil {
		return err
	}
	if v.CanEdit = c.P.Can(domain.PermRisk); v.CanEdit {
		page, err := c.Scope.Products(ctx, domain.ProductFilter{ListParams: domain.ListParams{Limit: domain.MaxPageSize}})
		if err != nil {
			return err
		}
		v.Products = page.Items
	}
	if reqErr != nil {
		v.Error = domain.ErrorMessage(reqErr)
		return c.RenderStatus(http.StatusUnprocessableEntity, "risk/plan", "Replacement plan", v)
	}
	p, err := s.Risk.Plan(ctx, c.P.Org.ID, req)
	if err != nil {
		if domain.ErrorCode(err) != domain.EInvalid {
			return err
		}
		v.Error = domain.ErrorMessage(err)
		return c.RenderStatus(http.StatusUnprocessableEntity, "risk/plan", "Replacement plan", v)
	}
	v.P = &p
	v.GapPct = 100 * p.Gap
	v.Removed = p.RiskBefore - p.RiskAfter
	if p.RiskBefore > 0 {
		v.Share = 100 * v.Removed / p.RiskBefore
	}
	v.PDFQuery = fmt.Sprintf("budget_per_year=%g&years=%d", req.BudgetPerYear, req.Years)
	labels := []string{"now"}
	remaining := []float64{p.RiskBefore}
	removed := []float64{0}
	for _, y := range p.Years {
		py := riskPlanYear{Year: y.Year, Cal: y.CalendarYear, Budget: y.Budget, Spend: y.Spend, Risk: y.RiskRemoved, Left: y.RiskRemaining}
		idx := map[string]int{}
		for _, it := range y.Items {
			ar := p.Assets[it.Asset]
			model := strings.TrimSpace(ar.Asset.Manufacturer + " " + ar.Asset.Product + " " + ar.Asset.Version)
			i, ok := idx[model]
			if !ok {
				why := strings.TrimSuffix(ar.Legacy.Summary(), ".")
				if ar.Legacy.Status != lifecycle.StatusEnded {
					why = "open findings"
				}
				if ar.KEV > 0 {
					why += fmt.Sprintf("; %d known exploited", ar.KEV)
				}
				if len(ar.Controls) > 0 {
					why += "; compensated today by " + ar.Controls[0].Kind
				}
				idx[model] = len(py.Models)
				py.Models = append(py.Models, riskPlanModel{Model: model, Department: ar.Asset.Department, Why: why})
				i = len(py.Models) - 1
			}
			py.Models[i].Devices++
			py.Models[i].Cost += it.Cost
			py.Models[i].Risk += it.RiskRemoved
		}
		slices.SortStableFunc(py.Models, func(a, b riskPlanModel) int {
			switch {
			case a.Risk > b.Risk:
				return -1
			case a.Risk < b.Risk:
				return 1
			}
			return 0
		})
		v.PlanYears = append(v.PlanYears, py)
		labels = append(labels, strconv.Itoa(y.CalendarYear))
		remaining = append(remaining, y.RiskRemaining)
		removed = append(removed, p.RiskBefore-y.RiskRemaining)
	}
	v.BurnDown = chart.Bars("Risk burn-down: remaining at each year's end and removed so far", labels,
		[]chart.Series{{Name: "risk remaining", Values: remaining}, {Name: "risk removed so far", Values: removed}}, nil)
	return c.Render("risk/plan", "Replacement plan", v)
}

func firstOf[T any](v T, err error) (T, error) { return v, err }

func (s *Server) riskFundingCase(c *Ctx) error {
	req, _, _, err := s.riskPlanFromQuery(c)
	if err != nil {
		return err
	}
	p, err := s.Risk.Plan(c.R.Context(), c.P.Org.ID, req)
	if err != nil {
		return err
	}
	b, err := riskmgr.FundingCase(p, s.procPDFMeta(c))
	if err != nil {
		return err
	}
	procFile(c.W, "funding-case.pdf", "application/pdf", b)
	return nil
}

// --- Dashboard card -------------------------------------------------------------------------------------

// riskDashboard is the risk card: the devices that put patients at risk first, devices with known
// exploited vulnerabilities, legacy share by department and overdue control reviews.
func (s *Server) riskDashboard(c *Ctx) (*dashCard, error) {
	ctx := c.R.Context()
	as, err := s.Risk.Assess(ctx, c.P.Org.ID)
	if err != nil || len(as.Assets) == 0 {
		return nil, err
	}
	overdue, err := s.Risk.OverdueControls(ctx, c.P.Org.ID)
	if err != nil {
		return nil, err
	}
	kev, legacy, high := 0, 0, 0
	for _, ar := range as.Assets {
		if ar.KEV > 0 {
			kev++
		}
		if ar.Legacy.Status == lifecycle.StatusEnded {
			legacy++
		}
		if ar.Score.Band == risk.BandCritical || ar.Score.Band == risk.BandHigh {
			high++
		}
	}
	state := func(bad bool) string {
		if bad {
			return "bad"
		}
		return "ok"
	}
	card := &dashCard{ID: "risk", Title: "Risk", Link: "/risk", LinkText: "Risk overview", Attention: kev > 0 || len(overdue) > 0,
		Figures: []dashFigure{
			{Value: fmt.Sprintf("%.0f", as.Total), Label: fmt.Sprintf("total device risk (%d devices high or critical)", high), Link: "/risk"},
			{Value: strconv.Itoa(kev), Label: "devices with known exploited vulnerabilities (KEV)", Link: "/risk", State: state(kev > 0)},
			{Value: fmt.Sprintf("%.0f %%", 100*float64(legacy)/float64(len(as.Assets))), Label: fmt.Sprintf("of devices past end of support (%d)", legacy),
				Link: "/risk/legacy", State: map[bool]string{true: "warn", false: "ok"}[legacy > 0]},
			{Value: strconv.Itoa(len(overdue)), Label: "control reviews overdue", Link: "/risk/controls", State: state(len(overdue) > 0)},
		},
		Note: fmt.Sprintf("Formula %s, weights %s. Plan replacements on the replacement plan page.", risk.FormulaVersion, as.Weights.Version)}
	if card.Chart, err = riskTrend(c, "department", c.Now().AddDate(0, 0, -90).Format(time.DateOnly), 4,
		"Risk per department over the last 90 days (the four highest)"); err != nil {
		return nil, err
	}
	for i, ar := range as.Assets {
		if i == 3 || ar.Score.Score == 0 {
			break
		}
		card.Items = append(card.Items, dashItem{Badge: fmt.Sprintf("%.1f %s", ar.Score.Score, ar.Score.Band), BadgeClass: riskBandClass(ar.Score.Band),
			Link: fmt.Sprintf("/risk/assets/%d", ar.Asset.ID), Text: ar.Asset.Tag + " " + ar.Asset.Manufacturer + " " + ar.Asset.Product + " (" + ar.Asset.Department + ")"})
	}
	n := 0
	for _, sh := range as.By("department") {
		if sh.Legacy == 0 || n == 2 {
			continue
		}
		n++
		card.Items = append(card.Items, dashItem{Badge: fmt.Sprintf("%.0f %% legacy", sh.Percent()), BadgeClass: "warn", Link: "/risk/legacy",
			Text: fmt.Sprintf("%s: %d of %d devices past end of support", sh.Name, sh.Legacy, sh.Assets)})
	}
	for i, rc := range overdue {
		if i == 2 {
			break
		}
		card.Items = append(card.Items, dashItem{Badge: "review overdue", BadgeClass: "bad", Link: "/risk/controls",
			Text: fmt.Sprintf("%s control of %s (%s), due %s", rc.Kind, rc.Subject, rc.Owner, rc.ReviewDue.Format(time.DateOnly))})
	}
	return card, nil
}

func riskBandClass(b risk.Band) string {
	switch b {
	case risk.BandCritical:
		return "bad"
	case risk.BandHigh:
		return "warn"
	case risk.BandMedium:
		return "info"
	}
	return ""
}
