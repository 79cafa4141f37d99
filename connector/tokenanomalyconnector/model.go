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

	"github.com/tokenaudit/tokenaudit/internal/auditattr"
	"github.com/tokenaudit/tokenaudit/internal/policy"
)

// model is the state shared by every pair of one component id: the token
// table, the detectors, the findings and the metric series. One mutex
// guards it; Consume* hold it only while reading a batch.
type model struct {
	cfg    *Config
	logger *zap.Logger
	tel    *telemetry
	id     component.ID

	mu         sync.Mutex
	tokens     *table[tokenState]
	clients    *table[clientState]
	findings   *table[findingRecord]
	novelty    *memberSet
	noveltyCap int
	rateAlpha  float64 // decay per rate_surge bucket
	watermark  int64   // newest event time seen, unix ms
	nextTick   int64
	since      int64 // event time the connector began to observe, unix ms

	det          compiledDetectors
	weak         map[string]bool
	zone         *time.Location
	policies     *policy.Holder
	reg          *registryView
	regSeen      map[string]int64 // registry entry key → last used, unix ms
	staleAlerted map[string]int64 // registry entry key → the last use its stale alert was about
	scopes       *scopeModel
	met          *metricSet

	// Outputs, set by the shared registry: alerts go out through one logs
	// consumer and metrics through one metrics consumer, since each pair's
	// router reaches every downstream pipeline of its signal.
	alertOut      consumer.Logs
	metricsOut    consumer.Metrics
	pending       plog.Logs
	pendingN      int
	pendingScopes map[int32]plog.ScopeLogs
	outbox        *outbox  // alerts raised, until the next consumer takes them
	seen          *itemSet // items read recently: a retried batch counts once
	run           eventRun // items read, waiting to be ingested
	touched       uint32   // see ingestRun
	extras        extras

	store *persister
	stop  chan struct{}
	loops sync.WaitGroup
}

func newModel(id component.ID, cfg *Config, set component.TelemetrySettings) (*model, error) {
	tel, err := newTelemetry(set)
	if err != nil {
		return nil, fmt.Errorf("telemetry: %w", err)
	}
	det, err := compileDetectors(&cfg.Detectors)
	if err != nil {
		return nil, err
	}
	zone, err := loadZone(cfg.Detectors.OffHours.TimeZone)
	if err != nil {
		return nil, fmt.Errorf("detectors.off_hours.time_zone: %w", err)
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
		findings:      newTable(cfg.Alerts.MaxFindings, findingAge),
		novelty:       newMemberSet(noveltyCap),
		noveltyCap:    noveltyCap,
		det:           det,
		weak:          weak,
		zone:          zone,
		reg:           emptyRegistry(),
		regSeen:       map[string]int64{},
		staleAlerted:  map[string]int64{},
		scopes:        newScopeModel(),
		met:           newMetricSet(cfg, set),
		pendingScopes: map[int32]plog.ScopeLogs{},
	}
	m.met.tel = tel
	m.outbox = newOutbox(&cfg.Alerts, tel, set.Logger)
	m.seen = newItemSet(cfg.DedupWindow, cfg.Storage != nil)
	m.rateAlpha = 1 - math.Exp2(-float64(cfg.Detectors.RateSurge.Bucket)/float64(cfg.Detectors.RateSurge.HalfLife))
	return m, nil
}

// start loads the policy and saved state and starts the flush and save
// loops. It runs once per model, when the first pair starts.
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
	return nil
}

// shutdown stops the loops, flushes metrics, makes a last attempt to
// send waiting alerts, saves state and closes.
func (m *model) shutdown(ctx context.Context) error {
	var errs []error
	if m.stop != nil {
		close(m.stop)
		m.loops.Wait()
		m.flush(ctx)
	}
	if err := m.deliver(ctx, true); err != nil {
		kept := "they are lost: no storage is configured"
		if m.store != nil {
			kept = "they are stored and sent after the next start"
		}
		m.logger.Warn("Alerts were still refused at shutdown; "+kept, zap.Int("alerts", m.outbox.pending()))
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
	n := m.locked(ctx, func() int {
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
	m.tel.items(ctx, "traces", n)
	// Alerts leave with the batch that raised them. A refusal does not
	// fail the batch: they wait in the outbox and are sent again.
	_ = m.deliver(ctx, false)
	return nil
}

// consumeLogs reads a batch of log records and sends the alerts it raised.
func (m *model) consumeLogs(ctx context.Context, ld plog.Logs) error {
	if err := m.admit(ctx); err != nil {
		return err
	}
	n := m.locked(ctx, func() int {
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
	m.tel.items(ctx, "logs", n)
	// Alerts leave with the batch that raised them. A refusal does not
	// fail the batch: they wait in the outbox and are sent again.
	_ = m.deliver(ctx, false)
	return nil
}

// locked runs read under the lock and queues the alerts it raised in the
// outbox: the batch is then done with, whatever becomes of the alerts.
func (m *model) locked(ctx context.Context, read func() int) int {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.syncPolicy()
	n := read()
	m.queueAlerts()
	m.tel.publish(ctx)
	return n
}

// ingest runs every detector on one item. Items older than the watermark
// minus allowed_lateness still alert their stateless verdicts and count
// in the request metrics, but stay out of windows and baselines.
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
	m.detectViolations(ev)
	if ev.at < m.watermark-m.cfg.AllowedLateness.Milliseconds() {
		m.tel.late()
		return
	}
	if ev.client != "" {
		m.detectStuffing(ev)
	}
	if ev.tokenID == "" {
		return
	}
	key := ev.key
	st, created, old, evicted := m.tokens.put(key)
	if evicted {
		m.tel.evicted(tableTokens)
		m.met.evictedTokens++
		m.extras.release(&old)
	}
	now := uint32(ev.at / 1000)
	if created {
		st.firstSeen, st.lastSeen, st.scopeStart = now, now, now
	}
	m.detectLifecycle(ev, st, created)
	m.detectFailures(ev, st)
	m.detectRate(ev, st)
	m.detectNovelty(ev, st, key)
	m.detectMultiAddress(ev, st)
	m.detectOffHours(ev, st)
	st.lastSeen = max(st.lastSeen, now)
	m.met.perToken(ev)
}

// tick runs what elapsed event time decides, once a minute of event time.
func (m *model) tick() {
	m.nextTick = m.watermark + time.Minute.Milliseconds()
	m.novelty.rotate(m.watermark, m.noveltyForgetMs(), m.noveltyCap)
	m.detectStale()
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
