package auditattr

// EventAnomaly is the EventName of an alert log record written by the
// token_anomaly connector.
const EventAnomaly = "tokenaudit.anomaly"

// Attribute keys of an alert (README "Alerts"). The token, principal,
// resource and client attributes of the contract are written beside them.
const (
	FindingType      = "tokenaudit.finding.type"
	FindingID        = "tokenaudit.finding.id"
	FindingCount     = "tokenaudit.finding.count"
	FindingFirstSeen = "tokenaudit.finding.first_seen" // int, unix ms
	FindingLastSeen  = "tokenaudit.finding.last_seen"  // int, unix ms
	FindingSeverity  = "tokenaudit.finding.severity"   // low, medium, high, critical
	// FindingRelated lists the findings ("type:id") that a combined finding
	// stands for.
	FindingRelated = "tokenaudit.finding.related"
	// FindingDryRun marks anomaly counts of detectors in dry-run mode.
	FindingDryRun = "tokenaudit.finding.dry_run"

	EvidenceObserved  = "tokenaudit.evidence.observed"  // double
	EvidenceBaseline  = "tokenaudit.evidence.baseline"  // double
	EvidenceThreshold = "tokenaudit.evidence.threshold" // double
	EvidenceWindow    = "tokenaudit.evidence.window"    // int, seconds
	// EvidenceValues are the observed values behind a finding: the networks
	// of multi_address, the unused scopes, the verdicts of the item.
	EvidenceValues = "tokenaudit.evidence.values"
	// EvidenceLearned says the baseline was learned (true) or configured.
	EvidenceLearned = "tokenaudit.evidence.learned"
)

// Attributes borrowed from the collector's conventions (contrib
// spanmetrics and the OpenTelemetry Go SDK).
const (
	CollectorInstanceID = "collector.instance.id"
	MetricOverflow      = "otel.metric.overflow"
)

// Stateful findings (tokenaudit.finding.type), decided by the connector.
// Stateless verdicts keep their Violation* names as finding types.
const (
	FindingFailedAttempts     = "failed_attempts"
	FindingCredentialStuffing = "credential_stuffing"
	FindingRateSurge          = "rate_surge"
	FindingNewClientAddress   = "new_client_address"
	FindingNewResource        = "new_resource"
	FindingMultiAddress       = "multi_address"
	FindingOffHours           = ViolationOffHours
	FindingStaleToken         = "stale_token"
	FindingResurrectedToken   = "resurrected_token"
	FindingUnusedScopes       = "unused_scopes"
	FindingExpiringSoon       = "expiring_soon"
	FindingExcessiveLifetime  = "excessive_lifetime"
	// FindingDeniedAccess: the service refused a token again and again
	// (403), whether or not the policy governs that resource.
	FindingDeniedAccess = "denied_access"
	// FindingCombined is added to the design's vocabulary: several weak
	// findings on one token within a window, escalated as one finding.
	FindingCombined = "combined_findings"
)

// Severities (tokenaudit.finding.severity).
const (
	SeverityLow      = "low"
	SeverityMedium   = "medium"
	SeverityHigh     = "high"
	SeverityCritical = "critical"
)
