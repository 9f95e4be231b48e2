package api

import (
	"net/http"
	"strconv"
	"time"

	"github.com/vigil-med/vigil/internal/domain"
	"github.com/vigil-med/vigil/internal/lifecycle"
	"github.com/vigil-med/vigil/internal/risk"
	"github.com/vigil-med/vigil/internal/riskmgr"
	"github.com/vigil-med/vigil/internal/store"
)

// RiskAssetSummary is one device in the list of risks.
type RiskAssetSummary struct {
	ID             int64            `json:"id"`
	Asset          string           `json:"asset"`
	Manufacturer   string           `json:"manufacturer"`
	Product        string           `json:"product"`
	Department     string           `json:"department,omitempty"`
	Score          float64          `json:"score"`
	Band           risk.Band        `json:"band"`
	KEV            int              `json:"kev"`
	Legacy         lifecycle.Status `json:"legacy"`
	Why            string           `json:"why"`
	WeightsVersion string           `json:"weights_version"`
	FormulaVersion string           `json:"formula_version"`
}

// RiskAssetDetail is one device's risk with every factor.
type RiskAssetDetail struct {
	ID    int64             `json:"id"`
	Asset string            `json:"asset"`
	Risk  riskmgr.AssetRisk `json:"risk"`
}

// RiskWeightsInput publishes a new weights version.
type RiskWeightsInput struct {
	Weights risk.Weights `json:"weights"`
	Note    string       `json:"note,omitempty"`
}

// RiskWeightsView is the active weights with the history of versions.
type RiskWeightsView struct {
	Active         risk.Weights                `json:"active"`
	FormulaVersion string                      `json:"formula_version"`
	Versions       []domain.RiskWeightsVersion `json:"versions"`
}

// RiskRoutes registers the risk, legacy and replacement-plan operations.
func (a *API) RiskRoutes(svc *riskmgr.Service) {
	const tag = "risk"
	read, write := domain.PermRead, domain.PermRisk
	idParam := []Param{{Name: "id", In: "path", Type: "integer", Description: "id"}}
	summary := func(as riskmgr.Assessment, ar riskmgr.AssetRisk) RiskAssetSummary {
		return RiskAssetSummary{ID: ar.Asset.ID, Asset: ar.Asset.Tag, Manufacturer: ar.Asset.Manufacturer, Product: ar.Asset.Product,
			Department: ar.Asset.Department, Score: ar.Score.Score, Band: ar.Score.Band, KEV: ar.KEV, Legacy: ar.Legacy.Status,
			Why: ar.Why(as.AsOf), WeightsVersion: ar.Score.WeightsVersion, FormulaVersion: ar.Score.FormulaVersion}
	}
	Handle(a, Op{Method: http.MethodGet, Path: "/risk/assets", ID: "listRiskAssets", Tag: tag, Perm: read,
		Params:  []Param{{Name: "top", In: "query", Type: "integer", Description: "how many devices, highest risk first (default 50, 0: all)"}},
		Summary: "Devices by risk, highest first, each with why"},
		func(c *Call, _ Empty) ([]RiskAssetSummary, error) {
			top, err := c.QueryInt("top", 50)
			if err != nil {
				return nil, err
			}
			as, err := svc.Assess(c.Ctx(), c.Principal.Org.ID)
			if err != nil {
				return nil, err
			}
			out := []RiskAssetSummary{}
			for i, ar := range as.Assets {
				if top > 0 && i >= top {
					break
				}
				out = append(out, summary(as, ar))
			}
			return out, nil
		})
	Handle(a, Op{Method: http.MethodGet, Path: "/risk/assets/{id}", ID: "getRiskAsset", Tag: tag, Perm: read, Params: idParam,
		Summary: "A device's risk: every finding's score with its factors, the legacy classification and the controls"},
		func(c *Call, _ Empty) (RiskAssetDetail, error) {
			id, err := c.PathInt("id")
			if err != nil {
				return RiskAssetDetail{}, err
			}
			as, err := svc.Assess(c.Ctx(), c.Principal.Org.ID)
			if err != nil {
				return RiskAssetDetail{}, err
			}
			ar, ok := as.Find(id)
			if !ok {
				return RiskAssetDetail{}, domain.NotFound("device")
			}
			return RiskAssetDetail{ID: id, Asset: ar.Asset.Tag, Risk: ar}, nil
		})
	Handle(a, Op{Method: http.MethodGet, Path: "/risk/weights", ID: "getRiskWeights", Tag: tag, Perm: read,
		Summary: "The active risk weights and every published version"},
		func(c *Call, _ Empty) (RiskWeightsView, error) {
			w, err := svc.Weights(c.Ctx(), c.Principal.Org.ID)
			if err != nil {
				return RiskWeightsView{}, err
			}
			vs, err := c.Scope.RiskWeightsVersions(c.Ctx())
			return RiskWeightsView{Active: w, FormulaVersion: risk.FormulaVersion, Versions: vs}, err
		})
	Handle(a, Op{Method: http.MethodPost, Path: "/risk/weights", ID: "publishRiskWeights", Tag: tag, Perm: write, Status: http.StatusCreated,
		Summary: "Publish a new weights version (a new version id) and make it active; versions never change"},
		func(c *Call, in RiskWeightsInput) (RiskWeightsView, error) {
			if err := svc.PublishWeights(c.Ctx(), c.Principal.Org.ID, in.Weights, in.Note); err != nil {
				return RiskWeightsView{}, err
			}
			vs, err := c.Scope.RiskWeightsVersions(c.Ctx())
			return RiskWeightsView{Active: in.Weights, FormulaVersion: risk.FormulaVersion, Versions: vs}, err
		})
	Handle(a, Op{Method: http.MethodGet, Path: "/risk/controls", ID: "listRiskControls", Tag: tag, Perm: read,
		Params:  []Param{{Name: "overdue", In: "query", Type: "boolean", Description: "only controls whose review is overdue"}},
		Summary: "Compensating controls per device or product, soonest review first"},
		func(c *Call, _ Empty) ([]domain.RiskControl, error) {
			overdue, err := c.QueryBool("overdue")
			if err != nil {
				return nil, err
			}
			if overdue {
				return svc.OverdueControls(c.Ctx(), c.Principal.Org.ID)
			}
			return c.Scope.RiskControls(c.Ctx())
		})
	Handle(a, Op{Method: http.MethodPost, Path: "/risk/controls", ID: "createRiskControl", Tag: tag, Perm: write, Status: http.StatusCreated,
		Summary: "Record a compensating control for a device or a product"},
		func(c *Call, in domain.RiskControl) (domain.RiskControl, error) {
			in.ID = 0
			err := c.Scope.Write(c.Ctx(), func(tx *store.Tx) error { return tx.CreateRiskControl(c.Ctx(), &in) })
			if err != nil {
				return in, err
			}
			return c.Scope.RiskControl(c.Ctx(), in.ID)
		})
	Handle(a, Op{Method: http.MethodGet, Path: "/risk/controls/{id}", ID: "getRiskControl", Tag: tag, Perm: read, Params: idParam,
		Summary: "A compensating control"},
		func(c *Call, _ Empty) (domain.RiskControl, error) {
			id, err := c.PathInt("id")
			if err != nil {
				return domain.RiskControl{}, err
			}
			return c.Scope.RiskControl(c.Ctx(), id)
		})
	Handle(a, Op{Method: http.MethodPut, Path: "/risk/controls/{id}", ID: "updateRiskControl", Tag: tag, Perm: write, Params: idParam,
		Summary: "Change a control, e.g. after its review with the next review date"},
		func(c *Call, in domain.RiskControl) (domain.RiskControl, error) {
			id, err := c.PathInt("id")
			if err != nil {
				return in, err
			}
			if _, err := c.Scope.RiskControl(c.Ctx(), id); err != nil {
				return in, err
			}
			in.ID = id
			if err := c.Scope.Write(c.Ctx(), func(tx *store.Tx) error { return tx.UpdateRiskControl(c.Ctx(), in) }); err != nil {
				return in, err
			}
			return c.Scope.RiskControl(c.Ctx(), id)
		})
	Handle(a, Op{Method: http.MethodDelete, Path: "/risk/controls/{id}", ID: "deleteRiskControl", Tag: tag, Perm: write, Params: idParam,
		Summary: "Remove a control"},
		func(c *Call, _ Empty) (Empty, error) {
			id, err := c.PathInt("id")
			if err != nil {
				return Empty{}, err
			}
			return Empty{}, c.Scope.Write(c.Ctx(), func(tx *store.Tx) error { return tx.DeleteRiskControl(c.Ctx(), id) })
		})
	Handle(a, Op{Method: http.MethodGet, Path: "/risk/support", ID: "listRiskSupport", Tag: tag, Perm: read,
		Summary: "End-of-support dates per product and component with their source (entered, MDS2, contract, endoflife.date)"},
		func(c *Call, _ Empty) ([]domain.RiskSupport, error) { return c.Scope.RiskSupports(c.Ctx()) })
	Handle(a, Op{Method: http.MethodPost, Path: "/risk/support", ID: "saveRiskSupport", Tag: tag, Perm: write, Status: http.StatusCreated,
		Summary: "Record the end of support of a product or of a component in it (replaces the record of the same product and component)"},
		func(c *Call, in domain.RiskSupport) (domain.RiskSupport, error) {
			err := c.Scope.Write(c.Ctx(), func(tx *store.Tx) error { return tx.SaveRiskSupport(c.Ctx(), &in) })
			return in, err
		})
	Handle(a, Op{Method: http.MethodDelete, Path: "/risk/support/{id}", ID: "deleteRiskSupport", Tag: tag, Perm: write, Params: idParam,
		Summary: "Remove an end-of-support record"},
		func(c *Call, _ Empty) (Empty, error) {
			id, err := c.PathInt("id")
			if err != nil {
				return Empty{}, err
			}
			return Empty{}, c.Scope.Write(c.Ctx(), func(tx *store.Tx) error { return tx.DeleteRiskSupport(c.Ctx(), id) })
		})
	Handle(a, Op{Method: http.MethodGet, Path: "/risk/keeps", ID: "listRiskKeeps", Tag: tag, Perm: read,
		Summary: "Devices that must stay in service (clinical constraints)"},
		func(c *Call, _ Empty) ([]domain.RiskKeep, error) { return c.Scope.RiskKeeps(c.Ctx()) })
	Handle(a, Op{Method: http.MethodPost, Path: "/risk/keeps", ID: "saveRiskKeep", Tag: tag, Perm: write, Status: http.StatusCreated,
		Summary: "Mark a device as one that must stay, with the reason and optionally until when"},
		func(c *Call, in domain.RiskKeep) (domain.RiskKeep, error) {
			err := c.Scope.Write(c.Ctx(), func(tx *store.Tx) error { return tx.SaveRiskKeep(c.Ctx(), &in) })
			return in, err
		})
	Handle(a, Op{Method: http.MethodDelete, Path: "/risk/keeps/{id}", ID: "deleteRiskKeep", Tag: tag, Perm: write, Params: idParam,
		Summary: "Remove a must-stay mark"},
		func(c *Call, _ Empty) (Empty, error) {
			id, err := c.PathInt("id")
			if err != nil {
				return Empty{}, err
			}
			return Empty{}, c.Scope.Write(c.Ctx(), func(tx *store.Tx) error { return tx.DeleteRiskKeep(c.Ctx(), id) })
		})
	Handle(a, Op{Method: http.MethodGet, Path: "/risk/groups", ID: "listRiskGroups", Tag: tag, Perm: read,
		Summary: "Models that must be replaced together"},
		func(c *Call, _ Empty) ([]domain.RiskGroup, error) { return c.Scope.RiskGroups(c.Ctx()) })
	Handle(a, Op{Method: http.MethodPost, Path: "/risk/groups", ID: "createRiskGroup", Tag: tag, Perm: write, Status: http.StatusCreated,
		Summary: "Record models that must be replaced together"},
		func(c *Call, in domain.RiskGroup) (domain.RiskGroup, error) {
			err := c.Scope.Write(c.Ctx(), func(tx *store.Tx) error { return tx.CreateRiskGroup(c.Ctx(), &in) })
			return in, err
		})
	Handle(a, Op{Method: http.MethodDelete, Path: "/risk/groups/{id}", ID: "deleteRiskGroup", Tag: tag, Perm: write, Params: idParam,
		Summary: "Remove a group of models"},
		func(c *Call, _ Empty) (Empty, error) {
			id, err := c.PathInt("id")
			if err != nil {
				return Empty{}, err
			}
			return Empty{}, c.Scope.Write(c.Ctx(), func(tx *store.Tx) error { return tx.DeleteRiskGroup(c.Ctx(), id) })
		})
	Handle(a, Op{Method: http.MethodGet, Path: "/risk/snapshots", ID: "listRiskSnapshots", Tag: tag, Perm: read,
		Params: []Param{{Name: "dimension", In: "query", Type: "string", Enum: []string{"total", "department", "manufacturer"}, Description: "default total"},
			{Name: "days", In: "query", Type: "integer", Description: "how many days back (default 90)"}},
		Summary: "Daily risk snapshots (the trend), per organisation, department or manufacturer"},
		func(c *Call, _ Empty) ([]domain.RiskSnapshot, error) {
			dim := c.Query("dimension")
			if dim == "" {
				dim = "total"
			}
			if dim != "total" && dim != "department" && dim != "manufacturer" {
				return nil, domain.Invalid("dimension", "total, department or manufacturer")
			}
			days, err := c.QueryInt("days", 90)
			if err != nil || days < 1 || days > 3660 {
				return nil, domain.Invalid("days", "1 to 3660")
			}
			from := time.Now().AddDate(0, 0, -days).Format(time.DateOnly)
			return c.Scope.RiskSnapshots(c.Ctx(), dim, from)
		})
	Handle(a, Op{Method: http.MethodGet, Path: "/legacy", ID: "listLegacy", Tag: tag, Perm: read,
		Params:  []Param{{Name: "months", In: "query", Type: "integer", Description: "window of \"support ends soon\" in months (default 12, 1–120)"}},
		Summary: "The legacy register: devices past or near end of support, why, since when and what compensates"},
		func(c *Call, _ Empty) ([]riskmgr.LegacyEntry, error) {
			months, err := c.QueryInt("months", 12)
			if err != nil || months < 1 || months > 120 {
				return nil, domain.Invalid("months", "give 1 to 120")
			}
			as, err := svc.WithSoonMonths(months).Assess(c.Ctx(), c.Principal.Org.ID)
			if err != nil {
				return nil, err
			}
			return as.LegacyRegister(), nil
		})
	Handle(a, Op{Method: http.MethodPost, Path: "/plan/replacement", ID: "planReplacement", Tag: tag, Perm: read,
		Summary:     "The replacement plan that removes the most risk for the money, year by year",
		Description: "Body: years and budget_per_year (or budgets, one per year). The answer has years (year, spend, risk_removed, items with asset, cost, risk_removed, why), risk_before, risk_after and what remains."},
		func(c *Call, in riskmgr.PlanRequest) (riskmgr.PlanResult, error) {
			return svc.Plan(c.Ctx(), c.Principal.Org.ID, in)
		})
	HandleRaw(a, Op{Method: http.MethodGet, Path: "/plan/replacement/funding-case.pdf", ID: "getFundingCase", Tag: tag, Perm: read, Produces: "application/pdf",
		Params: []Param{{Name: "budget_per_year", In: "query", Type: "number", Description: "default 250000"},
			{Name: "years", In: "query", Type: "integer", Description: "default 3"}},
		Summary: "The funding case (PDF): what is replaced and why, cost per year, risk removed, what remains and how it is compensated"},
		func(w http.ResponseWriter, c *Call) error {
			req, err := PlanRequestFromQuery(c.Query("budget_per_year"), c.Query("years"))
			if err != nil {
				return err
			}
			p, err := svc.Plan(c.Ctx(), c.Principal.Org.ID, req)
			if err != nil {
				return err
			}
			b, err := riskmgr.FundingCase(p, pdfMeta(c, time.Now()))
			if err != nil {
				return err
			}
			w.Header().Set("Content-Type", "application/pdf")
			w.Header().Set("Content-Disposition", `attachment; filename="funding-case.pdf"`)
			_, err = w.Write(b)
			return err
		})
}

// PlanRequestFromQuery reads a plan request from query values (defaults: 250,000 a year over 3 years).
func PlanRequestFromQuery(budget, years string) (riskmgr.PlanRequest, error) {
	req := riskmgr.PlanRequest{Years: 3, BudgetPerYear: 250000}
	if budget != "" {
		v, err := strconv.ParseFloat(budget, 64)
		if err != nil {
			return req, domain.Invalid("budget_per_year", "must be a number")
		}
		req.BudgetPerYear = v
	}
	if years != "" {
		v, err := strconv.Atoi(years)
		if err != nil {
			return req, domain.Invalid("years", "must be a whole number")
		}
		req.Years = v
	}
	return req, req.Validate()
}
