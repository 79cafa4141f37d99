package tokenanomalyconnector

import (
	"context"
	"net/netip"
	"slices"
	"testing"
	"time"

	"github.com/open-telemetry/opentelemetry-collector-contrib/extension/storage/storagetest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/pdata/plog"
	"go.uber.org/zap"

	"github.com/tokenaudit/tokenaudit/connector/tokenanomalyconnector/internal/metadata"
	"github.com/tokenaudit/tokenaudit/internal/auditattr"
)

func storageConfig(dir string) (*Config, component.Host) {
	cfg := testConfig()
	id := storagetest.NewStorageID("anomaly")
	cfg.Storage = &id
	cfg.MaxTokens = 10_000
	cfg.Detectors.NewClientAddress.LearningPeriod = time.Hour
	cfg.Detectors.RateSurge.MinActiveHours = 0
	host := storagetest.NewStorageHost().WithFileBackedStorageExtension("anomaly", dir)
	return cfg, host
}

func TestRestartKeepsBaselines(t *testing.T) {
	dir := t.TempDir()
	cfg, host := storageConfig(dir)
	h := newHarnessWithHost(t, cfg, host)
	h.send(steady("tok_a", "198.51.100.1", "GET /a", t0, 12*time.Second, 600)...)
	h.send(item{at: t0.Add(2 * time.Hour), token: "tok_a", outcome: auditattr.OutcomeDenied, resource: "GET /b",
		violations: []string{auditattr.ViolationScope}})
	before := *h.model.tokens.get(hashString(seedToken, "tok_a"))
	require.Len(t, h.records(), 1)
	h.stop()

	cfg2, host2 := storageConfig(dir)
	h2 := newHarnessWithHost(t, cfg2, host2)
	after := h2.model.tokens.get(hashString(seedToken, "tok_a"))
	require.NotNil(t, after, "the token's state was loaded")
	assert.Equal(t, before.rateMean, after.rateMean)
	assert.Equal(t, before.ratePeak, after.ratePeak)
	assert.Equal(t, before.rateLongCounts, after.rateLongCounts)
	assert.Equal(t, before.hours, after.hours)
	assert.Equal(t, before.firstSeen, after.firstSeen)
	assert.Equal(t, h.model.watermark, h2.model.watermark)
	coarse := hashNetwork(seedPopulation, 0, netip.MustParsePrefix("198.51.0.0/16"))
	assert.Equal(t, 1, h.model.population.count(coarse))
	assert.Equal(t, 1, h2.model.population.count(coarse), "the population sketch was loaded")

	// The known network is still known; the baseline still holds a surge.
	h2.send(steady("tok_a", "198.51.100.1", "GET /a", t0.Add(2*time.Hour+time.Minute), 500*time.Millisecond, 100)...)
	assert.Empty(t, h2.alertsOf(auditattr.FindingNewClientAddress))
	assert.Len(t, h2.alertsOf(auditattr.FindingRateSurge), 1)
	// The finding's suppression survived too.
	h2.send(item{at: t0.Add(2*time.Hour + 5*time.Minute), token: "tok_a", outcome: auditattr.OutcomeDenied, resource: "GET /b",
		violations: []string{auditattr.ViolationScope}})
	assert.Empty(t, h2.alertsOf(auditattr.ViolationScope))
}

func TestCorruptStateStartsFresh(t *testing.T) {
	dir := t.TempDir()
	cfg, host := storageConfig(dir)
	ext := host.GetExtensions()[*cfg.Storage].(*storagetest.TestStorage)
	client, err := ext.GetClient(context.Background(), component.KindConnector, component.NewID(metadata.Type), "")
	require.NoError(t, err)
	require.NoError(t, client.Set(context.Background(), keyHeader, []byte{1, 0, 0, 0, 9}))
	require.NoError(t, client.Close(context.Background()))

	h := newHarnessWithHost(t, cfg, host)
	assert.Equal(t, 0, h.model.tokens.len())
	h.send(item{at: t0, token: "tok_a", outcome: auditattr.OutcomeSuccess})
	assert.Equal(t, 1, h.model.tokens.len())
}

func TestMissingStorageExtensionFailsStart(t *testing.T) {
	cfg, _ := storageConfig(t.TempDir())
	f := NewFactory()
	c, err := f.CreateTracesToLogs(context.Background(), connectortestSettings(), cfg, nil)
	require.NoError(t, err)
	err = c.Start(context.Background(), storagetest.NewStorageHost())
	require.ErrorContains(t, err, "storage: no extension")
	require.NoError(t, c.Shutdown(context.Background()))
}

// FuzzLoadState feeds arbitrary saved state to load: it must fail cleanly
// or load, never panic or allocate without bound.
func FuzzLoadState(f *testing.F) {
	var h enc
	h.u32(stateVersion)
	h.i64(1)
	h.i64(1)
	h.u32(1)
	h.i64(0)
	h.u32(1)
	h.str("users:read")
	var tok enc
	tok.u32(1)
	encodeToken(&tok, 42, &tokenState{firstSeen: 1, lastSeen: 2, rateMean: 3})
	f.Add(h.b, tok.b, []byte{}, []byte{})
	f.Add([]byte{1, 0, 0, 0}, []byte{255, 255, 255, 255}, []byte{1, 0, 0, 0, 3, 0, 0, 0, 'a'}, []byte{200, 0, 0, 0})
	f.Fuzz(func(t *testing.T, header, tokens, registry, findings []byte) {
		cfg := testConfig()
		cfg.MaxTokens = 1000
		m, err := newModel(component.NewID(metadata.Type), cfg, componenttestTelemetry())
		require.NoError(t, err)
		client := storagetest.NewInMemoryClient(component.KindConnector, component.NewID(metadata.Type), "")
		ctx := context.Background()
		require.NoError(t, client.Set(ctx, keyHeader, header))
		require.NoError(t, client.Set(ctx, keyTokenChunk+"0", tokens))
		require.NoError(t, client.Set(ctx, keyRegistry, registry))
		require.NoError(t, client.Set(ctx, keyFindings, findings))
		m.store = &persister{client: client, outbox: client}
		_ = m.load(ctx)
		assert.LessOrEqual(t, m.tokens.len(), cfg.MaxTokens)
	})
}

// FuzzLoadOutbox feeds arbitrary stored alerts to load: it must fail
// cleanly or load, never panic or allocate without bound.
func FuzzLoadOutbox(f *testing.F) {
	o := &outbox{first: 0, written: 1, delivered: 0}
	alerts := plog.NewLogs()
	lr := alerts.ResourceLogs().AppendEmpty().ScopeLogs().AppendEmpty().LogRecords().AppendEmpty()
	lr.Attributes().PutStr(auditattr.FindingID, "fnd_0123")
	lr.Attributes().PutInt(auditattr.FindingCount, 2)
	entry, err := encodeOutboxEntry(&outboxEntry{alerts: alerts, items: []uint64{7, 9}})
	require.NoError(f, err)
	f.Add(o.header(), entry)
	f.Add(o.header(), []byte{255, 255, 255, 255})
	f.Add([]byte{1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 255, 255, 255, 255, 0, 0, 0, 0}, entry)
	f.Fuzz(func(t *testing.T, header, entry []byte) {
		cfg := testConfig()
		cfg.MaxTokens = 1000
		cfg.Alerts.MaxFindings = 100
		m, err := newModel(component.NewID(metadata.Type), cfg, componenttestTelemetry())
		require.NoError(t, err)
		client := storagetest.NewInMemoryClient(component.KindConnector, component.NewID(metadata.Type), "")
		ctx := context.Background()
		require.NoError(t, client.Set(ctx, keyOutbox, header))
		require.NoError(t, client.Set(ctx, outboxEntryKey(0), entry))
		m.store = &persister{client: client, outbox: client}
		_ = m.loadOutbox(ctx)
		assert.LessOrEqual(t, m.findings.len(), cfg.Alerts.MaxFindings)
	})
}

// TestTokenRecordRoundTrip: a token's saved record is tokenRecordBytes
// long (the decoder bounds its count with it) and decodes to the same
// state, new_resource's quiet requests included.
func TestTokenRecordRoundTrip(t *testing.T) {
	in := tokenState{firstSeen: 7, lastSeen: 11, resNovel: 3, resQuiet: 41, activeHours: 12, addrNewAt: 9, flags: flagRateLearned}
	var e enc
	encodeToken(&e, 99, &in)
	require.Len(t, e.b, tokenRecordBytes)
	var out tokenState
	d := dec{b: e.b}
	assert.Equal(t, uint64(99), decodeToken(&d, &out, stateVersion))
	require.NoError(t, d.err)
	assert.Equal(t, in, out)

	// The version before addrNewAt: its records are 4 bytes shorter; a
	// token loads as last new on a network when last seen (a cohort window
	// on its known networks before it shares) and, having made a request
	// that was not refused, as proven (the slow stuffing count).
	old := e.b[:tokenRecordBytes-4]
	into := newTable(10, tokenAge)
	require.NoError(t, decodeTokens(append([]byte{1, 0, 0, 0}, old...), into, stateVersionNoNewAt))
	st := into.get(99)
	require.NotNil(t, st)
	in.addrNewAt, in.flags = in.lastSeen, flagRateLearned|flagSucceeded
	assert.Equal(t, in, *st)
}

// TestRestartKeepsStaleDiscoveries: the first sightings that set
// stale_token's watch survive a restart, or a restart would judge the
// unseen tokens after min_observation_period again.
func TestRestartKeepsStaleDiscoveries(t *testing.T) {
	dir := t.TempDir()
	cfg, host := storageConfig(dir)
	h := newHarnessWithHost(t, cfg, host)
	h.send(item{at: t0, token: "tok_a", outcome: auditattr.OutcomeSuccess})
	h.model.mu.Lock()
	h.model.discovered(h.model.since + 5*time.Hour.Milliseconds())
	h.model.discovered(h.model.since + 60*time.Hour.Milliseconds())
	want := h.model.staleWatch()
	h.model.mu.Unlock()
	require.Equal(t, 122*time.Hour.Milliseconds(), want)
	h.stop()

	cfg2, host2 := storageConfig(dir)
	h2 := newHarnessWithHost(t, cfg2, host2)
	h2.model.mu.Lock()
	defer h2.model.mu.Unlock()
	assert.Equal(t, want, h2.model.staleWatch())
}

// TestPrincipalRatesOfVersion6: the owners' rate baselines saved before
// the owner's multi_address spread load with none, the rest intact.
func TestPrincipalRatesOfVersion6(t *testing.T) {
	in := principalRate{firstSeen: 5, lastSeen: 9, activeHours: 12, multiPeak: 3, bucket: 77, peak: 4.5}
	rates := newTable(10, principalRateAge)
	*putTestOwner(rates, 42) = in
	m := &model{principalRates: rates}
	cur := m.encodePrincipalRates()
	for _, tt := range []struct {
		name    string
		data    []byte
		version uint32
		want    principalRate
	}{
		{"this version", cur, stateVersion, in},
		{"version 6", withoutLastByte(cur), stateVersionNoNewAt, principalRate{firstSeen: 5, lastSeen: 9, activeHours: 12, bucket: 77, peak: 4.5}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			into := newTable(10, principalRateAge)
			require.NoError(t, decodePrincipalRates(tt.data, into, tt.version))
			got := into.get(42)
			require.NotNil(t, got)
			assert.Equal(t, tt.want, *got)
		})
	}
}

func putTestOwner(t *table[principalRate], key uint64) *principalRate {
	p, _, _, _ := t.put(key)
	return p
}

// withoutLastByte is one encoded owner record as version 6 wrote it: the
// same but for its last byte (the spread).
func withoutLastByte(b []byte) []byte { return slices.Clone(b[:len(b)-1]) }

// TestOwnerResourcesSaved: the owners' resource novelty is saved beside
// their baselines and set on the owners loaded; a truncated record is an
// error, and an owner no longer in the table is skipped.
func TestOwnerResourcesSaved(t *testing.T) {
	rates := newTable(10, principalRateAge)
	*putTestOwner(rates, 42) = principalRate{firstSeen: 5, resNovelAt: 7, resQuiet: 300, resNovel: 4}
	*putTestOwner(rates, 43) = principalRate{firstSeen: 6, resNovelAt: 8}
	data := (&model{principalRates: rates}).encodeOwnerResources()

	into := newTable(10, principalRateAge)
	putTestOwner(into, 42).firstSeen = 5
	require.NoError(t, decodeOwnerResources(data, into))
	assert.Equal(t, *rates.get(42), *into.get(42))
	assert.Nil(t, into.get(43), "an owner not loaded is not created")
	assert.Error(t, decodeOwnerResources(data[:len(data)-1], newTable(10, principalRateAge)))
}

// TestOwnerLongRatesSaved: the owners' hour rates are saved apart from
// their baselines; an owner the saved data does not cover (its slot was
// reused between the two writes of a save), or every owner when the data
// is missing or unreadable, learns its hour peak anew from the watermark
// instead of being judged at once on a peak of 0.
func TestOwnerLongRatesSaved(t *testing.T) {
	saved := newTable(10, principalRateAge)
	*putTestOwner(saved, 42) = principalRate{firstSeen: 5, longPeak: 30, longPending: 12, longWaiting: 20, longWindow: 9, longFrom: 5}
	data := (&model{principalRates: saved}).encodeOwnerLongRates()
	const watermark = 7_000_000 // unix ms
	load := func(data []byte) *table[principalRate] {
		into := newTable(10, principalRateAge)
		putTestOwner(into, 42).firstSeen = 5
		putTestOwner(into, 43).longPeak = 99 // not in the saved data
		m := &model{logger: zap.NewNop()}
		require.NoError(t, m.loadOwnerLongRates(data, into, watermark))
		return into
	}
	into := load(data)
	assert.Equal(t, *saved.get(42), *into.get(42))
	fresh := principalRate{longFrom: watermark / 1000}
	assert.Equal(t, fresh, *into.get(43), "an owner the data does not cover learns anew")
	for _, broken := range [][]byte{nil, data[:len(data)-1]} {
		into := load(broken)
		assert.Equal(t, principalRate{firstSeen: 5, longFrom: watermark / 1000}, *into.get(42))
	}
}
