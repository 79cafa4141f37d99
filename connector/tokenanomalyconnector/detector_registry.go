package tokenanomalyconnector

import (
	"fmt"
	"slices"

	"go.opentelemetry.io/collector/confmap"

	"github.com/tokenaudit/tokenaudit/internal/auditattr"
)

// stage is when a detector sees an item.
type stage uint8

const (
	// stageItem: every item as it arrives, late or not (stateless verdicts).
	stageItem stage = iota
	// stageClient: each item within the lateness, in event-time order,
	// before its token's state is loaded (state per client address).
	stageClient
	// stageToken: each item of a token within the lateness, in event-time
	// order, with the token's state.
	stageToken
	// stageTick: once a minute of event time, without an item.
	stageTick
	stageCount
)

// detectorSettings is a detector's section under detectors: a struct that
// embeds DetectorConfig with mapstructure ",squash".
type detectorSettings interface{ common() *DetectorConfig }

func (c *DetectorConfig) common() *DetectorConfig { return c }

// detectorSpec is everything the connector needs of one detector: adding a
// detector is one file that returns its spec and one line in
// builtinRegistry (README, "Adding a detector").
type detectorSpec struct {
	// name is its key under detectors: and in error messages.
	name string
	// findings are the finding types it raises with their base severity,
	// in vocabulary order.
	findings []findingSeverity
	// defaults returns its section with the default values. A detector
	// whose section is a field of DetectorsConfig (those that existed
	// before the registry, read by name elsewhere) sets field instead.
	defaults func() detectorSettings
	field    func(*DetectorsConfig) detectorSettings
	// validate checks its own keys; the common keys are checked for it.
	validate func(s detectorSettings, v *validator)
	// compile prepares what observe needs beyond the common settings
	// (derived constants in m, state in d.state); optional.
	compile func(m *model, d *detector, s detectorSettings) error
	// stage and observe: when it sees an item and what it does with it.
	// observe is nil for a detector judged by a sibling's observe (one
	// pass over a shared state: new_resource with new_client_address).
	stage   stage
	observe observeFunc
	// slot is where the detect functions find the compiled settings of a
	// detector that existed before the registry; nil for the others,
	// which get theirs as observe's d.
	slot func(*compiledDetectors) *detector
}

// observeFunc runs a detector on one item; st is nil outside stageToken
// and ev is nil at stageTick.
type observeFunc func(m *model, d *detector, ev *event, st *tokenState)

type findingSeverity struct {
	typ string
	sev severity
}

// detectorRegistry is the detectors a connector runs, in the order they
// see an item: the order decides which of two findings of one item is
// raised first (escalation), so a new detector goes last in its stage.
type detectorRegistry struct {
	specs []detectorSpec
}

// builtinRegistry is every detector of the connector.
var builtinRegistry = &detectorRegistry{specs: []detectorSpec{
	violationsSpec(),
	credentialStuffingSpec(),
	resurrectedTokenSpec(),
	expiringSoonSpec(),
	excessiveLifetimeSpec(),
	unusedScopesSpec(),
	failedAttemptsSpec(),
	deniedAccessSpec(),
	rateSurgeSpec(),
	newClientAddressSpec(),
	newResourceSpec(),
	multiAddressSpec(),
	offHoursSpec(),
	staleTokenSpec(),
}}

// withDetectors returns a registry with more detectors after these.
func (r *detectorRegistry) withDetectors(more ...detectorSpec) *detectorRegistry {
	return &detectorRegistry{specs: append(slices.Clone(r.specs), more...)}
}

// findingTypes is every finding the registry's detectors raise, then the
// escalation's combined finding.
func (r *detectorRegistry) findingTypes() []string {
	var out []string
	for _, s := range r.specs {
		for _, f := range s.findings {
			if !slices.Contains(out, f.typ) {
				out = append(out, f.typ)
			}
		}
	}
	return append(out, auditattr.FindingCombined)
}

// findingTypes is every finding the connector can raise.
func findingTypes() []string { return builtinRegistry.findingTypes() }

// useRegistry sets the detectors of a default configuration and their
// default sections.
func (d *DetectorsConfig) useRegistry(r *detectorRegistry) {
	d.registry = r
	for _, s := range r.specs {
		if s.field == nil {
			if d.sections == nil {
				d.sections = map[string]detectorSettings{}
			}
			d.sections[s.name] = s.defaults()
		}
	}
}

// detectors is the configuration's registry; a Config built by hand runs
// the built-in detectors.
func (d *DetectorsConfig) detectors() *detectorRegistry {
	if d.registry == nil {
		return builtinRegistry
	}
	return d.registry
}

// settings is a detector's section.
func (d *DetectorsConfig) settings(s *detectorSpec) detectorSettings {
	if s.field != nil {
		return s.field(d)
	}
	if sec, ok := d.sections[s.name]; ok {
		return sec
	}
	return s.defaults()
}

// Unmarshal decodes the sections of the detectors without a field of
// their own, then the rest as usual (unknown keys stay errors).
func (d *DetectorsConfig) Unmarshal(conf *confmap.Conf) error {
	raw := conf.ToStringMap()
	for _, s := range d.detectors().specs {
		if s.field != nil || !conf.IsSet(s.name) {
			continue
		}
		sub, err := conf.Sub(s.name)
		if err != nil {
			return fmt.Errorf("%s: %w", s.name, err)
		}
		sec := d.settings(&s)
		if err := sub.Unmarshal(sec); err != nil {
			return fmt.Errorf("%s: %w", s.name, err)
		}
		if d.sections == nil {
			d.sections = map[string]detectorSettings{}
		}
		d.sections[s.name] = sec
		delete(raw, s.name)
	}
	// A type without this method decodes the rest: a new Conf would call
	// it again.
	type sectionFields DetectorsConfig
	return confmap.NewFromStringMap(raw).Unmarshal((*sectionFields)(d))
}

// validate checks every detector's section; each error names the field.
func (d *DetectorsConfig) validate() []error {
	var v validator
	for _, s := range d.detectors().specs {
		sec := d.settings(&s)
		v.common(s.name, sec.common())
		if s.validate != nil {
			s.validate(sec, &v)
		}
	}
	return v.errs
}

// compileDetectors compiles every detector's settings into m.det and
// lists the observers of each stage in registry order.
func (m *model) compileDetectors(c *DetectorsConfig) error {
	for _, s := range c.detectors().specs {
		sec := c.settings(&s)
		d := new(detector)
		if s.slot != nil {
			d = s.slot(&m.det)
		}
		var err error
		if *d, err = compileDetector(s.name, *sec.common()); err != nil {
			return err
		}
		d.severity = make(map[string]severity, len(s.findings))
		for _, f := range s.findings {
			d.severity[f.typ] = f.sev
		}
		if s.compile != nil {
			if err := s.compile(m, d, sec); err != nil {
				return fmt.Errorf("detectors.%s: %w", s.name, err)
			}
		}
		if s.observe != nil {
			m.observers[s.stage] = append(m.observers[s.stage], observer{d: d, fn: s.observe})
		}
	}
	return nil
}

// observer is one detector's observe with its compiled settings.
type observer struct {
	d  *detector
	fn observeFunc
}

// observe runs a stage's detectors on one item.
func (m *model) observe(s stage, ev *event, st *tokenState) {
	for _, o := range m.observers[s] {
		o.fn(m, o.d, ev, st)
	}
}
