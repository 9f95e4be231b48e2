package web

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"

	"github.com/vigil-med/vigil/internal/cpe"
	"github.com/vigil-med/vigil/internal/domain"
	"github.com/vigil-med/vigil/internal/store"
	"github.com/vigil-med/vigil/internal/vuln"
	"github.com/vigil-med/vigil/internal/vulndb"
)

// vulndbRoutes registers the Feeds page and the vulnerability database pages. The data is shared by
// every organisation; sync and upload need feeds:manage.
func (s *Server) vulndbRoutes(mux *http.ServeMux) {
	mux.HandleFunc("GET /vulnerabilities/feeds", s.page(domain.PermRead, s.vulndbFeeds))
	mux.HandleFunc("POST /vulnerabilities/feeds/sync", s.page(domain.PermFeeds, s.vulndbFeedsSync))
	mux.HandleFunc("POST /vulnerabilities/feeds/upload", s.page(domain.PermFeeds, s.vulndbFeedsUpload))
	mux.HandleFunc("GET /vulnerabilities/db", s.page(domain.PermRead, s.vulndbList))
	mux.HandleFunc("GET /vulnerabilities/db/{id}", s.page(domain.PermRead, s.vulndbDetail))
}

type vulndbFeedsView struct {
	Status   *vulndb.Status
	Jobs     []store.Job
	Changes  []domain.FeedChange
	Upload   string // the largest upload, for people
	SyncOff  bool
	Interval string
}

func (s *Server) vulndbFeeds(c *Ctx) error {
	if s.Feeds == nil {
		return &domain.Error{Code: domain.ENotFound, Message: "the vulnerability database is not available"}
	}
	ctx := c.R.Context()
	st, err := s.Feeds.Status(ctx)
	if err != nil {
		return err
	}
	v := vulndbFeedsView{Status: st, SyncOff: s.Feeds.Config.SyncInterval <= 0, Interval: s.Feeds.Config.SyncInterval.String(),
		Upload: fmt.Sprintf("%d MiB", s.Config.MaxUploadBytes>>20)}
	for _, kind := range []string{vulndb.JobSync, vulndb.JobImport} {
		page, err := c.Scope.Jobs(ctx, store.JobFilter{ListParams: domain.ListParams{Limit: 5}, Kind: kind})
		if err != nil {
			return err
		}
		v.Jobs = append(v.Jobs, page.Items...)
	}
	gen := st.Generation
	if v.Changes, err = s.Store.FeedChanges(ctx, max(gen-10, 0), 10); err != nil {
		return err
	}
	for i, j := 0, len(v.Changes)-1; i < j; i, j = i+1, j-1 {
		v.Changes[i], v.Changes[j] = v.Changes[j], v.Changes[i]
	}
	return c.Render("vulndb/feeds", "Feeds", v)
}

func (s *Server) vulndbFeedsSync(c *Ctx) error {
	if s.Feeds == nil || s.Jobs == nil {
		return &domain.Error{Code: domain.EConflict, Message: "background jobs are not running"}
	}
	var sources []string
	if src := c.Form("source"); src != "" {
		sources = []string{src}
	}
	id, err := s.Feeds.EnqueueSync(c.R.Context(), s.Jobs, sources)
	if err != nil {
		return err
	}
	msg := "A sync of the feeds was queued; its progress shows below."
	if id == 0 {
		msg = "A sync was queued a moment ago; its progress shows below."
	}
	return c.Redirect("/vulnerabilities/feeds", "ok", msg)
}

func (s *Server) vulndbFeedsUpload(c *Ctx) error {
	if s.Feeds == nil || s.Jobs == nil {
		return &domain.Error{Code: domain.EConflict, Message: "background jobs are not running"}
	}
	f, fh, err := c.R.FormFile("file")
	if err != nil {
		if errors.Is(err, http.ErrMissingFile) {
			return c.Redirect("/vulnerabilities/feeds", "error", "Choose a feed file or an offline bundle to upload.")
		}
		return domain.Invalid("file", "the upload could not be read: %v", err)
	}
	defer f.Close()
	limit := s.Config.MaxUploadBytes
	if fh.Size > limit {
		return c.Redirect("/vulnerabilities/feeds", "error", fmt.Sprintf("The file is larger than %d MiB; import it with \"vigil feeds import\" on the server.", limit>>20))
	}
	data, err := io.ReadAll(io.LimitReader(f, limit+1))
	if err != nil {
		return err
	}
	if int64(len(data)) > limit || len(data) == 0 {
		return c.Redirect("/vulnerabilities/feeds", "error", "The file is empty or too large.")
	}
	if _, err := s.Feeds.EnqueueImport(c.R.Context(), s.Jobs, fh.Filename, data); err != nil {
		return err
	}
	return c.Redirect("/vulnerabilities/feeds", "ok", "Uploaded "+fh.Filename+"; it is being imported (see Recent feed jobs).")
}

type vulndbListView struct {
	Page     domain.Page[domain.Vulnerability]
	Q        string
	KEV      bool
	Severity string
	Package  string
	Total    int
}

func (s *Server) vulndbList(c *Ctx) error {
	q := c.R.URL.Query()
	f := domain.VulnFilter{ListParams: c.List(), KEV: q.Get("kev") == "1" || q.Get("kev") == "true", Package: strings.TrimSpace(q.Get("package"))}
	v := vulndbListView{Q: f.Q, KEV: f.KEV, Severity: q.Get("severity"), Package: f.Package}
	if v.Severity != "" {
		if l, err := vuln.ParseLevel(v.Severity); err == nil && l >= vuln.Low {
			f.MinSeverity = int(l)
		} else {
			v.Severity = ""
		}
	}
	// an exact id or alias goes straight to its page
	if f.Q != "" && !strings.ContainsAny(f.Q, " \t") {
		if id, err := s.Store.ResolveVulnID(c.R.Context(), f.Q); err == nil && c.R.URL.Query().Get("list") == "" {
			http.Redirect(c.W, c.R, "/vulnerabilities/db/"+id, http.StatusSeeOther)
			return nil
		}
	}
	var err error
	if v.Page, err = s.Store.Vulnerabilities(c.R.Context(), f); err != nil {
		return err
	}
	if v.Total, err = s.Store.CountVulnerabilities(c.R.Context()); err != nil {
		return err
	}
	return c.Render("vulndb/list", "Vulnerability database", v)
}

// vulndbDetailView is the vulnerability page. Fleet is the slot of the fleet matching: the devices
// of the organisation that the vulnerability affects (nil until that module fills it).
type vulndbDetailView struct {
	V          domain.Vulnerability
	Data       vuln.Vulnerability
	Details    []string // paragraphs
	Severities []vuln.Severity
	Affected   []vulndbAffected
	Configs    []vulndbConfig
	References []vuln.Reference
	Related    []string
	Fleet      any
}

type vulndbAffected struct {
	Ecosystem, Name, PURL, Source string
	Ranges                        []string
	Versions                      []string // the first enumerated versions
	MoreVersions                  int
	Withdrawn                     bool
}

type vulndbConfig struct {
	Source   string
	Operator string
	Negate   bool
	Nodes    []vulndbNode
}

type vulndbNode struct {
	Operator string
	Negate   bool
	Matches  []vulndbMatch
}

type vulndbMatch struct {
	Vulnerable bool
	Criteria   string
	Product    string // "openssl openssl" (vendor product, unescaped), or the criteria when unreadable
	Version    string // "1.0.1f", "any version", "from 1.0.1 up to (excluding) 1.0.1g" …
	Platform   string // part: application, operating system, hardware
}

const vulndbMaxVersions = 12

func (s *Server) vulndbDetail(c *Ctx) error {
	if s.Feeds == nil {
		return &domain.Error{Code: domain.ENotFound, Message: "the vulnerability database is not available"}
	}
	row, data, err := s.Feeds.Vulnerability(c.R.Context(), c.R.PathValue("id"))
	if err != nil {
		return err
	}
	if row.ID != c.R.PathValue("id") {
		http.Redirect(c.W, c.R, "/vulnerabilities/db/"+row.ID, http.StatusMovedPermanently)
		return nil
	}
	v := vulndbDetailView{V: row, Data: data, Severities: data.Severity, References: data.References, Related: data.Related}
	for _, p := range strings.Split(strings.TrimSpace(data.Details), "\n\n") {
		if p = strings.TrimSpace(p); p != "" {
			v.Details = append(v.Details, p)
		}
	}
	for _, a := range data.Affected {
		va := vulndbAffected{Ecosystem: a.Ecosystem, Name: a.Name, PURL: a.PURL, Source: a.Source, Withdrawn: data.RecordWithdrawn(a.Source)}
		for _, r := range a.Ranges {
			va.Ranges = append(va.Ranges, vulndbRange(r))
		}
		if len(a.Versions) > vulndbMaxVersions {
			va.Versions, va.MoreVersions = a.Versions[:vulndbMaxVersions], len(a.Versions)-vulndbMaxVersions
		} else {
			va.Versions = a.Versions
		}
		v.Affected = append(v.Affected, va)
	}
	for _, cf := range data.Configurations {
		vc := vulndbConfig{Source: cf.Source, Operator: opName(cf.Operator), Negate: cf.Negate}
		for _, n := range cf.Nodes {
			vn := vulndbNode{Operator: opName(n.Operator), Negate: n.Negate}
			for _, m := range n.Matches {
				vn.Matches = append(vn.Matches, vulndbCPE(m))
			}
			vc.Nodes = append(vc.Nodes, vn)
		}
		v.Configs = append(v.Configs, vc)
	}
	card, err := fleetCard(c, domain.FindingFilter{VulnID: row.ID}, "/vulnerabilities?vuln="+row.ID, true)
	if err != nil {
		return err
	}
	v.Fleet = card
	return c.Render("vulndb/detail", row.ID, v)
}

func opName(op string) string {
	if strings.EqualFold(op, "AND") {
		return "AND"
	}
	return "OR"
}

// vulndbRange describes an OSV range for people: "introduced 0 → fixed 0.17.0".
func vulndbRange(r vuln.Range) string {
	var parts []string
	for _, e := range r.Events {
		parts = append(parts, e.Kind.String()+" "+e.Version)
	}
	s := strings.Join(parts, " → ")
	if r.Type == "GIT" {
		s += " (git commits of " + r.Repo + ")"
	} else {
		s += " (" + strings.ToLower(r.Type) + ")"
	}
	return s
}

// vulndbCPE describes an NVD match criterion for people.
func vulndbCPE(m vuln.CPEMatch) vulndbMatch {
	out := vulndbMatch{Vulnerable: m.Vulnerable, Criteria: m.Criteria, Product: m.Criteria}
	n, err := cpe.Parse(m.Criteria)
	if err != nil {
		return out
	}
	out.Product = strings.TrimSpace(n.Vendor.Unescaped() + " " + n.Product.Unescaped())
	switch n.Part.V {
	case "a":
		out.Platform = "application"
	case "o":
		out.Platform = "operating system"
	case "h":
		out.Platform = "hardware"
	}
	var bounds []string
	if m.VersionStartIncluding != "" {
		bounds = append(bounds, "from "+m.VersionStartIncluding)
	}
	if m.VersionStartExcluding != "" {
		bounds = append(bounds, "after "+m.VersionStartExcluding)
	}
	if m.VersionEndIncluding != "" {
		bounds = append(bounds, "up to "+m.VersionEndIncluding+" (including)")
	}
	if m.VersionEndExcluding != "" {
		bounds = append(bounds, "up to "+m.VersionEndExcluding+" (excluding)")
	}
	switch {
	case len(bounds) > 0:
		out.Version = strings.Join(bounds, ", ")
	case n.Version.Kind == cpe.Any:
		out.Version = "any version"
	case n.Version.Kind == cpe.NA:
		out.Version = "no version (-)"
	default:
		out.Version = n.Version.Unescaped()
		if u := n.Update.Unescaped(); u != "" {
			out.Version += " " + u
		}
	}
	return out
}
