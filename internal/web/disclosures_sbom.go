package web

import (
	"bytes"
	"net/http"
	"strings"

	"github.com/vigil-med/vigil/internal/disclosure"
	"github.com/vigil-med/vigil/internal/domain"
	"github.com/vigil-med/vigil/internal/sbom"
)

func (s *Server) discSBOMRoutes(mux *http.ServeMux) {
	mux.HandleFunc("GET /disclosures/components", s.page(domain.PermRead, s.discWhereIs))
	mux.HandleFunc("GET /disclosures/sboms", s.page(domain.PermRead, s.discSBOMs))
	mux.HandleFunc("GET /disclosures/sboms/{id}", s.page(domain.PermRead, s.discSBOM))
	mux.HandleFunc("GET /disclosures/sboms/{id}/export", s.page(domain.PermRead, s.discSBOMExport))
	mux.HandleFunc("GET /disclosures/sboms/{id}/diff", s.page(domain.PermRead, s.discSBOMDiff))
}

type discWhereIsView struct {
	Q, PURL, CPE string
	Error        string
	Result       domain.WhereIs
	Searched     bool
	Components   domain.Page[domain.Component]
}

// discWhereIs is the fleet search "Where is this component?": by name, package URL or CPE, the product
// versions that contain it, their devices, and the matching components.
func (s *Server) discWhereIs(c *Ctx) error {
	q := c.R.URL.Query()
	v := discWhereIsView{Q: strings.TrimSpace(q.Get("q")), PURL: strings.TrimSpace(q.Get("purl")), CPE: strings.TrimSpace(q.Get("cpe"))}
	status := http.StatusOK
	if v.Q != "" || v.PURL != "" || v.CPE != "" {
		v.Searched = true
		f, err := disclosure.ComponentQuery(v.Q, v.PURL, v.CPE)
		if err != nil {
			v.Error, status = discMessage(err), http.StatusUnprocessableEntity
		} else {
			ctx := c.R.Context()
			if v.Result, err = c.Scope.WhereIs(ctx, f); err != nil {
				return err
			}
			lp := c.List()
			lp.Q = f.Q
			f.ListParams = lp
			if v.Components, err = c.Scope.Components(ctx, f); err != nil {
				return err
			}
		}
	}
	return c.RenderStatus(status, "disclosures/whereis", "Where is this component?", v)
}

type discSBOMsView struct {
	SBOMs      []domain.SBOMInfo
	Components int
	Devices    int
}

func (s *Server) discSBOMs(c *Ctx) error {
	all, err := c.Scope.SBOMs(c.R.Context(), queryID(c.R.URL.Query(), "product_id"))
	if err != nil {
		return err
	}
	v := discSBOMsView{SBOMs: all}
	for _, x := range all {
		v.Components += x.Components
		v.Devices += x.Installed
	}
	return c.Render("disclosures/sboms", "SBOMs", v)
}

type discSBOMView struct {
	SBOM       domain.SBOMInfo
	Components domain.Page[domain.Component]
	Others     []domain.SBOMInfo // other SBOMs of the same product (diff targets)
	Previous   int64             // SBOM id of the previous version, if any
	Q          string
}

func (s *Server) discSBOM(c *Ctx) error {
	id, err := c.PathInt("id")
	if err != nil {
		return err
	}
	ctx := c.R.Context()
	sb, err := c.Scope.SBOMByID(ctx, id)
	if err != nil {
		return err
	}
	v := discSBOMView{SBOM: sb}
	f := domain.ComponentFilter{ListParams: c.List(), ProductVersionID: sb.ProductVersionID}
	v.Q = f.Q
	if v.Components, err = c.Scope.Components(ctx, f); err != nil {
		return err
	}
	if v.Others, v.Previous, err = discOtherSBOMs(c, sb); err != nil {
		return err
	}
	return c.Render("disclosures/sbom", "SBOM of "+sb.Product+" "+sb.Version, v)
}

// discOtherSBOMs returns the SBOMs of the other versions of the SBOM's product and the id of the one of
// the previous version.
func discOtherSBOMs(c *Ctx, sb domain.SBOMInfo) ([]domain.SBOMInfo, int64, error) {
	ctx := c.R.Context()
	all, err := c.Scope.SBOMs(ctx, sb.ProductID)
	if err != nil {
		return nil, 0, err
	}
	var others []domain.SBOMInfo
	for _, x := range all {
		if x.ID != sb.ID {
			others = append(others, x)
		}
	}
	pv, err := c.Scope.ProductVersion(ctx, sb.ProductVersionID)
	if err != nil {
		return nil, 0, err
	}
	prevVersion, err := disclosure.PreviousSBOMVersion(ctx, c.Scope, pv)
	if err != nil {
		return nil, 0, err
	}
	var prev int64
	for _, x := range others {
		if x.ProductVersionID == prevVersion {
			prev = x.ID
		}
	}
	return others, prev, nil
}

func (s *Server) discSBOMExport(c *Ctx) error {
	id, err := c.PathInt("id")
	if err != nil {
		return err
	}
	sb, err := c.Scope.SBOMByID(c.R.Context(), id)
	if err != nil {
		return err
	}
	format, ct, ext := sbom.CycloneDXJSON, "application/vnd.cyclonedx+json", ".cdx.json"
	if c.R.URL.Query().Get("format") == "xml" {
		format, ct, ext = sbom.CycloneDXXML, "application/vnd.cyclonedx+xml", ".cdx.xml"
	}
	var buf bytes.Buffer
	if err := disclosure.ExportSBOM(c.R.Context(), c.Scope, &buf, sb.ProductVersionID, format); err != nil {
		return err
	}
	discAttachment(c.W, discSlug(sb.Manufacturer+" "+sb.Product+" "+sb.Version)+ext, ct)
	_, err = c.W.Write(buf.Bytes())
	return err
}

// discSlug makes a file name of a title.
func discSlug(s string) string {
	s = strings.Map(func(r rune) rune {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '.':
			return r
		}
		return '-'
	}, s)
	for strings.Contains(s, "--") {
		s = strings.ReplaceAll(s, "--", "-")
	}
	return strings.Trim(s, "-")
}

type discDiffView struct {
	SBOM    domain.SBOMInfo
	Against int64
	Others  []domain.SBOMInfo
	Diff    disclosure.SBOMDiff
}

func (s *Server) discSBOMDiff(c *Ctx) error {
	id, err := c.PathInt("id")
	if err != nil {
		return err
	}
	ctx := c.R.Context()
	sb, err := c.Scope.SBOMByID(ctx, id)
	if err != nil {
		return err
	}
	v := discDiffView{SBOM: sb}
	if v.Others, v.Against, err = discOtherSBOMs(c, sb); err != nil {
		return err
	}
	if a := queryID(c.R.URL.Query(), "against"); a != 0 {
		v.Against = a
	}
	from := sb.ProductVersionID
	if v.Against != 0 {
		other, err := c.Scope.SBOMByID(ctx, v.Against)
		if err != nil {
			return err
		}
		from = other.ProductVersionID
	}
	if v.Diff, err = disclosure.DiffSBOMs(ctx, c.Scope, from, sb.ProductVersionID); err != nil {
		return err
	}
	return c.Render("disclosures/diff", "SBOM changes of "+sb.Product+" "+sb.Version, v)
}
