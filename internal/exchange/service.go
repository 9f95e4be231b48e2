package exchange

import (
	"context"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/hex"
	"fmt"
	"log/slog"
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/vigil-med/vigil/internal/csaf"
	"github.com/vigil-med/vigil/internal/csaf/provider"
	"github.com/vigil-med/vigil/internal/domain"
	"github.com/vigil-med/vigil/internal/notify"
	"github.com/vigil-med/vigil/internal/store"
)

// Service publishes (manufacturer side) and receives (hospital side).
type Service struct {
	Store *store.Store
	// Secret seals the organisations' private signing keys in the database (LoadSecret); nil stores them
	// unsealed.
	Secret []byte
	// BaseURL returns the instance's external URL (links in the provider metadata, feeds and documents).
	BaseURL func() string
	Now     func() time.Time
	// Client makes the subscriptions' requests (nil: a client with a 60 s timeout).
	Client   *http.Client
	Notifier *notify.Notifier // nil: no notifications
	Log      *slog.Logger

	mu    sync.Mutex
	sites map[string]cachedSite
}

type cachedSite struct {
	state string
	site  *provider.Site
}

// New returns a service.
func New(st *store.Store, secret []byte, baseURL func() string) *Service {
	return &Service{Store: st, Secret: secret, BaseURL: baseURL, Now: time.Now, Log: slog.New(slog.DiscardHandler)}
}

func (s *Service) now() time.Time {
	if s.Now == nil {
		return time.Now().UTC()
	}
	return s.Now().UTC()
}

func (s *Service) base() string {
	if s.BaseURL == nil {
		return "http://localhost"
	}
	return strings.TrimRight(s.BaseURL(), "/")
}

// ProviderBase is the base URL of an organisation's provider (its files are under
// ProviderBase/.well-known/csaf/).
func (s *Service) ProviderBase(slug string) string { return s.base() + "/exchange/" + slug }

// MetadataURL is the URL of an organisation's provider-metadata.json.
func (s *Service) MetadataURL(slug string) string {
	return s.ProviderBase(slug) + "/.well-known/csaf/provider-metadata.json"
}

// requireManufacturer refuses the manufacturer operations to other organisation types.
func requireManufacturer(ctx context.Context, sc *store.Scope) (domain.Organisation, error) {
	org, err := sc.Organisation(ctx)
	if err != nil {
		return org, err
	}
	if org.Type != domain.OrgManufacturer {
		return org, &domain.Error{Code: domain.EForbidden, Message: fmt.Sprintf("%s is a %s: only manufacturer organisations publish", org.Name, org.Type)}
	}
	return org, nil
}

// SaveAdvisory validates and stores an advisory (ID 0 creates a draft).
func (s *Service) SaveAdvisory(ctx context.Context, sc *store.Scope, a *domain.ExchangeAdvisory) error {
	if _, err := requireManufacturer(ctx, sc); err != nil {
		return err
	}
	if err := a.Validate(); err != nil {
		return err
	}
	score, sev, err := CVSS(a.CVSSVector)
	if err != nil {
		return err
	}
	a.CVSSScore, a.Severity = score, sev
	return sc.Write(ctx, func(tx *store.Tx) error { return tx.SaveExchangeAdvisory(ctx, a) })
}

// versionInfos reads the product versions an advisory names.
func versionInfos(ctx context.Context, sc *store.Scope, ids ...[]int64) (map[int64]VersionInfo, error) {
	out := map[int64]VersionInfo{}
	for _, list := range ids {
		for _, id := range list {
			pv, err := sc.ProductVersion(ctx, id)
			if err != nil {
				return nil, domain.Invalid("affected_version_ids", "product version %d: %v", id, err)
			}
			p, err := sc.Product(ctx, pv.ProductID)
			if err != nil {
				return nil, err
			}
			eos := pv.EndOfSupport
			if eos.IsZero() {
				eos = p.EndOfSupport
			}
			out[id] = VersionInfo{ID: id, Vendor: pv.Manufacturer, Product: pv.Product, Version: pv.Version, ModelNumber: p.ModelNumber, EndOfSupport: eos}
		}
	}
	return out, nil
}

// draft builds the CSAF document the next publication of an advisory would publish.
func (s *Service) draft(ctx context.Context, sc *store.Scope, org domain.Organisation, a domain.ExchangeAdvisory, at time.Time) ([]byte, error) {
	pubs, err := sc.ExchangePublications(ctx, domain.PubCSAF, a.ID, 0, false)
	if err != nil {
		return nil, err
	}
	var hist []Revision
	for i := len(pubs) - 1; i >= 0; i-- { // oldest first
		sum := "Revision " + fmt.Sprint(pubs[i].Version)
		if pubs[i].Version == 1 {
			sum = "Initial release"
		}
		hist = append(hist, Revision{Number: pubs[i].Version, Date: pubs[i].Published, Summary: sum})
	}
	next := Revision{Number: len(hist) + 1, Date: at, Summary: "Initial release"}
	if next.Number > 1 {
		next.Summary = "Revision " + fmt.Sprint(next.Number)
	}
	hist = append(hist, next)
	if a.InitialRelease.IsZero() {
		a.InitialRelease = hist[0].Date
	}
	infos, err := versionInfos(ctx, sc, a.Affected, a.Fixed)
	if err != nil {
		return nil, err
	}
	folder := strings.ToLower(a.TLP)
	self := fmt.Sprintf("%s/.well-known/csaf/%s/%04d/%s", s.ProviderBase(org.Slug), folder, hist[0].Date.Year(), provider.FileName(a.TrackingID))
	return BuildCSAF(DocInput{Advisory: a, Publisher: org.Name, Namespace: s.base(), SelfURL: self, Versions: infos, History: hist, Now: at})
}

// Preview returns the CSAF document the next publication would publish and the problems validation
// finds (nil when it would pass).
func (s *Service) Preview(ctx context.Context, sc *store.Scope, id int64) ([]byte, []string, error) {
	org, err := sc.Organisation(ctx)
	if err != nil {
		return nil, nil, err
	}
	a, err := sc.ExchangeAdvisory(ctx, id)
	if err != nil {
		return nil, nil, err
	}
	doc, err := s.draft(ctx, sc, org, a, s.now().Truncate(time.Second))
	if err != nil {
		return nil, nil, err
	}
	return doc, problemsOf(provider.Validate(doc)), nil
}

func problemsOf(err error) []string {
	if err == nil {
		return nil
	}
	if ie, ok := err.(*csaf.InvalidError); ok {
		out := make([]string, 0, len(ie.Problems))
		for _, p := range ie.Problems {
			out = append(out, p.String())
		}
		return out
	}
	return []string{err.Error()}
}

// PublishAdvisory publishes the next version of an advisory: builds the CSAF document, validates it
// with gocsaf (schema and mandatory tests, all as errors), signs it with the organisation's key and
// stores it; the provider serves it from then on.
func (s *Service) PublishAdvisory(ctx context.Context, sc *store.Scope, id int64) (domain.ExchangePublication, error) {
	var pub domain.ExchangePublication
	org, err := requireManufacturer(ctx, sc)
	if err != nil {
		return pub, err
	}
	a, err := sc.ExchangeAdvisory(ctx, id)
	if err != nil {
		return pub, err
	}
	if err := a.Validate(); err != nil {
		return pub, err
	}
	if a.Revision > 0 && !a.Changed {
		return pub, &domain.Error{Code: domain.EConflict, Message: fmt.Sprintf("%s version %d is published and unchanged since", a.TrackingID, a.Revision)}
	}
	at := s.now().Truncate(time.Second)
	if !a.CurrentRelease.IsZero() && !at.After(a.CurrentRelease) {
		at = a.CurrentRelease.Add(time.Second)
	}
	doc, err := s.draft(ctx, sc, org, a, at)
	if err != nil {
		return pub, err
	}
	if probs := problemsOf(provider.Validate(doc)); len(probs) > 0 {
		return pub, domain.Invalid("document", "the CSAF document does not validate:\n  %s", strings.Join(probs, "\n  "))
	}
	key, err := s.SigningKey(ctx, sc)
	if err != nil {
		return pub, err
	}
	sig, err := sign(key, doc)
	if err != nil {
		return pub, err
	}
	pub = newPublication(domain.PubCSAF, provider.FileName(a.TrackingID), "application/csaf+json", a.TLP, doc, sig)
	pub.AdvisoryID, pub.Published = a.ID, at
	initial := a.InitialRelease
	if initial.IsZero() {
		initial = at
	}
	err = sc.Write(ctx, func(tx *store.Tx) error {
		if err := tx.AddExchangePublication(ctx, &pub); err != nil {
			return err
		}
		return tx.MarkExchangeAdvisoryPublished(ctx, a.ID, pub.Version, initial, at)
	})
	return pub, err
}

func newPublication(kind, name, media, tlp string, data, sig []byte) domain.ExchangePublication {
	s256, s512 := sha256.Sum256(data), sha512.Sum512(data)
	return domain.ExchangePublication{Kind: kind, FileName: name, MediaType: media, TLP: tlp, Data: data, Signature: sig,
		SHA256: hex.EncodeToString(s256[:]), SHA512: hex.EncodeToString(s512[:])}
}

// site returns the organisation's CSAF provider site at base (built from the latest published version
// of every advisory, cached until the next publication).
func (s *Service) site(ctx context.Context, org domain.Organisation, base string) (*provider.Site, error) {
	sc := s.Store.Scope(org.ID)
	state, err := sc.ExchangeState(ctx)
	if err != nil {
		return nil, err
	}
	key := fmt.Sprintf("%d|%s", org.ID, base)
	s.mu.Lock()
	c, ok := s.sites[key]
	s.mu.Unlock()
	if ok && c.state == state {
		return c.site, nil
	}
	if _, err := sc.ExchangeKey(ctx); err != nil {
		return nil, err // nothing published yet: ENotFound
	}
	ent, err := s.SigningKey(ctx, sc)
	if err != nil {
		return nil, err
	}
	pubs, err := sc.LatestCSAFPublications(ctx)
	if err != nil {
		return nil, err
	}
	docs := make([]provider.PublishedDoc, 0, len(pubs))
	for _, p := range pubs {
		docs = append(docs, provider.PublishedDoc{Data: p.Data, Signature: p.Signature})
	}
	site, err := provider.Publish(docs, ent, provider.MetadataOptions{BaseURL: base,
		Publisher: csaf.Publisher{Name: org.Name, Namespace: s.base(), Category: "vendor",
			ContactDetails: "Product security of " + org.Name + ": " + s.base() + "/exchange/" + org.Slug + "/products"},
		ListOnAggregators: true, MirrorOnAggregators: true})
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	if s.sites == nil {
		s.sites = map[string]cachedSite{}
	}
	s.sites[key] = cachedSite{state: state, site: site}
	s.mu.Unlock()
	return site, nil
}

// Site returns the organisation's provider site (for tests and `vigil exchange export`).
func (s *Service) Site(ctx context.Context, org domain.Organisation) (*provider.Site, error) {
	return s.site(ctx, org, s.ProviderBase(org.Slug))
}

// tlpAllowed reports whether a subscriber token of the organisation in r allows reading label tlp.
func (s *Service) tlpAllowed(org domain.Organisation, r *http.Request, tlp string) bool {
	h := r.Header.Get("Authorization")
	tok, ok := strings.CutPrefix(h, "Bearer ")
	if !ok || strings.TrimSpace(tok) == "" {
		return false
	}
	sc := s.Store.Scope(org.ID)
	t, err := sc.SubscriberTokenByHash(r.Context(), hashSecret(strings.TrimSpace(tok)))
	if err != nil || t.RevokedAt != nil || (t.Expires != nil && s.now().After(*t.Expires)) {
		return false
	}
	if domain.TLPRank(tlp) < 0 || domain.TLPRank(tlp) > domain.TLPRank(t.TLPMax) {
		return false
	}
	_ = sc.TouchSubscriberToken(context.WithoutCancel(r.Context()), t.ID, s.now())
	return true
}

func hashSecret(v string) string {
	sum := sha256.Sum256([]byte(v))
	return hex.EncodeToString(sum[:])
}

// Publications returns the latest publication of each subject, optionally only those of a product
// version.
func Publications(ctx context.Context, sc *store.Scope, versionID int64) ([]domain.ExchangePublication, error) {
	ps, err := sc.ExchangePublications(ctx, "", 0, versionID, true)
	if err != nil {
		return nil, err
	}
	slices.SortStableFunc(ps, func(a, b domain.ExchangePublication) int { return strings.Compare(a.Kind, b.Kind) })
	return ps, nil
}
