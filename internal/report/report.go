package report

import "time"

// Report is the whole compliance report; every output format renders it.
type Report struct {
	// Verdict comes first in every format: VERIFIED, or UNVERIFIED and why.
	Verdict         string           `json:"verdict"`
	Generated       time.Time        `json:"generated"`
	Directory       string           `json:"directory"`
	From            *time.Time       `json:"from,omitempty"`
	To              *time.Time       `json:"to,omitempty"`
	ReferenceTime   time.Time        `json:"reference_time"` // "now" for staleness and expiry
	Pseudonymized   bool             `json:"pseudonymized"`
	Integrity       Integrity        `json:"integrity"`
	Totals          Totals           `json:"totals"`
	Timeline        Timeline         `json:"timeline"`
	Activity        Activity         `json:"activity"`
	Tokens          []Token          `json:"tokens"`
	OtherTokens     Rest             `json:"other_tokens"`
	Principals      []Principal      `json:"principals"`
	OtherPrincipals Rest             `json:"other_principals"`
	Failures        []Failure        `json:"failures"`
	OtherFailures   Rest             `json:"other_failures"`
	Findings        Findings         `json:"findings"`
	Hygiene         Hygiene          `json:"hygiene"`
	Lifecycle       []LifecycleEvent `json:"lifecycle"`
	Compliance      []ComplianceRow  `json:"pci_dss_10_2_2"`
	Notes           []string         `json:"notes,omitempty"`
}

// Integrity is what auditlog.Verify said about the log.
type Integrity struct {
	Verified       bool      `json:"verified"`
	Problems       []string  `json:"problems,omitempty"`
	Origin         string    `json:"origin"`
	Records        int64     `json:"records"`
	TreeSize       int64     `json:"tree_size"`
	Checkpoints    int       `json:"checkpoints"`
	LastCheckpoint time.Time `json:"last_checkpoint"`
	SignedRecords  int64     `json:"signed_records"`
	Unsigned       int64     `json:"unsigned"`
	Segments       int       `json:"segments"`
}

// Totals count the records read.
type Totals struct {
	Records     int64 `json:"records"`
	APIActivity int64 `json:"api_activity"`
	Findings    int64 `json:"findings"`
	Lifecycle   int64 `json:"lifecycle"`
	OtherClass  int64 `json:"other_class"`
	Unreadable  int64 `json:"unreadable"`
	OutOfPeriod int64 `json:"out_of_period"`
}

// Outcomes count requests by outcome.
type Outcomes struct {
	Success int64 `json:"success"`
	Failure int64 `json:"failure"`
	Denied  int64 `json:"denied"`
	Error   int64 `json:"error"`
	Unknown int64 `json:"unknown"`
}

func (o *Outcomes) add(outcome string) {
	switch outcome {
	case "success":
		o.Success++
	case "failure":
		o.Failure++
	case "denied":
		o.Denied++
	case "error":
		o.Error++
	default:
		o.Unknown++
	}
}

// Total is the number of requests.
func (o Outcomes) Total() int64 { return o.Success + o.Failure + o.Denied + o.Error + o.Unknown }

// Failed is failure + denied + error.
func (o Outcomes) Failed() int64 { return o.Failure + o.Denied + o.Error }

// Rest is what a cap left out.
type Rest struct {
	// Keys counts entries left out; under a cap that churns, one key
	// dropped twice counts twice. Requests is exact: listed + Requests is
	// the total.
	Keys     int64 `json:"keys"`
	Requests int64 `json:"requests"`
}

// Activity is the whole period's activity over the timeline.
type Activity struct {
	Outcomes Outcomes `json:"outcomes"`
	Requests []int64  `json:"requests"`
	Failed   []int64  `json:"failed"`
	Findings []int64  `json:"findings"`
}

// ResourceUse is requests to one resource.
type ResourceUse struct {
	Resource string   `json:"resource"`
	Outcomes Outcomes `json:"outcomes"`
}

// Token is one token's use.
type Token struct {
	ID              string        `json:"id"`
	Type            string        `json:"type,omitempty"`
	Status          string        `json:"status,omitempty"`
	Requests        int64         `json:"requests"`
	Outcomes        Outcomes      `json:"outcomes"`
	FirstSeen       time.Time     `json:"first_seen"`
	LastSeen        time.Time     `json:"last_seen"`
	IssuedAt        *time.Time    `json:"issued_at,omitempty"`
	ExpiresAt       *time.Time    `json:"expires_at,omitempty"`
	Resources       []ResourceUse `json:"resources"`
	OtherResources  Rest          `json:"other_resources"`
	Principals      Counts        `json:"principals"`
	ClientAddresses Counts        `json:"client_addresses"`
	Violations      Counts        `json:"violations"`
	Findings        int64         `json:"findings"`
	Scopes          ScopeUse      `json:"scopes"`
	Series          []int64       `json:"series"`
}

// ScopeUse compares the scopes a token was granted with those its
// successful requests needed.
type ScopeUse struct {
	Granted []string `json:"granted"`
	// Analysed is true when a policy mapped scopes to resources.
	Analysed bool `json:"analysed"`
	// Needed is a smallest set (greedy) of granted scopes that allows every
	// governed resource the token called successfully.
	Needed []string `json:"needed,omitempty"`
	Unused []string `json:"unused,omitempty"`
	// Uncovered are resources called successfully that no granted scope
	// allows.
	Uncovered        []string `json:"uncovered,omitempty"`
	OverPermissioned bool     `json:"over_permissioned"`
	// Partial is true when the resource list was capped.
	Partial bool `json:"partial,omitempty"`
}

// Principal is one principal's activity.
type Principal struct {
	ID              string        `json:"id"`
	Requests        int64         `json:"requests"`
	Outcomes        Outcomes      `json:"outcomes"`
	FirstSeen       time.Time     `json:"first_seen"`
	LastSeen        time.Time     `json:"last_seen"`
	Resources       []ResourceUse `json:"resources"`
	OtherResources  Rest          `json:"other_resources"`
	Tokens          Counts        `json:"tokens"`
	ClientAddresses Counts        `json:"client_addresses"`
	Series          []int64       `json:"series"`
}

// Failure is failed, denied or erroring requests of one token and
// principal on one resource.
type Failure struct {
	Token      string    `json:"token"`
	Principal  string    `json:"principal"`
	Resource   string    `json:"resource"`
	Outcome    string    `json:"outcome"`
	Count      int64     `json:"count"`
	First      time.Time `json:"first"`
	Last       time.Time `json:"last"`
	LastClient string    `json:"last_client,omitempty"`
}

// Findings are the Detection Findings.
type Findings struct {
	Total      int64     `json:"total"`
	ByType     Counts    `json:"by_type"`
	BySeverity Counts    `json:"by_severity"`
	List       []Finding `json:"list"`
	Omitted    int64     `json:"omitted"`
}

// Finding is one Detection Finding with its evidence.
type Finding struct {
	Time      time.Time `json:"time"`
	ID        string    `json:"id"`
	Type      string    `json:"type"`
	Severity  string    `json:"severity"`
	Title     string    `json:"title,omitempty"`
	Token     string    `json:"token,omitempty"`
	Principal string    `json:"principal,omitempty"`
	Resource  string    `json:"resource,omitempty"`
	Count     int64     `json:"count,omitempty"`
	DryRun    bool      `json:"dry_run,omitempty"`
	Evidence  Evidence  `json:"evidence"`
}

// Evidence is what a finding observed.
type Evidence struct {
	Observed  *float64 `json:"observed,omitempty"`
	Baseline  *float64 `json:"baseline,omitempty"`
	Threshold *float64 `json:"threshold,omitempty"`
	WindowS   *int64   `json:"window_seconds,omitempty"`
	Values    string   `json:"values,omitempty"` // JSON text as logged
}

// Hygiene lists tokens that need attention.
type Hygiene struct {
	Stale             []TokenNote `json:"stale"`
	ExpiringSoon      []TokenNote `json:"expiring_soon"`
	NoExpiry          []TokenNote `json:"no_expiry"`
	ExcessiveLifetime []TokenNote `json:"excessive_lifetime"`
	OverPermissioned  []TokenNote `json:"over_permissioned"`
}

// TokenNote is one token in a hygiene list.
type TokenNote struct {
	ID     string `json:"id"`
	Name   string `json:"name,omitempty"`
	Owner  string `json:"owner,omitempty"`
	Detail string `json:"detail"`
}

// LifecycleEvent is one of the exporter's own events (start, stop, keys…).
type LifecycleEvent struct {
	Time     time.Time `json:"time"`
	Activity string    `json:"activity"`
	Event    string    `json:"event"`
	Message  string    `json:"message"`
}

// ComplianceRow is one PCI DSS 10.2.2 element and how many API Activity
// records carry it.
type ComplianceRow struct {
	Element  string `json:"element"`
	Field    string `json:"ocsf_field"`
	Present  int64  `json:"present"`
	Of       int64  `json:"of"`
	Complete bool   `json:"complete"`
}
