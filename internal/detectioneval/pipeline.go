// Package detectioneval runs labelled traffic (internal/fieldsim) through
// the real token_audit processor and token_anomaly connector, built from
// their factories with default configurations, and scores the alerts
// against the labels. It uses only what a collector user has: the
// factories, configuration keys, the policy file and OTLP data.
package detectioneval // import "github.com/tokenaudit/tokenaudit/internal/detectioneval"

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"time"

	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/component/componenttest"
	"go.opentelemetry.io/collector/confmap"
	"go.opentelemetry.io/collector/connector"
	"go.opentelemetry.io/collector/consumer"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/collector/processor"
	"go.opentelemetry.io/collector/processor/processortest"

	"github.com/tokenaudit/tokenaudit/connector/tokenanomalyconnector"
	"github.com/tokenaudit/tokenaudit/internal/auditattr"
	"github.com/tokenaudit/tokenaudit/internal/fieldsim"
	"github.com/tokenaudit/tokenaudit/processor/tokenauditprocessor"
)

// Alert is what scoring needs of one alert record.
type Alert struct {
	Type    string
	TokenID string
	Client  string
	At      time.Time
	// Related are the member finding types of a combined_findings alert.
	Related []string
	// JTI is the registry's jti when the alert names a registered JWT that
	// the connector has not seen (so it knows no token id): evidence value
	// "jti:<jti>".
	JTI string
}

// Pipeline is token_audit (traces and logs) feeding token_anomaly
// (traces → logs and logs → logs, one component id, so one model), whose
// alerts are collected.
type Pipeline struct {
	traces     processor.Traces
	logs       processor.Logs
	connTraces connector.Traces
	connLogs   connector.Logs

	mu     sync.Mutex
	alerts []Alert
	// leaks counts alerts whose body or attributes hold a raw credential.
	leaks int
}

// configure applies user-style configuration keys to a factory's default
// configuration and validates it, as the collector does with config.yaml.
func configure(cfg component.Config, keys map[string]any) error {
	if err := confmap.NewFromStringMap(keys).Unmarshal(cfg); err != nil {
		return fmt.Errorf("unmarshal %v: %w", keys, err)
	}
	if v, ok := cfg.(interface{ Validate() error }); ok {
		if err := v.Validate(); err != nil {
			return fmt.Errorf("validate: %w", err)
		}
	}
	return nil
}

// NewPipeline writes the simulation's policy into dir and builds the
// components: every setting at its default except the fingerprint key,
// JWT verification with the simulated identity provider's key, and the
// policy file.
func NewPipeline(ctx context.Context, dir string, sim *fieldsim.Sim) (*Pipeline, error) {
	return newPipeline(ctx, dir, sim, nil)
}

// newPipeline is NewPipeline with more token_anomaly keys (a measurement
// of one setting against the defaults).
func newPipeline(ctx context.Context, dir string, sim *fieldsim.Sim, connectorKeys map[string]any) (*Pipeline, error) {
	pol, err := sim.PolicyYAML()
	if err != nil {
		return nil, err
	}
	policyPath := filepath.Join(dir, "policy.yaml")
	if err := os.WriteFile(policyPath, pol, 0o600); err != nil {
		return nil, fmt.Errorf("write policy: %w", err)
	}

	pf := tokenauditprocessor.NewFactory()
	pcfg := pf.CreateDefaultConfig()
	if err := configure(pcfg, map[string]any{
		"fingerprint": map[string]any{"key": sim.FingerprintKey},
		"jwt": map[string]any{
			"verify":       true,
			"hmac_secrets": []any{map[string]any{"key_id": sim.IssuerKID, "secret": string(sim.IssuerSecret)}},
		},
		"policy_file": policyPath,
	}); err != nil {
		return nil, fmt.Errorf("token_audit config: %w", err)
	}
	cf := tokenanomalyconnector.NewFactory()
	ccfg := cf.CreateDefaultConfig()
	keys := map[string]any{"policy_file": policyPath}
	maps.Copy(keys, connectorKeys)
	if err := configure(ccfg, keys); err != nil {
		return nil, fmt.Errorf("token_anomaly config: %w", err)
	}

	p := &Pipeline{}
	sink, err := consumer.NewLogs(p.collect)
	if err != nil {
		return nil, err
	}
	cset := connector.Settings{
		ID:                component.NewID(cf.Type()),
		TelemetrySettings: componenttest.NewNopTelemetrySettings(),
		BuildInfo:         component.NewDefaultBuildInfo(),
	}
	if p.connTraces, err = cf.CreateTracesToLogs(ctx, cset, ccfg, sink); err != nil {
		return nil, fmt.Errorf("create token_anomaly traces → logs: %w", err)
	}
	if p.connLogs, err = cf.CreateLogsToLogs(ctx, cset, ccfg, sink); err != nil {
		return nil, fmt.Errorf("create token_anomaly logs → logs: %w", err)
	}
	if p.traces, err = pf.CreateTraces(ctx, processortest.NewNopSettings(pf.Type()), pcfg, p.connTraces); err != nil {
		return nil, fmt.Errorf("create token_audit traces: %w", err)
	}
	if p.logs, err = pf.CreateLogs(ctx, processortest.NewNopSettings(pf.Type()), pcfg, p.connLogs); err != nil {
		return nil, fmt.Errorf("create token_audit logs: %w", err)
	}
	host := componenttest.NewNopHost()
	for _, c := range []component.Component{p.connTraces, p.connLogs, p.traces, p.logs} {
		if err := c.Start(ctx, host); err != nil {
			return nil, errors.Join(fmt.Errorf("start: %w", err), p.Shutdown(ctx))
		}
	}
	return p, nil
}

// Consume sends one export request through the pipeline.
func (p *Pipeline) Consume(ctx context.Context, b *fieldsim.Batch) error {
	if b.Traces.SpanCount() > 0 {
		if err := p.traces.ConsumeTraces(ctx, b.Traces); err != nil {
			return fmt.Errorf("traces: %w", err)
		}
	}
	if b.Logs.LogRecordCount() > 0 {
		if err := p.logs.ConsumeLogs(ctx, b.Logs); err != nil {
			return fmt.Errorf("logs: %w", err)
		}
	}
	return nil
}

// Shutdown stops the components, processors first.
func (p *Pipeline) Shutdown(ctx context.Context) error {
	var errs []error
	for _, c := range []component.Component{p.traces, p.logs, p.connTraces, p.connLogs} {
		if c != nil {
			errs = append(errs, c.Shutdown(ctx))
		}
	}
	return errors.Join(errs...)
}

// Alerts returns the alerts collected so far.
func (p *Pipeline) Alerts() []Alert {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]Alert(nil), p.alerts...)
}

func (p *Pipeline) collect(_ context.Context, ld plog.Logs) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, rl := range ld.ResourceLogs().All() {
		for _, sl := range rl.ScopeLogs().All() {
			for _, lr := range sl.LogRecords().All() {
				if lr.EventName() != auditattr.EventAnomaly {
					continue
				}
				p.alerts = append(p.alerts, alertOf(lr))
				if leaks(lr) {
					p.leaks++
				}
			}
		}
	}
	return nil
}

func alertOf(lr plog.LogRecord) Alert {
	a := lr.Attributes()
	str := func(k string) string {
		if v, ok := a.Get(k); ok {
			return v.AsString()
		}
		return ""
	}
	al := Alert{
		Type:    str(auditattr.FindingType),
		TokenID: str(auditattr.TokenID),
		Client:  str(auditattr.ClientAddress),
		At:      lr.Timestamp().AsTime(),
	}
	if v, ok := a.Get(auditattr.EvidenceValues); ok && v.Type() == pcommon.ValueTypeSlice && al.TokenID == "" {
		for _, m := range v.Slice().All() {
			if jti, ok := strings.CutPrefix(m.AsString(), "jti:"); ok {
				al.JTI = jti
			}
		}
	}
	if v, ok := a.Get(auditattr.FindingRelated); ok && v.Type() == pcommon.ValueTypeSlice {
		for _, m := range v.Slice().All() {
			typ, _, _ := strings.Cut(m.AsString(), ":")
			al.Related = append(al.Related, typ)
		}
	}
	return al
}

// rawCredential matches credentials of the shapes the simulation sends:
// a JWT's first two segments, and the prefixed keys. Hints (prefix and
// last four characters) do not match.
var rawCredential = regexp.MustCompile(`eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}|glpat-[A-Za-z0-9]{20}|ghp_[A-Za-z0-9]{36}|rk_live_[A-Za-z0-9]{24}`)

func leaks(lr plog.LogRecord) bool {
	if rawCredential.MatchString(lr.Body().AsString()) {
		return true
	}
	for _, v := range lr.Attributes().All() {
		if rawCredential.MatchString(v.AsString()) {
			return true
		}
	}
	return false
}

// Leaks is how many alerts carried a raw credential.
func (p *Pipeline) Leaks() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.leaks
}
