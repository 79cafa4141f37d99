package integration

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/pdata/plog"

	"github.com/tokenaudit/tokenaudit/internal/auditattr"
	"github.com/tokenaudit/tokenaudit/internal/fingerprint"
	"github.com/tokenaudit/tokenaudit/internal/scenario"
)

// scenarioConfig is otlp → token_audit → token_anomaly with the
// scenario's policy in both, learned state in file_storage, alerts to the
// test's OTLP sink and metrics to a Prometheus endpoint. The detector
// periods are the ones the scenario is built for (10 days of traffic).
const scenarioConfig = `
receivers:
  otlp:
    protocols:
      http:
        endpoint: {{OTLP}}
processors:
  token_audit:
    fingerprint:
      key_file: {{DIR}}/fingerprint.key
    jwt:
      verify: true
      hmac_secrets:
        - {key_id: scenario, secret: "{{SECRET}}"}
    policy_file: {{DIR}}/policy.yaml
connectors:
  token_anomaly:
    policy_file: {{DIR}}/policy.yaml
    storage: file_storage
    metrics:
      flush_interval: 1s
    detectors:
      stale_token: {idle_after: {{STALE}}}
      resurrected_token: {idle_after: {{DORMANT}}}
      unused_scopes: {tracking_period: {{TRACKING}}}
      expiring_soon: {within: {{EXPIRING}}}
      excessive_lifetime: {max_lifetime: {{LIFETIME}}}
extensions:
  file_storage:
    directory: {{DIR}}/state
exporters:
  otlphttp:
    endpoint: {{SINK}}
    compression: none
  prometheus:
    endpoint: 127.0.0.1:{{PROM}}
service:
  extensions: [file_storage]
  pipelines:
    traces:
      receivers: [otlp]
      processors: [token_audit]
      exporters: [token_anomaly]
    logs/alerts:
      receivers: [token_anomaly]
      exporters: [otlphttp]
    metrics:
      receivers: [token_anomaly]
      exporters: [prometheus]
`

// TestIntegrationScenario replays a generated scenario (ten days of
// diurnal traffic of 540 tokens with labelled misuse on the last two) as
// raw requests with real credentials through the built distribution, and
// restarts the collector just before the misuse begins. It checks that
// every injection of every finding type the raw requests can carry is
// alerted for the right token by the right detector, that alerts of those
// types are not raised elsewhere (precision), that the restarted collector
// kept its baselines (the learned detectors still find their injections,
// which a collector starting from nothing would not), that the metrics
// reach the Prometheus endpoint, and that no credential leaves.
func TestIntegrationScenario(t *testing.T) {
	s := scenario.Generate(scenario.Config{Seed: 11, Users: 300, Services: 240, Busy: 4, PerType: 3})
	secret := "scenario-hmac-secret-0123456789abcdef"
	raw := scenario.NewRaw([]byte(secret))
	dir := t.TempDir()
	keyText, err := fingerprint.GenerateKey()
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(filepath.Join(dir, "fingerprint.key"), []byte(keyText), 0o600))
	require.NoError(t, os.MkdirAll(filepath.Join(dir, "state"), 0o700))
	key, err := fingerprint.ParseKey(keyText)
	require.NoError(t, err)
	fp, err := fingerprint.New(key, "tok_")
	require.NoError(t, err)

	// The processor names tokens by fingerprint: translate the policy's
	// registry and the labels from the scenario's ids.
	idOf := func(e *scenario.Event) string {
		return fp.TokenID(strings.TrimPrefix(raw.Credential(e), "Bearer "))
	}
	policy := s.Policy
	tokenKey := map[string]string{} // scenario token id → token_audit's
	labelKey := map[int]string{}    // label → the key its alerts carry
	hasEvents := map[int]bool{}
	secrets := map[string]bool{}
	for i := range s.Events {
		e := &s.Events[i]
		hasEvents[e.Label] = true
		if !raw.Renders(e) {
			continue
		}
		secrets[strings.TrimPrefix(raw.Credential(e), "Bearer ")] = true
		if _, ok := tokenKey[e.TokenID]; !ok && len(e.Violations) == 0 {
			tokenKey[e.TokenID] = idOf(e)
			policy = strings.ReplaceAll(policy, e.TokenID, idOf(e))
		}
		if _, ok := labelKey[e.Label]; e.Label >= 0 && !ok {
			labelKey[e.Label] = idOf(e) // a verdict's token is its own
		}
	}
	for li, l := range s.Labels {
		switch {
		case l.Token == "":
			labelKey[li] = l.Client
		case hasEvents[li] && labelKey[li] == "":
			// A verdict the raw requests cannot carry (it needs a policy
			// of its own): left out of the score.
		case labelKey[li] == "":
			labelKey[li] = tokenKey[l.Token]
		}
	}
	require.NoError(t, os.WriteFile(filepath.Join(dir, "policy.yaml"), []byte(policy), 0o600))

	sink := startSink(t)
	prom := freePort(t)
	cfg := strings.NewReplacer("{{SECRET}}", secret, "{{PROM}}", fmt.Sprint(prom),
		"{{STALE}}", s.Config.StaleAfter.String(), "{{DORMANT}}", s.Config.DormantAfter.String(),
		"{{TRACKING}}", s.Config.TrackingPeriod.String(), "{{EXPIRING}}", s.Config.ExpiringWithin.String(),
		"{{LIFETIME}}", s.Config.MaxLifetime.String()).Replace(scenarioConfig)

	// Restart just before the first injection of a learned finding: what
	// the detectors learned in the first eight days must survive it.
	restartAt := s.Config.Start.Add(time.Duration(s.Config.Days-2) * 24 * time.Hour)
	cut, _ := slices.BinarySearchFunc(s.Events, restartAt, func(e scenario.Event, at time.Time) int { return e.At.Compare(at) })
	var logs strings.Builder
	for part, events := range [][]scenario.Event{s.Events[:cut], s.Events[cut:]} {
		began := time.Now()
		col := startCollectorIn(t, dir, cfg, sink.addr)
		const batch = 2000
		for i := 0; i < len(events); i += batch {
			col.sendTraces(t, raw.Traces(events[i:min(i+batch, len(events))]))
		}
		if part == 1 {
			waitForMetric(t, prom, "tokenaudit_anomalies")
			logs.WriteString(httpGet(t, fmt.Sprintf("http://127.0.0.1:%d/metrics", prom)))
		}
		sent := time.Now()
		col.stop(t) // the shutdown flushes alerts and saves the learned state
		t.Logf("part %d: %d spans sent in %s, stopped in %s", part, len(events), sent.Sub(began).Round(time.Millisecond), time.Since(sent).Round(time.Millisecond))
		logs.WriteString(col.log.String())
		if part == 1 {
			assert.Contains(t, col.log.String(), "Loaded the saved state", "the restarted collector found its state")
		}
	}

	// Score each label type against the alerts, as the connector's
	// quality test does.
	scored := map[string]bool{}
	for li, l := range s.Labels {
		if labelKey[li] != "" {
			for _, typ := range l.Types {
				scored[typ] = true
			}
		}
	}
	type hit struct{ label, typ int }
	found := map[hit]bool{}
	alerts, wrong := map[string]int{}, map[string]int{}
	for _, lr := range sinkLogs(sink) {
		typ := attrStr(lr, auditattr.FindingType)
		if !scored[typ] {
			continue
		}
		key := attrStr(lr, auditattr.TokenID)
		if key == "" {
			key = attrStr(lr, auditattr.ClientAddress)
		}
		at := lr.Timestamp().AsTime()
		alerts[typ]++
		matched := false
		for li, l := range s.Labels {
			ti := slices.Index(l.Types, typ)
			if ti < 0 || labelKey[li] != key || at.Before(l.Start.Add(-time.Minute)) || at.After(l.End) {
				continue
			}
			matched = true
			found[hit{li, ti}] = true
		}
		if !matched {
			wrong[typ]++
			t.Logf("unlabelled %s on %s at %s: %s", typ, key, at.Format(time.RFC3339), lr.Body().Str())
		}
	}
	for li, l := range s.Labels {
		if labelKey[li] == "" {
			continue
		}
		for ti, typ := range l.Types {
			assert.True(t, found[hit{li, ti}], "missed %s (%s)", typ, l.String())
		}
	}
	types := make([]string, 0, len(scored))
	for typ := range scored {
		types = append(types, typ)
	}
	slices.Sort(types)
	for _, typ := range types {
		t.Logf("%-22s alerts %3d, unlabelled %d", typ, alerts[typ], wrong[typ])
		assert.LessOrEqual(t, float64(wrong[typ]), 0.05*float64(alerts[typ]), "precision of %s", typ)
	}
	assert.GreaterOrEqual(t, len(types), 16, "finding types scored: %v", types)

	// One pass for anything shaped like the scenario's credentials (the
	// state files are tens of MB; a search per secret would take a minute).
	everything := logs.String() + sink.rawString() + filesUnder(t, filepath.Join(dir, "state"))
	shaped := regexp.MustCompile(`sc_[0-9a-f]{64}|eyJ[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+`)
	for _, m := range shaped.FindAllString(everything, -1) {
		assert.False(t, secrets[m], "a credential left the processor: %.20s…", m)
	}
	assert.NotContains(t, everything, secret)
}

// waitForMetric scrapes the Prometheus endpoint until name appears.
func waitForMetric(t *testing.T, port int, name string) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for !strings.Contains(httpGet(t, fmt.Sprintf("http://127.0.0.1:%d/metrics", port)), name) {
		require.True(t, time.Now().Before(deadline), "no %s on the Prometheus endpoint", name)
		time.Sleep(200 * time.Millisecond)
	}
}

// sinkLogs returns every log record the sink received.
func sinkLogs(s *sink) []plog.LogRecord {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []plog.LogRecord
	for _, ld := range s.logs {
		for _, rl := range ld.ResourceLogs().All() {
			for _, sl := range rl.ScopeLogs().All() {
				for _, lr := range sl.LogRecords().All() {
					out = append(out, lr)
				}
			}
		}
	}
	return out
}

func attrStr(lr plog.LogRecord, key string) string {
	if v, ok := lr.Attributes().Get(key); ok {
		return v.AsString()
	}
	return ""
}

func (s *sink) rawString() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.raw.String()
}
