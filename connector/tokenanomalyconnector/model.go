package tokenanomalyconnector

import (
	"context"
	"errors"
	"fmt"
	"math"
	"net/netip"
	"sync"
	"time"

	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/consumer"
	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/collector/pdata/ptrace"
	"go.uber.org/zap"

	"github.com/tokenaudit/tokenaudit/internal/ackwait"
	"github.com/tokenaudit/tokenaudit/internal/auditattr"
	"github.com/tokenaudit/tokenaudit/internal/ipasn"
	"github.com/tokenaudit/tokenaudit/internal/policy"
)

// model is the state shared by every pair of one component id: the token
// table, the detectors, the findings and the metric series. One mutex
// guards it; Consume* hold it only while reading a batch.
type model struct {
	cfg *Config
	asn *ipasn.Table // names a new network's AS, judges it with wide_ranges "asn"; nil while new_client_address is off
	// countries names a new network's country (population.country_min_principals);
	// nil while the rule or new_client_address is off.
	countries *ipasn.Table
	// homeCountries names the country of a person's call, for its
	// owner's home (off_hours.local_night); nil while that is off.
	homeCountries *ipasn.Table
	// clocks are the persons each home country's clock explains (countClock).
	clocks map[uint16]*countryClock
	// hosting is population.hosting's ASes, sorted; nil when off.
	hosting []uint32
	logger  *zap.Logger
	tel     *telemetry
	id      component.ID

	mu         sync.Mutex
	tokens     *table[tokenState]
	clients    *table[clientState]
	principals *table[principalHours] // off_hours: owners' hour profiles
	findings   *table[findingRecord]
	novelty    *memberSet
	noveltyCap int
	population *prevalence // distinct tokens per coarse network, rotated with novelty
	asWait     uint8       // first-seen rotations before the AS counts are whole (asCounted)
	// countryWait: first-seen rotations before the country counts and the
	// owners' countries are whole (countryCounted).
	countryWait uint8
	rateAlpha   float64 // decay per rate_surge bucket
	// rate_surge: decay per long bucket, and of the peaks per bucket of each scale.
	rateLongAlpha, peakDecay, peakLongDecay float64
	deniedAlpha                             float64 // denied_access: decay per window
	watermark                               int64   // newest event time seen, unix ms
	releasedAt                              int64   // newest event time fed to the stateful detectors, unix ms
	held                                    *reorder
	holds                                   *heldFindings // new_client_address findings held (heldfindings.go), and findings waiting for their cohort
	cohorts                                 *cohorts      // recent rate_surge and new_resource findings' owners by resource (cohort.go)
	routes                                  *routes       // when the org first called each resource, and who took it up (routes.go)
	holdFor                                 time.Duration // how long, 0 when none is
	arrival                                 time.Time     // wall clock of the current consume call
	nextTick                                int64
	since                                   int64 // event time the connector began to observe, unix ms

	det          compiledDetectors
	observers    [stageCount][]observer // the detectors of each stage, in registry order
	weak         map[string]bool
	zone         *time.Location
	policies     *policy.Holder
	reg          *registryView
	regSeen      map[string]int64 // registry entry key → last used, unix ms
	staleAlerted map[string]int64 // registry entry key → the last use its stale alert was about
	// regDiscovered counts the registered tokens old enough to be stale
	// by the hour of the watch (event time since since) in which the
	// connector first saw them: see staleWatch.
	regDiscovered []uint32
	scopes        *scopeModel
	met           *metricSet

	// Outputs, set by the shared registry: alerts go out through one logs
	// consumer and metrics through one metrics consumer, since each pair's
	// router reaches every downstream pipeline of its signal.
	alertOut      consumer.Logs
	metricsOut    consumer.Metrics
	pending       plog.Logs
	pendingN      int
	pendingScopes map[int32]plog.ScopeLogs
	outbox        *outbox    // alerts raised, until the next consumer takes them
	seen          *itemSet   // items read recently: a retried batch counts once
	pairs         *pairSet   // requests seen by one side: the other side counts once
	run           eventRun   // items read, waiting to be ingested
	touched       uint32     // see ingestRun
	heldLog       heldWriter // items the batch held, for its outbox entry (see heldlog.go)
	covered       uint64     // outbox entries below it are in the loaded state
	extras        extras
	staleEarly    map[uint64]*staleCount // refused expired tokens not in the table yet (staleEarlyCount)

	store  *persister
	saveMu sync.Mutex     // one save at a time
	saving *tokenSnapshot // the save in progress, nil when none
	stop   chan struct{}
	loops  sync.WaitGroup
	writes sync.WaitGroup // batches read and stored beside a request (consume)

	principalRates *table[principalRate] // rate_surge: owners' per-token baselines (rate_principal.go)
	spray          sprayState            // credential_stuffing's org-wide count of guesses (stuffing_spray.go)
}

func newModel(id component.ID, cfg *Config, set component.TelemetrySettings) (*model, error) {
	tel, err := newTelemetry(set, cfg.AllowedLateness)
	if err != nil {
		return nil, fmt.Errorf("telemetry: %w", err)
	}
	weak := map[string]bool{}
	if cfg.Alerts.Escalation.Enabled {
		for _, t := range cfg.Alerts.Escalation.WeakTypes {
			weak[t] = true
		}
	}
	noveltyCap := max(1024, cfg.MaxTokens*noveltyPairsPerToken)
	m := &model{
		cfg:           cfg,
		logger:        set.Logger,
		tel:           tel,
		id:            id,
		tokens:        newTable(cfg.MaxTokens, tokenAge),
		clients:       newTable(cfg.MaxClients, clientAge),
		principals:    newTable(cfg.MaxTokens, principalAge),
		findings:      newTable(cfg.Alerts.MaxFindings, findingAge),
		novelty:       newMemberSet(noveltyCap),
		noveltyCap:    noveltyCap,
		population:    newPrevalence(cfg.MaxTokens),
		weak:          weak,
		reg:           emptyRegistry(),
		regSeen:       map[string]int64{},
		staleAlerted:  map[string]int64{},
		scopes:        newScopeModel(),
		met:           newMetricSet(cfg, set),
		pendingScopes: map[int32]plog.ScopeLogs{},
		held:          newReorder(cfg.MaxReorderItems),
		holds:         newHeldFindings(),
		cohorts:       newCohorts(),
		routes:        newRoutes(),
	}
	m.principalRates = newTable(cfg.MaxTokens, principalRateAge)
	m.met.tel = tel
	m.outbox = newOutbox(&cfg.Alerts, tel, set.Logger)
	m.seen = newItemSet(cfg.DedupWindow, cfg.Storage != nil)
	m.pairs = newPairSet(cfg.DedupWindow)
	if err := m.compileDetectors(&cfg.Detectors); err != nil {
		return nil, err
	}
	if m.det.multi.enabled && !m.det.multi.dryRun {
		// Only multi_address folds a held finding.
		m.holdFor = min(cfg.Detectors.NewClientAddress.Hold, cfg.AllowedLateness)
	}
	return m, nil
}

// start loads the policy and saved state and starts the flush and save
// loops, the retry loop and, with storage, the deliverer. It runs once per model, when the first pair starts.
func (m *model) start(ctx context.Context, host component.Host) error {
	h, err := m.loadPolicies(host)
	if err != nil {
		return err
	}
	m.policies = h
	if m.hasPolicy() {
		m.refreshRegistry()
	}
	if m.cfg.Storage != nil {
		p, err := newPersister(ctx, host, *m.cfg.Storage, m.id)
		if err != nil {
			m.closePolicies()
			return err
		}
		m.store = p
		if err := m.load(ctx); err != nil {
			// A saved state that cannot be read must not stop the
			// collector: start with empty baselines and say so.
			m.logger.Warn("Started without the saved state: it could not be read", zap.Error(err))
			m.tel.persist(ctx, "load", "rejected")
		}
		if err := m.loadOutbox(ctx); err != nil {
			m.logger.Warn("Some stored alerts could not be read", zap.Error(err))
			m.tel.persist(ctx, "load", "rejected")
		}
	}
	m.stop = make(chan struct{})
	m.loops.Add(2)
	go m.loop()
	go m.retryLoop()
	if m.store != nil {
		m.loops.Add(1)
		go m.deliverLoop()
	}
	return nil
}

// shutdown stops the loops (the deliverer finishes the delivery it is
// in), flushes metrics, makes a last attempt to send waiting alerts,
// saves state and closes.
func (m *model) shutdown(ctx context.Context) error {
	var errs []error
	m.writes.Wait()
	if m.stop != nil {
		close(m.stop)
		m.loops.Wait()
		m.releaseAndSend(ctx, m.releaseAll)
		m.flush(ctx)
	}
	if err := m.deliver(ctx, true); err != nil {
		kept := "they are lost: no storage is configured"
		if m.store != nil {
			kept = "they are stored and sent after the next start"
		}
		m.logger.Warn("Alerts were still refused at shutdown; "+kept, zap.Int("alerts", m.outbox.pending()))
	}
	if err := m.outbox.markSent(ctx, false); err != nil {
		errs = append(errs, err)
	}
	if m.store != nil {
		if err := m.save(ctx); err != nil {
			errs = append(errs, err)
		}
		if err := m.store.close(ctx); err != nil {
			errs = append(errs, err)
		}
	}
	m.closePolicies()
	m.tel.shutdown()
	return errors.Join(errs...)
}

func (m *model) loop() {
	defer m.loops.Done()
	flush := time.NewTicker(m.cfg.Metrics.FlushInterval)
	defer flush.Stop()
	var release <-chan time.Time
	if m.cfg.AllowedLateness > 0 {
		t := time.NewTicker(m.releaseTick())
		defer t.Stop()
		release = t.C
	}
	var save <-chan time.Time
	if m.store != nil {
		t := time.NewTicker(m.cfg.PersistInterval)
		defer t.Stop()
		save = t.C
	}
	for {
		select {
		case <-m.stop:
			return
		case <-flush.C:
			m.flush(context.Background())
		case now := <-release:
			m.releaseAndSend(context.Background(), func() { m.releaseExpired(now) })
		case <-save:
			if err := m.save(context.Background()); err != nil {
				m.logger.Error("Could not save the learned state; it will be retried", zap.Error(err))
			}
		}
	}
}

// consumeTraces reads a batch of spans and sends the alerts it raised.
func (m *model) consumeTraces(ctx context.Context, td ptrace.Traces) error {
	if err := m.admit(ctx); err != nil {
		return err
	}
	m.consume(ctx, "traces", func() int {
		n := 0
		for _, rs := range td.ResourceSpans().All() {
			res := m.met.internResource(rs.Resource())
			for _, ss := range rs.ScopeSpans().All() {
				for _, sp := range ss.Spans().All() {
					n++
					ev := m.run.next()
					if !ev.read(sp.Attributes()) {
						m.run.drop()
						continue
					}
					ev.at = unixMilli(auditattr.SpanTime(sp))
					ev.traceID, ev.spanID, ev.res = sp.TraceID(), sp.SpanID(), res
					ev.side, ev.pairID = spanSide(sp)
					ev.item = itemKey(itemSpan, ev, sp.StartTimestamp(), sp.EndTimestamp())
					if m.run.full() {
						m.ingestRun()
					}
				}
			}
		}
		m.ingestRun()
		return n
	})
	return nil
}

// consumeLogs reads a batch of log records and sends the alerts it raised.
func (m *model) consumeLogs(ctx context.Context, ld plog.Logs) error {
	if err := m.admit(ctx); err != nil {
		return err
	}
	m.consume(ctx, "logs", func() int {
		n := 0
		for _, rl := range ld.ResourceLogs().All() {
			res := m.met.internResource(rl.Resource())
			for _, sl := range rl.ScopeLogs().All() {
				for _, lr := range sl.LogRecords().All() {
					n++
					ev := m.run.next()
					if !ev.read(lr.Attributes()) {
						m.run.drop()
						continue
					}
					ev.at = unixMilli(auditattr.LogTime(lr))
					ev.traceID, ev.spanID, ev.res = lr.TraceID(), lr.SpanID(), res
					ev.item = itemKey(itemLog, ev, lr.Timestamp(), lr.ObservedTimestamp())
					if m.run.full() {
						m.ingestRun()
					}
				}
			}
		}
		m.ingestRun()
		return n
	})
	return nil
}

// consume reads a batch with read (under the lock) and delivers the alerts
// it raised: once stored, they leave in the background; without storage,
// with the batch that raised them or with the one being sent. A refusal
// does not fail the batch: they wait in the outbox and are sent again.
//
// With storage and a group in the request's context (internal/ackwait,
// which token_audit adds), all of it runs in the group: the batch returns
// at once, the detectors and the outbox's write run beside the consumers
// after this one (audit_log's encoding, append and fsync), and the request
// is acknowledged once both are done, whatever order the fanout calls them
// in. Nothing of it can fail the batch once admitted, so the group gets no
// error from it. Without storage a batch returns once its alerts are
// delivered, which the group would only delay.
func (m *model) consume(ctx context.Context, signal string, read func() int) {
	work := func() {
		n := m.locked(ctx, read)
		m.tel.items(ctx, signal, n)
		m.deliverBatch(ctx)
	}
	if m.store != nil {
		m.writes.Add(1)
		if ackwait.From(ctx).Go(func() error {
			defer m.writes.Done()
			work()
			return nil
		}) {
			return
		}
		m.writes.Done()
	}
	work()
}

// locked runs read under the lock and queues the alerts it raised in the
// outbox: the batch is then done with, whatever becomes of the alerts.
func (m *model) locked(ctx context.Context, read func() int) int {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.syncPolicy()
	m.arrival = time.Now()
	n := read()
	m.queueAlerts()
	m.tel.publish(ctx)
	return n
}

// ingest runs every detector on one item. Stateless verdicts alert at
// once; the stateful detectors see the item when the reorder buffer
// releases it, in event-time order. Items older than the watermark minus
// allowed_lateness still alert their verdicts and count in the request
// metrics, but stay out of windows and baselines. An item within the
// lateness that arrives after a newer one was released (it came more than
// max_reorder_wait after it) is fed at once, out of order.
func (m *model) ingest(ev *event) {
	if ev.at == 0 {
		ev.at = m.watermark
	}
	if ev.at > m.watermark {
		if m.watermark == 0 {
			m.since, m.nextTick = ev.at, ev.at
		}
		m.watermark = ev.at
		if m.watermark >= m.nextTick {
			m.tick()
		}
	}
	ev.reg = int32(m.reg.lookup(ev))
	m.met.request(ev)
	m.observe(stageItem, ev, nil)
	if ev.notPresented {
		// A token found in a response header or a log line made no request:
		// it counts toward no rate, habit, novelty or failure series.
		return
	}
	cutoff := m.watermark - m.cfg.AllowedLateness.Milliseconds()
	if ev.at < cutoff {
		m.tel.late()
		return
	}
	if m.pairs.second(ev) {
		return // the other side of this request was counted
	}
	m.prepare(ev)
	if m.cfg.AllowedLateness == 0 || ev.at < m.releasedAt {
		m.ingestStateful(ev)
		return
	}
	m.held.hold(ev, m.arrival)
	if m.store != nil {
		m.logHeld(ev)
	}
	if over := m.held.len() - m.cfg.MaxReorderItems; over > 0 {
		// Feed a run of the oldest early, so that their lookups overlap.
		n := min(max(over, runLength), m.held.len())
		for range n {
			m.tel.evicted(tableReorder)
		}
		m.releaseRun(n, math.MaxInt64)
	}
	m.release(cutoff)
}

// prepare computes what the stateful detectors need of the item's slices.
func (m *model) prepare(ev *event) {
	// new_resource's peer group is its scopes (population_resource.go),
	// read whatever population.min_principals is: a young token's owner
	// is judged by it (novelty_owner.go).
	if ev.hasScopes && (m.det.unusedScopes.enabled && m.reg.hasScopes || m.det.newResource.enabled) {
		ev.scopeBits = m.scopes.bits(ev.scopes)
	}
	ev.refusedAuth = refusedAuth(ev)
	ev.hoursSettled = hasVerdict(ev, auditattr.ViolationOffHours) || ev.refusedAuth
	ev.resourceAlerted = hasVerdict(ev, auditattr.ViolationScope) || hasVerdict(ev, auditattr.ViolationRestrictedResource)
	ev.lapsed = hasVerdict(ev, auditattr.ViolationExpired) || hasVerdict(ev, auditattr.ViolationRevoked) ||
		hasVerdict(ev, auditattr.ViolationNotYetValid)
}

// release feeds the stateful detectors the held items older than cutoff.
func (m *model) release(cutoff int64) {
	for m.releaseRun(runLength, cutoff) == runLength {
	}
}

// releaseRun feeds up to n of the oldest held items older than cutoff, in
// order, after warming what they will touch (see warm); it
// returns how many it fed. Popped events stay valid until the next hold.
func (m *model) releaseRun(n int, cutoff int64) int {
	var run [runLength]*event
	k := 0
	for k < min(n, runLength) {
		at, ok := m.held.peek()
		if !ok || at >= cutoff {
			break
		}
		run[k] = m.held.pop()
		k++
	}
	m.touched += m.warm(run[:k], false)
	for _, ev := range run[:k] {
		m.ingestStateful(ev)
		forget(ev)
	}
	if k == runLength && n > runLength {
		return k + m.releaseRun(n-runLength, cutoff)
	}
	return k
}

// releaseExpired releases what has waited max_reorder_wait of wall-clock
// time: live traffic's stateful alerts wait no longer, and nothing waits
// for event time that stopped.
func (m *model) releaseExpired(now time.Time) {
	wait := m.reorderWait() - m.releaseTick()
	if cutoff := m.held.expired(now, wait); cutoff > 0 {
		m.release(cutoff)
	}
	m.raiseHeldWaited(now)
}

// releaseAll empties the reorder buffer and raises the held findings (at
// shutdown).
func (m *model) releaseAll() {
	m.release(math.MaxInt64)
	m.raiseHeldAll()
}

// reorderWait is the longest an item waits (wall clock) in the buffer.
func (m *model) reorderWait() time.Duration { return min(m.cfg.MaxReorderWait, m.cfg.AllowedLateness) }

// releaseTick is how often the loop looks for items that waited too long.
func (m *model) releaseTick() time.Duration {
	return max(m.reorderWait()/10, 10*time.Millisecond)
}

// ingestStateful runs the stateful detectors on one item, in event-time order.
func (m *model) ingestStateful(ev *event) {
	m.releasedAt = max(m.releasedAt, ev.at)
	if len(m.holds.list) > 0 && m.releasedAt > m.holds.list[0].due {
		m.raiseHeldDue()
	}
	m.observe(stageClient, ev, nil)
	if ev.tokenID == "" {
		return
	}
	key := ev.key
	p := m.tokens.insert(key)
	st, created := p.v, p.created
	if m.saving != nil {
		m.preserve(&p)
	}
	if p.was {
		m.tel.evicted(tableTokens)
		m.met.evictedTokens++
		m.extras.release(&p.evicted)
	}
	now := uint32(ev.at / 1000)
	if created {
		st.firstSeen, st.lastSeen, st.scopeStart = now, now, now
		if len(m.staleEarly) > 0 {
			m.adoptStaleEarly(key, st)
		}
	}
	if st.inNewHour(ev.at) {
		st.activeHours = min(st.activeHours+1, 0xffff) // one more hour with requests
	}
	ev.newToken = created
	if ev.outcome == auditattr.OutcomeSuccess && !ev.refusedAuth && !ev.lapsed {
		st.flags |= flagSucceeded // the credential proved its owner (a forged one's "success" does not)
	}
	m.observe(stageToken, ev, st)
	st.lastSeen = max(st.lastSeen, now)
	m.met.perToken(ev)
}

// preserve hands the save in progress the entry insert is about to
// change: the evicted one, or the existing one.
func (m *model) preserve(p *placed[tokenState]) {
	switch {
	case p.was:
		m.saving.preserve(p.pos, p.evictedKey, &p.evicted)
	case !p.created:
		m.saving.preserve(p.pos, m.tokens.keys[p.pos], p.v)
	}
}

// tick runs what elapsed event time decides, once a minute of event time.
func (m *model) tick() {
	m.nextTick = m.watermark + time.Minute.Milliseconds()
	if m.novelty.rotate(m.watermark, m.noveltyForgetMs(), m.noveltyCap) {
		m.population.rotate()
		m.asWait -= min(m.asWait, 1)
		m.countryWait -= min(m.countryWait, 1)
	}
	m.observe(stageTick, nil, nil)
}

// releaseAndSend runs release under the lock, queues the alerts it
// raised and sends them.
func (m *model) releaseAndSend(ctx context.Context, release func()) {
	m.mu.Lock()
	release()
	m.queueAlerts()
	m.tel.publish(ctx)
	m.mu.Unlock()
	m.deliverBatch(ctx) // a refusal waits in the outbox
}

// addr parses the client address once per event.
func (e *event) addr() netip.Addr {
	if !e.addrDone {
		e.addrDone = true
		if a, err := netip.ParseAddr(e.client); err == nil {
			e.clientAddr = a.Unmap()
		}
	}
	return e.clientAddr
}
