package tokenauditprocessor // import "github.com/tokenaudit/tokenaudit/processor/tokenauditprocessor"

import (
	"slices"
	"strings"
	"time"

	"github.com/tokenaudit/tokenaudit/internal/auditattr"
	"github.com/tokenaudit/tokenaudit/internal/credential"
)

// A key of the org's own format (a payments platform's prk_live_…, an
// internal service's opaque bearer token) has no prefix the scanners know,
// so once it leaks into prose, a URL path or an exception message nothing
// would find it. The processor has seen it, though: presented in a
// request's header, and listed in the policy's registry. Such keys are
// remembered in the token cache by their keyed hash (no secret is kept),
// and every word of a text or URL that could be one is looked up: an exact
// match is the credential itself, whatever its format, so it is
// exposed_credential and scrubbed like any other (blind7's L126: a support
// note pasting a merchant's live key). Only the registry proves a value is
// a key: a service's answer does not (a public endpoint answers 200 to any
// header), and a value anyone could make a "key" would be scrubbed, and
// alerted on, in every log line holding it.

// kindPresented keys a presented secret in the token cache apart from the
// header values and scanned secrets cached under the other kinds.
const kindPresented = 0xff

// minPresentedLen is the shortest key remembered: shorter values are words
// and ids a text holds by chance, and no key that short is worth the name.
const minPresentedLen = 16

// maxPresentedWords bounds the words of one string looked up, among those
// of a length some remembered key has: a log line holds a handful; a dump
// of thousands is searched in its first.
const maxPresentedWords = 256

// maxPresentedLen is the longest key length told apart in the cache's
// length set; longer keys share its last bit.
const maxPresentedLen = 255

// rememberEvery is how often a key in use is put back in the cache: a
// hot key must not fall out of the LRU while the header entry that spares
// its lookups stays.
const rememberEvery = 10 * time.Minute

// keyWordByte is what a key found as a word is made of: letters, digits
// and the separators key formats use. '/', '+' and '=' (base64) are not: in
// prose and URLs they join a key to its neighbours (key=…, /keys/…).
func keyWordByte(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '-' || c == '.' || c == '~'
}

func allKeyWord(s string) bool {
	for i := 0; i < len(s); i++ {
		if !keyWordByte(s[i]) {
			return false
		}
	}
	return true
}

// presentedKeyOf prepares a presented credential to be remembered: its
// key in the token cache when it is one scanPresented could find (an API
// key or opaque bearer token of no known family, which, like JWTs and
// Basic pairs, are found by their form; at least minPresentedLen bytes,
// all of them findable, not ending in a full stop). The zero key for any
// other.
func (p *tokenAudit) presentedKeyOf(c *credential.Credential) cacheKey {
	if p.cache == nil || c.Provider != "" || c.Type != auditattr.TypeAPIKey && c.Type != auditattr.TypeBearer ||
		len(c.Secret) < minPresentedLen || len(c.Secret) > p.cfg.limits().MaxTokenBytes || !allKeyWord(c.Secret) ||
		strings.HasSuffix(c.Secret, ".") {
		return cacheKey{}
	}
	return p.cache.keyOf(kindPresented, c.Secret)
}

// rememberPresented remembers the item's presented credential, which the
// registry lists (see above), and puts it back every rememberEvery while
// it is used: a hot key must not fall out of the LRU while the header
// entry that spares its lookups stays.
func (p *tokenAudit) rememberPresented(info *tokenInfo, sc *scratch) {
	if p.cache == nil || info.presentedKey == (cacheKey{}) || info.malformed {
		return
	}
	now := time.Now().UnixNano()
	last := info.rememberedAt.Load()
	if last != 0 && now >= last && now-last < int64(rememberEvery) || !info.rememberedAt.CompareAndSwap(last, now) {
		return
	}
	sc.stats.evictions += int64(p.cache.put(info.presentedKey, &cachedValue{info: info}))
	p.cache.rememberLen(int(info.presentedLen))
}

// scanPresented finds the presented credentials standing as words in s,
// read as kind at source, beside the spans the scanners found (sc.spans,
// ordered, not overlapping): each is a finding and a span to scrub, and
// sc.spans stays ordered. A word ending a sentence is looked up without its
// full stops. Only words of a length some remembered key has are looked
// up, at most maxPresentedWords of them whatever covers them, and the
// scanners' spans are walked once: the cost is linear in s.
func (p *tokenAudit) scanPresented(s string, kind valueKind, source string, sc *scratch) {
	if p.cache == nil || !p.cache.anyPresented() || len(s) < minPresentedLen {
		return
	}
	found, cur, words := len(sc.spans), 0, 0
	maxLen := p.cfg.limits().MaxTokenBytes
	for i := 0; i < len(s) && words < maxPresentedWords; {
		if !keyWordByte(s[i]) {
			i++
			continue
		}
		j := i + 1
		for j < len(s) && keyWordByte(s[j]) {
			j++
		}
		w := strings.TrimRight(s[i:j], ".")
		start, end := i, i+len(w)
		i = j
		if len(w) < minPresentedLen || len(w) > maxLen || !p.cache.presentedLen(len(w)) {
			continue // no remembered key is that long: a stack frame, an id
		}
		words++
		for cur < found && sc.spans[cur].end <= start {
			cur++
		}
		k := -1
		if cur < found && sc.spans[cur].start < end {
			if k = cur; !sc.spans[k].weak {
				continue // a scanner's credential
			}
		}
		cv := p.cache.get(p.cache.keyOf(kindPresented, w))
		if cv == nil || cv.info == nil {
			continue
		}
		info := cv.info
		if p.fresh(info) {
			sc.stats.countCredential(info)
		} else {
			// Fingerprinted under a key since rotated: the word is the
			// secret, so its id is made again.
			c := p.rules.Classify(w, info.typ)
			info = p.lookupSecret(&c, sc)
		}
		sc.findings = append(sc.findings, p.found(info, kind, source, false))
		if k >= 0 {
			// Scrubbed already as a value named like a secret: now known,
			// it is the token's.
			sc.spans[k].with, sc.spans[k].weak = p.replacement(info), false
		} else {
			sc.spans = append(sc.spans, span{start: start, end: end, with: p.replacement(info)})
		}
	}
	if len(sc.spans) > found && found > 0 {
		slices.SortFunc(sc.spans, func(a, b span) int { return a.start - b.start })
	}
}

// rememberLen records that a key n bytes long is remembered.
func (c *tokenCache) rememberLen(n int) {
	n = min(n, maxPresentedLen)
	c.presentedLens[n/64].Or(1 << (n % 64))
}

// presentedLen reports whether a key n bytes long may be remembered.
func (c *tokenCache) presentedLen(n int) bool {
	n = min(n, maxPresentedLen)
	return c.presentedLens[n/64].Load()&(1<<(n%64)) != 0
}

// anyPresented reports whether any key was remembered: until then no text
// is searched for one.
func (c *tokenCache) anyPresented() bool {
	for i := range c.presentedLens {
		if c.presentedLens[i].Load() != 0 {
			return true
		}
	}
	return false
}
