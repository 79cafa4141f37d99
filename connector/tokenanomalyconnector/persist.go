package tokenanomalyconnector

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"slices"
	"strconv"

	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/extension/xextension/storage"
	"go.uber.org/zap"
)

// stateVersion changes whenever the saved layout or the hashes change;
// saved state of another version is ignored (and the baselines relearned),
// but for the one before, which is read (readsVersion).
const stateVersion = 7

// stateVersionNoNewAt is the version before tokens saved addrNewAt and
// owners their multi_address spread: its tokens load with 0 (their cohorts
// share nothing until they are on a new network), its owners with none
// (learned again).
const stateVersionNoNewAt = 6

// Storage keys. Tokens are saved in chunks so that no value is huge.
const (
	keyHeader         = "header"
	keyTokenChunk     = "tokens/"
	keyNoveltyCur     = "novelty/current"
	keyNoveltyPrev    = "novelty/previous"
	keyPopulationCur  = "population/current"
	keyPopulationPrev = "population/previous"
	keyRegistry       = "registry"
	keyFindings       = "findings"
	keyReorder        = "reorder"
	// keyHeldCovered is the outbox position the stored held items and held
	// findings (keyReorder, keyHeldFindings) are as of: a findings-only
	// save stores them newer than the rest of the state.
	keyHeldCovered = "held_covered"
	// keyASWait is how many first-seen rotations the population's AS
	// counts (wide_ranges "asn") wait for before they are whole, 0 when
	// they are; absent when it did not count ASes (see asCounted).
	keyASWait = "population/as_wait"
	// keyCountryWait is the same for the country counts and the owners'
	// countries (population.country_min_principals; see countryCounted).
	keyCountryWait = "population/country_wait"
	tokensPerChunk = 1 << 16
	maxTokenChunks = 1 << 12 // 268 million tokens
)

// tokenRecordBytes is the size of one encoded token (encodeToken, field
// by field): a chunk's buffer is sized with it, and a record larger than
// counted would make the chunk's buffer grow (a copy of megabytes under
// the model's lock).
const tokenRecordBytes = 8 + // key
	4*7 + // firstSeen .. rateThreshold
	16 + 4 + // lastNet, lastNetSeen
	8 + 8 + 4 + // granted, used, scopeStart
	2 + 2 + hourSlots/2 + // flags, hoursTotal, hours
	4 + 2*rateSlots + rateSlots + // rateLongBucket, rateLongCounts, rateLongBuckets
	2 + 2 + 4*4 + // rateLongMax, rateLongPeakPending, rateLongMean .. ratePeak
	1 + 2 + // rateStreak, ratePeakPending
	4 + 4 + 2*3 + // deniedBucket, deniedMean, deniedCount .. deniedPrevReqs
	1 + 1 + 4*3 + // multiPeak, multiCur, multiCurAt, addrNovelAt, resNovelAt
	2 + 1 + 1 + 2 + // activeHours, addrNovel, resNovel, resQuiet
	4 // addrNewAt

// persister is the storage clients of the storage extension named in
// `storage`: one for the learned state, one for the outbox. The outbox is
// written with every request that raised alerts; in the state's client
// (file_storage is bbolt) its keys shared leaf pages with the state's
// values of megabytes (novelty/previous, population/current), so after the
// first save every outbox write rewrote and synced those pages: 16 MB per
// request, and throughput fell from thousands of records a second to a
// hundred. In a client of its own, a write costs what the outbox holds.
type persister struct {
	client storage.Client
	outbox storage.Client
	chunks int // token chunks written last time, to delete leftovers
}

// outboxClientName names the outbox's storage client (its own file with
// file_storage).
const outboxClientName = "outbox"

func newPersister(ctx context.Context, host component.Host, ext, self component.ID) (*persister, error) {
	c, ok := host.GetExtensions()[ext]
	if !ok {
		return nil, fmt.Errorf("storage: no extension %q is configured; add it under extensions and service.extensions", ext)
	}
	se, ok := c.(storage.Extension)
	if !ok {
		return nil, fmt.Errorf("storage: extension %q is not a storage extension (use file_storage)", ext)
	}
	client, err := se.GetClient(ctx, component.KindConnector, self, "")
	if err != nil {
		return nil, fmt.Errorf("storage: opening a client of %q: %w", ext, err)
	}
	outbox, err := se.GetClient(ctx, component.KindConnector, self, outboxClientName)
	if err != nil {
		return nil, errors.Join(fmt.Errorf("storage: opening the outbox's client of %q: %w", ext, err), client.Close(ctx))
	}
	return &persister{client: client, outbox: outbox}, nil
}

func (p *persister) close(ctx context.Context) error {
	if err := errors.Join(p.client.Close(ctx), p.outbox.Close(ctx)); err != nil {
		return fmt.Errorf("storage: closing: %w", err)
	}
	return nil
}

// save writes the learned state. The state is encoded a slice at a time
// under the lock (see encodeState) and written after releasing it.
func (m *model) save(ctx context.Context) error {
	m.saveMu.Lock()
	defer m.saveMu.Unlock()
	ops, chunks, upTo := m.encodeState()
	for i := chunks; i < m.store.chunks; i++ {
		ops = append(ops, storage.DeleteOperation(keyTokenChunk+strconv.Itoa(i)))
	}
	if err := m.store.client.Batch(ctx, ops...); err != nil {
		m.tel.persist(ctx, "save", "failed")
		return fmt.Errorf("storage: saving state: %w", err)
	}
	m.store.chunks = chunks
	m.tel.persist(ctx, "save", "ok")
	return m.outbox.compact(ctx, upTo)
}

// saveFindings saves the findings, the reorder buffer's items and the
// held findings, so that the stored alerts sent since the last save can be
// deleted before the next one: those entries also hold items and findings
// still held, which a crash would otherwise lose. A full save in progress
// compacts the outbox itself, so this one then waits for the next call.
func (m *model) saveFindings(ctx context.Context) error {
	if !m.saveMu.TryLock() {
		return nil
	}
	defer m.saveMu.Unlock()
	m.mu.Lock()
	n := m.held.len()
	m.mu.Unlock()
	items := make([]heldItem, 0, n+n/8+64)
	m.mu.Lock()
	upTo := m.outbox.assigned()
	items = m.copyHeld(items)
	found := slices.Clone(m.holds.list) // a held finding is never changed
	m.mu.Unlock()
	var covered enc
	covered.u64(upTo)
	err := m.store.client.Batch(ctx,
		storage.SetOperation(keyFindings, m.encodeFindings()),
		storage.SetOperation(keyReorder, encodeHeldItems(items)),
		storage.SetOperation(keyHeldFindings, encodeHeldFindings(found, nil)),
		storage.SetOperation(keyHeldCovered, covered.b))
	if err != nil {
		m.tel.persist(ctx, "save", "failed")
		return fmt.Errorf("storage: saving findings and held items: %w", err)
	}
	return m.outbox.compact(ctx, upTo)
}

// encodeState encodes the state without stopping ingest for long: the
// tokens are those of the instant the save began (see tokenSnapshot), the
// first-seen filters, the population sketch and the findings are read a
// slice at a time and may hold what arrived during the save (a pair, a
// count or a finding known a little early is harmless). upTo is the outbox sequence the saved state covers.
func (m *model) encodeState() (ops []*storage.Operation, chunks int, upTo uint64) {
	// The copy of the reorder buffer is allocated before the lock and
	// encoded after it: under it, it is only copied (megabytes encoded
	// there stalled ingest for tens of ms).
	m.mu.Lock()
	nHeld := m.held.len()
	m.mu.Unlock()
	heldItems := prefaulted(make([]heldItem, 0, nHeld+nHeld/8+64))
	// The first chunk's buffer too: ingest may preserve an entry before
	// the first slice.
	firstChunk := newChunk()
	early := snapshotBits(m.tokens.max) // max is set once, at creation

	m.mu.Lock()
	snap := newTokenSnapshot(m.tokens.len(), early)
	snap.out.spare = firstChunk
	m.saving = snap
	upTo = m.outbox.assigned()
	watermark, since, asWait, countryWait := m.watermark, m.since, m.asWait, m.countryWait
	scopes := slices.Clone(m.scopes.names)
	registry := m.encodeRegistry()
	heldItems = m.copyHeld(heldItems)
	heldFound := slices.Clone(m.holds.list) // a held finding is never changed
	m.mu.Unlock()
	held := encodeHeldItems(heldItems)
	var spare []byte
	m.inSlicesPrepared(func() {
		if spare == nil {
			spare = newChunk()
		}
	}, func() bool {
		if snap.out.spare == nil {
			snap.out.spare, spare = spare, nil
		}
		if !snap.step(m.tokens) {
			return false
		}
		m.saving = nil
		return true
	})
	snap.out.close()
	for i, c := range snap.out.chunks {
		ops = append(ops, storage.SetOperation(keyTokenChunk+strconv.Itoa(i), c))
	}
	chunks = len(snap.out.chunks)
	nov := m.copyNovelty()

	var h enc
	h.u32(stateVersion)
	h.i64(watermark)
	h.i64(since)
	h.u32(uint32(chunks))
	h.i64(nov.genStart)
	h.u32(uint32(len(scopes)))
	for _, s := range scopes {
		h.str(s)
	}
	h.u64(upTo) // last, so that a header without it reads as covering nothing
	ops = append(ops,
		storage.SetOperation(keyReorder, held),
		storage.SetOperation(keyHeldFindings, encodeHeldFindings(heldFound, nil)),
		storage.SetOperation(keyHeldCovered, h.b[len(h.b)-8:]),
		storage.SetOperation(keyHeader, h.b),
		storage.SetOperation(keyNoveltyCur, nov.cur),
		storage.SetOperation(keyNoveltyPrev, nov.prev),
		storage.SetOperation(keyPopulationCur, encodeCounters(nov.popCur)),
		storage.SetOperation(keyPopulationPrev, encodeCounters(nov.popPrev)),
		storage.SetOperation(keyRegistry, registry),
		storage.SetOperation(keyFindings, m.encodeFindings()),
		storage.SetOperation(keyPrincipals, m.encodePrincipals()),
		storage.SetOperation(keyPrincipalRates, m.encodePrincipalRates()),
		storage.SetOperation(keyOwnerResources, m.encodeOwnerResources()),
		storage.SetOperation(keyOwnerLongRates, m.encodeOwnerLongRates()),
		storage.SetOperation(keyOwnerMinuteRates, m.encodeOwnerMinuteRates()))
	ops = append(ops,
		waitOperation(keyASWait, m.cfg.Detectors.NewClientAddress.Population.WideRanges == wideRangesASN, asWait),
		waitOperation(keyCountryWait, m.countries != nil, countryWait))
	return ops, chunks, upTo
}

// waitOperation saves the rotations a count waits for under key, or
// deletes the key when nothing is counted (loadWait's converse).
func waitOperation(key string, counting bool, wait uint8) *storage.Operation {
	if !counting {
		return storage.DeleteOperation(key)
	}
	return storage.SetOperation(key, []byte{wait})
}

// encodeRegistry encodes when each registry entry was last used and
// alerted stale. Call it under the lock.
func (m *model) encodeRegistry() []byte {
	var r enc
	keys := make([]string, 0, len(m.regSeen))
	for k := range m.regSeen {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	r.u32(uint32(len(keys)))
	for _, k := range keys {
		r.str(k)
		r.i64(m.regSeen[k])
		r.i64(m.staleAlerted[k])
	}
	r.u32(uint32(len(m.regDiscovered)))
	for _, n := range m.regDiscovered {
		r.u32(n)
	}
	return r.b
}

// bloomSlice is how many filter blocks (64 bytes each) a save copies per
// hold of the lock, and popSlice how many population counters (2 bytes
// each): 256 KiB of each.
const (
	bloomSlice = 4096
	popSlice   = 1 << 17
)

// noveltyCopy is what a save keeps of the first-seen filters (encoded)
// and of the population sketch that rotates with them.
type noveltyCopy struct {
	cur, prev       []byte
	popCur, popPrev []uint16
	genStart        int64
}

// copyNovelty copies both first-seen filters and both generations of the
// population sketch a slice at a time (the sketch, 8 B per max_tokens,
// copied in one hold kept ingest waiting 85-103 ms on a loaded machine);
// a rotation during the copy starts it again, so the filters, the
// counters and genStart always belong together. Like the filters, the
// counters may hold what arrived during the save: a token counted a
// little early only makes its network look more common, as a collision
// does.
func (m *model) copyNovelty() noveltyCopy {
	for {
		m.mu.Lock()
		gen, n, nPop := m.novelty.gen, len(m.novelty.current.blocks), len(m.population.current)
		genStart := m.novelty.genStart
		m.mu.Unlock()
		c, p := newBloomEnc(n), newBloomEnc(n)
		popCur, popPrev := prefaulted(make([]uint16, nPop)), prefaulted(make([]uint16, nPop))
		rotated, off, popOff := false, 0, 0
		m.inSlices(func() bool {
			if rotated = m.novelty.gen != gen; rotated {
				return true
			}
			end := min(n, off+bloomSlice)
			appendBlocks(&c, m.novelty.current.blocks[off:end])
			appendBlocks(&p, m.novelty.previous.blocks[off:end])
			off = end
			popOff += copyCounters(popCur, popPrev, m.population, popOff)
			if off < n || popOff < nPop {
				return false
			}
			binary.LittleEndian.PutUint32(c.b[4:], uint32(m.novelty.current.n))
			binary.LittleEndian.PutUint32(p.b[4:], uint32(m.novelty.previous.n))
			return true
		})
		if !rotated {
			return noveltyCopy{cur: c.b, prev: p.b, popCur: popCur, popPrev: popPrev, genStart: genStart}
		}
	}
}

// copyCounters copies up to popSlice counters of both generations of src,
// from off on, into cur and prev (of src's size); it returns how many.
// Call it under the lock.
func copyCounters(cur, prev []uint16, src *prevalence, off int) int {
	end := min(len(cur), off+popSlice)
	copy(cur[off:end], src.current[off:end])
	copy(prev[off:end], src.previous[off:end])
	return end - off
}

// encodeFindings encodes the findings a slice at a time; the count is
// filled in at the end.
func (m *model) encodeFindings() []byte {
	f := enc{b: make([]byte, 4)}
	next, count := 0, 0
	m.inSlices(func() bool {
		end := min(m.findings.len(), next+saveSlice)
		for ; next < end; next++ {
			rec := m.findings.at(int32(next))
			f.str(rec.id)
			f.i64(rec.first)
			f.i64(rec.last)
			f.i64(rec.alert)
			f.i64(rec.count)
			f.u8(uint8(rec.sev))
			count++
		}
		return next >= m.findings.len()
	})
	binary.LittleEndian.PutUint32(f.b, uint32(count))
	return f.b
}

func encodeToken(e *enc, key uint64, s *tokenState) {
	e.u64(key)
	e.u32(s.firstSeen)
	e.u32(s.lastSeen)
	e.u32(s.rateBucket)
	e.u32(s.rateCount)
	e.f32(s.rateMean)
	e.f32(s.rateVar)
	e.u32(s.rateThreshold)
	e.bytes(s.lastNet[:])
	e.u32(s.lastNetSeen)
	e.u64(s.granted)
	e.u64(s.used)
	e.u32(s.scopeStart)
	e.u16(s.flags)
	e.u16(s.hoursTotal)
	e.bytes(s.hours[:])
	e.u32(s.rateLongBucket)
	for _, v := range s.rateLongCounts {
		e.u16(v)
	}
	e.bytes(s.rateLongBuckets[:])
	e.u16(s.rateLongMax)
	e.u16(s.rateLongPeakPending)
	e.f32(s.rateLongMean)
	e.f32(s.rateLongPeak)
	e.u32(s.rateLongThreshold)
	e.f32(s.ratePeak)
	e.u8(s.rateStreak)
	e.u16(s.ratePeakPending)
	e.u32(s.deniedBucket)
	e.f32(s.deniedMean)
	e.u16(s.deniedCount)
	e.u16(s.deniedReqs)
	e.u16(s.deniedPrevReqs)
	e.u8(s.multiPeak)
	e.u8(s.multiCur)
	e.u32(s.multiCurAt)
	e.u32(s.addrNovelAt)
	e.u32(s.resNovelAt)
	e.u16(s.activeHours)
	e.u8(s.addrNovel)
	e.u8(s.resNovel)
	e.u16(s.resQuiet)
	e.u32(s.addrNewAt)
}

func decodeToken(d *dec, s *tokenState, version uint32) uint64 {
	key := d.u64()
	s.firstSeen = d.u32()
	s.lastSeen = d.u32()
	s.rateBucket = d.u32()
	s.rateCount = d.u32()
	s.rateMean = d.f32()
	s.rateVar = d.f32()
	s.rateThreshold = d.u32()
	copy(s.lastNet[:], d.take(16))
	s.lastNetSeen = d.u32()
	s.granted = d.u64()
	s.used = d.u64()
	s.scopeStart = d.u32()
	s.flags = d.u16()
	s.hoursTotal = d.u16()
	copy(s.hours[:], d.take(len(s.hours)))
	s.rateLongBucket = d.u32()
	for i := range s.rateLongCounts {
		s.rateLongCounts[i] = d.u16()
	}
	copy(s.rateLongBuckets[:], d.take(len(s.rateLongBuckets)))
	s.rateLongMax = d.u16()
	s.rateLongPeakPending = d.u16()
	s.rateLongMean = d.f32()
	s.rateLongPeak = d.f32()
	s.rateLongThreshold = d.u32()
	s.ratePeak = d.f32()
	s.rateStreak = d.u8()
	s.ratePeakPending = d.u16()
	s.deniedBucket = d.u32()
	s.deniedMean = d.f32()
	s.deniedCount = d.u16()
	s.deniedReqs = d.u16()
	s.deniedPrevReqs = d.u16()
	s.multiPeak = d.u8()
	s.multiCur = d.u8()
	s.multiCurAt = d.u32()
	s.addrNovelAt = d.u32()
	s.resNovelAt = d.u32()
	s.activeHours = d.u16()
	s.addrNovel = d.u8()
	s.resNovel = d.u8()
	s.resQuiet = d.u16()
	if version != stateVersionNoNewAt {
		s.addrNewAt = d.u32()
	} else {
		// Version 6 knew neither: the token must spend a cohort window on
		// its known networks after the upgrade to share, and a token that
		// made a request that was not refused (rate_surge learned it) counts
		// as proven for the slow stuffing count.
		s.addrNewAt = s.lastSeen
		if s.flags&flagRateLearned != 0 {
			s.flags |= flagSucceeded
		}
	}
	return key
}

// newBloomEnc starts the encoding of a filter of n blocks; the element
// count (bytes 4..8) is filled in when the blocks are done.
func newBloomEnc(n int) enc {
	e := enc{b: prefaulted(make([]byte, 0, 8+n*64))}
	e.u32(uint32(n))
	e.u32(0)
	return e
}

func appendBlocks(e *enc, blocks [][8]uint64) {
	for i := range blocks {
		for _, w := range blocks[i] {
			e.u64(w)
		}
	}
}

// decodeBloom restores a filter of the same size; another size (max_tokens
// changed) is skipped, and new pairs are learned again.
func decodeBloom(data []byte, into *bloom) error {
	d := dec{b: data}
	n := d.count(64)
	count := d.u32()
	if d.err != nil {
		return d.err
	}
	if n != len(into.blocks) {
		return nil
	}
	for i := range into.blocks {
		for j := range into.blocks[i] {
			into.blocks[i][j] = d.u64()
		}
	}
	into.n = int(count)
	return d.err
}

func encodeCounters(c []uint16) []byte {
	e := enc{b: make([]byte, 0, 4+2*len(c))}
	e.u32(uint32(len(c)))
	for _, v := range c {
		e.u16(v)
	}
	return e.b
}

// decodeCounters restores a sketch of the same size; another size
// (max_tokens changed) is skipped, and the population is learned again.
func decodeCounters(data []byte, into []uint16) error {
	d := dec{b: data}
	n := d.count(2)
	if d.err != nil || n != len(into) {
		return d.err
	}
	for i := range into {
		into[i] = d.u16()
	}
	return d.err
}

// load restores the saved state, if any.
func (m *model) load(ctx context.Context) error {
	head, err := m.store.client.Get(ctx, keyHeader)
	if err != nil {
		return fmt.Errorf("storage: reading %s: %w", keyHeader, err)
	}
	if head == nil {
		// First start, or only the findings were saved (saveFindings).
		findings, err := m.loadFindings(ctx)
		if err != nil {
			return err
		}
		held, err := m.loadHeld(ctx, 0)
		if err != nil {
			return err
		}
		m.mu.Lock()
		defer m.mu.Unlock()
		m.findings = findings
		return m.restoreHeld(held)
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	d := dec{b: head}
	version := d.u32()
	if v := version; d.err == nil && v != stateVersion && v != stateVersionNoNewAt {
		m.logger.Warn("Ignored saved state of another version; baselines are learned anew", zap.Uint32("version", v))
		return nil
	}
	watermark, since := d.i64(), d.i64()
	chunks := int(d.u32())
	genStart := d.i64()
	nScopes := d.count(4)
	names := make([]string, 0, min(nScopes, maxScopes))
	for range nScopes {
		names = append(names, d.str())
	}
	var covered uint64
	if len(d.b) >= 8 {
		covered = d.u64()
	}
	if d.err != nil {
		return fmt.Errorf("storage: %s: %w", keyHeader, d.err)
	}
	if len(names) > maxScopes {
		return fmt.Errorf("storage: %s: %d scopes, at most %d", keyHeader, len(names), maxScopes)
	}

	if chunks > maxTokenChunks {
		return fmt.Errorf("storage: %s: %d token chunks, at most %d", keyHeader, chunks, maxTokenChunks)
	}
	tokens := newTable(m.cfg.MaxTokens, tokenAge)
	for i := range chunks {
		data, err := m.store.client.Get(ctx, keyTokenChunk+strconv.Itoa(i))
		if err != nil {
			return fmt.Errorf("storage: reading token chunk %d: %w", i, err)
		}
		if data == nil {
			return fmt.Errorf("storage: token chunk %d is missing", i)
		}
		if err := decodeTokens(data, tokens, version); err != nil {
			return fmt.Errorf("storage: token chunk %d: %w", i, err)
		}
	}
	novelty := newMemberSet(m.noveltyCap)
	novelty.genStart = genStart
	population := newPrevalence(m.cfg.MaxTokens)
	principals := newTable(m.cfg.MaxTokens, principalAge)
	principalRates := newTable(m.cfg.MaxTokens, principalRateAge)
	for _, x := range []struct {
		key    string
		decode func([]byte) error
		absent bool // decode is called without data too: it learns anew
	}{
		{keyNoveltyCur, func(b []byte) error { return decodeBloom(b, novelty.current) }, false},
		{keyNoveltyPrev, func(b []byte) error { return decodeBloom(b, novelty.previous) }, false},
		{keyPopulationCur, func(b []byte) error { return decodeCounters(b, population.current) }, false},
		{keyPopulationPrev, func(b []byte) error { return decodeCounters(b, population.previous) }, false},
		{keyPrincipals, func(b []byte) error { return decodePrincipals(b, principals) }, false},
		{keyPrincipalRates, func(b []byte) error { return decodePrincipalRates(b, principalRates, version) }, false},
		{keyOwnerResources, func(b []byte) error { return m.loadOwnerResources(b, principalRates, watermark) }, true},
		{keyOwnerLongRates, func(b []byte) error { return m.loadOwnerLongRates(b, principalRates, watermark) }, true},
		{keyOwnerMinuteRates, func(b []byte) error { return m.loadOwnerMinuteRates(b, principalRates) }, true},
	} {
		data, err := m.store.client.Get(ctx, x.key)
		if err != nil {
			return fmt.Errorf("storage: reading %s: %w", x.key, err)
		}
		if data == nil && !x.absent {
			continue // saved by a version without it: learned again
		}
		if err := x.decode(data); err != nil {
			return fmt.Errorf("storage: %s: %w", x.key, err)
		}
	}
	regSeen, staleAlerted, regDiscovered, err := m.loadRegistry(ctx)
	if err != nil {
		return err
	}
	findings, err := m.loadFindings(ctx)
	if err != nil {
		return err
	}
	held, err := m.loadHeld(ctx, covered)
	if err != nil {
		return err
	}
	asWait, err := m.loadASWait(ctx)
	if err != nil {
		return err
	}
	countryWait, err := m.loadWait(ctx, keyCountryWait, m.countries != nil)
	if err != nil {
		return err
	}

	// Everything read: swap it in.
	m.watermark, m.since, m.nextTick, m.asWait, m.countryWait = watermark, since, watermark, asWait, countryWait
	m.tokens, m.novelty, m.population, m.extras = tokens, novelty, population, extras{}
	m.principals, m.principalRates = principals, principalRates
	m.scopes = newScopeModel()
	m.scopes.reset(m.reg.policy)
	for i, n := range names {
		m.scopes.names = append(m.scopes.names, n)
		m.scopes.index[n] = uint8(i)
	}
	m.regSeen, m.staleAlerted, m.regDiscovered, m.findings = regSeen, staleAlerted, regDiscovered, findings
	m.store.chunks = chunks
	if err := m.restoreHeld(held); err != nil {
		return err
	}
	m.tel.persist(ctx, "load", "ok")
	m.logger.Info("Loaded the saved state", zap.Int("tokens", tokens.len()), zap.Int("findings", findings.len()))
	return nil
}

func decodeTokens(data []byte, into *table[tokenState], version uint32) error {
	d := dec{b: data}
	size := tokenRecordBytes
	if version == stateVersionNoNewAt {
		size -= 4 // addrNewAt
	}
	n := d.count(size)
	for range n {
		var s tokenState
		key := decodeToken(&d, &s, version)
		if d.err != nil {
			return d.err
		}
		st, _, _, _ := into.put(key)
		*st = s
	}
	return d.err
}

func (m *model) loadRegistry(ctx context.Context) (seen, alerted map[string]int64, discovered []uint32, err error) {
	seen, alerted = map[string]int64{}, map[string]int64{}
	data, err := m.store.client.Get(ctx, keyRegistry)
	if err != nil || data == nil {
		return seen, alerted, nil, err
	}
	d := dec{b: data}
	n := d.count(20)
	for range n {
		k := d.str()
		seen[k], alerted[k] = d.i64(), d.i64()
	}
	if d.err == nil && len(d.b) > 0 { // absent from saves before min_observation_period
		discovered = make([]uint32, d.count(4))
		for i := range discovered {
			discovered[i] = d.u32()
		}
	}
	if d.err != nil {
		return nil, nil, nil, fmt.Errorf("storage: %s: %w", keyRegistry, d.err)
	}
	return seen, alerted, discovered, nil
}

func (m *model) loadFindings(ctx context.Context) (*table[findingRecord], error) {
	t := newTable(m.cfg.Alerts.MaxFindings, findingAge)
	data, err := m.store.client.Get(ctx, keyFindings)
	if err != nil || data == nil {
		return t, err
	}
	d := dec{b: data}
	n := d.count(37)
	for range n {
		r := findingRecord{id: d.str(), first: d.i64(), last: d.i64(), alert: d.i64(), count: d.i64(), sev: severity(d.u8())}
		if d.err != nil {
			break
		}
		rec, _, _, _ := t.put(hashString(0, r.id))
		*rec = r
	}
	if d.err != nil {
		return nil, fmt.Errorf("storage: %s: %w", keyFindings, d.err)
	}
	return t, nil
}

// storedHeld is what a save stored of the reorder buffer and the held
// findings, and the outbox position they are as of.
type storedHeld struct {
	items, found []byte
	covered      uint64
}

// loadHeld reads the stored held items and held findings. Their position
// is at least the state's own (covered): a findings-only save stores them
// newer than the rest (and a state saved before keyHeldCovered existed
// has only covered).
func (m *model) loadHeld(ctx context.Context, covered uint64) (storedHeld, error) {
	s := storedHeld{covered: covered}
	for _, x := range []struct {
		key  string
		into *[]byte
	}{{keyReorder, &s.items}, {keyHeldFindings, &s.found}} {
		data, err := m.store.client.Get(ctx, x.key)
		if err != nil {
			return s, fmt.Errorf("storage: reading %s: %w", x.key, err)
		}
		*x.into = data
	}
	data, err := m.store.client.Get(ctx, keyHeldCovered)
	if err != nil {
		return s, fmt.Errorf("storage: reading %s: %w", keyHeldCovered, err)
	}
	if data != nil {
		d := dec{b: data}
		v := d.u64()
		if d.err != nil {
			return s, fmt.Errorf("storage: %s: %w", keyHeldCovered, d.err)
		}
		s.covered = max(covered, v)
	}
	return s, nil
}

// restoreHeld holds the stored items and findings again; the outbox
// entries below their position are then skipped (see loadOutbox). Call it
// under the lock.
func (m *model) restoreHeld(s storedHeld) error {
	m.covered = s.covered
	if s.items != nil {
		if err := m.holdAgain(s.items); err != nil {
			return fmt.Errorf("storage: %s: %w", keyReorder, err)
		}
	}
	m.holds = newHeldFindings()
	if s.found != nil {
		if err := m.applyHeldFindings(s.found); err != nil {
			return fmt.Errorf("storage: %s: %w", keyHeldFindings, err)
		}
	}
	return nil
}

// loadASWait reads how many rotations the saved population's AS counts
// wait for. A state saved without AS counts (wide_ranges "prefix", or a
// version without them) begins counting now: two rotations (see
// asCounted).
func (m *model) loadASWait(ctx context.Context) (uint8, error) {
	return m.loadWait(ctx, keyASWait, m.cfg.Detectors.NewClientAddress.Population.WideRanges == wideRangesASN)
}

// loadWait reads the rotations a saved count waits for under key (0 when
// counting is off, 2 when the state was saved without it).
func (m *model) loadWait(ctx context.Context, key string, counting bool) (uint8, error) {
	if !counting {
		return 0, nil
	}
	data, err := m.store.client.Get(ctx, key)
	if err != nil {
		return 0, fmt.Errorf("storage: reading %s: %w", key, err)
	}
	switch {
	case data == nil:
		return 2, nil
	case len(data) != 1 || data[0] > 2:
		return 0, fmt.Errorf("storage: %s: %v is not one byte of 0, 1 or 2", key, data)
	}
	return data[0], nil
}
