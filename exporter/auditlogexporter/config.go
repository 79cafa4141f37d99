package auditlogexporter

import (
	"errors"
	"fmt"
	"time"

	"go.opentelemetry.io/collector/config/configoptional"
	"go.opentelemetry.io/collector/config/configretry"
	"go.opentelemetry.io/collector/exporter/exporterhelper"
	"golang.org/x/mod/sumdb/note"
)

// Config is the audit_log exporter's configuration.
type Config struct {
	// Directory holds the log: segments, tree hashes, checkpoints.
	Directory string `mapstructure:"directory"`
	// Origin names the log in its signed checkpoints; empty uses the
	// signing key's name.
	Origin     string           `mapstructure:"origin"`
	Signing    SigningConfig    `mapstructure:"signing"`
	Checkpoint CheckpointConfig `mapstructure:"checkpoint"`
	Rotation   RotationConfig   `mapstructure:"rotation"`
	Retention  RetentionConfig  `mapstructure:"retention"`
	// DedupWindow is how many recent record ids are remembered, so that
	// a batch replayed after a crash is not written twice.
	DedupWindow int `mapstructure:"dedup_window"`
	// GroupCommit lets concurrent exports share one write and fsync.
	GroupCommit GroupCommitConfig `mapstructure:"group_commit"`

	TimeoutConfig exporterhelper.TimeoutConfig                             `mapstructure:",squash"`
	QueueConfig   configoptional.Optional[exporterhelper.QueueBatchConfig] `mapstructure:"sending_queue"`
	RetryConfig   configretry.BackOffConfig                                `mapstructure:"retry_on_failure"`

	_ struct{}
}

// SigningConfig is the Ed25519 key that signs checkpoints.
type SigningConfig struct {
	// KeyFile holds a note signer key (`auditctl keygen --signing`). It
	// must not be readable by others.
	KeyFile string `mapstructure:"key_file"`
	// CreateKeyFile makes a new key at KeyFile when none exists, and its
	// verification key at KeyFile + ".pub".
	CreateKeyFile bool `mapstructure:"create_key_file"`
	// KeyName names a created key (and so the log, unless origin is set).
	KeyName string `mapstructure:"key_name"`
	// ReloadInterval is how often KeyFile is checked for a new key, which
	// then signs every later checkpoint; 0 never checks.
	ReloadInterval time.Duration `mapstructure:"reload_interval"`
}

// CheckpointConfig says when checkpoints are signed (also at every
// rotation and at shutdown).
type CheckpointConfig struct {
	EveryRecords int64         `mapstructure:"every_records"`
	Interval     time.Duration `mapstructure:"interval"`
	// MirrorDirectory receives a copy of every checkpoint: keep it on
	// another disk or host to reveal a rollback or a deleted tail.
	MirrorDirectory string `mapstructure:"mirror_directory"`
}

// RotationConfig seals the active segment by size or age.
type RotationConfig struct {
	MaxMegabytes int           `mapstructure:"max_megabytes"`
	MaxAge       time.Duration `mapstructure:"max_age"`
	// Compression of sealed segments: "none" or "gzip".
	Compression string `mapstructure:"compression"`
}

// GroupCommitConfig bounds how long an export waits for others to share
// its write and fsync. A group also forms, without waiting, from the
// exports that arrive while the previous group is being fsynced.
type GroupCommitConfig struct {
	// MaxWait is the longest an export waits for company before its group
	// is written; 0 writes at once.
	MaxWait time.Duration `mapstructure:"max_wait"`
}

// RetentionConfig deletes sealed segments; zero keeps them forever.
type RetentionConfig struct {
	MaxAge      time.Duration `mapstructure:"max_age"`
	MaxSegments int           `mapstructure:"max_segments"`
}

func createDefaultConfig() *Config {
	// No queue unless one is configured: the log is the write-ahead log,
	// and an export returns once its records are fsynced. A queue that is
	// configured waits rather than drops (and Validate asks one in memory
	// to wait for the write; wait_for_result is refused with storage).
	queue := exporterhelper.NewDefaultQueueConfig()
	queue.BlockOnOverflow = true
	retry := configretry.NewDefaultBackOffConfig()
	retry.MaxElapsedTime = 0 // retry until the disk is back
	return &Config{
		Directory: "./data/audit",
		Signing: SigningConfig{
			KeyFile:        "./data/audit-signing.key",
			KeyName:        "tokenaudit.local/audit",
			ReloadInterval: 10 * time.Second,
		},
		Checkpoint:    CheckpointConfig{EveryRecords: 10000, Interval: time.Minute},
		Rotation:      RotationConfig{MaxMegabytes: 100, MaxAge: 24 * time.Hour, Compression: "none"},
		DedupWindow:   100000,
		GroupCommit:   GroupCommitConfig{MaxWait: time.Millisecond},
		TimeoutConfig: exporterhelper.NewDefaultTimeoutConfig(),
		QueueConfig:   configoptional.Default(queue),
		RetryConfig:   retry,
	}
}

// Validate names each wrong field and how to fix it.
func (c *Config) Validate() error {
	var errs []error
	add := func(format string, args ...any) { errs = append(errs, fmt.Errorf(format, args...)) }
	if c.Directory == "" {
		add("directory: must name the directory that holds the audit log, e.g. /var/lib/otelcol/audit")
	}
	if c.Signing.KeyFile == "" {
		add("signing.key_file: must name the checkpoint signing key; create one with `auditctl keygen --signing NAME` or set signing.create_key_file: true")
	}
	if c.Signing.CreateKeyFile && !validKeyName(c.Signing.KeyName) {
		add("signing.key_name: %q must be a non-empty name without spaces or '+', e.g. audit.example.com/prod", c.Signing.KeyName)
	}
	if c.Signing.ReloadInterval < 0 {
		add("signing.reload_interval: must not be negative (0 never checks the key file for a new key)")
	}
	if c.Checkpoint.EveryRecords < 1 {
		add("checkpoint.every_records: must be at least 1 (default 10000)")
	}
	if c.Checkpoint.Interval <= 0 {
		add("checkpoint.interval: must be positive (default 1m); it bounds how long records stay unsigned")
	}
	if c.Rotation.MaxMegabytes < 1 {
		add("rotation.max_megabytes: must be at least 1 (default 100)")
	}
	if c.Rotation.MaxAge < 0 {
		add("rotation.max_age: must be 0 (size only) or positive")
	}
	switch c.Rotation.Compression {
	case "", "none", "gzip":
	default:
		add("rotation.compression: %q is not one of none, gzip", c.Rotation.Compression)
	}
	if c.Retention.MaxAge < 0 || c.Retention.MaxSegments < 0 {
		add("retention: max_age and max_segments must be 0 (keep forever) or positive")
	}
	if c.Retention.MaxAge > 0 && c.Retention.MaxAge < 24*time.Hour {
		add("retention.max_age: %s is under a day; audit records are kept for months (PCI DSS 10.5.1: 12 months), set e.g. 8760h", c.Retention.MaxAge)
	}
	if c.DedupWindow < 0 {
		add("dedup_window: must be 0 (off) or positive")
	}
	if c.GroupCommit.MaxWait < 0 || c.GroupCommit.MaxWait > time.Second {
		add("group_commit.max_wait: %s must be between 0 (write at once) and 1s; every export waits up to this long for its fsync (default 1ms)", c.GroupCommit.MaxWait)
	}
	if q := c.QueueConfig.Get(); q != nil && c.QueueConfig.HasValue() {
		if !q.BlockOnOverflow {
			add("sending_queue.block_on_overflow: must be true: a full queue would otherwise drop audit records")
		}
		if q.StorageID == nil && !q.WaitForResult {
			add("sending_queue.wait_for_result: must be true for a queue in memory, which would otherwise acknowledge records a crash loses; or set sending_queue.enabled: false (the log is its own write-ahead log)")
		}
	}
	return errors.Join(errs...)
}

func validKeyName(name string) bool {
	if name == "" {
		return false
	}
	// note.GenerateKey accepts exactly the names it can sign with.
	_, _, err := note.GenerateKey(zeroReader{}, name)
	return err == nil
}

type zeroReader struct{}

func (zeroReader) Read(p []byte) (int, error) {
	clear(p)
	return len(p), nil
}
