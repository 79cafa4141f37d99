package auditlogexporter

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/component/componenttest"
	"go.opentelemetry.io/collector/config/configoptional"
	"go.opentelemetry.io/collector/exporter"
	"go.opentelemetry.io/collector/exporter/exporterhelper"
	"go.opentelemetry.io/collector/exporter/exportertest"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/plog"

	"github.com/tokenaudit/tokenaudit/exporter/auditlogexporter/internal/metadata"
	"github.com/tokenaudit/tokenaudit/internal/auditattr"
)

// accessLogBurst is n identical audited access-log records of one
// millisecond, as token_audit leaves them; at places them in a file.
func accessLogBurst(n int, at func(a pcommon.Map, i int)) plog.Logs {
	ld := plog.NewLogs()
	lrs := ld.ResourceLogs().AppendEmpty().ScopeLogs().AppendEmpty().LogRecords()
	for i := range n {
		lr := lrs.AppendEmpty()
		lr.SetTimestamp(pcommon.NewTimestampFromTime(eventTime))
		lr.Body().SetEmptyMap().PutStr("time", "1763805609.015")
		a := lr.Attributes()
		a.PutStr(auditattr.TokenID, "tok_0123456789abcdef0123456789abcdef")
		a.PutStr(auditattr.Resource, "POST /login")
		a.PutStr(auditattr.Action, auditattr.ActionCreate)
		a.PutStr(auditattr.Outcome, auditattr.OutcomeFailure)
		a.PutStr(auditattr.ClientAddress, "203.0.113.7")
		a.PutStr("http.request.method", "POST")
		a.PutStr("url.path", "/login")
		a.PutInt("http.response.status_code", 401)
		if at != nil {
			at(a, i)
		}
	}
	return ld
}

func apiActivities(t *testing.T, cfg *Config) []map[string]any {
	t.Helper()
	var out []map[string]any
	for _, r := range readRecords(t, cfg.Directory) {
		if r["class_uid"] == float64(6003) {
			out = append(out, r)
		}
	}
	return out
}

// TestIdenticalEventsAreDistinct: a burst of identical requests within a
// millisecond is one record per request, however it reaches audit_log,
// and a replay of the same delivery is still written once.
func TestIdenticalEventsAreDistinct(t *testing.T) {
	inFile := func(offsetKey string) func(pcommon.Map, int) {
		return func(a pcommon.Map, i int) {
			a.PutStr(attrFileName, "access.json")
			a.PutInt(offsetKey, int64(1000+300*i))
		}
	}
	tests := []struct {
		name    string
		at      func(pcommon.Map, int)
		stamped bool // audit_log gives each an event id
	}{
		{"otlp", nil, true},
		{"file_log record offset", inFile(attrRecordOffset), false},
		{"file_log record number", inFile(attrRecordNumber), false},
		{"file path over name", func(a pcommon.Map, i int) {
			a.PutStr(attrFilePath, "/var/log/nginx/access.json")
			a.PutInt(attrRecordOffset, int64(i))
		}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := testConfig(t)
			h := startHarness(t, cfg)
			burst := accessLogBurst(15, tt.at)
			require.NoError(t, h.logs.ConsumeLogs(context.Background(), burst))
			for lr := range logRecords(burst) {
				_, ok := lr.Attributes().Get(auditattr.EventID)
				require.False(t, ok, "audit_log changed the batch it was given")
			}

			// A replay of a delivery: what the queue hands the push function
			// again after a crash (stamped before the queue), or file_log
			// reading the same lines again.
			replayed := withEventIDs(burst)
			stamped := 0
			for lr := range logRecords(replayed) {
				if _, ok := lr.Attributes().Get(auditattr.EventID); ok {
					stamped++
				}
			}
			if tt.stamped {
				require.Equal(t, 15, stamped)
			} else {
				require.Zero(t, stamped, "a record's place in its file already tells it apart")
			}
			require.NoError(t, h.logs.ConsumeLogs(context.Background(), replayed))
			require.NoError(t, h.logs.ConsumeLogs(context.Background(), replayed))
			h.stop(t)

			recs := apiActivities(t, cfg)
			uids := map[any]bool{}
			for _, r := range recs {
				uids[r["metadata"].(map[string]any)["uid"]] = true
			}
			if tt.stamped {
				assert.Equal(t, 30, len(recs), "the first delivery and the stamped one are different deliveries")
			} else {
				assert.Equal(t, 15, len(recs), "the same lines read again are the same events")
				pos := recs[3]["unmapped"].(map[string]any)["log_file"].(map[string]any)
				assert.NotEmpty(t, pos["path"])
			}
			assert.Equal(t, len(recs), len(uids), "one id per record")
			assert.Empty(t, verify(t, cfg).Problems)
		})
	}
}

func TestWithEventIDsLeavesOthersAlone(t *testing.T) {
	ld := accessLogBurst(1, func(a pcommon.Map, _ int) { a.PutStr(auditattr.EventID, "evt_from_upstream") })
	alerts := alertLogs()
	unaudited := plog.NewLogs()
	unaudited.ResourceLogs().AppendEmpty().ScopeLogs().AppendEmpty().LogRecords().AppendEmpty().Body().SetStr("GET /health 200")
	event := accessLogBurst(1, nil)
	for lr := range logRecords(event) {
		lr.SetEventName(auditattr.EventSpan)
	}
	for name, in := range map[string]plog.Logs{"own id": ld, "alert": alerts, "unaudited": unaudited, "audit event": event} {
		out := withEventIDs(in)
		assert.Equal(t, in, out, "%s: nothing to stamp, the batch passes as it is", name)
	}
}

// TestEventIDsInContextWriteWhatTheCopyWrites: ids that ride in the
// context give, byte for byte, the records the stamped copy gives, and the
// batch is left as it was.
func TestEventIDsInContextWriteWhatTheCopyWrites(t *testing.T) {
	ld := accessLogBurst(3, nil)
	ld.ResourceLogs().At(0).ScopeLogs().At(0).LogRecords().At(1).Attributes().PutStr(auditattr.EventID, "evt_from_upstream")
	before := plog.NewLogs()
	ld.CopyTo(before)
	ids := newEventIDs(countNeedingEventIDs(ld))
	require.Equal(t, 2, countNeedingEventIDs(ld))

	encode := func(ld plog.Logs, ids *eventIDs) []string {
		g, err := newGuard()
		require.NoError(t, err)
		enc, b := newEncoder("test", g), &recordBatch{}
		for lr := range logRecords(ld) {
			it := item{attrs: lr.Attributes(), resource: pcommon.NewMap(), time: auditattr.LogTime(lr).AsTime(), body: lr.Body()}
			if ids != nil && needsEventID(lr) {
				it.eventID = ids.next()
			}
			enc.apiActivity(b, &it, 1)
		}
		var out []string
		for _, e := range b.records() {
			out = append(out, string(e.AppendJSON(nil, 0)))
		}
		return out
	}
	copied := encode(stampedCopy(ld, &eventIDs{all: ids.all}), nil)
	inContext := encode(ld, eventIDsFrom(context.WithValue(context.Background(), eventIDsKey{}, ids)))
	require.Equal(t, copied, inContext)
	assert.Contains(t, inContext[0], `"event.id":"evt_`)
	assert.Contains(t, inContext[1], `"event.id":"evt_from_upstream"`)
	assert.Equal(t, before, ld, "the batch is not changed")
}

// TestRetryKeepsEventIDs: a retried push (the retry sender hands the same
// batch and context again) writes nothing twice.
func TestRetryKeepsEventIDs(t *testing.T) {
	cfg := testConfig(t)
	exp, err := newAuditExporter(cfg, exportertest.NewNopSettings(metadata.Type))
	require.NoError(t, err)
	require.NoError(t, exp.Start(context.Background(), componenttest.NewNopHost()))
	burst := accessLogBurst(5, nil)
	ctx := context.WithValue(context.Background(), eventIDsKey{}, newEventIDs(5))
	require.NoError(t, exp.pushLogs(ctx, burst))
	require.NoError(t, exp.pushLogs(ctx, burst))
	require.NoError(t, exp.Shutdown(context.Background()))
	assert.Len(t, apiActivities(t, cfg), 5)
}

// TestStamperCopiesOnlyForAQueueThatKeepsAttributesOnly: ids ride in the
// context unless the sending queue persists or re-batches the batch.
func TestStamperCopiesOnlyForAQueueThatKeepsAttributesOnly(t *testing.T) {
	storage := component.MustNewID("file_storage")
	tests := []struct {
		name      string
		queue     func(*exporterhelper.QueueBatchConfig)
		none      bool
		inContext bool
	}{
		{"no queue", nil, true, true},
		{"memory queue", func(*exporterhelper.QueueBatchConfig) {}, false, true},
		{"persistent queue", func(q *exporterhelper.QueueBatchConfig) { q.StorageID = &storage }, false, false},
		{"memory queue that batches", func(q *exporterhelper.QueueBatchConfig) {
			q.Batch = configoptional.Some(exporterhelper.BatchConfig{FlushTimeout: time.Second, MinSize: 100})
		}, false, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := createDefaultConfig()
			cfg.QueueConfig = configoptional.None[exporterhelper.QueueBatchConfig]()
			if !tt.none {
				cfg.QueueConfig = configoptional.Some(exporterhelper.NewDefaultQueueConfig())
				tt.queue(cfg.QueueConfig.Get())
			}
			sink := &logsSink{}
			s := newEventIDStamper(sink, cfg)
			assert.Equal(t, tt.inContext, s.inContext)
			ld := accessLogBurst(2, nil)
			require.NoError(t, s.ConsumeLogs(context.Background(), ld))
			ids := eventIDsFrom(sink.ctx)
			stamped := countNeedingEventIDs(sink.ld) == 0
			if tt.inContext {
				assert.Equal(t, ld, sink.ld, "the batch itself is passed on")
				assert.NotEmpty(t, ids.next())
				assert.NotEmpty(t, ids.next())
				assert.Empty(t, ids.next())
			} else {
				assert.Nil(t, ids)
				assert.True(t, stamped, "the copy carries the ids")
				assert.Equal(t, 2, countNeedingEventIDs(ld), "the batch it was given is not stamped")
			}
		})
	}
}

// logsSink is the exporter behind the stamper: it keeps what it got.
type logsSink struct {
	exporter.Logs
	ctx context.Context
	ld  plog.Logs
}

func (s *logsSink) ConsumeLogs(ctx context.Context, ld plog.Logs) error {
	s.ctx, s.ld = ctx, ld
	return nil
}

// BenchmarkWithEventIDs: what giving ids on entry costs a batch of 1000
// audited log records: with a file position (nothing to do), without one
// when the ids ride in the context (no queue, or a memory queue that does
// not re-batch), and without one when they are put on a copy (a
// persistent or batching queue).
func BenchmarkWithEventIDs(b *testing.B) {
	file := func(a pcommon.Map, i int) {
		a.PutStr(attrFilePath, "/var/log/nginx/access.json")
		a.PutInt(attrRecordOffset, int64(600*i))
	}
	storage := component.MustNewID("file_storage")
	for _, bm := range []struct {
		name       string
		at         func(pcommon.Map, int)
		persistent bool
	}{
		{"file_log", file, false},
		{"otlp_context", nil, false},
		{"otlp_copy", nil, true},
	} {
		b.Run(bm.name, func(b *testing.B) {
			cfg := createDefaultConfig()
			cfg.QueueConfig = configoptional.None[exporterhelper.QueueBatchConfig]()
			if bm.persistent {
				q := exporterhelper.NewDefaultQueueConfig()
				q.StorageID = &storage
				cfg.QueueConfig = configoptional.Some(q)
			}
			s := newEventIDStamper(&logsSink{}, cfg)
			ld := accessLogBurst(1000, bm.at)
			b.ReportAllocs()
			for b.Loop() {
				_ = s.ConsumeLogs(context.Background(), ld)
			}
		})
	}
}
