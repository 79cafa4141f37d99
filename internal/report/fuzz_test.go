package report

import (
	"bytes"
	"strings"
	"testing"
)

// FuzzRecordLine feeds arbitrary lines to the aggregator and renders every
// format: nothing may panic, and no record text may become markup.
func FuzzRecordLine(f *testing.F) {
	f.Add([]byte(synthetic{7}.AppendJSON(nil, 7)))
	f.Add([]byte(`{"class_uid":2004,"time":1,"finding_info":{"uid":"f","title":"<script>x</script>","types":["rate_surge"]},"unmapped":{"tokenaudit":{"token.id":"tok_1","evidence.observed":3,"evidence.values":["a"]}}}`))
	f.Add([]byte(`{"class_uid":6003,"time":-9223372036854775808,"api":{"token":{"uid":"<b>"}},"unmapped":{"tokenaudit":{"token.scopes":"one"}}}`))
	f.Add([]byte(`{"class_uid":6002,"unmapped":{"tokenaudit_log":{"event":"start"}}}`))
	f.Add([]byte(`not json`))
	f.Fuzz(func(t *testing.T, line []byte) {
		a := newAggregator(Limits{Tokens: 2, Principals: 2, Resources: 2, Findings: 2}, nil)
		a.line(line)
		a.line(line)
		r := &Report{}
		a.finish(r, Options{})
		r.Verdict = r.verdict()
		for _, format := range Formats {
			var b bytes.Buffer
			if err := Render(&b, r, format); err != nil {
				t.Fatalf("%s: %v", format, err)
			}
			if format == "html" && strings.Contains(b.String(), "<script") {
				t.Fatalf("markup from a record reached the HTML")
			}
		}
	})
}
