package tokenanomalyconnector

import (
	"fmt"

	"go.opentelemetry.io/collector/component"
	"go.uber.org/zap"

	"github.com/tokenaudit/tokenaudit/internal/policy"
)

// hasPolicy: a policy file or a token_policy extension is configured.
func (m *model) hasPolicy() bool { return m.cfg.PolicyFile != "" || m.cfg.PolicyExtension != nil }

// loadPolicies takes the policy from the token_policy extension, which
// owns it for the whole collector, or else loads policy_file here.
func (m *model) loadPolicies(host component.Host) (*policy.Holder, error) {
	if id := m.cfg.PolicyExtension; id != nil {
		h, err := policy.FromHost(host, *id)
		if err != nil {
			return nil, fmt.Errorf("policy_extension: %w", err)
		}
		return h, nil
	}
	h, err := policy.Load(m.cfg.PolicyFile, m.cfg.ReloadInterval, func(err error) {
		if err != nil {
			m.logger.Warn("Kept the previous policy file: the new version does not parse", zap.Error(err))
		}
	})
	if err != nil {
		return nil, fmt.Errorf("policy_file: %w", err)
	}
	return h, nil
}

// closePolicies stops the policy watcher this model started; a
// token_policy extension's holder is the extension's to close.
func (m *model) closePolicies() {
	if m.cfg.PolicyExtension == nil {
		m.policies.Close()
	}
}
