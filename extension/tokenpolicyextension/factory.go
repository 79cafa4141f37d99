// Package tokenpolicyextension is the token_policy extension: the one owner
// of the policy file in a collector (docs/policy.md).
package tokenpolicyextension // import "github.com/tokenaudit/tokenaudit/extension/tokenpolicyextension"

import (
	"context"
	"fmt"
	"time"

	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/extension"
	"go.opentelemetry.io/otel/metric"
)

var typ = component.MustNewType("token_policy")

// NewFactory returns the token_policy extension factory.
func NewFactory() extension.Factory {
	return extension.NewFactory(typ,
		func() component.Config { return &Config{ReloadInterval: 10 * time.Second} },
		func(_ context.Context, set extension.Settings, cfg component.Config) (extension.Extension, error) {
			reloads, err := set.MeterProvider.Meter("github.com/tokenaudit/tokenaudit/extension/tokenpolicyextension").Int64Counter(
				"otelcol_token_policy_reloads",
				metric.WithDescription("Reloads of the policy file, by result (applied or rejected)."),
				metric.WithUnit("{reloads}"))
			if err != nil {
				return nil, fmt.Errorf("telemetry: %w", err)
			}
			return &policyExtension{cfg: cfg.(*Config), logger: set.Logger, reloads: reloads}, nil
		},
		component.StabilityLevelAlpha)
}
