package auditeventsconnector // import "github.com/tokenaudit/tokenaudit/connector/auditeventsconnector"

// Config of the audit_events connector.
type Config struct {
	// OnlyAudited forwards only spans that carry the audit attributes
	// (tokenaudit.token.id or tokenaudit.outcome), the only ones the
	// second tier records; the others are counted and dropped. With false,
	// every span becomes a log record.
	OnlyAudited bool `mapstructure:"only_audited"`

	_ struct{}
}

// Validate has nothing to check: both values of the one option are valid.
// It exists so that the collector's config checks treat this component
// like the others.
func (*Config) Validate() error { return nil }
