package auth

import (
	"bytes"
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"image/png"
	"math/big"
	"strings"
	"time"

	"github.com/pquerna/otp"
	"github.com/pquerna/otp/totp"
)

// TOTPEnrolment is what a user sees when enrolling an authenticator app.
type TOTPEnrolment struct {
	Secret string // base32, to type in by hand
	URL    string // otpauth:// URL encoded in the QR code
	QRPNG  string // data: URL of a PNG QR code
}

// NewTOTP creates a TOTP secret (SHA-1, 6 digits, 30 s: what every authenticator app supports).
func NewTOTP(issuer, account string) (TOTPEnrolment, error) {
	key, err := totp.Generate(totp.GenerateOpts{Issuer: issuer, AccountName: account, SecretSize: 20})
	if err != nil {
		return TOTPEnrolment{}, err
	}
	img, err := key.Image(240, 240)
	if err != nil {
		return TOTPEnrolment{}, err
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		return TOTPEnrolment{}, err
	}
	return TOTPEnrolment{
		Secret: key.Secret(),
		URL:    key.URL(),
		QRPNG:  "data:image/png;base64," + base64.StdEncoding.EncodeToString(buf.Bytes()),
	}, nil
}

// ValidateTOTP checks a 6-digit code against the secret, allowing one step of clock drift either way.
// It does not prevent replay; sign-in uses TOTPStep and records the step.
func ValidateTOTP(secret, code string, at time.Time) bool {
	_, ok := TOTPStep(secret, code, at)
	return ok
}

// totpPeriod is the TOTP time step in seconds (RFC 6238's default, what authenticator apps use).
const totpPeriod = 30

// TOTPStep checks a 6-digit code against the secret, allowing one step of clock drift either way, and
// returns the time step (Unix time / 30) the code belongs to. A caller that accepts a code must refuse
// any later code of the same or an earlier step (RFC 6238 §5.2: one-time means once).
func TOTPStep(secret, code string, at time.Time) (int64, bool) {
	code = strings.ReplaceAll(strings.TrimSpace(code), " ", "")
	if len(code) != 6 {
		return 0, false
	}
	step := at.UTC().Unix() / totpPeriod
	for _, s := range []int64{step, step - 1, step + 1} {
		ok, err := totp.ValidateCustom(code, secret, time.Unix(s*totpPeriod, 0).UTC(), totp.ValidateOpts{Period: totpPeriod, Skew: 0, Digits: otp.DigitsSix, Algorithm: otp.AlgorithmSHA1})
		if err == nil && ok {
			return s, true
		}
	}
	return 0, false
}

// TOTPCode returns the current code for a secret (for tests and the demo).
func TOTPCode(secret string, at time.Time) (string, error) {
	return totp.GenerateCode(secret, at.UTC())
}

// NewRecoveryCodes returns n one-time recovery codes (shown once) and their hashes (stored).
func NewRecoveryCodes(n int) (codes, hashes []string) {
	const alphabet = "abcdefghjkmnpqrstuvwxyz23456789" // no look-alike characters
	for range n {
		var b strings.Builder
		for i := range 10 {
			if i == 5 {
				b.WriteByte('-')
			}
			k, err := rand.Int(rand.Reader, big.NewInt(int64(len(alphabet))))
			if err != nil {
				panic(fmt.Sprintf("crypto/rand: %v", err))
			}
			b.WriteByte(alphabet[k.Int64()])
		}
		codes = append(codes, b.String())
		hashes = append(hashes, HashRecoveryCode(b.String()))
	}
	return codes, hashes
}

// HashRecoveryCode normalises a typed recovery code (case, spaces, dash) and hashes it.
func HashRecoveryCode(code string) string {
	c := strings.ToLower(strings.NewReplacer(" ", "", "-", "").Replace(strings.TrimSpace(code)))
	if len(c) == 10 {
		c = c[:5] + "-" + c[5:]
	}
	return HashSecret("recovery:" + c)
}
