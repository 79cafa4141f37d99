package tokenanomalyconnector

import (
	"context"
	"time"

	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/metric"
	"go.uber.org/zap"

	"github.com/tokenaudit/tokenaudit/connector/tokenanomalyconnector/internal/metadata"
)

// Tables whose evictions are counted.
const (
	tableTokens     = "tokens"
	tableClients    = "clients"
	tableFindings   = "findings"
	tablePrincipals = "principals"
	tableItems      = "items" // item keys remembered against retried batches
)

// tablePrincipalRates is rate_surge's owners (rate_principal.go).
const tablePrincipalRates = "principal_rates"

// telemetry is the connector's own metrics. Counts made under the model's
// lock are kept in fields and added when the lock is released, so the
// hot path does not call the SDK per item.
type telemetry struct {
	tb *metadata.TelemetryBuilder

	// The late items are also logged, at most once per lateWarnEvery: the
	// metric alone let an evaluator's differing findings go unexplained.
	logger     *zap.Logger
	lateness   time.Duration
	lateWarned time.Time
	lateAhead  int64 // late items not logged yet

	lateN    int64
	evictedN map[string]int64
	alertsN  map[string]int64
	sharedN  map[string]int64
	overflow int64
}

func newTelemetry(set component.TelemetrySettings, lateness time.Duration) (*telemetry, error) {
	tb, err := metadata.NewTelemetryBuilder(set)
	if err != nil {
		return nil, err
	}
	return &telemetry{tb: tb, logger: set.Logger, lateness: lateness,
		evictedN: map[string]int64{}, alertsN: map[string]int64{}, sharedN: map[string]int64{}}, nil
}

// lateWarnEvery bounds the late items' warning to one a minute.
const lateWarnEvery = time.Minute

func (t *telemetry) late()                { t.lateN++ }
func (t *telemetry) evicted(table string) { t.evictedN[table]++ }
func (t *telemetry) alerted(typ string)   { t.alertsN[typ]++ }
func (t *telemetry) shared(typ string)    { t.sharedN[typ]++ }
func (t *telemetry) overflowed()          { t.overflow++ }
func (t *telemetry) shutdown()            { t.tb.Shutdown() }

// items records a batch and publishes the counts gathered under the lock.
// The caller must hold the model's lock for the gathered counts; items is
// called just after unlocking, so it takes them first.
func (t *telemetry) items(ctx context.Context, signal string, n int) {
	t.tb.TokenAnomalyItems.Add(ctx, int64(n), metric.WithAttributeSet(attribute.NewSet(attribute.String("signal", signal))))
}

// publish adds the counts gathered under the lock; call it with the lock held.
func (t *telemetry) publish(ctx context.Context) {
	if t.lateN > 0 {
		t.tb.TokenAnomalyLateItems.Add(ctx, t.lateN)
		t.lateAhead += t.lateN
		t.lateN = 0
	}
	if t.lateAhead > 0 && time.Since(t.lateWarned) >= lateWarnEvery {
		t.logger.Warn("Items arrived more than allowed_lateness behind the newest event time: their verdicts "+
			"alert, but windows and baselines skip them, so findings depend on how the items were batched; "+
			"raise allowed_lateness, or batch and send by time (a request should span less than it)",
			zap.Int64("late_items", t.lateAhead), zap.Duration("allowed_lateness", t.lateness))
		t.lateWarned, t.lateAhead = time.Now(), 0
	}
	for table, n := range t.evictedN {
		t.tb.TokenAnomalyEvictions.Add(ctx, n, metric.WithAttributeSet(attribute.NewSet(attribute.String("table", table))))
		delete(t.evictedN, table)
	}
	for typ, n := range t.alertsN {
		t.tb.TokenAnomalyAlerts.Add(ctx, n, metric.WithAttributeSet(attribute.NewSet(attribute.String("type", typ))))
		delete(t.alertsN, typ)
	}
	for typ, n := range t.sharedN {
		t.tb.TokenAnomalyFindingsShared.Add(ctx, n, metric.WithAttributeSet(attribute.NewSet(attribute.String("type", typ))))
		delete(t.sharedN, typ)
	}
	if t.overflow > 0 {
		t.tb.TokenAnomalyOverflow.Add(ctx, t.overflow)
		t.overflow = 0
	}
}

// pendingAlerts moves the count of alerts waiting in the outbox.
func (t *telemetry) pendingAlerts(ctx context.Context, delta int) {
	t.tb.TokenAnomalyAlertsPending.Add(ctx, int64(delta))
}

func (t *telemetry) emitFailed(ctx context.Context, signal string) {
	t.tb.TokenAnomalyEmitFailures.Add(ctx, 1, metric.WithAttributeSet(attribute.NewSet(attribute.String("signal", signal))))
}

func (t *telemetry) persist(ctx context.Context, op, result string) {
	t.tb.TokenAnomalyPersist.Add(ctx, 1, metric.WithAttributeSet(attribute.NewSet(
		attribute.String("operation", op), attribute.String("result", result))))
}
