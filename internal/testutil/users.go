package testutil

import (
	"sync"
	"testing"
	"time"

	"github.com/vigil-med/vigil/internal/auth"
	"github.com/vigil-med/vigil/internal/domain"
	"github.com/vigil-med/vigil/internal/store"
)

// Password is the password of every user that User creates.
const Password = "correct-horse-battery-staple"

// passwordHash is hashed once per test binary: argon2id costs about a second, and the tests need the
// hash, not a fresh salt for every user.
var passwordHash = sync.OnceValue(func() string {
	h, err := auth.HashPassword(Password)
	if err != nil {
		panic(err)
	}
	return h
})

// PasswordHash returns the argon2id hash of Password.
func PasswordHash() string { return passwordHash() }

// User creates a user with Password in the organisation.
func User(tb testing.TB, st *store.Store, org int64, email string, role domain.Role) domain.User {
	tb.Helper()
	u := domain.User{Email: email, Role: role, PasswordHash: PasswordHash()}
	ctx := Ctx(org)
	if err := st.Scope(org).Write(ctx, func(tx *store.Tx) error { return tx.CreateUser(ctx, &u) }); err != nil {
		tb.Fatalf("create user %s: %v", email, err)
	}
	return u
}

// Token creates an API token of the organisation with the role, valid for a day, and returns its secret.
func Token(tb testing.TB, st *store.Store, org int64, role domain.Role) (string, store.APIToken) {
	tb.Helper()
	secret, display, hash := auth.NewAPIToken()
	exp := time.Now().Add(24 * time.Hour)
	t := store.APIToken{Name: "test " + string(role), Role: role, Prefix: display, Hash: hash, Expires: &exp}
	ctx := Ctx(org)
	if err := st.Scope(org).Write(ctx, func(tx *store.Tx) error { return tx.CreateToken(ctx, &t) }); err != nil {
		tb.Fatalf("create token: %v", err)
	}
	return secret, t
}
