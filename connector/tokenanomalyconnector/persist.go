package tokenanomalyconnector

import (
	"context"
	"fmt"
	"slices"
	"strconv"

	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/extension/xextension/storage"
	"go.uber.org/zap"
)

// stateVersion changes whenever the saved layout or the hashes change;
// saved state of another version is ignored (and the baselines relearned).
const stateVersion = 3

// Storage keys. Tokens are saved in chunks so that no value is huge.
const (
	keyHeader        = "header"
	keyTokenChunk    = "tokens/"
	keyNoveltyCur    = "novelty/current"
	keyNoveltyPrev   = "novelty/previous"
	keyRegistry      = "registry"
	keyFindings      = "findings"
	tokensPerChunk   = 1 << 16
	maxTokenChunks   = 1 << 12 // 268 million tokens
	tokenRecordBytes = 8 + 4*7 + 16 + 4 + 8 + 8 + 4 + 2 + 2 + hourSlots/2 + 4*6 + 4 + 4 + 2 + 1 + 4 + 4 + 2 + 1 + 1 + 1 + 4
)

// persister is the storage client of the storage extension named in
// `storage`.
type persister struct {
	client storage.Client
	chunks int // token chunks written last time, to delete leftovers
}

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
	return &persister{client: client}, nil
}

func (p *persister) close(ctx context.Context) error {
	if err := p.client.Close(ctx); err != nil {
		return fmt.Errorf("storage: closing: %w", err)
	}
	return nil
}

// save writes the learned state. It encodes under the lock (a copy that
// stays consistent) and writes after releasing it.
func (m *model) save(ctx context.Context) error {
	m.mu.Lock()
	ops, chunks := m.encodeState()
	upTo := m.outbox.assigned()
	m.mu.Unlock()
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

// saveFindings saves the findings alone, so that the stored alerts sent
// since the last save can be deleted before the next one.
func (m *model) saveFindings(ctx context.Context) error {
	m.mu.Lock()
	data := m.encodeFindings()
	upTo := m.outbox.assigned()
	m.mu.Unlock()
	if err := m.store.client.Set(ctx, keyFindings, data); err != nil {
		m.tel.persist(ctx, "save", "failed")
		return fmt.Errorf("storage: saving findings: %w", err)
	}
	return m.outbox.compact(ctx, upTo)
}

func (m *model) encodeState() ([]*storage.Operation, int) {
	var ops []*storage.Operation
	// Tokens.
	chunks := 0
	var e enc
	n := 0
	flushChunk := func() {
		head := enc{b: make([]byte, 0, 4+len(e.b))}
		head.u32(uint32(n))
		head.bytes(e.b)
		ops = append(ops, storage.SetOperation(keyTokenChunk+strconv.Itoa(chunks), head.b))
		chunks++
		e, n = enc{}, 0
	}
	m.tokens.each(func(key uint64, s *tokenState) bool {
		if n == 0 {
			e.b = make([]byte, 0, tokensPerChunk*tokenRecordBytes)
		}
		encodeToken(&e, key, s)
		n++
		if n == tokensPerChunk {
			flushChunk()
		}
		return true
	})
	if n > 0 {
		flushChunk()
	}

	var h enc
	h.u32(stateVersion)
	h.i64(m.watermark)
	h.i64(m.since)
	h.u32(uint32(chunks))
	h.i64(m.novelty.genStart)
	h.u32(uint32(len(m.scopes.names)))
	for _, s := range m.scopes.names {
		h.str(s)
	}
	ops = append(ops, storage.SetOperation(keyHeader, h.b))
	ops = append(ops, storage.SetOperation(keyNoveltyCur, encodeBloom(m.novelty.current)))
	ops = append(ops, storage.SetOperation(keyNoveltyPrev, encodeBloom(m.novelty.previous)))

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
	ops = append(ops, storage.SetOperation(keyRegistry, r.b))

	ops = append(ops, storage.SetOperation(keyFindings, m.encodeFindings()))
	return ops, chunks
}

func (m *model) encodeFindings() []byte {
	var f enc
	f.u32(uint32(m.findings.len()))
	m.findings.each(func(_ uint64, rec *findingRecord) bool {
		f.str(rec.id)
		f.i64(rec.first)
		f.i64(rec.last)
		f.i64(rec.alert)
		f.i64(rec.count)
		f.u8(uint8(rec.sev))
		return true
	})
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
	e.u32(s.deniedBucket)
	e.f32(s.deniedMean)
	e.u16(s.deniedCount)
	e.u8(s.multiPeak)
	e.u8(s.multiCur)
	e.u32(s.multiCurAt)
	e.u32(s.addrNovelAt)
	e.u32(s.resNovelAt)
	e.u16(s.activeHours)
	e.u8(s.addrNovel)
	e.u8(s.resNovel)
}

func decodeToken(d *dec, s *tokenState) uint64 {
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
	s.deniedBucket = d.u32()
	s.deniedMean = d.f32()
	s.deniedCount = d.u16()
	s.multiPeak = d.u8()
	s.multiCur = d.u8()
	s.multiCurAt = d.u32()
	s.addrNovelAt = d.u32()
	s.resNovelAt = d.u32()
	s.activeHours = d.u16()
	s.addrNovel = d.u8()
	s.resNovel = d.u8()
	return key
}

func encodeBloom(b *bloom) []byte {
	e := enc{b: make([]byte, 0, 8+len(b.blocks)*64)}
	e.u32(uint32(len(b.blocks)))
	e.u32(uint32(b.n))
	for i := range b.blocks {
		for _, w := range b.blocks[i] {
			e.u64(w)
		}
	}
	return e.b
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
		m.mu.Lock()
		m.findings = findings
		m.mu.Unlock()
		return nil
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	d := dec{b: head}
	if v := d.u32(); d.err == nil && v != stateVersion {
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
		if err := decodeTokens(data, tokens); err != nil {
			return fmt.Errorf("storage: token chunk %d: %w", i, err)
		}
	}
	novelty := newMemberSet(m.noveltyCap)
	for _, x := range []struct {
		key  string
		into *bloom
	}{{keyNoveltyCur, novelty.current}, {keyNoveltyPrev, novelty.previous}} {
		data, err := m.store.client.Get(ctx, x.key)
		if err != nil {
			return fmt.Errorf("storage: reading %s: %w", x.key, err)
		}
		if data != nil {
			if err := decodeBloom(data, x.into); err != nil {
				return fmt.Errorf("storage: %s: %w", x.key, err)
			}
		}
	}
	novelty.genStart = genStart
	regSeen, staleAlerted, err := m.loadRegistry(ctx)
	if err != nil {
		return err
	}
	findings, err := m.loadFindings(ctx)
	if err != nil {
		return err
	}

	// Everything read: swap it in.
	m.watermark, m.since, m.nextTick = watermark, since, watermark
	m.tokens, m.novelty, m.extras = tokens, novelty, extras{}
	m.scopes = newScopeModel()
	m.scopes.reset(m.reg.policy)
	for i, n := range names {
		m.scopes.names = append(m.scopes.names, n)
		m.scopes.index[n] = uint8(i)
	}
	m.regSeen, m.staleAlerted, m.findings = regSeen, staleAlerted, findings
	m.store.chunks = chunks
	m.tel.persist(ctx, "load", "ok")
	m.logger.Info("Loaded the saved state", zap.Int("tokens", tokens.len()), zap.Int("findings", findings.len()))
	return nil
}

func decodeTokens(data []byte, into *table[tokenState]) error {
	d := dec{b: data}
	n := d.count(tokenRecordBytes)
	for range n {
		var s tokenState
		key := decodeToken(&d, &s)
		if d.err != nil {
			return d.err
		}
		st, _, _, _ := into.put(key)
		*st = s
	}
	return d.err
}

func (m *model) loadRegistry(ctx context.Context) (seen, alerted map[string]int64, err error) {
	seen, alerted = map[string]int64{}, map[string]int64{}
	data, err := m.store.client.Get(ctx, keyRegistry)
	if err != nil || data == nil {
		return seen, alerted, err
	}
	d := dec{b: data}
	n := d.count(20)
	for range n {
		k := d.str()
		seen[k], alerted[k] = d.i64(), d.i64()
	}
	if d.err != nil {
		return nil, nil, fmt.Errorf("storage: %s: %w", keyRegistry, d.err)
	}
	return seen, alerted, nil
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
