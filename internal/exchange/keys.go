package exchange

import (
	"bytes"
	"context"
	"crypto"
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/ProtonMail/go-crypto/openpgp"
	"github.com/ProtonMail/go-crypto/openpgp/packet"

	"github.com/vigil-med/vigil/internal/csaf/provider"
	"github.com/vigil-med/vigil/internal/domain"
	"github.com/vigil-med/vigil/internal/store"
)

// SecretFile is the name of the file in the data directory that holds the secret sealing the
// organisations' private signing keys in the database (created with mode 0600 when first needed).
const SecretFile = "exchange-signing.secret"

// LoadSecret reads (or creates) the sealing secret in dataDir. An empty dataDir returns nil: keys are
// then stored unsealed (marked as such), which only tests and in-memory demos do.
func LoadSecret(dataDir string) ([]byte, error) {
	if dataDir == "" {
		return nil, nil
	}
	p := filepath.Join(dataDir, SecretFile)
	b, err := os.ReadFile(p)
	if err == nil && len(b) >= 32 {
		return b, nil
	}
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("signing-key secret %s: %w", p, err)
	}
	b = make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return nil, err
	}
	if err := os.MkdirAll(dataDir, 0o750); err != nil {
		return nil, err
	}
	if err := os.WriteFile(p, b, 0o600); err != nil {
		return nil, fmt.Errorf("signing-key secret %s: %w", p, err)
	}
	return b, nil
}

// seal encrypts an armoured private key with AES-256-GCM under the secret ("aesgcm:" + base64), or marks
// it "plain:" when there is no secret.
func seal(secret, armored []byte) (string, error) {
	if len(secret) == 0 {
		return "plain:" + string(armored), nil
	}
	k := sha256.Sum256(secret)
	blk, err := aes.NewCipher(k[:])
	if err != nil {
		return "", err
	}
	gcm, err := cipher.NewGCM(blk)
	if err != nil {
		return "", err
	}
	nonce := make([]byte, gcm.NonceSize())
	if _, err := rand.Read(nonce); err != nil {
		return "", err
	}
	return "aesgcm:" + base64.StdEncoding.EncodeToString(gcm.Seal(nonce, nonce, armored, nil)), nil
}

func unseal(secret []byte, s string) ([]byte, error) {
	if rest, ok := strings.CutPrefix(s, "plain:"); ok {
		return []byte(rest), nil
	}
	rest, ok := strings.CutPrefix(s, "aesgcm:")
	if !ok {
		return nil, errors.New("the stored signing key is in an unknown form")
	}
	if len(secret) == 0 {
		return nil, errors.New("the signing key is sealed but the secret (" + SecretFile + " in the data directory) is missing")
	}
	raw, err := base64.StdEncoding.DecodeString(rest)
	if err != nil {
		return nil, err
	}
	k := sha256.Sum256(secret)
	blk, err := aes.NewCipher(k[:])
	if err != nil {
		return nil, err
	}
	gcm, err := cipher.NewGCM(blk)
	if err != nil {
		return nil, err
	}
	if len(raw) < gcm.NonceSize() {
		return nil, errors.New("the stored signing key is truncated")
	}
	out, err := gcm.Open(nil, raw[:gcm.NonceSize()], raw[gcm.NonceSize():], nil)
	if err != nil {
		return nil, errors.New("the signing key cannot be opened with this instance's secret (" + SecretFile + ")")
	}
	return out, nil
}

// SigningKey returns the organisation's signing key, generating and storing it on first use.
func (s *Service) SigningKey(ctx context.Context, sc *store.Scope) (*openpgp.Entity, error) {
	k, err := sc.ExchangeKey(ctx)
	if domain.ErrorCode(err) == domain.ENotFound {
		org, oerr := sc.Organisation(ctx)
		if oerr != nil {
			return nil, oerr
		}
		e, gerr := provider.GenerateKey(org.Name+" PSIRT", "psirt@"+org.Slug+".invalid")
		if gerr != nil {
			return nil, gerr
		}
		priv, gerr := provider.ArmorPrivateKey(e)
		if gerr != nil {
			return nil, gerr
		}
		pub, gerr := provider.ArmorPublicKey(e)
		if gerr != nil {
			return nil, gerr
		}
		sealed, gerr := seal(s.Secret, priv)
		if gerr != nil {
			return nil, gerr
		}
		k = store.ExchangeKey{Fingerprint: provider.Fingerprint(e), PublicKey: string(pub), PrivateKey: sealed}
		if err := sc.Write(ctx, func(tx *store.Tx) error { return tx.SaveExchangeKey(ctx, k) }); err != nil {
			if domain.ErrorCode(err) != domain.EConflict {
				return nil, err
			}
			// another request generated it first: use that one
			if k, err = sc.ExchangeKey(ctx); err != nil {
				return nil, err
			}
		} else {
			return e, nil
		}
	} else if err != nil {
		return nil, err
	}
	armored, err := unseal(s.Secret, k.PrivateKey)
	if err != nil {
		return nil, &domain.Error{Code: domain.EInternal, Message: "signing key: " + err.Error()}
	}
	el, err := provider.ReadArmoredKeys(armored)
	if err != nil {
		return nil, err
	}
	return el[0], nil
}

// PublicKey returns the organisation's armoured public key and fingerprint (ENotFound before the key
// exists).
func PublicKey(ctx context.Context, sc *store.Scope) ([]byte, string, error) {
	k, err := sc.ExchangeKey(ctx)
	return []byte(k.PublicKey), k.Fingerprint, err
}

// sign returns an armoured detached signature of data.
func sign(e *openpgp.Entity, data []byte) ([]byte, error) {
	var buf bytes.Buffer
	if err := openpgp.ArmoredDetachSign(&buf, e, bytes.NewReader(data), &packet.Config{DefaultHash: crypto.SHA512}); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}
