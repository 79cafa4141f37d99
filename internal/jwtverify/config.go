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
	Algorithms []string
	// HMACSecrets are the shared secrets for HS*; each may carry a kid.
	HMACSecrets []HMACSecret
	// JWKSFile is a JSON Web Key Set of public keys.
	JWKSFile string
	// JWKSIssuer, when set, binds every key of JWKSFile to that issuer:
	// they verify only tokens whose iss is it.
	JWKSIssuer string
	// ReloadInterval is how often JWKSFile is checked; 0 never.
	ReloadInterval time.Duration
}

// HMACSecret is a shared secret for HS*.
type HMACSecret struct {
	KeyID  string
	Secret []byte
	// Issuer, when set, binds the secret to that issuer: it verifies only
	// tokens whose iss is it.
	Issuer string
}

// MinHMACSecretBytes follows RFC 7518 §3.2: a key at least as long as the
// HS256 hash.
const MinHMACSecretBytes = 32

// Validate checks the configuration without reading files. Errors name the
// processor's YAML fields and never show a secret.
func (c Config) Validate() error {
	var errs []error
	add := func(format string, args ...any) { errs = append(errs, fmt.Errorf(format, args...)) }

	for _, name := range c.Algorithms {
		a, known := algorithms[name]
		switch {
		case strings.EqualFold(name, "none"):
			add(`jwt.algorithms: "none" is never allowed`)
		case !known:
			hint := ""
			if n := caseFold(name); n != "" {
				hint = " (names are case-sensitive: " + n + ")"
			}
			add("jwt.algorithms: %q is not supported%s; valid: %s", name, hint, strings.Join(algorithmNames, ", "))
		case a.kind == kindHMAC && len(c.HMACSecrets) == 0:
			add("jwt.hmac_secrets: jwt.algorithms allows %s but no secret is configured", name)
		}
	}
	for i, s := range c.HMACSecrets {
		if len(s.Secret) < MinHMACSecretBytes {
			add("jwt.hmac_secrets[%d]: the secret has %d bytes, need at least %d", i, len(s.Secret), MinHMACSecretBytes)
		}
	}
	for i, s := range c.HMACSecrets {
		if s.Issuer != strings.TrimSpace(s.Issuer) {
			add("jwt.hmac_secrets[%d].issuer: leading or trailing blanks; write it as the tokens' iss claim spells it", i)
		}
	}
	if c.JWKSIssuer != strings.TrimSpace(c.JWKSIssuer) {
		add("jwt.jwks_issuer: leading or trailing blanks; write it as the tokens' iss claim spells it")
	}
	if c.JWKSIssuer != "" && c.JWKSFile == "" {
		add("jwt.jwks_issuer: set, but there is no jwt.jwks_file whose keys it would bind")
	}
	if len(c.HMACSecrets) == 0 && c.JWKSFile == "" {
		add("jwt.jwks_file: verification needs keys: set jwt.jwks_file or jwt.hmac_secrets")
	}
	// Keys no allowed algorithm can use are a mistake that would otherwise
	// show only as every token failing.
	if len(c.Algorithms) > 0 {
		if len(c.HMACSecrets) > 0 && !slices.ContainsFunc(c.Algorithms, isHMAC) {
			add("jwt.hmac_secrets: secrets are set but jwt.algorithms allows no HS256, HS384 or HS512")
		}
		if c.JWKSFile != "" && !slices.ContainsFunc(c.Algorithms, isAsymmetric) {
			add("jwt.jwks_file: a key file is set but jwt.algorithms allows no public-key algorithm")
		}
	}
	return errors.Join(errs...)
}

// allowed returns the effective allow-list.
func (c Config) allowed() map[string]bool {
	names := c.Algorithms
	if len(names) == 0 {
		names = slices.DeleteFunc(slices.Clone(algorithmNames), isHMAC)
		if len(c.HMACSecrets) > 0 {
			names = slices.Clone(algorithmNames)
		}
	}
	m := make(map[string]bool, len(names))
	for _, n := range names {
		if _, ok := algorithms[n]; ok {
			m[n] = true
		}
	}
	return m
}

func isHMAC(name string) bool {
	a, ok := algorithms[name]
	return ok && a.kind == kindHMAC
}

func isAsymmetric(name string) bool {
	a, ok := algorithms[name]
	return ok && a.kind != kindHMAC
}

// caseFold returns the supported name that equals name but for case.
func caseFold(name string) string {
	for _, n := range algorithmNames {
		if strings.EqualFold(n, name) {
			return n
		}
	}
	return ""
}
