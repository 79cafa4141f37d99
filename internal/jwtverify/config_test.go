package jwtverify

import (
	"slices"
	"strings"
	"testing"
)

func TestConfigValidate(t *testing.T) {
	ok := []HMACSecret{{KeyID: "h1", Secret: secret1}}
	tests := []struct {
		name string
		cfg  Config
		want []string // substrings of the error; nil: valid
	}{
		{"jwks only", Config{JWKSFile: "/x"}, nil},
		{"secrets only", Config{HMACSecrets: ok}, nil},
		{"explicit list", Config{Algorithms: []string{"HS256", "RS256", "EdDSA"}, HMACSecrets: ok, JWKSFile: "/x"}, nil},
		{"none", Config{Algorithms: []string{"RS256", "none"}, JWKSFile: "/x"},
			[]string{`jwt.algorithms: "none" is never allowed`}},
		{"NONE", Config{Algorithms: []string{"NONE"}, JWKSFile: "/x"},
			[]string{`jwt.algorithms: "none" is never allowed`}},
		{"unknown", Config{Algorithms: []string{"HS1"}, JWKSFile: "/x"},
			[]string{`jwt.algorithms: "HS1" is not supported; valid: RS256, RS384, RS512, PS256, PS384, PS512, ES256, ES384, ES512, EdDSA, HS256, HS384, HS512`}},
		{"wrong case", Config{Algorithms: []string{"rs256"}, JWKSFile: "/x"},
			[]string{`jwt.algorithms: "rs256" is not supported (names are case-sensitive: RS256)`}},
		{"empty name", Config{Algorithms: []string{""}, JWKSFile: "/x"},
			[]string{`jwt.algorithms: "" is not supported`}},
		{"HS without secret", Config{Algorithms: []string{"HS256"}, JWKSFile: "/x"},
			[]string{"jwt.hmac_secrets: jwt.algorithms allows HS256 but no secret is configured"}},
		{"short secret", Config{HMACSecrets: []HMACSecret{{KeyID: "a", Secret: secret1}, {Secret: []byte("short-secret")}}},
			[]string{"jwt.hmac_secrets[1]: the secret has 12 bytes, need at least 32"}},
		{"no key source", Config{}, []string{"jwt.jwks_file: verification needs keys: set jwt.jwks_file or jwt.hmac_secrets"}},
		{"no key source with algorithms", Config{Algorithms: []string{"RS256"}}, []string{"jwt.jwks_file: verification needs keys"}},
		{"secrets no algorithm uses", Config{Algorithms: []string{"RS256"}, HMACSecrets: ok, JWKSFile: "/x"},
			[]string{"jwt.hmac_secrets: secrets are set but jwt.algorithms allows no HS256, HS384 or HS512"}},
		{"key file no algorithm uses", Config{Algorithms: []string{"HS256"}, HMACSecrets: ok, JWKSFile: "/x"},
			[]string{"jwt.jwks_file: a key file is set but jwt.algorithms allows no public-key algorithm"}},
		{"issuers bound", Config{HMACSecrets: []HMACSecret{{Secret: secret1, Issuer: "https://a.example"}}, JWKSFile: "/x", JWKSIssuer: "https://idp.example"}, nil},
		{"issuer with blanks", Config{HMACSecrets: []HMACSecret{{Secret: secret1, Issuer: " https://a.example"}}},
			[]string{"jwt.hmac_secrets[0].issuer: leading or trailing blanks"}},
		{"jwks_issuer without a file", Config{HMACSecrets: ok, JWKSIssuer: "https://idp.example"},
			[]string{"jwt.jwks_issuer: set, but there is no jwt.jwks_file whose keys it would bind"}},
		{"several at once", Config{Algorithms: []string{"none", "XX"}, HMACSecrets: []HMACSecret{{Secret: []byte("x")}}},
			[]string{`"none" is never allowed`, `"XX" is not supported`, "jwt.hmac_secrets[0]: the secret has 1 bytes"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.cfg.Validate()
			if tt.want == nil {
				if err != nil {
					t.Fatalf("unexpected error: %v", err)
				}
				return
			}
			if err == nil {
				t.Fatal("no error")
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not contain %q", err, w)
				}
			}
			for _, line := range strings.Split(err.Error(), "\n") {
				if !strings.HasPrefix(line, "jwt.algorithms") && !strings.HasPrefix(line, "jwt.hmac_secrets") && !strings.HasPrefix(line, "jwt.jwks_file") && !strings.HasPrefix(line, "jwt.jwks_issuer") {
					t.Errorf("error line %q names no field", line)
				}
			}
			if strings.Contains(err.Error(), string(secret1)) || strings.Contains(err.Error(), "short-secret") {
				t.Error("error shows a secret")
			}
			// New refuses what Validate refuses, before touching any file.
			if _, err := New(tt.cfg, nil); err == nil {
				t.Error("New accepted an invalid config")
			}
		})
	}
}

func TestDefaultAllowList(t *testing.T) {
	asym := []string{"EdDSA", "ES256", "ES384", "ES512", "PS256", "PS384", "PS512", "RS256", "RS384", "RS512"}
	all := append(slices.Clone(asym), "HS256", "HS384", "HS512")
	slices.Sort(asym)
	slices.Sort(all)
	tests := []struct {
		name string
		cfg  Config
		want []string
	}{
		{"jwks only", Config{JWKSFile: "/x"}, asym},
		{"with secrets", Config{JWKSFile: "/x", HMACSecrets: []HMACSecret{{Secret: secret1}}}, all},
		{"explicit", Config{Algorithms: []string{"ES256", "HS512"}}, []string{"ES256", "HS512"}},
	}
	for _, tt := range tests {
		var got []string
		for a := range tt.cfg.allowed() {
			got = append(got, a)
		}
		slices.Sort(got)
		if !slices.Equal(got, tt.want) {
			t.Errorf("%s: %v, want %v", tt.name, got, tt.want)
		}
	}
}
