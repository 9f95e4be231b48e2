package api

import (
	"encoding/json"
	"net/http"
	"time"

	"github.com/vigil-med/vigil/internal/domain"
	"github.com/vigil-med/vigil/internal/exchange"
)

// ExchangePreview is the CSAF document the next publication of an advisory would publish.
type ExchangePreview struct {
	Document json.RawMessage `json:"document"`
	Problems []string        `json:"problems" doc:"what validation finds; empty when it would publish"`
}

// ExchangePublishInput publishes a product version's VEX or SBOM.
type ExchangePublishInput struct {
	ProductVersionID int64  `json:"product_version_id"`
	Kind             string `json:"kind" doc:"openvex, cyclonedx-vex or sbom"`
	TLP              string `json:"tlp,omitempty" doc:"default WHITE"`
}

// ExchangeKeyView is the organisation's signing key and provider.
type ExchangeKeyView struct {
	Fingerprint string `json:"fingerprint"`
	PublicKey   string `json:"public_key" doc:"ASCII-armoured; the private key is never returned"`
	MetadataURL string `json:"metadata_url"`
}

// ExchangeTokenInput creates a subscriber token.
type ExchangeTokenInput struct {
	Name   string `json:"name"`
	TLPMax string `json:"tlp_max" doc:"GREEN or AMBER"`
}

// ExchangeNewToken is a created token with its secret (shown once).
type ExchangeNewToken struct {
	Token  domain.SubscriberToken `json:"token"`
	Secret string                 `json:"secret"`
}

// ExchangeShareInput shares aggregate figures with a group or an authority.
type ExchangeShareInput struct {
	Target string `json:"target" doc:"slug of the group or authority organisation"`
}

// ExchangeRoutes registers the exchange operations: the manufacturer's advisories, publications, guidance,
// signing key and subscriber tokens; the hospital's subscriptions, received advisories' affected devices
// and questions; sharing and the aggregate view.
func (a *API) ExchangeRoutes(svc *exchange.Service, now func() time.Time) {
	a.exchangePublishRoutes(svc)
	a.exchangeReceiveRoutes(svc, now)
}

func (a *API) exchangePublishRoutes(svc *exchange.Service) {
	const tag = "exchange"
	Handle(a, Op{Method: http.MethodGet, Path: "/exchange/advisories", ID: "listExchangeAdvisories", Tag: tag, Perm: domain.PermRead,
		Summary: "The manufacturer's own advisories (drafts and published)", Params: ListParams},
		func(c *Call, _ Empty) (domain.Page[domain.ExchangeAdvisory], error) {
			p, err := c.List()
			if err != nil {
				return domain.Page[domain.ExchangeAdvisory]{}, err
			}
			return c.Scope.ExchangeAdvisories(c.Ctx(), p)
		})
	Handle(a, Op{Method: http.MethodPost, Path: "/exchange/advisories", ID: "createExchangeAdvisory", Tag: tag, Perm: domain.PermPublish, Status: http.StatusCreated,
		Summary: "Write an advisory (a draft until published)"},
		func(c *Call, in domain.ExchangeAdvisory) (domain.ExchangeAdvisory, error) {
			in.ID = 0
			err := svc.SaveAdvisory(c.Ctx(), c.Scope, &in)
			if err != nil {
				return in, err
			}
			return c.Scope.ExchangeAdvisory(c.Ctx(), in.ID)
		})
	Handle(a, Op{Method: http.MethodGet, Path: "/exchange/advisories/{id}", ID: "getExchangeAdvisory", Tag: tag, Perm: domain.PermRead, Summary: "One advisory"},
		func(c *Call, _ Empty) (domain.ExchangeAdvisory, error) {
			id, err := c.PathInt("id")
			if err != nil {
				return domain.ExchangeAdvisory{}, err
			}
			return c.Scope.ExchangeAdvisory(c.Ctx(), id)
		})
	Handle(a, Op{Method: http.MethodPut, Path: "/exchange/advisories/{id}", ID: "updateExchangeAdvisory", Tag: tag, Perm: domain.PermPublish,
		Summary: "Change an advisory (a published one is published again as a new version)"},
		func(c *Call, in domain.ExchangeAdvisory) (domain.ExchangeAdvisory, error) {
			id, err := c.PathInt("id")
			if err != nil {
				return in, err
			}
			if _, err := c.Scope.ExchangeAdvisory(c.Ctx(), id); err != nil {
				return in, err
			}
			in.ID = id
			if err := svc.SaveAdvisory(c.Ctx(), c.Scope, &in); err != nil {
				return in, err
			}
			return c.Scope.ExchangeAdvisory(c.Ctx(), id)
		})
	Handle(a, Op{Method: http.MethodDelete, Path: "/exchange/advisories/{id}", ID: "deleteExchangeAdvisory", Tag: tag, Perm: domain.PermPublish,
		Summary: "Delete a draft that was never published"},
		func(c *Call, _ Empty) (Empty, error) {
			id, err := c.PathInt("id")
			if err != nil {
				return Empty{}, err
			}
			return Empty{}, c.Scope.Write(c.Ctx(), func(tx *storeTx) error { return tx.DeleteExchangeAdvisory(c.Ctx(), id) })
		})
	Handle(a, Op{Method: http.MethodGet, Path: "/exchange/advisories/{id}/preview", ID: "previewExchangeAdvisory", Tag: tag, Perm: domain.PermRead,
		Summary: "The CSAF 2.0 document the next publication would publish, with what validation finds"},
		func(c *Call, _ Empty) (ExchangePreview, error) {
			id, err := c.PathInt("id")
			if err != nil {
				return ExchangePreview{}, err
			}
			doc, probs, err := svc.Preview(c.Ctx(), c.Scope, id)
			if probs == nil {
				probs = []string{}
			}
			return ExchangePreview{Document: doc, Problems: probs}, err
		})
	Handle(a, Op{Method: http.MethodPost, Path: "/exchange/advisories/{id}/publish", ID: "publishExchangeAdvisory", Tag: tag, Perm: domain.PermPublish,
		Summary: "Publish the next version as CSAF 2.0: validated with gocsaf, signed, served by the organisation's trusted provider"},
		func(c *Call, _ Empty) (domain.ExchangePublication, error) {
			id, err := c.PathInt("id")
			if err != nil {
				return domain.ExchangePublication{}, err
			}
			return svc.PublishAdvisory(c.Ctx(), c.Scope, id)
		})
	Handle(a, Op{Method: http.MethodGet, Path: "/exchange/publications", ID: "listExchangePublications", Tag: tag, Perm: domain.PermRead,
		Summary: "Published files (CSAF, OpenVEX, CycloneDX VEX, SBOM), newest first",
		Params: []Param{{Name: "product_version_id", In: "query", Type: "integer"}, {Name: "kind", In: "query", Type: "string"},
			{Name: "latest", In: "query", Type: "boolean", Description: "only the newest version of each"}}},
		func(c *Call, _ Empty) ([]domain.ExchangePublication, error) {
			pv, err := c.queryID("product_version_id")
			if err != nil {
				return nil, err
			}
			latest, err := c.QueryBool("latest")
			if err != nil {
				return nil, err
			}
			return c.Scope.ExchangePublications(c.Ctx(), c.Query("kind"), 0, pv, latest)
		})
	Handle(a, Op{Method: http.MethodPost, Path: "/exchange/publications", ID: "publishExchangeDocument", Tag: tag, Perm: domain.PermPublish, Status: http.StatusCreated,
		Summary: "Publish the next version of a product version's OpenVEX, CycloneDX VEX or SBOM"},
		func(c *Call, in ExchangePublishInput) (domain.ExchangePublication, error) {
			return svc.PublishVersionDocument(c.Ctx(), c.Scope, in.ProductVersionID, in.Kind, in.TLP)
		})
	Handle(a, Op{Method: http.MethodGet, Path: "/exchange/guidance", ID: "listExchangeGuidance", Tag: tag, Perm: domain.PermRead,
		Summary: "Operator security guidance per product version", Params: []Param{{Name: "product_version_id", In: "query", Type: "integer"}}},
		func(c *Call, _ Empty) ([]domain.Guidance, error) {
			pv, err := c.queryID("product_version_id")
			if err != nil {
				return nil, err
			}
			return c.Scope.Guidance(c.Ctx(), pv)
		})
	Handle(a, Op{Method: http.MethodPut, Path: "/exchange/guidance", ID: "saveExchangeGuidance", Tag: tag, Perm: domain.PermPublish,
		Summary: "Set the guidance of a product version and topic (minimum IT requirements, hardening, ports and services, backup)"},
		func(c *Call, in domain.Guidance) (domain.Guidance, error) {
			err := c.Scope.Write(c.Ctx(), func(tx *storeTx) error { return tx.SaveGuidance(c.Ctx(), &in) })
			return in, err
		})
	Handle(a, Op{Method: http.MethodGet, Path: "/exchange/key", ID: "getExchangeKey", Tag: tag, Perm: domain.PermRead,
		Summary: "The organisation's OpenPGP signing key (public part) and provider URL; created with the first publication"},
		func(c *Call, _ Empty) (ExchangeKeyView, error) {
			pub, fp, err := exchange.PublicKey(c.Ctx(), c.Scope)
			if domain.ErrorCode(err) == domain.ENotFound {
				err = nil // no key before the first publication
			}
			return ExchangeKeyView{Fingerprint: fp, PublicKey: string(pub), MetadataURL: svc.MetadataURL(c.Principal.Org.Slug)}, err
		})
	Handle(a, Op{Method: http.MethodGet, Path: "/exchange/tokens", ID: "listExchangeTokens", Tag: tag, Perm: domain.PermRead,
		Summary: "Subscriber tokens (for TLP:GREEN and AMBER documents)"},
		func(c *Call, _ Empty) ([]domain.SubscriberToken, error) { return c.Scope.SubscriberTokens(c.Ctx()) })
	Handle(a, Op{Method: http.MethodPost, Path: "/exchange/tokens", ID: "createExchangeToken", Tag: tag, Perm: domain.PermPublish, Status: http.StatusCreated,
		Summary: "Create a subscriber token; its secret is returned once"},
		func(c *Call, in ExchangeTokenInput) (ExchangeNewToken, error) {
			t, secret, err := exchange.CreateSubscriberToken(c.Ctx(), c.Scope, in.Name, in.TLPMax)
			return ExchangeNewToken{Token: t, Secret: secret}, err
		})
	Handle(a, Op{Method: http.MethodDelete, Path: "/exchange/tokens/{id}", ID: "revokeExchangeToken", Tag: tag, Perm: domain.PermPublish,
		Summary: "Revoke a subscriber token"},
		func(c *Call, _ Empty) (Empty, error) {
			id, err := c.PathInt("id")
			if err != nil {
				return Empty{}, err
			}
			return Empty{}, c.Scope.Write(c.Ctx(), func(tx *storeTx) error { return tx.RevokeSubscriberToken(c.Ctx(), id) })
		})
}
