package auth

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"

	"github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"

	"github.com/vigil-med/vigil/internal/domain"
)

// OIDCConfig configures single sign-on.
type OIDCConfig struct {
	Issuer       string
	ClientID     string
	ClientSecret string
	RedirectURL  string // https://vigil.example/auth/oidc/callback
	Scopes       []string
	GroupsClaim  string            // claim listing the user's groups
	RoleMap      map[string]string // group → role
	HTTPClient   *http.Client      // optional, for tests and proxies
}

// OIDC is a relying party using the authorization code flow with PKCE and a nonce.
type OIDC struct {
	cfg      OIDCConfig
	provider *oidc.Provider
	verifier *oidc.IDTokenVerifier
	oauth    oauth2.Config
}

// NewOIDC discovers the provider's endpoints.
func NewOIDC(ctx context.Context, cfg OIDCConfig) (*OIDC, error) {
	if cfg.HTTPClient != nil {
		ctx = oidc.ClientContext(ctx, cfg.HTTPClient)
	}
	p, err := oidc.NewProvider(ctx, cfg.Issuer)
	if err != nil {
		return nil, fmt.Errorf("oidc discovery at %s: %w", cfg.Issuer, err)
	}
	scopes := append([]string{oidc.ScopeOpenID}, cfg.Scopes...)
	return &OIDC{
		cfg:      cfg,
		provider: p,
		verifier: p.Verifier(&oidc.Config{ClientID: cfg.ClientID}),
		oauth: oauth2.Config{ClientID: cfg.ClientID, ClientSecret: cfg.ClientSecret, Endpoint: p.Endpoint(),
			RedirectURL: cfg.RedirectURL, Scopes: scopes},
	}, nil
}

// OIDCLogin is the state a login keeps between the redirect to the provider and the callback (in a
// short-lived, signed-by-the-server cookie or the session store).
type OIDCLogin struct {
	State    string
	Nonce    string
	Verifier string // PKCE code verifier
}

// Start returns the provider URL to send the browser to and the values to keep for the callback.
func (o *OIDC) Start() (string, OIDCLogin) {
	l := OIDCLogin{State: RandomToken(24), Nonce: RandomToken(24), Verifier: oauth2.GenerateVerifier()}
	url := o.oauth.AuthCodeURL(l.State, oidc.Nonce(l.Nonce), oauth2.S256ChallengeOption(l.Verifier))
	return url, l
}

// Identity is what the provider says about the user after a successful login.
type Identity struct {
	Subject string // issuer|sub, unique across providers
	Email   string
	Name    string
	Groups  []string
	Role    domain.Role // from the groups through RoleMap; "" when no group maps
}

// Finish exchanges the code, verifies the ID token (signature, audience, expiry, nonce) and returns the
// identity. state is the value the callback received; it must match the one kept at Start.
func (o *OIDC) Finish(ctx context.Context, l OIDCLogin, state, code string) (Identity, error) {
	if o.cfg.HTTPClient != nil {
		ctx = oidc.ClientContext(ctx, o.cfg.HTTPClient)
	}
	if state == "" || state != l.State {
		return Identity{}, errors.New("the sign-in state does not match (start again)")
	}
	tok, err := o.oauth.Exchange(ctx, code, oauth2.VerifierOption(l.Verifier))
	if err != nil {
		return Identity{}, fmt.Errorf("code exchange: %w", err)
	}
	raw, ok := tok.Extra("id_token").(string)
	if !ok {
		return Identity{}, errors.New("the provider returned no ID token")
	}
	idt, err := o.verifier.Verify(ctx, raw)
	if err != nil {
		return Identity{}, fmt.Errorf("ID token: %w", err)
	}
	if idt.Nonce != l.Nonce {
		return Identity{}, errors.New("ID token nonce does not match")
	}
	var claims map[string]any
	if err := idt.Claims(&claims); err != nil {
		return Identity{}, err
	}
	id := Identity{Subject: idt.Issuer + "|" + idt.Subject}
	id.Email, _ = claims["email"].(string)
	id.Name, _ = claims["name"].(string)
	if id.Name == "" {
		id.Name, _ = claims["preferred_username"].(string)
	}
	id.Groups = stringList(claims[o.groupsClaim()])
	id.Role = o.MapRole(id.Groups)
	if id.Email == "" {
		return Identity{}, errors.New("the provider did not share an e-mail address (request the email scope)")
	}
	return id, nil
}

func (o *OIDC) groupsClaim() string {
	if o.cfg.GroupsClaim == "" {
		return "groups"
	}
	return o.cfg.GroupsClaim
}

// MapRole returns the most privileged role that one of the groups maps to, or "" when none does.
func (o *OIDC) MapRole(groups []string) domain.Role {
	best := -1
	for _, g := range groups {
		r, ok := o.cfg.RoleMap[g]
		if !ok {
			continue
		}
		// domain.Roles is ordered from most to least privileged for the first entries; admin wins.
		if i := slices.Index(domain.Roles, domain.Role(r)); i >= 0 && (best < 0 || i < best) {
			best = i
		}
	}
	if best < 0 {
		return ""
	}
	return domain.Roles[best]
}

func stringList(v any) []string {
	switch x := v.(type) {
	case []any:
		var out []string
		for _, e := range x {
			if s, ok := e.(string); ok {
				out = append(out, s)
			}
		}
		return out
	case []string:
		return x
	case string:
		return strings.Fields(strings.ReplaceAll(x, ",", " "))
	}
	return nil
}
