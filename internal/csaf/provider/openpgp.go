package provider

import (
	"bytes"
	"crypto"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/ProtonMail/go-crypto/openpgp"
	"github.com/ProtonMail/go-crypto/openpgp/armor"
	"github.com/ProtonMail/go-crypto/openpgp/packet"
)

// GenerateKey creates an OpenPGP signing key for a provider (Ed25519, version 4 key, SHA-512
// signatures, no expiry), with the user id "name <email>". Keep the private key secret (ArmorPrivateKey
// serialises it; encrypt it at rest) and publish the public key (Publish does).
func GenerateKey(name, email string) (*openpgp.Entity, error) {
	cfg := &packet.Config{
		Algorithm:       packet.PubKeyAlgoEdDSA,
		Curve:           packet.Curve25519,
		DefaultHash:     crypto.SHA512,
		Time:            func() time.Time { return time.Now().UTC() },
		KeyLifetimeSecs: 0,
	}
	e, err := openpgp.NewEntity(name, "CSAF signing key", email, cfg)
	if err != nil {
		return nil, fmt.Errorf("generate OpenPGP key: %w", err)
	}
	return e, nil
}

// Fingerprint returns the upper-case hex fingerprint of the entity's primary key.
func Fingerprint(e *openpgp.Entity) string {
	return strings.ToUpper(hex.EncodeToString(e.PrimaryKey.Fingerprint))
}

// ArmorPublicKey returns the ASCII-armoured public key (what provider-metadata.json points to).
func ArmorPublicKey(e *openpgp.Entity) ([]byte, error) {
	var buf bytes.Buffer
	w, err := armor.Encode(&buf, openpgp.PublicKeyType, nil)
	if err != nil {
		return nil, err
	}
	if err := e.Serialize(w); err != nil {
		return nil, err
	}
	if err := w.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// ArmorPrivateKey returns the ASCII-armoured private key (unencrypted: the caller stores it safely).
func ArmorPrivateKey(e *openpgp.Entity) ([]byte, error) {
	var buf bytes.Buffer
	w, err := armor.Encode(&buf, openpgp.PrivateKeyType, nil)
	if err != nil {
		return nil, err
	}
	if err := e.SerializePrivate(w, nil); err != nil {
		return nil, err
	}
	if err := w.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// ReadArmoredKeys reads one or more ASCII-armoured (or binary) OpenPGP keys, public or private.
func ReadArmoredKeys(data []byte) (openpgp.EntityList, error) {
	el, err := openpgp.ReadArmoredKeyRing(bytes.NewReader(data))
	if err != nil {
		var bin openpgp.EntityList
		if bin, err = openpgp.ReadKeyRing(bytes.NewReader(data)); err != nil {
			return nil, fmt.Errorf("read OpenPGP key: %w", err)
		}
		el = bin
	}
	if len(el) == 0 {
		return nil, errors.New("read OpenPGP key: no key found")
	}
	return el, nil
}

// signDetached returns an armoured detached signature of data.
func signDetached(e *openpgp.Entity, data []byte) ([]byte, error) {
	var buf bytes.Buffer
	cfg := &packet.Config{DefaultHash: crypto.SHA512}
	if err := openpgp.ArmoredDetachSign(&buf, e, bytes.NewReader(data), cfg); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// verifyDetached checks an armoured (or binary) detached signature and returns the fingerprint of the
// primary key that made it.
func verifyDetached(keys openpgp.EntityList, data, sig []byte) (string, error) {
	signer, err := openpgp.CheckArmoredDetachedSignature(keys, bytes.NewReader(data), bytes.NewReader(sig), nil)
	if err != nil && bytes.HasPrefix(bytes.TrimSpace(sig), []byte("-----BEGIN")) {
		return "", err
	}
	if err != nil {
		if signer, err = openpgp.CheckDetachedSignature(keys, bytes.NewReader(data), bytes.NewReader(sig), nil); err != nil {
			return "", err
		}
	}
	return Fingerprint(signer), nil
}
