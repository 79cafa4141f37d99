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
	"go.opentelemetry.io/collector/exporter/exporterhelper"

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
			assert.Equal(t, 5*time.Millisecond, c.GroupCommit.MaxWait)
		}},
		{id: component.NewIDWithName(metadata.Type, "bad"), wantErr: []string{
			"directory:", "checkpoint.every_records:", "rotation.compression:", "retention.max_age:", "group_commit.max_wait:",
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

func TestValidateQueueAndGroupCommit(t *testing.T) {
	tests := []struct {
		name    string
		change  func(c *Config)
		wantErr string
	}{
		{name: "default: no queue, 1ms group wait", change: func(*Config) {}},
		{name: "group commit at once", change: func(c *Config) { c.GroupCommit.MaxWait = 0 }},
		{name: "negative group wait", change: func(c *Config) { c.GroupCommit.MaxWait = -time.Millisecond }, wantErr: "group_commit.max_wait"},
		{name: "group wait over a second", change: func(c *Config) { c.GroupCommit.MaxWait = 2 * time.Second }, wantErr: "group_commit.max_wait"},
		{name: "queue that drops", change: func(c *Config) {
			q := enableQueue(c)
			q.WaitForResult = true
			q.BlockOnOverflow = false
		}, wantErr: "sending_queue.block_on_overflow"},
		{name: "memory queue that acknowledges early", change: func(c *Config) { enableQueue(c) }, wantErr: "sending_queue.wait_for_result"},
		{name: "memory queue that waits", change: func(c *Config) { enableQueue(c).WaitForResult = true }},
		{name: "persistent queue", change: func(c *Config) {
			id := component.MustNewID("file_storage")
			enableQueue(c).StorageID = &id
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := createDefaultConfig()
			tt.change(cfg)
			err := cfg.Validate()
			if tt.wantErr == "" {
				assert.NoError(t, err)
				return
			}
			assert.ErrorContains(t, err, tt.wantErr)
		})
	}
}

func TestDefaultHasNoQueue(t *testing.T) {
	cfg := createDefaultConfig()
	assert.False(t, cfg.QueueConfig.HasValue(), "the log is the write-ahead log: no second copy by default")
	assert.Equal(t, time.Millisecond, cfg.GroupCommit.MaxWait)
}

// enableQueue turns on the default sending queue, as `sending_queue: {}`
// in the configuration does.
func enableQueue(c *Config) *exporterhelper.QueueBatchConfig {
	return c.QueueConfig.GetOrInsertDefault()
}
