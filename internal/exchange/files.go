package exchange

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/vigil-med/vigil/internal/auth"
	"github.com/vigil-med/vigil/internal/disclosure"
	"github.com/vigil-med/vigil/internal/domain"
	"github.com/vigil-med/vigil/internal/sbom"
	"github.com/vigil-med/vigil/internal/store"
	"github.com/vigil-med/vigil/internal/vex"
)

// VEX and SBOM publications per product version, subscriber tokens, and the public HTTP side.

// VersionStatements are the VEX statements a manufacturer publishes for one of its product versions:
// its stored statements about the version and those of its published advisories (affected, fixed) whose
// TLP label is at most tlp.
func VersionStatements(ctx context.Context, sc *store.Scope, versionID int64, tlp string) ([]vex.Statement, error) {
	pv, err := sc.ProductVersion(ctx, versionID)
	if err != nil {
		return nil, err
	}
	prod := vex.Product{ID: fmt.Sprintf("pv-%d", pv.ID), Name: pv.Product, Version: pv.Version}
	stored, err := sc.VersionVEX(ctx, versionID)
	if err != nil {
		return nil, err
	}
	var out []vex.Statement
	for _, st := range stored {
		s := vex.Statement{Vulnerability: st.Vulnerability, Aliases: st.Aliases, Product: prod, Status: vex.Status(st.Status),
			Justification: vex.Justification(st.Justification), ImpactStatement: st.Impact, ActionStatement: st.Action, Timestamp: st.Stated}
		if st.ComponentName != "" || st.ComponentPURL != "" {
			s.Component = &vex.Product{Name: st.ComponentName, Version: st.ComponentVersion, PURL: st.ComponentPURL}
		}
		out = append(out, s)
	}
	advs, err := sc.ExchangeAdvisories(ctx, domain.ListParams{Limit: domain.MaxPageSize})
	if err != nil {
		return nil, err
	}
	for _, a := range advs.Items {
		if a.Revision == 0 || domain.TLPRank(a.TLP) > domain.TLPRank(tlp) {
			continue
		}
		status, action := vex.Status(""), ""
		for _, id := range a.Affected {
			if id == versionID {
				status, action = vex.Affected, a.Remediation
			}
		}
		for _, id := range a.Fixed {
			if id == versionID {
				status = vex.Fixed
			}
		}
		if status == "" {
			continue
		}
		ids := a.CVEs
		if len(ids) == 0 {
			ids = []string{a.TrackingID}
		}
		for _, c := range ids {
			out = append(out, vex.Statement{Vulnerability: c, Product: prod, Status: status, ActionStatement: action, Timestamp: a.CurrentRelease,
				Source: a.TrackingID})
		}
	}
	return out, nil
}

// PublishVersionDocument publishes the next version of a product version's OpenVEX, CycloneDX VEX or
// SBOM (CycloneDX 1.6), signed, with its TLP label.
func (s *Service) PublishVersionDocument(ctx context.Context, sc *store.Scope, versionID int64, kind, tlp string) (domain.ExchangePublication, error) {
	var pub domain.ExchangePublication
	org, err := requireManufacturer(ctx, sc)
	if err != nil {
		return pub, err
	}
	if tlp, err = domain.NormalizeTLP("tlp", tlp); err != nil {
		return pub, err
	}
	pv, err := sc.ProductVersion(ctx, versionID)
	if err != nil {
		return pub, err
	}
	at := s.now()
	base := strings.Trim(domain.Slugify(pv.Product+"-"+pv.Version), "-")
	var buf bytes.Buffer
	var name, media string
	switch kind {
	case domain.PubOpenVEX, domain.PubCycloneDXVEX:
		stmts, err := VersionStatements(ctx, sc, versionID, tlp)
		if err != nil {
			return pub, err
		}
		if len(stmts) == 0 {
			return pub, domain.Invalid("product_version_id", "%s %s has no VEX statements to publish (publish an advisory or import VEX first)", pv.Product, pv.Version)
		}
		if kind == domain.PubOpenVEX {
			err, name, media = vex.EncodeOpenVEX(&buf, stmts, org.Name, at), base+".openvex.json", "application/openvex+json"
		} else {
			err, name, media = vex.EncodeCycloneDX(&buf, stmts, at), base+".vex.cdx.json", "application/vnd.cyclonedx+json"
		}
		if err != nil {
			return pub, err
		}
	case domain.PubSBOM:
		if err := disclosure.ExportSBOM(ctx, sc, &buf, versionID, sbom.CycloneDXJSON); err != nil {
			return pub, err
		}
		name, media = base+".cdx.json", "application/vnd.cyclonedx+json"
	default:
		return pub, domain.Invalid("kind", "unknown kind %q (allowed: openvex, cyclonedx-vex, sbom)", kind)
	}
	key, err := s.SigningKey(ctx, sc)
	if err != nil {
		return pub, err
	}
	sig, err := sign(key, buf.Bytes())
	if err != nil {
		return pub, err
	}
	pub = newPublication(kind, name, media, tlp, buf.Bytes(), sig)
	pub.ProductVersionID, pub.Published = versionID, at
	err = sc.Write(ctx, func(tx *store.Tx) error { return tx.AddExchangePublication(ctx, &pub) })
	return pub, err
}

// CreateSubscriberToken makes a token that lets its holder read the organisation's documents up to
// TLP:tlpMax; the token is returned once.
func CreateSubscriberToken(ctx context.Context, sc *store.Scope, name, tlpMax string) (domain.SubscriberToken, string, error) {
	if _, err := requireManufacturer(ctx, sc); err != nil {
		return domain.SubscriberToken{}, "", err
	}
	l, err := domain.NormalizeTLP("tlp_max", tlpMax)
	if err != nil {
		return domain.SubscriberToken{}, "", err
	}
	secret := "vgs_" + auth.RandomToken(32)
	t := domain.SubscriberToken{Name: strings.TrimSpace(name), TLPMax: l, Prefix: secret[:10], Hash: hashSecret(secret)}
	err = sc.Write(ctx, func(tx *store.Tx) error { return tx.CreateSubscriberToken(ctx, &t) })
	return t, secret, err
}

// Routes registers the public side: every manufacturer organisation's provider, its published files,
// and the well-known provider of the instance's only publishing organisation.
func (s *Service) Routes(mux *http.ServeMux) {
	mux.HandleFunc("GET /exchange/{org}/.well-known/csaf/{path...}", func(w http.ResponseWriter, r *http.Request) {
		org, ok := s.publicOrg(w, r)
		if !ok {
			return
		}
		s.serveSite(w, r, org, s.ProviderBase(org.Slug), r.PathValue("path"))
	})
	mux.HandleFunc("GET /.well-known/csaf/{path...}", func(w http.ResponseWriter, r *http.Request) {
		org, ok := s.primaryOrg(r.Context())
		if !ok {
			http.Error(w, "no CSAF provider at the well-known place of this instance: use /exchange/<organisation>/.well-known/csaf/provider-metadata.json", http.StatusNotFound)
			return
		}
		s.serveSite(w, r, org, s.base(), r.PathValue("path"))
	})
	mux.HandleFunc("GET /exchange/{org}/files/{id}/{name}", s.serveFile)
	mux.HandleFunc("GET /exchange/{org}/openpgp.asc", func(w http.ResponseWriter, r *http.Request) {
		org, ok := s.publicOrg(w, r)
		if !ok {
			return
		}
		pub, _, err := PublicKey(r.Context(), s.Store.Scope(org.ID))
		if err != nil {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "application/pgp-keys")
		_, _ = w.Write(pub)
	})
}

func (s *Service) publicOrg(w http.ResponseWriter, r *http.Request) (domain.Organisation, bool) {
	org, err := s.Store.OrgByRef(r.Context(), r.PathValue("org"))
	if err != nil || org.Type != domain.OrgManufacturer || strings.Trim(r.PathValue("org"), "0123456789") == "" {
		http.NotFound(w, r)
		return org, false
	}
	return org, true
}

// primaryOrg is the only manufacturer organisation that has published advisories.
func (s *Service) primaryOrg(ctx context.Context) (domain.Organisation, bool) {
	orgs, err := s.Store.Orgs(ctx)
	if err != nil {
		return domain.Organisation{}, false
	}
	var found []domain.Organisation
	for _, o := range orgs {
		if o.Type != domain.OrgManufacturer {
			continue
		}
		if ps, err := s.Store.Scope(o.ID).ExchangePublications(ctx, domain.PubCSAF, 0, 0, true); err == nil && len(ps) > 0 {
			found = append(found, o)
		}
	}
	if len(found) != 1 {
		return domain.Organisation{}, false
	}
	return found[0], true
}

func (s *Service) serveSite(w http.ResponseWriter, r *http.Request, org domain.Organisation, base, rest string) {
	site, err := s.site(r.Context(), org, base)
	if err != nil {
		if domain.ErrorCode(err) == domain.ENotFound {
			http.Error(w, org.Name+" publishes no advisories yet", http.StatusNotFound)
			return
		}
		s.Log.Error("CSAF provider", "org", org.Slug, "err", err)
		http.Error(w, "the provider is unavailable", http.StatusInternalServerError)
		return
	}
	r2 := r.Clone(r.Context())
	r2.URL.Path = "/.well-known/csaf/" + rest
	w.Header().Set("Access-Control-Allow-Origin", "*")
	site.Handler(func(r *http.Request, tlp string) bool { return s.tlpAllowed(org, r, tlp) }).ServeHTTP(w, r2)
}

func (s *Service) serveFile(w http.ResponseWriter, r *http.Request) {
	org, ok := s.publicOrg(w, r)
	if !ok {
		return
	}
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		http.NotFound(w, r)
		return
	}
	p, err := s.Store.Scope(org.ID).ExchangePublication(r.Context(), id)
	if err != nil || p.Kind == domain.PubCSAF {
		http.NotFound(w, r)
		return
	}
	name := r.PathValue("name")
	var body []byte
	ctype := p.MediaType
	switch name {
	case p.FileName:
		body = p.Data
	case p.FileName + ".sha256":
		body, ctype = []byte(p.SHA256+"  "+p.FileName+"\n"), "text/plain; charset=utf-8"
	case p.FileName + ".sha512":
		body, ctype = []byte(p.SHA512+"  "+p.FileName+"\n"), "text/plain; charset=utf-8"
	case p.FileName + ".asc":
		body, ctype = p.Signature, "application/pgp-signature"
	default:
		http.NotFound(w, r)
		return
	}
	if p.TLP != "WHITE" {
		if !s.tlpAllowed(org, r, p.TLP) {
			http.Error(w, "TLP:"+p.TLP+" content requires authorisation", http.StatusUnauthorized)
			return
		}
		w.Header().Set("Cache-Control", "private, no-store")
	}
	w.Header().Set("Content-Type", ctype)
	http.ServeContent(w, r, name, p.Published, bytes.NewReader(body))
}

// FileURL is the public URL of a published VEX or SBOM file.
func (s *Service) FileURL(slug string, p domain.ExchangePublication) string {
	return fmt.Sprintf("%s/exchange/%s/files/%d/%s", s.base(), slug, p.ID, p.FileName)
}
