package tokenpolicyextension // import "github.com/tokenaudit/tokenaudit/extension/tokenpolicyextension"

import (
	"context"
	"fmt"

	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/metric"
	"go.uber.org/zap"

	"github.com/tokenaudit/tokenaudit/internal/policy"
)

// policyExtension loads the policy file once for the whole collector and
// watches it with one poller; token_audit and token_anomaly read it
// through the host.
type policyExtension struct {
	cfg     *Config
	logger  *zap.Logger
	reloads metric.Int64Counter
	holder  *policy.Holder
}

// Reload results, the attribute of otelcol_token_policy_reloads.
var (
	applied  = metric.WithAttributes(attribute.String("result", "applied"))
	rejected = metric.WithAttributes(attribute.String("result", "rejected"))
)

var _ policy.Source = (*policyExtension)(nil)

func (e *policyExtension) Start(context.Context, component.Host) error {
	h, err := policy.Load(e.cfg.File, e.cfg.ReloadInterval, func(err error) {
		if err != nil {
			e.logger.Warn("Kept the previous policy file: the new one is invalid", zap.Error(err))
			e.reloads.Add(context.Background(), 1, rejected)
			return
		}
		e.logger.Info("Reloaded the policy file")
		e.reloads.Add(context.Background(), 1, applied)
	})
	if err != nil {
		return fmt.Errorf("file: %w", err)
	}
	e.holder = h
	return nil
}

func (e *policyExtension) Shutdown(context.Context) error {
	e.holder.Close()
	return nil
}

// Policies is the holder of the policy in force.
func (e *policyExtension) Policies() *policy.Holder { return e.holder }
