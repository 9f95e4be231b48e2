package domain

import "context"

// ActorKind says how an actor authenticated.
type ActorKind string

// Actor kinds.
const (
	ActorUser   ActorKind = "user"
	ActorToken  ActorKind = "token"
	ActorCLI    ActorKind = "cli"
	ActorSystem ActorKind = "system"
)

// Actor is who is doing something: written into every audit event.
type Actor struct {
	Kind      ActorKind
	UserID    int64 // 0 for system and CLI actors
	TokenID   int64 // for token actors
	OrgID     int64
	Name      string // e-mail, token name, OS user or job name
	Role      Role
	IP        string
	RequestID string
}

type actorKey struct{}

// WithActor returns a context that carries the actor.
func WithActor(ctx context.Context, a Actor) context.Context {
	return context.WithValue(ctx, actorKey{}, a)
}

// ActorFrom returns the actor of ctx; a system actor when none was set.
func ActorFrom(ctx context.Context) Actor {
	if a, ok := ctx.Value(actorKey{}).(Actor); ok {
		return a
	}
	return Actor{Kind: ActorSystem, Name: "system"}
}
