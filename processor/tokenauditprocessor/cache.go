package tokenauditprocessor // import "github.com/tokenaudit/tokenaudit/processor/tokenauditprocessor"

import (
	"hash/maphash"
	"sync"
	"sync/atomic"
)

// cacheKey is a 128-bit keyed hash of a raw credential. The cache keeps no
// secret: two independent random seeds make a collision chance of 2^-128,
// and an attacker who cannot see the seeds cannot aim for one.
type cacheKey [2]uint64

const cacheShards = 16

// tokenCache is a bounded LRU of per-token results, sharded to keep lock
// hold times short when several pipelines share a processor.
type tokenCache struct {
	seeds  [2]maphash.Seed
	shards [cacheShards]cacheShard
	// presentedLens is the set of the remembered presented keys' lengths
	// (presented.go): a word of another length is not looked up.
	presentedLens [(maxPresentedLen + 1) / 64]atomic.Uint64
}

type cacheShard struct {
	mu      sync.Mutex
	entries map[cacheKey]*cacheEntry
	head    cacheEntry // sentinel of a circular list, most recent first
	max     int
}

type cacheEntry struct {
	key        cacheKey
	value      *cachedValue
	prev, next *cacheEntry
}

// newTokenCache returns a cache for maxEntries tokens, or nil for 0.
func newTokenCache(maxEntries int) *tokenCache {
	if maxEntries <= 0 {
		return nil
	}
	c := &tokenCache{seeds: [2]maphash.Seed{maphash.MakeSeed(), maphash.MakeSeed()}}
	per := (maxEntries + cacheShards - 1) / cacheShards
	for i := range c.shards {
		s := &c.shards[i]
		s.entries = make(map[cacheKey]*cacheEntry)
		s.head.prev, s.head.next = &s.head, &s.head
		s.max = per
	}
	return c
}

func (c *tokenCache) shard(k cacheKey) *cacheShard { return &c.shards[k[0]%cacheShards] }

// get returns the cached value and moves it to the front.
func (c *tokenCache) get(k cacheKey) *cachedValue {
	s := c.shard(k)
	s.mu.Lock()
	defer s.mu.Unlock()
	e, ok := s.entries[k]
	if !ok {
		return nil
	}
	s.unlink(e)
	s.pushFront(e)
	return e.value
}

// put stores v and reports how many entries it evicted to make room.
func (c *tokenCache) put(k cacheKey, v *cachedValue) (evicted int) {
	s := c.shard(k)
	s.mu.Lock()
	defer s.mu.Unlock()
	if e, ok := s.entries[k]; ok {
		e.value = v
		s.unlink(e)
		s.pushFront(e)
		return 0
	}
	for len(s.entries) >= s.max {
		last := s.head.prev
		s.unlink(last)
		delete(s.entries, last.key)
		evicted++
	}
	e := &cacheEntry{key: k, value: v}
	s.entries[k] = e
	s.pushFront(e)
	return evicted
}

func (c *tokenCache) len() int {
	n := 0
	for i := range c.shards {
		s := &c.shards[i]
		s.mu.Lock()
		n += len(s.entries)
		s.mu.Unlock()
	}
	return n
}

func (s *cacheShard) unlink(e *cacheEntry) {
	e.prev.next = e.next
	e.next.prev = e.prev
}

func (s *cacheShard) pushFront(e *cacheEntry) {
	e.prev = &s.head
	e.next = s.head.next
	s.head.next.prev = e
	s.head.next = e
}
