package detectioneval

import (
	"context"
	"testing"

	"github.com/tokenaudit/tokenaudit/internal/auditattr"
	"github.com/tokenaudit/tokenaudit/internal/fieldsim"
)

// The pipeline is wired as a user would wire it: the policy reaches both
// components, JWTs verify under the identity provider's key, and the
// verdicts that need only the policy are found without false alerts. A
// wrong key, a missing policy or a lost batch fails here.
func TestEvaluateWiring(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the pipeline")
	}
	res, err := Evaluate(context.Background(), t.TempDir(), fieldsim.Config{Seed: 3, Tokens: 60, Days: 3, InjectionsPerType: 1})
	if err != nil {
		t.Fatal(err)
	}
	rows := map[string]Row{}
	for _, r := range res.Report.Rows {
		rows[r.Type] = r
	}
	for _, typ := range []string{
		auditattr.ViolationRevoked, auditattr.ViolationExpired, auditattr.ViolationInvalidSignature,
		auditattr.ViolationUnknown, auditattr.ViolationScope, auditattr.ViolationRestrictedResource,
		auditattr.ViolationNotYetValid,
	} {
		r := rows[typ]
		if r.Injected == 0 || r.Recall() < 1 || r.Precision() < 1 {
			t.Errorf("%s: %+v, want every injection found and no false alert", typ, r)
		}
	}
	if st := res.Stats; st.Requests == 0 || st.Spans == 0 || st.Logs == 0 {
		t.Errorf("stats %+v: want spans and access-log records", st)
	}
}
