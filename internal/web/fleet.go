package web

import (
	"bytes"
	"errors"
	"net/http"
	"strconv"

	"github.com/vigil-med/vigil/internal/domain"
	"github.com/vigil-med/vigil/internal/fleet"
)

// fleetRoutes registers the pages of the fleet matching: the findings list (/vulnerabilities), a
// finding with its triage, and the match request. A vulnerability's affected devices, a device's and a
// product version's findings are cards on their pages (fleetCard).
func (s *Server) fleetRoutes(mux *http.ServeMux) {
	mux.HandleFunc("GET /vulnerabilities", s.page(domain.PermRead, s.fleetList))
	mux.HandleFunc("GET /vulnerabilities/findings/{id}", s.page(domain.PermRead, s.fleetFinding))
	mux.HandleFunc("POST /vulnerabilities/findings/{id}/triage", s.page(domain.PermVulns, s.fleetTriage))
	mux.HandleFunc("POST /vulnerabilities/match", s.page(domain.PermVulns, s.fleetMatch))
	mux.HandleFunc("GET /vulnerabilities/vex", s.page(domain.PermRead, s.fleetVEX))
}

type fleetListView struct {
	Page          domain.Page[domain.Finding]
	Filter        domain.FindingFilter
	State         string
	MinEPSS       string
	Manufacturers []domain.Manufacturer
	Departments   []domain.Department
	States        []string
	Match         domain.FleetMatchState
	Generation    int64
	Error         string
}

func (s *Server) fleetList(c *Ctx) error {
	ctx := c.R.Context()
	q := c.R.URL.Query()
	v := fleetListView{State: q.Get("state"), MinEPSS: q.Get("min_epss"), States: domain.FindingStates()}
	f, err := fleet.ParseFilter(q, c.List())
	if err != nil {
		v.Error = err.Error()
		f, _ = fleet.ParseFilter(nil, c.List())
	}
	v.Filter = f
	if v.Page, err = c.Scope.FleetFindings(ctx, f); err != nil {
		return err
	}
	if v.Manufacturers, err = c.Scope.Manufacturers(ctx); err != nil {
		return err
	}
	if v.Departments, err = c.Scope.Departments(ctx); err != nil {
		return err
	}
	if v.Match, err = c.Scope.FleetMatchState(ctx); err != nil {
		return err
	}
	if v.Generation, err = s.Store.FeedGeneration(ctx); err != nil {
		return err
	}
	return c.Render("fleet/list", "Vulnerabilities", v)
}

type fleetFindingView struct {
	F             domain.Finding
	History       []domain.FindingEvent
	States        []string
	Justification []string
	Errors        FieldErrors
	Triage        domain.Triage
	Expires       string
}

func (s *Server) fleetFinding(c *Ctx) error {
	id, err := c.PathInt("id")
	if err != nil {
		return err
	}
	return s.renderFleetFinding(c, id, http.StatusOK, domain.Triage{}, "", nil)
}

func (s *Server) renderFleetFinding(c *Ctx, id int64, status int, t domain.Triage, expires string, fe FieldErrors) error {
	ctx := c.R.Context()
	f, err := c.Scope.FleetFinding(ctx, id)
	if err != nil {
		return err
	}
	v := fleetFindingView{F: f, States: domain.FindingStates(), Justification: domain.VEXJustifications, Errors: fe, Triage: t, Expires: expires}
	if v.Errors == nil {
		v.Errors = FieldErrors{}
		v.Triage = domain.Triage{State: f.State, Justification: f.Justification, Owner: f.Owner}
		if f.Expires != nil {
			v.Expires = f.Expires.Format("2006-01-02")
		}
	}
	if v.History, err = c.Scope.FindingEvents(ctx, id); err != nil {
		return err
	}
	return c.RenderStatus(status, "fleet/finding", f.VulnID+" in "+f.Product+" "+f.Version, v)
}

func (s *Server) fleetTriage(c *Ctx) error {
	id, err := c.PathInt("id")
	if err != nil {
		return err
	}
	if s.Fleet == nil {
		return &domain.Error{Code: domain.EConflict, Message: "the fleet matching is not available"}
	}
	t := domain.Triage{State: c.Form("state"), Justification: c.Form("justification"), Owner: c.Form("owner"), Comment: c.Form("comment")}
	expires := c.Form("expires")
	fe := FieldErrors{}
	if expires != "" {
		d, err := domain.ParseDate(expires)
		if err != nil {
			fe["expires"] = "Give a date (YYYY-MM-DD)."
		} else {
			e := d.Time()
			t.Expires = &e
		}
	}
	if len(fe) == 0 {
		if _, err = s.Fleet.Triage(c.R.Context(), c.P.Org.ID, id, t); err == nil {
			return c.Redirect("/vulnerabilities/findings/"+strconv.FormatInt(id, 10), "ok", "Saved.")
		}
		var de *domain.Error
		if !errors.As(err, &de) || de.Code != domain.EInvalid {
			return err
		}
		fe[de.Field] = de.Message
	}
	return s.renderFleetFinding(c, id, http.StatusUnprocessableEntity, t, expires, fe)
}

func (s *Server) fleetMatch(c *Ctx) error {
	if s.Jobs == nil {
		return &domain.Error{Code: domain.EConflict, Message: "background jobs are not running"}
	}
	if _, err := fleet.EnqueueMatch(c.R.Context(), s.Jobs, c.P.Org.ID, nil, "requested"); err != nil {
		return err
	}
	return c.Redirect("/vulnerabilities", "ok", "A match of every product version was queued; the findings update when it is done (see Admin › Jobs).")
}

// fleetCardData is a card of findings on another page (a vulnerability, a device, a product version).
type fleetCardData struct {
	Items     []domain.Finding
	Total     int
	More      string // link to the full list
	Devices   int    // installed devices of the product versions listed
	Versions  int
	ByVersion bool // the card lists product versions (a vulnerability's affected devices)
}

// fleetCard loads the open findings of a filter for a card (at most 50).
func fleetCard(c *Ctx, f domain.FindingFilter, more string, byVersion bool) (*fleetCardData, error) {
	f.ListParams = domain.ListParams{Limit: 50}
	page, err := c.Scope.FleetFindings(c.R.Context(), f)
	if err != nil {
		return nil, err
	}
	out := &fleetCardData{Items: page.Items, Total: page.Total, More: more, ByVersion: byVersion}
	seen := map[int64]bool{}
	for _, x := range page.Items {
		if !seen[x.ProductVersionID] {
			seen[x.ProductVersionID] = true
			out.Devices += x.Installed
			out.Versions++
		}
	}
	return out, nil
}

// fleetVEX downloads the hospital's VEX (its triage decisions) as OpenVEX or CycloneDX.
func (s *Server) fleetVEX(c *Ctx) error {
	if s.Fleet == nil {
		return &domain.Error{Code: domain.ENotFound, Message: "the fleet matching is not available"}
	}
	format := c.R.URL.Query().Get("format")
	if format == "" {
		format = fleet.VEXOpenVEX
	}
	var buf bytes.Buffer
	if err := s.Fleet.ExportVEX(c.R.Context(), c.P.Org.ID, format, c.P.Org.Name, &buf); err != nil {
		return err
	}
	ct, name := "application/json", "hospital.openvex.json"
	if format == fleet.VEXCycloneDX {
		ct, name = "application/vnd.cyclonedx+json", "hospital.vex.cdx.json"
	}
	c.W.Header().Set("Content-Type", ct)
	c.W.Header().Set("Content-Disposition", `attachment; filename="`+name+`"`)
	_, err := c.W.Write(buf.Bytes())
	return err
}
