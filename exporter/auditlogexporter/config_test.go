package auditlogexporter

import (
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/confmap"
	"go.opentelemetry.io/collector/confmap/confmaptest"

	"github.com/tokenaudit/tokenaudit/exporter/auditlogexporter/internal/metadata"
)

func TestLoadConfig(t *testing.T) {
	cm, err := confmaptest.LoadConf(filepath.Join("testdata", "config.yaml"))
	require.NoError(t, err)
	tests := []struct {
		id      component.ID
		check   func(t *testing.T, c *Config)
		wantErr []string
	}{
		{id: component.NewID(metadata.Type), check: func(t *testing.T, c *Config) {
			assert.Equal(t, createDefaultConfig(), c)
		}},
		{id: component.NewIDWithName(metadata.Type, "full"), check: func(t *testing.T, c *Config) {
			assert.Equal(t, "audit.example.com/prod", c.Origin)
			assert.Equal(t, int64(5000), c.Checkpoint.EveryRecords)
			assert.Equal(t, 30*time.Second, c.Checkpoint.Interval)
			assert.Equal(t, "/mnt/worm/audit-checkpoints", c.Checkpoint.MirrorDirectory)
			assert.Equal(t, "gzip", c.Rotation.Compression)
			assert.Equal(t, 8760*time.Hour, c.Retention.MaxAge)
			q := c.QueueConfig.Get()
			require.NotNil(t, q)
			require.NotNil(t, q.StorageID)
			assert.Equal(t, "file_storage", q.StorageID.String())
			assert.Equal(t, time.Duration(0), c.RetryConfig.MaxElapsedTime)
		}},
		{id: component.NewIDWithName(metadata.Type, "bad"), wantErr: []string{
			"directory:", "checkpoint.every_records:", "rotation.compression:", "retention.max_age:",
		}},
	}
	for _, tt := range tests {
		t.Run(tt.id.String(), func(t *testing.T) {
			cfg := createDefaultConfig()
			sub, err := cm.Sub(tt.id.String())
			require.NoError(t, err)
			require.NoError(t, sub.Unmarshal(cfg))
			err = confmap.Validate(cfg)
			if len(tt.wantErr) > 0 {
				require.Error(t, err)
				for _, w := range tt.wantErr {
					assert.Contains(t, err.Error(), w)
				}
				return
			}
			require.NoError(t, err)
			tt.check(t, cfg)
		})
	}
}

func TestValidateQueueMustBlock(t *testing.T) {
	cfg := createDefaultConfig()
	cfg.QueueConfig.Get().BlockOnOverflow = false
	assert.ErrorContains(t, cfg.Validate(), "sending_queue.block_on_overflow")
}
