package api

import (
	"bytes"
	"net/http"

	"github.com/vigil-med/vigil/internal/domain"
	"github.com/vigil-med/vigil/internal/fleet"
	"github.com/vigil-med/vigil/internal/jobs"
)

// FleetFindingDetail is a finding with its triage history.
type FleetFindingDetail struct {
	Finding domain.Finding        `json:"finding"`
	History []domain.FindingEvent `json:"history"`
}

// FleetStatus is the organisation's matching progress.
type FleetStatus struct {
	domain.FleetMatchState
	FeedGeneration int64 `json:"current_feed_generation" doc:"the feed generation of the database now; findings are current when equal to feed_generation"`
}

// fleetFindingParams document the finding filters.
var fleetFindingParams = append(append([]Param{}, ListParams...),
	Param{Name: "state", In: "query", Type: "string", Description: "triage states, comma-separated: new, in_triage, exploitable, not_affected, mitigated, fixed, risk_accepted"},
	Param{Name: "severity", In: "query", Type: "string", Enum: []string{"low", "medium", "high", "critical"}, Description: "at least this severity"},
	Param{Name: "kev", In: "query", Type: "boolean", Description: "only vulnerabilities in CISA KEV or EU KEV"},
	Param{Name: "min_epss", In: "query", Type: "number", Description: "EPSS score at least (0–1)"},
	Param{Name: "manufacturer_id", In: "query", Type: "integer", Description: "of this manufacturer's products"},
	Param{Name: "department_id", In: "query", Type: "integer", Description: "of product versions installed in this department"},
	Param{Name: "product_version_id", In: "query", Type: "integer", Description: "of this product version"},
	Param{Name: "asset_id", In: "query", Type: "integer", Description: "of this device (its product version's findings)"},
	Param{Name: "vuln", In: "query", Type: "string", Description: "of this vulnerability (canonical id)"},
	Param{Name: "all", In: "query", Type: "boolean", Description: "include findings VEX suppresses and those no longer matched"})

// FleetRoutes registers the fleet findings: the list with its filters, one finding with its history,
// triage (vulnerabilities:write), the hospital's VEX export, and the fleet match (queue and status).
func (a *API) FleetRoutes(svc *fleet.Service, runner *jobs.Runner) {
	Handle(a, Op{Method: http.MethodGet, Path: "/findings", ID: "listFindings", Tag: "vulnerabilities", Perm: domain.PermRead, Params: fleetFindingParams,
		Summary: "The fleet's findings (vulnerability × product version × component), each with the reason it matched; KEV first, then by severity"},
		func(c *Call, _ Empty) (domain.Page[domain.Finding], error) {
			lp, err := c.List()
			if err != nil {
				return domain.Page[domain.Finding]{}, err
			}
			f, err := fleet.ParseFilter(c.R.URL.Query(), lp)
			if err != nil {
				return domain.Page[domain.Finding]{}, err
			}
			return c.Scope.FleetFindings(c.Ctx(), f)
		})
	Handle(a, Op{Method: http.MethodGet, Path: "/findings/{id}", ID: "getFinding", Tag: "vulnerabilities", Perm: domain.PermRead,
		Params:  []Param{{Name: "id", In: "path", Type: "integer", Description: "finding id"}},
		Summary: "One finding with its reason, VEX decision, triage state and full history"},
		func(c *Call, _ Empty) (FleetFindingDetail, error) {
			id, err := c.PathInt("id")
			if err != nil {
				return FleetFindingDetail{}, err
			}
			f, err := c.Scope.FleetFinding(c.Ctx(), id)
			if err != nil {
				return FleetFindingDetail{}, err
			}
			h, err := c.Scope.FindingEvents(c.Ctx(), id)
			return FleetFindingDetail{Finding: f, History: h}, err
		})
	Handle(a, Op{Method: http.MethodPost, Path: "/findings/{id}/triage", ID: "triageFinding", Tag: "vulnerabilities", Perm: domain.PermVulns,
		Params: []Param{{Name: "id", In: "path", Type: "integer", Description: "finding id"}}, Body: domain.Triage{},
		Summary: "Change a finding's triage state (not_affected needs a VEX justification, risk_accepted an owner and a future expiry) or comment on it"},
		func(c *Call, in domain.Triage) (domain.Finding, error) {
			id, err := c.PathInt("id")
			if err != nil {
				return domain.Finding{}, err
			}
			return svc.Triage(c.Ctx(), c.Scope.Org(), id, in)
		})
	HandleRaw(a, Op{Method: http.MethodGet, Path: "/vex/export", ID: "exportHospitalVEX", Tag: "vulnerabilities", Perm: domain.PermRead,
		Produces: "application/json", Params: []Param{{Name: "format", In: "query", Enum: []string{"openvex", "cyclonedx"}, Description: "default openvex"}},
		Summary: "The hospital's own VEX (its triage decisions and statements) as OpenVEX 0.2.0 or CycloneDX 1.6 VEX"},
		func(w http.ResponseWriter, c *Call) error {
			format := c.Query("format")
			if format == "" {
				format = fleet.VEXOpenVEX
			}
			var buf bytes.Buffer
			if err := svc.ExportVEX(c.Ctx(), c.Scope.Org(), format, fleetVEXAuthor(c), &buf); err != nil {
				return err
			}
			ct, name := "application/json", "hospital.openvex.json"
			if format == fleet.VEXCycloneDX {
				ct, name = "application/vnd.cyclonedx+json", "hospital.vex.cdx.json"
			}
			w.Header().Set("Content-Type", ct)
			w.Header().Set("Content-Disposition", `attachment; filename="`+name+`"`)
			_, err := w.Write(buf.Bytes())
			return err
		})
	Handle(a, Op{Method: http.MethodGet, Path: "/fleet/match", ID: "getFleetMatch", Tag: "vulnerabilities", Perm: domain.PermRead,
		Summary: "The fleet matching's progress: the feed generation the findings reflect, the last full match, the open findings"},
		func(c *Call, _ Empty) (FleetStatus, error) {
			st, err := c.Scope.FleetMatchState(c.Ctx())
			if err != nil {
				return FleetStatus{}, err
			}
			gen, err := svc.Store.FeedGeneration(c.Ctx())
			return FleetStatus{FleetMatchState: st, FeedGeneration: gen}, err
		})
	Handle(a, Op{Method: http.MethodPost, Path: "/fleet/match", ID: "matchFleet", Tag: "vulnerabilities", Perm: domain.PermVulns, Status: http.StatusAccepted,
		Summary: "Queue a full match of every product version against the vulnerability database (a background job; GET /jobs/{id} shows its progress)"},
		func(c *Call, _ Empty) (JobQueued, error) {
			if runner == nil {
				return JobQueued{}, domain.Errorf(domain.EConflict, "background jobs are not running")
			}
			id, err := fleet.EnqueueMatch(c.Ctx(), runner, c.Scope.Org(), nil, "requested")
			return JobQueued{JobID: id}, err
		})
}

// fleetVEXAuthor is the author of an exported hospital VEX: the caller's organisation.
func fleetVEXAuthor(c *Call) string {
	if c.Principal != nil && c.Principal.Org.Name != "" {
		return c.Principal.Org.Name
	}
	return ""
}
