package api

import (
	"net/http"
	"time"

	"github.com/vigil-med/vigil/internal/auth"
	"github.com/vigil-med/vigil/internal/domain"
	"github.com/vigil-med/vigil/internal/jobs"
	"github.com/vigil-med/vigil/internal/store"
)

// Me is the authenticated caller.
type Me struct {
	Organisation domain.Organisation `json:"organisation"`
	Role         domain.Role         `json:"role"`
	User         *domain.User        `json:"user,omitempty"`
	Token        *store.APIToken     `json:"token,omitempty"`
	Permissions  []string            `json:"permissions"`
}

// UserInput creates or changes a user.
type UserInput struct {
	Email    string      `json:"email"`
	Name     string      `json:"name,omitempty"`
	Role     domain.Role `json:"role"`
	Disabled bool        `json:"disabled,omitempty"`
}

// UserCreated is a new user with its first password (shown once).
type UserCreated struct {
	User     domain.User `json:"user"`
	Password string      `json:"password"`
}

// TokenInput creates an API token.
type TokenInput struct {
	Name string      `json:"name"`
	Role domain.Role `json:"role"`
	Days int         `json:"days,omitempty" doc:"validity in days, 1–730 (default 90)"`
}

// TokenCreated is a new token; the secret is shown once.
type TokenCreated struct {
	Token  store.APIToken `json:"token"`
	Secret string         `json:"secret"`
}

// FoundationRoutes registers the operations of the foundation: the caller, the organisation, users,
// API tokens, the audit log and background jobs.
func (a *API) FoundationRoutes(runner *jobs.Runner) {
	Handle(a, Op{Method: http.MethodGet, Path: "/me", ID: "getMe", Tag: "account", Perm: domain.PermRead,
		Summary: "The authenticated user or token, its organisation and permissions"},
		func(c *Call, _ Empty) (Me, error) {
			m := Me{Organisation: c.Principal.Org, Role: c.Principal.Role, User: c.Principal.User, Token: c.Principal.Token, Permissions: []string{}}
			for _, p := range allPermissions {
				if c.Principal.Can(p) {
					m.Permissions = append(m.Permissions, string(p))
				}
			}
			return m, nil
		})
	Handle(a, Op{Method: http.MethodGet, Path: "/organisation", ID: "getOrganisation", Tag: "organisation", Perm: domain.PermRead,
		Summary: "The caller's organisation"},
		func(c *Call, _ Empty) (domain.Organisation, error) { return c.Scope.Organisation(c.Ctx()) })
	Handle(a, Op{Method: http.MethodPut, Path: "/organisation", ID: "updateOrganisation", Tag: "organisation", Perm: domain.PermManageUsers,
		Summary: "Change the organisation's settings (name, type, country, time zone, MFA requirement)"},
		func(c *Call, in domain.Organisation) (domain.Organisation, error) {
			in.Slug = c.Principal.Org.Slug
			if err := c.Scope.UpdateOrg(c.Ctx(), in); err != nil {
				return in, err
			}
			return c.Scope.Organisation(c.Ctx())
		})
	Handle(a, Op{Method: http.MethodGet, Path: "/users", ID: "listUsers", Tag: "users", Perm: domain.PermManageUsers,
		Summary: "List the organisation's users", Params: ListParams},
		func(c *Call, _ Empty) (domain.Page[domain.User], error) {
			p, err := c.List()
			if err != nil {
				return domain.Page[domain.User]{}, err
			}
			return c.Scope.Users(c.Ctx(), p)
		})
	Handle(a, Op{Method: http.MethodPost, Path: "/users", ID: "createUser", Tag: "users", Perm: domain.PermManageUsers, Status: http.StatusCreated,
		Summary: "Add a user; the answer carries a first password, shown once"},
		func(c *Call, in UserInput) (UserCreated, error) {
			pw := auth.RandomToken(12)
			hash, err := auth.HashPassword(pw)
			if err != nil {
				return UserCreated{}, err
			}
			u := domain.User{Email: in.Email, Name: in.Name, Role: in.Role, PasswordHash: hash, Disabled: in.Disabled}
			err = c.Scope.Write(c.Ctx(), func(tx *store.Tx) error { return tx.CreateUser(c.Ctx(), &u) })
			return UserCreated{User: u, Password: pw}, err
		})
	Handle(a, Op{Method: http.MethodGet, Path: "/users/{id}", ID: "getUser", Tag: "users", Perm: domain.PermManageUsers, Summary: "One user"},
		func(c *Call, _ Empty) (domain.User, error) {
			id, err := c.PathInt("id")
			if err != nil {
				return domain.User{}, err
			}
			return c.Scope.User(c.Ctx(), id)
		})
	Handle(a, Op{Method: http.MethodPut, Path: "/users/{id}", ID: "updateUser", Tag: "users", Perm: domain.PermManageUsers,
		Summary: "Change a user's name, role or disabled state (the e-mail cannot change)"},
		func(c *Call, in UserInput) (domain.User, error) {
			id, err := c.PathInt("id")
			if err != nil {
				return domain.User{}, err
			}
			u, err := c.Scope.User(c.Ctx(), id)
			if err != nil {
				return u, err
			}
			u.Name, u.Role, u.Disabled = in.Name, in.Role, in.Disabled
			if err := c.Scope.Write(c.Ctx(), func(tx *store.Tx) error { return tx.UpdateUser(c.Ctx(), u) }); err != nil {
				return u, err
			}
			return c.Scope.User(c.Ctx(), id)
		})
	Handle(a, Op{Method: http.MethodGet, Path: "/tokens", ID: "listTokens", Tag: "tokens", Perm: domain.PermManageUsers, Summary: "List API tokens"},
		func(c *Call, _ Empty) ([]store.APIToken, error) { return c.Scope.Tokens(c.Ctx()) })
	Handle(a, Op{Method: http.MethodPost, Path: "/tokens", ID: "createToken", Tag: "tokens", Perm: domain.PermManageUsers, Status: http.StatusCreated,
		Summary: "Create an API token; the secret is in the answer only"},
		func(c *Call, in TokenInput) (TokenCreated, error) {
			if in.Days == 0 {
				in.Days = 90
			}
			if in.Days < 1 || in.Days > 730 {
				return TokenCreated{}, domain.Invalid("days", "must be between 1 and 730")
			}
			secret, display, hash := auth.NewAPIToken()
			exp := time.Now().Add(time.Duration(in.Days) * 24 * time.Hour)
			t := store.APIToken{Name: in.Name, Role: in.Role, Prefix: display, Hash: hash, Expires: &exp}
			if c.Principal.User != nil {
				t.UserID = c.Principal.User.ID
			}
			err := c.Scope.Write(c.Ctx(), func(tx *store.Tx) error { return tx.CreateToken(c.Ctx(), &t) })
			return TokenCreated{Token: t, Secret: secret}, err
		})
	Handle(a, Op{Method: http.MethodDelete, Path: "/tokens/{id}", ID: "revokeToken", Tag: "tokens", Perm: domain.PermManageUsers, Summary: "Revoke an API token"},
		func(c *Call, _ Empty) (Empty, error) {
			id, err := c.PathInt("id")
			if err != nil {
				return Empty{}, err
			}
			return Empty{}, c.Scope.Write(c.Ctx(), func(tx *store.Tx) error { return tx.RevokeToken(c.Ctx(), id) })
		})
	Handle(a, Op{Method: http.MethodGet, Path: "/audit", ID: "listAuditEvents", Tag: "audit", Perm: domain.PermReadAudit,
		Summary: "The organisation's audit log, newest first",
		Params: append([]Param{
			{Name: "action", In: "query", Description: "action prefix, e.g. user."},
			{Name: "entity", In: "query", Description: "entity type, e.g. asset"},
			{Name: "actor", In: "query", Description: "part of the actor's name"},
			{Name: "since", In: "query", Description: "RFC 3339 time"},
			{Name: "until", In: "query", Description: "RFC 3339 time"},
		}, ListParams...)},
		func(c *Call, _ Empty) (domain.Page[domain.AuditEvent], error) {
			p, err := c.List()
			if err != nil {
				return domain.Page[domain.AuditEvent]{}, err
			}
			f := domain.AuditFilter{ListParams: p, Action: c.Query("action"), Entity: c.Query("entity"), Actor: c.Query("actor")}
			for name, dst := range map[string]*time.Time{"since": &f.Since, "until": &f.Until} {
				if s := c.Query(name); s != "" {
					t, err := time.Parse(time.RFC3339, s)
					if err != nil {
						return domain.Page[domain.AuditEvent]{}, domain.Invalid(name, "must be an RFC 3339 time such as 2026-03-01T00:00:00Z")
					}
					*dst = t
				}
			}
			return c.Scope.AuditEvents(c.Ctx(), f)
		})
	Handle(a, Op{Method: http.MethodGet, Path: "/jobs", ID: "listJobs", Tag: "jobs", Perm: domain.PermRead,
		Summary: "Background jobs of the organisation and the system",
		Params:  append([]Param{{Name: "status", In: "query", Enum: []string{"queued", "running", "done", "failed", "cancelled"}}, {Name: "kind", In: "query"}}, ListParams...)},
		func(c *Call, _ Empty) (domain.Page[store.Job], error) {
			p, err := c.List()
			if err != nil {
				return domain.Page[store.Job]{}, err
			}
			return c.Scope.Jobs(c.Ctx(), store.JobFilter{ListParams: p, Status: c.Query("status"), Kind: c.Query("kind")})
		})
	Handle(a, Op{Method: http.MethodGet, Path: "/jobs/{id}", ID: "getJob", Tag: "jobs", Perm: domain.PermRead, Summary: "One background job (poll it for progress)"},
		func(c *Call, _ Empty) (store.Job, error) {
			id, err := c.PathInt("id")
			if err != nil {
				return store.Job{}, err
			}
			return c.Scope.Job(c.Ctx(), id)
		})
	Handle(a, Op{Method: http.MethodPost, Path: "/jobs/{id}/retry", ID: "retryJob", Tag: "jobs", Perm: domain.PermManageJobs, Summary: "Queue a failed job again"},
		func(c *Call, _ Empty) (Empty, error) {
			id, err := c.PathInt("id")
			if err != nil {
				return Empty{}, err
			}
			if err := c.Scope.Write(c.Ctx(), func(tx *store.Tx) error { return tx.RetryJob(c.Ctx(), id) }); err != nil {
				return Empty{}, err
			}
			runner.Wake()
			return Empty{}, nil
		})
}

var allPermissions = []domain.Permission{domain.PermRead, domain.PermManageUsers, domain.PermManageOrgs, domain.PermReadAudit,
	domain.PermManageJobs, domain.PermInventory, domain.PermDisclosures, domain.PermVulns, domain.PermFeeds, domain.PermRisk,
	domain.PermRegulation, domain.PermIncidents, domain.PermProcurement, domain.PermTraining, domain.PermPublish, domain.PermSubscription}
