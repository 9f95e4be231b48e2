package httpx

import (
	"context"
	"net/http"

	"github.com/vigil-med/vigil/internal/domain"
	"github.com/vigil-med/vigil/internal/store"
)

// Principal is the authenticated caller of a request: a user with a session, or an API token.
type Principal struct {
	Actor   domain.Actor
	User    *domain.User // nil for API tokens
	Token   *store.APIToken
	Org     domain.Organisation
	Role    domain.Role
	Session *store.Session // nil for API tokens
}

// Can reports whether the principal holds a permission.
func (p *Principal) Can(perm domain.Permission) bool { return p != nil && p.Role.Can(perm) }

type principalKey struct{}

// WithPrincipal stores the principal (and its actor, for the audit log) in the request context.
func WithPrincipal(r *http.Request, p *Principal) *http.Request {
	ctx := context.WithValue(r.Context(), principalKey{}, p)
	ctx = domain.WithActor(ctx, p.Actor)
	return r.WithContext(ctx)
}

// PrincipalFrom returns the principal of the request, or nil when it is anonymous.
func PrincipalFrom(ctx context.Context) *Principal {
	p, _ := ctx.Value(principalKey{}).(*Principal)
	return p
}

// ActorFor builds the audit actor of a request for the principal.
func ActorFor(r *http.Request, kind domain.ActorKind, userID, tokenID, org int64, name string, role domain.Role) domain.Actor {
	return domain.Actor{Kind: kind, UserID: userID, TokenID: tokenID, OrgID: org, Name: name, Role: role,
		IP: ClientIP(r.Context()), RequestID: RequestID(r.Context())}
}
