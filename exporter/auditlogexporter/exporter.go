package auditlogexporter

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/exporter"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/collector/pdata/ptrace"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/metric"
	"go.uber.org/zap"

	"github.com/tokenaudit/tokenaudit/exporter/auditlogexporter/internal/metadata"
	"github.com/tokenaudit/tokenaudit/internal/auditattr"
	"github.com/tokenaudit/tokenaudit/internal/auditlog"
	"github.com/tokenaudit/tokenaudit/internal/filewatch"
)

// auditExporter owns one log directory. The traces and logs exporters of
// one component id share it: two writers would fork the tree.
type auditExporter struct {
	cfg     *Config
	set     exporter.Settings
	version string
	tel     *metadata.TelemetryBuilder
	guard   *guard

	log *auditlog.Log
	// Encoders (with their guard memo) and record buffers are reused from
	// batch to batch; concurrent exports encode at once, each with its
	// own, and only the log's append is serial.
	encoders sync.Pool // *encoder
	batches  sync.Pool // *recordBatch

	statsMu sync.Mutex
	last    auditlog.Stats

	stop   chan struct{}
	done   sync.WaitGroup
	writes sync.WaitGroup // exports running in their request's group (inGroup)

	keyMu    sync.Mutex // one change of signing key at a time
	verifier string     // of the signing key in force
	origin   string
	keyWatch *filewatch.Watcher

	openFile func(string, int) (auditlog.File, error) // nil: the OS
}

func newAuditExporter(cfg *Config, set exporter.Settings) (*auditExporter, error) {
	tel, err := metadata.NewTelemetryBuilder(set.TelemetrySettings)
	if err != nil {
		return nil, fmt.Errorf("audit_log telemetry: %w", err)
	}
	g, err := newGuard()
	if err != nil {
		return nil, fmt.Errorf("audit_log credential guard: %w", err)
	}
	version := set.BuildInfo.Version
	if version == "" {
		version = "unknown"
	}
	e := &auditExporter{cfg: cfg, set: set, version: version, tel: tel, guard: g}
	e.encoders.New = func() any { return newEncoder(version, g) }
	e.batches.New = func() any { return &recordBatch{} }
	return e, nil
}

// encoder lends an encoder and an empty record batch; release returns them.
func (e *auditExporter) encoder() (*encoder, *recordBatch) {
	return e.encoders.Get().(*encoder), e.batches.Get().(*recordBatch)
}

func (e *auditExporter) release(enc *encoder, b *recordBatch) {
	b.reset()
	e.encoders.Put(enc)
	e.batches.Put(b)
}

// Start opens the log; the first of the id's pipelines to start runs it
// (see internal/sharedcomponent).
func (e *auditExporter) Start(_ context.Context, _ component.Host) error {
	key, err := loadSigningKey(e.cfg.Signing)
	if err != nil {
		return err
	}
	if key.created {
		e.set.Logger.Info("Created a new audit log signing key; give its verification key to your auditors",
			zap.String("key_file", e.cfg.Signing.KeyFile), zap.String("verification_key_file", e.cfg.Signing.KeyFile+".pub"))
	}
	origin := e.cfg.Origin
	if origin == "" {
		origin = key.signer.Name()
	}
	compress := e.cfg.Rotation.Compression == "gzip"
	l, err := auditlog.Open(auditlog.Options{
		Dir:                  e.cfg.Directory,
		Signer:               key.signer,
		Origin:               origin,
		CheckpointEvery:      e.cfg.Checkpoint.EveryRecords,
		CheckpointInterval:   e.cfg.Checkpoint.Interval,
		MaxSegmentBytes:      int64(e.cfg.Rotation.MaxMegabytes) << 20,
		MaxSegmentAge:        e.cfg.Rotation.MaxAge,
		Compress:             compress,
		RetentionMaxAge:      e.cfg.Retention.MaxAge,
		RetentionMaxSegments: e.cfg.Retention.MaxSegments,
		DedupWindow:          e.cfg.DedupWindow,
		GroupCommitWait:      e.cfg.GroupCommit.MaxWait,
		MirrorDir:            e.cfg.Checkpoint.MirrorDirectory,
		OpenFile:             e.openFile,
		NewEvent: func(ev auditlog.Event) auditlog.Entry {
			// Called under the log's lock, from a batch or from Maintain:
			// a fresh encoder shares nothing with either.
			return newEncoder(e.version, e.guard).lifecycle(lifecycleEvent{Event: ev, Message: eventMessage(ev)}, time.Now())
		},
	})
	if err != nil {
		return fmt.Errorf("audit_log: %w", err)
	}
	e.log = l
	now := time.Now()
	enc := newEncoder(e.version, e.guard)
	startRecords := []auditlog.Entry{
		enc.lifecycle(lifecycleEvent{Event: auditlog.Event{Kind: eventStart, First: l.Size()},
			Message: fmt.Sprintf("audit_log %s started on log %s, which holds %d records", e.set.ID, origin, l.Size())}, now),
		enc.lifecycle(lifecycleEvent{Event: auditlog.Event{Kind: eventConfig},
			Message: "audit_log configuration in effect", Extra: map[string]any{"config": e.configSummary(origin)}}, now),
		enc.lifecycle(lifecycleEvent{Event: auditlog.Event{Kind: eventKey},
			Message: "checkpoints are signed with key " + keyID(key.verifier),
			Extra:   map[string]any{"verification_key": key.verifier, "created": key.created}}, now),
	}
	if _, err := l.Append(startRecords); err != nil {
		l.Close()
		return fmt.Errorf("audit_log: record start: %w", err)
	}
	e.verifier, e.origin = key.verifier, origin
	e.keyWatch, err = filewatch.Start(e.cfg.Signing.KeyFile, e.cfg.Signing.ReloadInterval,
		func([]byte) error { return e.changeKey() }, e.reportKeyReload)
	if err != nil {
		l.Close()
		return fmt.Errorf("audit_log: signing.key_file: %w", err)
	}
	e.stop = make(chan struct{})
	e.done.Add(1)
	go e.maintain()
	e.set.Logger.Info("Audit log open", zap.String("directory", e.cfg.Directory), zap.String("origin", origin),
		zap.Int64("records", l.Size()), zap.String("verification_key", key.verifier))
	return nil
}

// changeKey puts a new signing key in force when the key file holds one:
// the log signs what it holds under the old key, records the change and
// signs that under the new one. The key keeps the log's name, so that
// a restart on the new key opens the same log.
func (e *auditExporter) changeKey() error {
	key, err := readSigningKey(e.cfg.Signing.KeyFile)
	if err != nil {
		return err
	}
	if key.verifier == e.verifier {
		return nil
	}
	if e.cfg.Origin == "" && key.signer.Name() != e.origin {
		return fmt.Errorf("the new signing key is named %q but the log is %q: make it with `auditctl keygen -signing %s`, or set origin: %s",
			key.signer.Name(), e.origin, e.origin, e.origin)
	}
	e.keyMu.Lock()
	defer e.keyMu.Unlock()
	record := newEncoder(e.version, e.guard).lifecycle(lifecycleEvent{Event: auditlog.Event{Kind: eventKey},
		Message: "checkpoints are signed with key " + keyID(key.verifier) + " from now on, in place of " + keyID(e.verifier),
		Extra:   map[string]any{"verification_key": key.verifier, "previous_verification_key": e.verifier}}, time.Now())
	if err := e.log.SetSigner(key.signer, record); err != nil {
		return err
	}
	e.set.Logger.Warn("Audit log signing key changed; give the new verification key to your auditors (verify with both keys)",
		zap.String("previous_key", keyID(e.verifier)), zap.String("key", keyID(key.verifier)),
		zap.String("verification_key", key.verifier))
	e.verifier = key.verifier
	return nil
}

// reportKeyReload logs a signing key file that could not be put in force;
// the key in force stays.
func (e *auditExporter) reportKeyReload(err error) {
	if err != nil {
		e.set.Logger.Error("Kept the signing key in force: the key file could not be used", zap.Error(err))
	}
}

// keyID is the key's name and hash, never its key material.
func keyID(vkey string) string {
	parts := strings.SplitN(vkey, "+", 3)
	if len(parts) < 2 {
		return vkey
	}
	return parts[0] + "+" + parts[1]
}

func (e *auditExporter) configSummary(origin string) map[string]any {
	c := e.cfg
	return map[string]any{
		"directory": c.Directory, "origin": origin,
		"checkpoint_every_records": c.Checkpoint.EveryRecords, "checkpoint_interval": c.Checkpoint.Interval.String(),
		"checkpoint_mirror":      c.Checkpoint.MirrorDirectory,
		"rotation_max_megabytes": c.Rotation.MaxMegabytes, "rotation_max_age": c.Rotation.MaxAge.String(),
		"compression":       c.Rotation.Compression,
		"retention_max_age": c.Retention.MaxAge.String(), "retention_max_segments": c.Retention.MaxSegments,
		"dedup_window": c.DedupWindow,
	}
}

func eventMessage(ev auditlog.Event) string {
	switch ev.Kind {
	case auditlog.EventRecovered:
		return "audit log recovered after a crash: " + ev.Detail
	case auditlog.EventSegmentSealed:
		return fmt.Sprintf("segment %s sealed with records %d to %d", ev.Segment, ev.First, ev.First+ev.Count-1)
	case auditlog.EventSegmentDeleted:
		return fmt.Sprintf("segment %s (records %d to %d) %s", ev.Segment, ev.First, ev.First+ev.Count-1, ev.Detail)
	}
	return string(ev.Kind)
}

// maintain signs checkpoints and rotates by time, and applies retention.
func (e *auditExporter) maintain() {
	defer e.done.Done()
	every := min(e.cfg.Checkpoint.Interval, time.Minute)
	if e.cfg.Rotation.MaxAge > 0 {
		every = min(every, e.cfg.Rotation.MaxAge)
	}
	t := time.NewTicker(max(every/2, 100*time.Millisecond))
	defer t.Stop()
	for {
		select {
		case <-e.stop:
			return
		case <-t.C:
			if err := e.log.Maintain(); err != nil {
				e.set.Logger.Error("Audit log maintenance failed; will retry", zap.Error(err))
			}
			e.report(context.Background())
		}
	}
}

// Shutdown closes the log once the last of the pipelines stops.
func (e *auditExporter) Shutdown(context.Context) error {
	if e.log == nil {
		return nil
	}
	e.keyWatch.Stop()
	close(e.stop)
	e.done.Wait()
	e.writes.Wait()
	enc := newEncoder(e.version, e.guard)
	_, err := e.log.Append([]auditlog.Entry{enc.lifecycle(lifecycleEvent{Event: auditlog.Event{Kind: eventStop, First: e.log.Size()},
		Message: fmt.Sprintf("audit_log %s stopped", e.set.ID)}, time.Now())})
	err = errors.Join(err, e.log.Close())
	e.report(context.Background())
	e.log = nil
	e.tel.Shutdown()
	if err != nil {
		return fmt.Errorf("audit_log shutdown: %w", err)
	}
	return nil
}

// pushTraces exports td, in its request's group when it has one (inGroup).
func (e *auditExporter) pushTraces(ctx context.Context, td ptrace.Traces) error {
	return e.inGroup(ctx, func(ctx context.Context) error { return e.exportTraces(ctx, td) })
}

// pushLogs exports ld, in its request's group when it has one (inGroup).
func (e *auditExporter) pushLogs(ctx context.Context, ld plog.Logs) error {
	return e.inGroup(ctx, func(ctx context.Context) error { return e.exportLogs(ctx, ld) })
}

// exportTraces encodes in parallel with other exports and, for a large
// request, in parallel slices (encodeParts); it returns once the records
// are fsynced.
func (e *auditExporter) exportTraces(ctx context.Context, td ptrace.Traces) error {
	e.log.Announce() // a group being formed waits for this one's encoding
	logged := time.Now().UnixMilli()
	encs, batches, ignored := e.encodeParts(td.SpanCount(), func(enc *encoder, b *recordBatch, from, to int) int64 {
		ignored := int64(0)
		spansIn(td, from, to, func(rs ptrace.ResourceSpans, s ptrace.Span) {
			if !auditattr.Audited(s.Attributes()) {
				ignored++
				return
			}
			it := item{attrs: s.Attributes(), resource: rs.Resource().Attributes(), time: auditattr.SpanTime(s).AsTime(),
				traceID: s.TraceID(), spanID: s.SpanID(), isSpan: true, name: s.Name(), start: s.StartTimestamp(), end: s.EndTimestamp()}
			enc.apiActivity(b, &it, logged)
		})
		return ignored
	})
	defer func() {
		for i := range encs {
			e.release(encs[i], batches[i])
		}
	}()
	return e.write(ctx, batches, ignored)
}

func (e *auditExporter) exportLogs(ctx context.Context, ld plog.Logs) error {
	e.log.Announce()
	enc, b := e.encoder()
	defer e.release(enc, b)
	ids := eventIDsFrom(ctx)
	logged := time.Now().UnixMilli()
	ignored := int64(0)
	rls := ld.ResourceLogs()
	for i := 0; i < rls.Len(); i++ {
		rl := rls.At(i)
		sls := rl.ScopeLogs()
		for j := 0; j < sls.Len(); j++ {
			lrs := sls.At(j).LogRecords()
			for k := 0; k < lrs.Len(); k++ {
				lr := lrs.At(k)
				it := item{attrs: lr.Attributes(), resource: rl.Resource().Attributes(), time: auditattr.LogTime(lr).AsTime(),
					traceID: lr.TraceID(), spanID: lr.SpanID(), body: lr.Body()}
				if lr.EventName() == auditattr.EventSpan {
					asSpan(&it, lr)
				}
				if ids != nil && needsEventID(lr) {
					it.eventID = ids.next()
				}
				switch {
				case lr.EventName() == auditattr.EventAnomaly:
					enc.detectionFinding(b, &it, lr.SeverityNumber(), logged)
				case auditattr.Audited(lr.Attributes()):
					enc.apiActivity(b, &it, logged)
				default:
					ignored++
				}
			}
		}
	}
	return e.write(ctx, []*recordBatch{b}, ignored)
}

// asSpan restores the span of an audit event (auditattr.EventSpan), so
// that a span routed as a log record by a first tier is recorded exactly
// as the span itself would be.
func asSpan(it *item, lr plog.LogRecord) {
	if lr.Body().Type() != pcommon.ValueTypeMap || lr.Timestamp() == 0 {
		return
	}
	body := lr.Body().Map()
	name, _ := body.Get(auditattr.SpanBodyName)
	end, ok := body.Get(auditattr.SpanBodyEnd)
	if !ok || end.Type() != pcommon.ValueTypeInt {
		return
	}
	it.isSpan, it.name = true, name.AsString()
	it.start, it.end = lr.Timestamp(), pcommon.Timestamp(end.Int())
	it.body = pcommon.NewValueEmpty()
}

// write appends a batch and returns only once it is fsynced: the log is
// the write-ahead log, so an acknowledged request is on disk. Concurrent
// writes share one fsync. Its error goes upstream, where the sender (or
// retry_on_failure) retries it; the log's dedup keeps a retry from
// writing twice. It ends the caller's Announce.
func (e *auditExporter) write(ctx context.Context, batches []*recordBatch, ignored int64) error {
	if ignored > 0 {
		e.tel.AuditLogIgnored.Add(ctx, ignored)
	}
	// One append for the whole request, its parts in order; the first
	// batch keeps the joined entries to reuse their room.
	entries := batches[0].records()
	for _, b := range batches[1:] {
		entries = append(entries, b.records()...)
	}
	batches[0].entries = entries
	if len(entries) == 0 {
		e.log.Withdraw()
		return nil
	}
	if _, err := e.log.AppendAnnounced(entries); err != nil {
		// Logged before it is counted: whoever sees the count finds the cause.
		e.set.Logger.Error("Audit log write failed; the batch is returned to the sender and nothing of it is kept",
			zap.Int("records", len(entries)), zap.Error(err))
		e.tel.AuditLogWriteFailures.Add(ctx, 1)
		return err
	}
	counts := map[string]int64{}
	for _, b := range batches {
		for i := range b.recs {
			if r := &b.recs[i]; !r.dup {
				counts[r.class]++
			}
		}
	}
	for class, n := range counts {
		e.tel.AuditLogRecords.Add(ctx, n, metric.WithAttributeSet(attribute.NewSet(attribute.String("class", class))))
	}
	e.report(ctx)
	return nil
}

// report turns the log's counters into metric increments.
func (e *auditExporter) report(ctx context.Context) {
	e.statsMu.Lock()
	defer e.statsMu.Unlock()
	s := e.log.Stats()
	e.tel.AuditLogDuplicates.Add(ctx, s.Duplicates-e.last.Duplicates)
	e.tel.AuditLogCheckpoints.Add(ctx, s.Checkpoints-e.last.Checkpoints)
	e.tel.AuditLogRotations.Add(ctx, s.Rotations-e.last.Rotations)
	e.tel.AuditLogRetentionDeletions.Add(ctx, s.Deleted-e.last.Deleted)
	if r := e.guard.redactions.Swap(0); r > 0 {
		e.tel.AuditLogRedactions.Add(ctx, r)
	}
	e.last = s
}
