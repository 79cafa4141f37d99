package auditlogexporter

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/plog"

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

// BenchmarkWithEventIDs: what giving ids on entry costs a batch of 1000
// audited log records, with a file position (nothing to do) and without
// (a copy of the batch and 1000 ids).
func BenchmarkWithEventIDs(b *testing.B) {
	for _, bm := range []struct {
		name string
		at   func(pcommon.Map, int)
	}{
		{"file_log", func(a pcommon.Map, i int) {
			a.PutStr(attrFilePath, "/var/log/nginx/access.json")
			a.PutInt(attrRecordOffset, int64(600*i))
		}},
		{"otlp", nil},
	} {
		b.Run(bm.name, func(b *testing.B) {
			ld := accessLogBurst(1000, bm.at)
			b.ReportAllocs()
			for b.Loop() {
				_ = withEventIDs(ld)
			}
		})
	}
}
