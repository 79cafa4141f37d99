package tokenauditprocessor // import "github.com/tokenaudit/tokenaudit/processor/tokenauditprocessor"

import (
	"hash/maphash"
	"strings"

	"github.com/tokenaudit/tokenaudit/internal/auditattr"
	"github.com/tokenaudit/tokenaudit/internal/credential"
)

// cachedValue is what the cache remembers for a key: the token's info and,
// for header values, where in the value the secret stands, so a repeated
// header is neither parsed nor fingerprinted again.
type cachedValue struct {
	info *tokenInfo
	// scrubbed is the header value with its secret replaced; computed once,
	// since the cache key is the whole value.
	scrubbed string
}

// lookupHeader reads a header value through the cache. nil means the value
// holds nothing to scrub (empty).
func (p *tokenAudit) lookupHeader(s string, kind valueKind, sc *scratch) *cachedValue {
	if strings.TrimSpace(s) == "" {
		return nil
	}
	var k cacheKey
	if p.cache != nil {
		k = p.cache.keyOf(byte(kind), s)
		if cv := p.cache.get(k); cv != nil && p.fresh(cv.info) {
			sc.stats.hits++
			sc.stats.countCredential(cv.info)
			return cv
		}
		sc.stats.misses++
	}
	var (
		c  credential.Credential
		ok bool
	)
	if kind == kindAuthorization {
		c, ok = p.rules.ParseAuthorization(s)
	} else {
		c, ok = p.rules.ParseKey(s)
	}
	// A value the parser did not take (an unknown scheme, say) is still
	// redacted whole: what stands in an Authorization header is secret.
	cv := &cachedValue{scrubbed: auditattr.Redacted}
	if ok && c.Type != "" {
		cv.info = p.buildTokenInfo(&c)
		if cv.info.presentedKey = p.presentedKeyOf(&c); cv.info.presentedKey != (cacheKey{}) {
			cv.info.presentedLen = int32(len(c.Secret))
		}
		if c.Start >= 0 && c.Start <= c.End && c.End <= len(s) {
			cv.scrubbed = s[:c.Start] + p.replacement(cv.info) + s[c.End:]
		} else {
			cv.scrubbed = p.replacement(cv.info)
		}
	}
	if p.cache != nil {
		sc.stats.evictions += int64(p.cache.put(k, cv))
	}
	sc.stats.countCredential(cv.info)
	return cv
}

// lookupSecret returns the info of a credential a scanner found.
func (p *tokenAudit) lookupSecret(c *credential.Credential, sc *scratch) *tokenInfo {
	var k cacheKey
	if p.cache != nil {
		k = p.cache.keyOf(0, c.Secret)
		if cv := p.cache.get(k); cv != nil && p.fresh(cv.info) {
			sc.stats.hits++
			sc.stats.countCredential(cv.info)
			return cv.info
		}
		sc.stats.misses++
	}
	info := p.buildTokenInfo(c)
	if p.cache != nil {
		sc.stats.evictions += int64(p.cache.put(k, &cachedValue{info: info}))
	}
	sc.stats.countCredential(info)
	return info
}

// fresh reports whether a cached result still holds: its id was made
// under the fingerprint key in force and, for a JWT, it was verified
// against the current key set (a reloaded JWKS makes older results stale).
func (p *tokenAudit) fresh(info *tokenInfo) bool {
	if info != nil && info.fpGeneration != p.fpGen.Load() {
		return false
	}
	if info == nil || p.verifier == nil || info.typ != auditattr.TypeJWT || info.malformed {
		return true
	}
	return info.keyGeneration == p.verifier.Generation()
}

// keyOf hashes a value with its kind, so the same text read as a header and
// as a bare secret are cached apart.
func (c *tokenCache) keyOf(kind byte, s string) cacheKey {
	var h0, h1 maphash.Hash
	h0.SetSeed(c.seeds[0])
	h1.SetSeed(c.seeds[1])
	h0.WriteByte(kind)
	h1.WriteByte(kind)
	h0.WriteString(s)
	h1.WriteString(s)
	return cacheKey{h0.Sum64(), h1.Sum64()}
}
