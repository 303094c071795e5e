package notify

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
)

// Sealer seals webhook secrets before they are stored: AES-256-GCM under
// a key derived (SHA-256) from the server's notification key. Without a
// key, secrets are stored as they are (marked "plain:"), still never
// returned by the API nor logged; docs/notifications.md recommends a key.
type Sealer struct {
	aead cipher.AEAD
}

// NewSealer returns a sealer for key ("" for none).
func NewSealer(key string) (*Sealer, error) {
	if key == "" {
		return &Sealer{}, nil
	}
	if len(key) < 16 {
		return nil, errors.New("the notification key (WARD_NOTIFY_KEY) must be at least 16 characters; use e.g. openssl rand -base64 32")
	}
	sum := sha256.Sum256([]byte("ward-notify-v1\x00" + key))
	block, err := aes.NewCipher(sum[:])
	if err != nil {
		return nil, err
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, err
	}
	return &Sealer{aead: aead}, nil
}

// Encrypts reports whether the sealer has a key.
func (s *Sealer) Encrypts() bool { return s.aead != nil }

// Seal returns the stored form of a secret.
func (s *Sealer) Seal(secret string) string {
	if s.aead == nil {
		return "plain:" + secret
	}
	nonce := make([]byte, s.aead.NonceSize())
	if _, err := rand.Read(nonce); err != nil {
		panic(err) // crypto/rand never fails on supported systems
	}
	return "v1:" + base64.RawStdEncoding.EncodeToString(s.aead.Seal(nonce, nonce, []byte(secret), nil))
}

// Open returns the secret of a stored form.
func (s *Sealer) Open(stored string) (string, error) {
	if plain, ok := strings.CutPrefix(stored, "plain:"); ok {
		return plain, nil
	}
	enc, ok := strings.CutPrefix(stored, "v1:")
	if !ok {
		return "", errors.New("webhook secret: unknown stored form")
	}
	if s.aead == nil {
		return "", errors.New("webhook secret is sealed but the server has no notification key (WARD_NOTIFY_KEY)")
	}
	b, err := base64.RawStdEncoding.DecodeString(enc)
	if err != nil || len(b) < s.aead.NonceSize() {
		return "", errors.New("webhook secret: damaged")
	}
	out, err := s.aead.Open(nil, b[:s.aead.NonceSize()], b[s.aead.NonceSize():], nil)
	if err != nil {
		return "", fmt.Errorf("webhook secret does not open with this server's notification key (was WARD_NOTIFY_KEY changed?)")
	}
	return string(out), nil
}
