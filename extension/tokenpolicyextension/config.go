package tokenpolicyextension // import "github.com/tokenaudit/tokenaudit/extension/tokenpolicyextension"

import (
	"errors"
	"time"
)

// Config of the token_policy extension.
type Config struct {
	// File is the policy YAML (docs/policy.md).
	File string `mapstructure:"file"`
	// ReloadInterval is how often the file is checked; 0 never reloads.
	ReloadInterval time.Duration `mapstructure:"reload_interval"`
}

// Validate names the field and the fix.
func (c *Config) Validate() error {
	var errs []error
	if c.File == "" {
		errs = append(errs, errors.New("file: empty; name the policy YAML (docs/policy.md)"))
	}
	if c.ReloadInterval < 0 {
		errs = append(errs, errors.New("reload_interval: negative; use 0 to never reload"))
	}
	return errors.Join(errs...)
}
