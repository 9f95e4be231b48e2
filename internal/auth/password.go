// Package auth holds Vigil's authentication primitives: argon2id password hashes, TOTP multi-factor
// codes with recovery codes, random secrets for sessions and API tokens, OIDC single sign-on, and the
// login rate limiter. The HTTP handlers that use them live in the faces.
package auth

import (
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"sync"
	"unicode/utf8"

	"golang.org/x/crypto/argon2"

	"github.com/vigil-med/vigil/internal/domain"
)

// Argon2id parameters (RFC 9106 second recommended option, memory-constrained): 64 MiB, 3 passes,
// 2 lanes (this machine class has two cores). Stored with each hash, so they can be raised later
// without breaking existing hashes.
const (
	argonTime    = 3
	argonMemory  = 64 * 1024
	argonThreads = 2
	argonKeyLen  = 32
	saltLen      = 16
)

// MinPasswordLength follows NIST SP 800-63B for user-chosen secrets.
const MinPasswordLength = 12

// CheckPasswordPolicy says what is wrong with a new password, or returns nil.
func CheckPasswordPolicy(pw, email string) error {
	n := utf8.RuneCountInString(pw)
	if n < MinPasswordLength {
		return domain.Invalid("password", "must be at least %d characters long", MinPasswordLength)
	}
	if n > 256 {
		return domain.Invalid("password", "must be at most 256 characters long")
	}
	if email != "" && strings.Contains(strings.ToLower(pw), strings.ToLower(strings.Split(email, "@")[0])) && len(strings.Split(email, "@")[0]) >= 4 {
		return domain.Invalid("password", "must not contain your user name")
	}
	return nil
}

// HashPassword returns an argon2id hash in the PHC string format.
func HashPassword(pw string) (string, error) {
	salt := make([]byte, saltLen)
	if _, err := rand.Read(salt); err != nil {
		return "", err
	}
	key := argon2.IDKey([]byte(pw), salt, argonTime, argonMemory, argonThreads, argonKeyLen)
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version, argonMemory, argonTime, argonThreads,
		base64.RawStdEncoding.EncodeToString(salt), base64.RawStdEncoding.EncodeToString(key)), nil
}

// ErrBadHash is returned for a stored hash that cannot be parsed.
var ErrBadHash = errors.New("unrecognised password hash")

// VerifyPassword checks pw against a PHC argon2id hash in constant time.
func VerifyPassword(hash, pw string) (bool, error) {
	parts := strings.Split(hash, "$")
	if len(parts) != 6 || parts[1] != "argon2id" {
		return false, ErrBadHash
	}
	var version int
	if _, err := fmt.Sscanf(parts[2], "v=%d", &version); err != nil || version != argon2.Version {
		return false, ErrBadHash
	}
	var m uint32
	var t uint32
	var p uint8
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &m, &t, &p); err != nil || m == 0 || t == 0 || p == 0 || m > 1<<22 || t > 64 {
		return false, ErrBadHash
	}
	salt, err := base64.RawStdEncoding.DecodeString(parts[4])
	if err != nil {
		return false, ErrBadHash
	}
	want, err := base64.RawStdEncoding.DecodeString(parts[5])
	if err != nil || len(want) == 0 {
		return false, ErrBadHash
	}
	got := argon2.IDKey([]byte(pw), salt, t, m, p, uint32(len(want)))
	return subtle.ConstantTimeCompare(got, want) == 1, nil
}

// dummyHash is verified against when a login names an unknown user, so that the response time does not
// tell whether an account exists. It is computed on first use: an argon2id hash costs about half a second
// and 64 MiB, which every command (vigil scan, vigil version …) would otherwise pay at start.
var dummyHash = sync.OnceValue(func() string {
	h, _ := HashPassword("vigil-dummy-password-for-timing")
	return h
})

// VerifyDummy spends the time of one password verification.
func VerifyDummy(pw string) { _, _ = VerifyPassword(dummyHash(), pw) }

// RandomToken returns n random bytes as URL-safe base64 without padding.
func RandomToken(n int) string {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic("crypto/rand: " + err.Error()) // the OS random source failing is not recoverable
	}
	return base64.RawURLEncoding.EncodeToString(b)
}

// HashSecret is the SHA-256 of a high-entropy secret (session ids, API tokens, recovery codes). Such
// secrets need no slow hash: they cannot be guessed, only stolen, and the hash makes a stolen database
// useless for logging in.
func HashSecret(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:])
}

// TokenPrefix marks Vigil API tokens so that secret scanners can recognise them.
const TokenPrefix = "vgl_"

// NewAPIToken returns a new token and its stored form (prefix for display, hash for lookup).
func NewAPIToken() (token, display, hash string) {
	token = TokenPrefix + RandomToken(32)
	return token, token[:len(TokenPrefix)+6], HashSecret(token)
}
