package main

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/pdata/ptrace/ptraceotlp"
)

func TestPercentile(t *testing.T) {
	lat := mergeLatencies([][]time.Duration{{5, 1, 3}, {2, 4}, {10, 9, 8, 7, 6}})
	for _, tc := range []struct {
		q    float64
		want time.Duration
	}{{0.5, 5}, {0.99, 10}, {0, 1}, {0.9, 9}} {
		assert.Equal(t, tc.want, percentile(lat, tc.q), "q=%v", tc.q)
	}
}

func TestBatches(t *testing.T) {
	for _, tc := range []struct {
		traffic string
		wantErr bool
	}{{"simple", false}, {"realistic", false}, {"replay", true}} {
		t.Run(tc.traffic, func(t *testing.T) {
			c := loadConfig{traffic: tc.traffic, tokens: 100, jwtShare: 0.5}
			mk, err := c.batches(demoSecret)
			if tc.wantErr {
				assert.ErrorContains(t, err, "-traffic")
				return
			}
			require.NoError(t, err)
			next := mk(0, 1)
			var buf []byte
			for range 2 { // the second in the first's memory
				buf, err = next(buf, 1000)
				require.NoError(t, err)
				req := ptraceotlp.NewExportRequest()
				require.NoError(t, req.UnmarshalProto(buf))
				assert.Equal(t, 1000, req.Traces().SpanCount())
			}
		})
	}
}
