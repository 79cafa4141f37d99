package report

import (
	"encoding/json"
	"fmt"
)

// OCSF classes the exporter writes.
const (
	classAPIActivity = 6003
	classFinding     = 2004
	classLifecycle   = 6002
)

// record is the part of one OCSF line the report reads. Everything in it is
// attacker-influenced: it came from telemetry.
type record struct {
	ClassUID     int64  `json:"class_uid"`
	Time         int64  `json:"time"` // event time, ms
	SeverityID   int64  `json:"severity_id"`
	Severity     string `json:"severity"`
	ActivityName string `json:"activity_name"`
	Message      string `json:"message"`
	StatusDetail string `json:"status_detail"`
	Actor        struct {
		User struct {
			UID string `json:"uid"`
		} `json:"user"`
	} `json:"actor"`
	API struct {
		Operation string `json:"operation"`
		Token     struct {
			UID            string `json:"uid"`
			CreatedTime    int64  `json:"created_time"`
			ExpirationTime int64  `json:"expiration_time"`
		} `json:"token"`
	} `json:"api"`
	Src struct {
		IP string `json:"ip"`
	} `json:"src_endpoint"`
	FindingInfo struct {
		UID   string   `json:"uid"`
		Title string   `json:"title"`
		Types []string `json:"types"`
	} `json:"finding_info"`
	Resources []struct {
		Name string `json:"name"`
	} `json:"resources"`
	Unmapped struct {
		TA  unmapped `json:"tokenaudit"`
		Log *struct {
			Event string `json:"event"`
		} `json:"tokenaudit_log"`
	} `json:"unmapped"`
}

// unmapped is the attribute contract as the processor and connector wrote
// it (unmapped.tokenaudit, keys without the "tokenaudit." prefix).
type unmapped struct {
	TokenID       string          `json:"token.id"`
	TokenType     string          `json:"token.type"`
	TokenStatus   string          `json:"token.status"`
	TokenJTI      string          `json:"token.jti"`
	TokenScopes   json.RawMessage `json:"token.scopes"`
	PrincipalID   string          `json:"principal.id"`
	Outcome       string          `json:"outcome"`
	Violations    []string        `json:"violations"`
	FindingType   string          `json:"finding.type"`
	FindingSev    string          `json:"finding.severity"`
	FindingCount  int64           `json:"finding.count"`
	FindingDryRun bool            `json:"finding.dry_run"`
	Observed      *float64        `json:"evidence.observed"`
	Baseline      *float64        `json:"evidence.baseline"`
	Threshold     *float64        `json:"evidence.threshold"`
	Window        *int64          `json:"evidence.window"`
	Values        json.RawMessage `json:"evidence.values"`
}

// parseRecord decodes one line.
func parseRecord(line []byte) (*record, error) {
	var r record
	if err := json.Unmarshal(line, &r); err != nil {
		return nil, fmt.Errorf("decode record: %w", err)
	}
	// Times outside years 0–9999 cannot be printed (RFC 3339): unknown.
	r.Time = clampMillis(r.Time)
	r.API.Token.CreatedTime = clampMillis(r.API.Token.CreatedTime)
	r.API.Token.ExpirationTime = clampMillis(r.API.Token.ExpirationTime)
	return &r, nil
}

// maxMillis is 9999-12-31T23:59:59Z.
const maxMillis = 253402300799000

func clampMillis(ms int64) int64 {
	if ms < 0 || ms > maxMillis {
		return 0
	}
	return ms
}

// scopes reads token.scopes, a string array (or a single string).
func (u *unmapped) scopes() []string {
	if len(u.TokenScopes) == 0 {
		return nil
	}
	var list []string
	if json.Unmarshal(u.TokenScopes, &list) == nil {
		return list
	}
	var one string
	if json.Unmarshal(u.TokenScopes, &one) == nil && one != "" {
		return []string{one}
	}
	return nil
}

// principal is the acting principal of an API Activity or a finding.
func (r *record) principal() string {
	if r.Actor.User.UID != "" {
		return r.Actor.User.UID
	}
	if r.Unmapped.TA.PrincipalID != "" {
		return r.Unmapped.TA.PrincipalID
	}
	return "unknown"
}

func (r *record) resource() string {
	if r.API.Operation != "" {
		return r.API.Operation
	}
	if len(r.Resources) > 0 {
		return r.Resources[0].Name
	}
	return ""
}

func (r *record) outcome() string {
	switch o := r.StatusDetail; o {
	case "success", "failure", "denied", "error":
		return o
	}
	switch o := r.Unmapped.TA.Outcome; o {
	case "success", "failure", "denied", "error":
		return o
	}
	return "unknown"
}
