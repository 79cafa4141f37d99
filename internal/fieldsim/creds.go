package fieldsim

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"strings"
	"time"
)

// claims are the JWT claims the simulated identity provider writes: the
// registered claims, an OAuth scope string and, for service accounts,
// client_id.
type claims struct {
	Iss      string `json:"iss"`
	Sub      string `json:"sub"`
	Aud      string `json:"aud"`
	Iat      int64  `json:"iat"`
	Nbf      int64  `json:"nbf,omitempty"`
	Exp      int64  `json:"exp,omitempty"`
	Jti      string `json:"jti"`
	Scope    string `json:"scope,omitempty"`
	ClientID string `json:"client_id,omitempty"`
}

// mintHS256 signs claims as a compact JWS with HS256 under secret, the way
// an identity provider with a shared secret does.
func mintHS256(c claims, kid string, secret []byte) string {
	header := fmt.Sprintf(`{"alg":"HS256","typ":"JWT","kid":%q}`, kid)
	payload, err := json.Marshal(c)
	if err != nil { // claims hold only strings and numbers
		panic(fmt.Sprintf("fieldsim: encode claims: %v", err))
	}
	enc := base64.RawURLEncoding
	signingInput := enc.EncodeToString([]byte(header)) + "." + enc.EncodeToString(payload)
	mac := hmac.New(sha256.New, secret)
	mac.Write([]byte(signingInput))
	return signingInput + "." + enc.EncodeToString(mac.Sum(nil))
}

const (
	alnumChars = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
	hexChars   = "0123456789abcdef"
)

func randString(rng *rand.Rand, alphabet string, n int) string {
	var b strings.Builder
	b.Grow(n)
	for range n {
		b.WriteByte(alphabet[rng.IntN(len(alphabet))])
	}
	return b.String()
}

// apiKey returns an opaque key in one of the formats the org's systems
// issue: GitLab and GitHub personal access tokens (the org's source
// forge), Stripe restricted keys (the payment integration), and the org's
// own unprefixed 40-character keys.
func apiKey(rng *rand.Rand) string {
	switch rng.IntN(4) {
	case 0:
		return "glpat-" + randString(rng, alnumChars, 20)
	case 1:
		return "ghp_" + randString(rng, alnumChars, 36)
	case 2:
		return "rk_live_" + randString(rng, alnumChars, 24)
	default:
		return randString(rng, alnumChars, 40)
	}
}

// truncateJWT cuts a JWT the way a copy-paste or a log line limit does:
// inside the payload, so one dot remains.
func truncateJWT(rng *rand.Rand, jwt string) string {
	first := strings.IndexByte(jwt, '.')
	second := strings.LastIndexByte(jwt, '.')
	cut := first + 8 + rng.IntN(max(1, second-first-16))
	return jwt[:cut]
}

func unix(t time.Time) int64 { return t.Unix() }
