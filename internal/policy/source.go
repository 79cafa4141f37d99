package policy

import (
	"fmt"

	"go.opentelemetry.io/collector/component"
)

// Source owns a policy for a whole collector: the token_policy extension.
// The components that name it share its one watcher of the file, so they
// switch to a new policy at the same moment.
type Source interface {
	Policies() *Holder
}

// FromHost returns the holder of the Source extension id names.
func FromHost(host component.Host, id component.ID) (*Holder, error) {
	ext, ok := host.GetExtensions()[id]
	if !ok {
		return nil, fmt.Errorf("extension %q is not configured or not in service.extensions", id)
	}
	src, ok := ext.(Source)
	if !ok {
		return nil, fmt.Errorf("extension %q does not hold a policy; use a token_policy extension", id)
	}
	h := src.Policies()
	if h == nil {
		return nil, fmt.Errorf("extension %q has not loaded its policy", id)
	}
	return h, nil
}
