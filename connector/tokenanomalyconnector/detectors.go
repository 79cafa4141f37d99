package tokenanomalyconnector

import (
	"fmt"
	"net/netip"
	"strings"

	"github.com/tokenaudit/tokenaudit/internal/auditattr"
	"github.com/tokenaudit/tokenaudit/internal/policy"
)

// detector is a detector's common settings, compiled.
type detector struct {
	enabled, dryRun bool
	networks        []netip.Prefix
	principals      map[string]bool
	tokens          map[string]bool
	issuers         map[string]bool     // matched against verified JWTs' iss only
	severity        map[string]severity // base severity of each finding it raises
	state           any                 // a registered detector's own state (see detectorSpec.compile)
}

func compileDetector(name string, c DetectorConfig) (detector, error) {
	nets, err := policy.ParseNetworks(c.Exclude.Networks)
	if err != nil {
		return detector{}, fmt.Errorf("detectors.%s.exclude.networks%w", name, err)
	}
	d := detector{enabled: c.Enabled, dryRun: c.DryRun, networks: nets}
	if len(c.Exclude.Principals) > 0 {
		d.principals = map[string]bool{}
		for _, p := range c.Exclude.Principals {
			d.principals[p] = true
		}
	}
	if len(c.Exclude.Tokens) > 0 {
		d.tokens = map[string]bool{}
		for _, t := range c.Exclude.Tokens {
			d.tokens[t] = true
		}
	}
	if len(c.Exclude.Issuers) > 0 {
		d.issuers = map[string]bool{}
		for _, iss := range c.Exclude.Issuers {
			if iss = strings.TrimSpace(iss); iss != "" { // "" would match every unverified token
				d.issuers[iss] = true
			}
		}
	}
	return d, nil
}

// applies reports whether the detector judges this item.
func (d *detector) applies(ev *event) bool {
	if !d.enabled {
		return false
	}
	if d.tokens[ev.tokenID] || d.principals[ev.principal] || d.issuers[ev.verifiedIssuer] {
		return false
	}
	if len(d.networks) > 0 {
		if a := ev.addr(); a.IsValid() {
			for _, p := range d.networks {
				if p.Contains(a) {
					return false
				}
			}
		}
	}
	return true
}

// compiledDetectors holds the common settings of the detectors that
// existed before the registry, by name for their detect functions, and
// what their compile hooks derive from their sections.
type compiledDetectors struct {
	violations, failed, denied, stuffing, rate, newAddress, newResource, multi, offHours,
	stale, resurrected, unusedScopes, expiring, lifetime detector

	alertVerdicts                     map[string]bool
	failedOutcomes, stuffingOutcomes  outcomeSet
	deniedOutcomes                    outcomeSet
	addressOutcomes, resourceOutcomes outcomeSet
}

func setOf(list []string) map[string]bool {
	s := make(map[string]bool, len(list))
	for _, v := range list {
		s[v] = true
	}
	return s
}

// outcomeSet is a detector's outcomes: the contract's four as bits, so
// that the lookup on every item is a compare, not a map's hash; any
// other value in a map.
type outcomeSet struct {
	bits  uint8
	other map[string]bool
}

// outcomeBit is the bit of one of the contract's outcomes, 0 for another value.
func outcomeBit(o string) uint8 {
	switch o {
	case auditattr.OutcomeSuccess:
		return 1
	case auditattr.OutcomeFailure:
		return 2
	case auditattr.OutcomeDenied:
		return 4
	case auditattr.OutcomeError:
		return 8
	}
	return 0
}

func outcomesOf(list []string) outcomeSet {
	var s outcomeSet
	for _, o := range list {
		if b := outcomeBit(o); b != 0 {
			s.bits |= b
		} else {
			if s.other == nil {
				s.other = map[string]bool{}
			}
			s.other[o] = true
		}
	}
	return s
}

func (s *outcomeSet) has(o string) bool {
	if b := outcomeBit(o); b != 0 {
		return s.bits&b != 0
	}
	return s.other[o]
}

// newFinding fills what every finding of an item carries.
func newFinding(typ string, d *detector, ev *event) *finding {
	return &finding{
		typ: typ, sev: d.severity[typ], dryRun: d.dryRun, ev: ev, at: ev.at,
		tokenID: ev.tokenID, principal: ev.principal, resourceName: ev.resource, client: ev.client,
	}
}

// outcomeRaises: a call the service accepted is worse than one it refused.
func outcomeRaises(ev *event) int {
	if ev.outcome == auditattr.OutcomeSuccess {
		return 1
	}
	return 0
}

// Finding types, short names for the detectors' files.
const (
	typeFailedAttempts     = auditattr.FindingFailedAttempts
	typeDeniedAccess       = auditattr.FindingDeniedAccess
	typeCredentialStuffing = auditattr.FindingCredentialStuffing
	typeRateSurge          = auditattr.FindingRateSurge
	typeNewClientAddress   = auditattr.FindingNewClientAddress
	typeNewResource        = auditattr.FindingNewResource
	typeMultiAddress       = auditattr.FindingMultiAddress
	typeOffHours           = auditattr.FindingOffHours
	typeStaleToken         = auditattr.FindingStaleToken
	typeResurrectedToken   = auditattr.FindingResurrectedToken
	typeUnusedScopes       = auditattr.FindingUnusedScopes
	typeExpiringSoon       = auditattr.FindingExpiringSoon
	typeExcessiveLifetime  = auditattr.FindingExcessiveLifetime
)
