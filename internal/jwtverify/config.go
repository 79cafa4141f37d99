// Package jwtverify checks JWT signatures against configured keys: HMAC
// secrets and a JWKS file of public keys. The algorithm is decided by the
// allow-list and the key, never by the token alone, which closes "alg:
// none" and algorithm-confusion attacks.
package jwtverify

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
)

// Config of a Verifier.
type Config struct {
	// Algorithms is the allow-list. Empty: every asymmetric algorithm, plus
	// HS256/384/512 when HMACSecrets are set.
	Algorithms  []string
	HMACSecrets []HMACSecret
	// JWKSFile is a JSON Web Key Set of public keys.
	JWKSFile string
	// ReloadInterval is how often JWKSFile is checked; 0 never.
	ReloadInterval time.Duration
}

// HMACSecret is a shared secret for HS*.
type HMACSecret struct {
	KeyID  string
	Secret []byte
}

// MinHMACSecretBytes follows RFC 7518 §3.2: a key as long as the hash.
const MinHMACSecretBytes = 32

var (
	asymmetric = []string{"RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512", "EdDSA"}
	symmetric  = []string{"HS256", "HS384", "HS512"}
)

// Validate checks the configuration without reading files; errors name the
// processor's YAML fields.
func (c Config) Validate() error {
	var errs []error
	valid := append(slices.Clone(asymmetric), symmetric...)
	hs := false
	for i, a := range c.Algorithms {
		switch {
		case strings.EqualFold(a, "none"):
			errs = append(errs, fmt.Errorf(`jwt.algorithms[%d]: "none" is never allowed`, i))
		case !slices.Contains(valid, a):
			errs = append(errs, fmt.Errorf("jwt.algorithms[%d]: %q is not one of %s", i, a, strings.Join(valid, ", ")))
		case slices.Contains(symmetric, a):
			hs = true
		}
	}
	if hs && len(c.HMACSecrets) == 0 {
		errs = append(errs, errors.New("jwt.hmac_secrets: HS* algorithms are allowed but no secret is configured"))
	}
	for i, s := range c.HMACSecrets {
		if len(s.Secret) < MinHMACSecretBytes {
			errs = append(errs, fmt.Errorf("jwt.hmac_secrets[%d]: the secret has %d bytes, need at least %d", i, len(s.Secret), MinHMACSecretBytes))
		}
	}
	if len(c.HMACSecrets) == 0 && c.JWKSFile == "" {
		errs = append(errs, errors.New("jwt.jwks_file: verification needs keys: set jwt.jwks_file or jwt.hmac_secrets"))
	}
	return errors.Join(errs...)
}

// allowed returns the effective allow-list.
func (c Config) allowed() map[string]bool {
	algs := c.Algorithms
	if len(algs) == 0 {
		algs = slices.Clone(asymmetric)
		if len(c.HMACSecrets) > 0 {
			algs = append(algs, symmetric...)
		}
	}
	m := make(map[string]bool, len(algs))
	for _, a := range algs {
		m[a] = true
	}
	return m
}
