package jwtverify

import (
	"sync"
	"sync/atomic"

	"github.com/tokenaudit/tokenaudit/internal/filewatch"
)

// keySet is immutable once published; a reload swaps the whole set, so a
// Verify running during a reload sees either the old keys or the new ones.
type keySet struct {
	keys       []key // HMAC secrets first, then the JWKS keys
	skipped    map[string]string
	generation uint64
}

// Verifier verifies JWT signatures. Safe for concurrent use.
type Verifier struct {
	allowed    map[string]bool
	secrets    []key  // from the config; the same in every key set
	jwksIssuer string // binds the JWKS file's keys (Config.JWKSIssuer)

	keys    atomic.Pointer[keySet]
	mu      sync.Mutex // serializes loads, so generations never repeat
	watcher *filewatch.Watcher
}

// New validates cfg and loads the JWKS file, if any, polling it for changes
// when ReloadInterval > 0. onReload (may be nil) hears every reload's
// result; an invalid new file keeps the previous keys. A missing or invalid
// file here is an error.
func New(cfg Config, onReload func(err error)) (*Verifier, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	v := &Verifier{allowed: cfg.allowed(), jwksIssuer: cfg.JWKSIssuer}
	for _, s := range cfg.HMACSecrets {
		v.secrets = append(v.secrets, key{kid: s.KeyID, kind: kindHMAC, hmac: newHMACKey(s.Secret), issuer: s.Issuer})
	}
	if cfg.JWKSFile == "" {
		v.store(nil)
		return v, nil
	}
	w, err := filewatch.Start(cfg.JWKSFile, cfg.ReloadInterval, v.load, onReload)
	if err != nil {
		return nil, err
	}
	v.watcher = w
	return v, nil
}

// load is the file watcher's apply step.
func (v *Verifier) load(data []byte) error {
	set, err := parseJWKS(data)
	if err != nil {
		return err
	}
	v.store(set)
	return nil
}

func (v *Verifier) store(set *jwks) {
	v.mu.Lock()
	defer v.mu.Unlock()
	ks := &keySet{keys: v.secrets, generation: 1}
	if old := v.keys.Load(); old != nil {
		ks.generation = old.generation + 1
	}
	if set != nil {
		ks.keys = append(append(make([]key, 0, len(v.secrets)+len(set.keys)), v.secrets...), set.keys...)
		for i := len(v.secrets); i < len(ks.keys); i++ {
			ks.keys[i].issuer = v.jwksIssuer
		}
		ks.skipped = set.skipped
	}
	v.keys.Store(ks)
}

// Close stops polling. Safe twice and on nil.
func (v *Verifier) Close() {
	if v != nil {
		v.watcher.Stop()
	}
}

// Generation increases by one on every successful key-set load; results
// cached under an older generation must be verified again. Read it before
// Verify, so that a reload in between makes the cached result stale rather
// than mislabelled.
func (v *Verifier) Generation() uint64 {
	if v == nil {
		return 0
	}
	return v.keys.Load().generation
}
