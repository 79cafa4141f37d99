package auditlogexporter

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/ptrace"

	"github.com/tokenaudit/tokenaudit/internal/auditattr"
)

// TestRotationCompressionRetention: segments rotate by size, sealed ones
// are compressed and read-only, retention deletes the oldest and says so
// in the log, and the log still verifies.
func TestRotationCompressionRetention(t *testing.T) {
	cfg := testConfig(t)
	cfg.Rotation.MaxMegabytes = 1
	cfg.Rotation.Compression = "gzip"
	cfg.Retention.MaxSegments = 1
	h := startHarness(t, cfg)
	for batch := 0; batch < 8; batch++ {
		td := ptrace.NewTraces()
		for i := 0; i < 500; i++ {
			s := auditedSpan(td, "GET /users/{id}", auditattr.OutcomeSuccess)
			s.SetSpanID(pcommon.SpanID{byte(batch), byte(i >> 8), byte(i), 1, 2, 3, 4, 5})
		}
		require.NoError(t, h.traces.ConsumeTraces(context.Background(), td))
	}
	h.stop(t)

	r := verify(t, cfg)
	require.True(t, r.OK(), "%v", r.Problems)
	require.NotEmpty(t, r.Retained, "retention deleted sealed segments")
	sealed, _ := filepath.Glob(filepath.Join(cfg.Directory, "audit-*.jsonl.gz"))
	require.Len(t, sealed, 1, "one sealed segment kept")
	info, err := os.Stat(sealed[0])
	require.NoError(t, err)
	assert.Equal(t, os.FileMode(0o400), info.Mode().Perm())

	var kinds []string
	for _, rec := range readRecords(t, cfg.Directory) {
		if rec["class_uid"] == float64(6002) {
			kinds = append(kinds, rec["activity_name"].(string))
		}
	}
	assert.Contains(t, kinds, "Rotate")
	assert.Contains(t, kinds, "Retention Delete")
}
