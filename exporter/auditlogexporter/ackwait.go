package auditlogexporter

import (
	"context"
	"fmt"
	"time"

	"github.com/cenkalti/backoff/v7"
	"go.opentelemetry.io/collector/consumer/consumererror"

	"github.com/tokenaudit/tokenaudit/internal/ackwait"
)

// inGroup runs export, one request's encoding, append and fsync, in the
// request's group (internal/ackwait) when token_audit made one and no
// sending queue stands between: the export returns at once and the
// request is acknowledged once the group is done. The collector's fanout
// calls token_anomaly and audit_log one after the other; in the group
// their work overlaps whichever it calls first, instead of the second
// waiting for the first's detectors or fsync. A failed write is retried
// here as retry_on_failure would (the exporter's own retry sees only the
// export that returned), and its error, when retrying ends, fails the
// request. Otherwise (no group, a queue, or alerts sent by token_anomaly,
// which count as sent once the export returns) it runs before returning.
func (e *auditExporter) inGroup(ctx context.Context, export func(context.Context) error) error {
	if e.cfg.QueueConfig.HasValue() {
		return export(ctx)
	}
	e.writes.Add(1)
	// The exporter's timeout ends ctx when this call returns; the values
	// (the request's metadata, event ids) are kept.
	bg := context.WithoutCancel(ctx)
	if ackwait.From(ctx).Go(func() error {
		defer e.writes.Done()
		return e.retrying(bg, export)
	}) {
		return nil
	}
	e.writes.Done()
	return export(ctx)
}

// retrying calls export until it succeeds, its error is permanent,
// retry_on_failure's max_elapsed_time is spent or the exporter shuts
// down, waiting between calls as retry_on_failure does (exponential
// back-off with jitter, up to max_interval).
func (e *auditExporter) retrying(ctx context.Context, export func(context.Context) error) error {
	r := e.cfg.RetryConfig
	err := export(ctx)
	if err == nil || !r.Enabled || consumererror.IsPermanent(err) {
		return err
	}
	// The back-off retry_on_failure's own sender uses.
	b := backoff.ExponentialBackOff{InitialInterval: r.InitialInterval, RandomizationFactor: r.RandomizationFactor,
		Multiplier: r.Multiplier, MaxInterval: r.MaxInterval}
	began := time.Now()
	for {
		wait := b.NextBackOff()
		if r.MaxElapsedTime > 0 && time.Since(began)+wait > r.MaxElapsedTime {
			return fmt.Errorf("audit log: write failed, retried for %s: %w", time.Since(began).Round(time.Millisecond), err)
		}
		t := time.NewTimer(wait)
		select {
		case <-t.C:
		case <-e.stop:
			t.Stop()
			return fmt.Errorf("audit log: shutting down while retrying a failed write: %w", err)
		}
		if err = export(ctx); err == nil || consumererror.IsPermanent(err) {
			return err
		}
	}
}
