package tokenauditprocessor

import (
	"context"
	"fmt"
	"math/rand/v2"
	"sort"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/collector/pdata/ptrace"

	"github.com/tokenaudit/tokenaudit/internal/auditattr"
)

// The provider corpus: keys written here in the formats that public secret
// scanners' rules document for the providers the README claims (gitleaks'
// rules for GitHub, GitLab, Stripe, Slack, AWS, OpenAI, Anthropic and
// Google, and its webhook rules; facts, not their code or samples), placed
// where telemetry carries them.

// corpusKey is one true-positive sample.
type corpusKey struct {
	provider string
	text     string // as it stands in the telemetry
	secret   string // what is fingerprinted: the key, or a hook's host and path
	scrub    string // what must not remain
	webhook  bool
}

// sampler writes random bodies from a fixed seed: the corpus is the same
// on every run.
type sampler struct{ r *rand.Rand }

const (
	upperDigits = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
	alnumChars  = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
	lowerDigits = "abcdefghijklmnopqrstuvwxyz0123456789"
	awsChars    = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"
	digits      = "0123456789"
	hexChars    = "0123456789abcdef"
)

func (s sampler) of(set string, n int) string {
	b := make([]byte, n)
	for i := range b {
		b[i] = set[s.r.IntN(len(set))]
	}
	return string(b)
}

func corpusKeys() []corpusKey {
	s := sampler{rand.New(rand.NewPCG(15, 5))}
	key := func(provider, k string) corpusKey {
		return corpusKey{provider: provider, text: k, secret: k, scrub: k}
	}
	hook := func(provider, marker, part string) corpusKey {
		return corpusKey{provider: provider, text: "https://" + marker + part, secret: marker + part, scrub: part, webhook: true}
	}
	dashedChars := alnumChars + "_-"
	return []corpusKey{
		key("github", "ghp_"+s.of(alnumChars, 36)),
		key("github", "gho_"+s.of(alnumChars, 36)),
		key("github", "ghu_"+s.of(alnumChars, 36)),
		key("github", "ghs_"+s.of(alnumChars, 36)),
		key("github", "ghr_"+s.of(alnumChars, 36)),
		key("github", "github_pat_"+s.of(alnumChars, 22)+"_"+s.of(alnumChars, 59)),
		key("gitlab", "glpat-"+s.of(alnumChars, 20)),
		key("gitlab", "glpat-"+s.of(alnumChars, 27)+"."+s.of(lowerDigits, 2)+s.of(lowerDigits, 7)),
		key("gitlab", "glrt-t"+s.of(digits, 1)+"_"+s.of(alnumChars, 27)+"."+s.of(lowerDigits, 9)),
		key("gitlab", "gldt-"+s.of(alnumChars, 20)),
		key("gitlab", "glptt-"+s.of(hexChars, 40)),
		key("gitlab", "glcbt-"+s.of(alnumChars, 5)+"_"+s.of(alnumChars, 20)),
		key("gitlab", "gloas-"+s.of(alnumChars, 64)),
		key("stripe", "sk_live_"+s.of(alnumChars, 24)),
		key("stripe", "sk_test_"+s.of(alnumChars, 99)),
		key("stripe", "rk_live_"+s.of(alnumChars, 24)),
		key("stripe", "sk_prod_"+s.of(alnumChars, 30)),
		key("slack", "xoxb-"+s.of(digits, 13)+"-"+s.of(digits, 13)+"-"+s.of(alnumChars, 24)),
		key("slack", "xoxb-"+s.of(digits, 12)+"-"+s.of(alnumChars, 24)),
		key("slack", "xoxp-"+s.of(digits, 12)+"-"+s.of(digits, 13)+"-"+s.of(digits, 13)+"-"+s.of(hexChars, 32)),
		key("slack", "xoxe-1-"+s.of(alnumChars, 146)),
		key("slack", "xoxe.xoxp-1-"+s.of(alnumChars, 163)),
		key("slack", "xoxs-"+s.of(digits, 10)+"-"+s.of(digits, 10)+"-"+s.of(digits, 10)+"-"+s.of(hexChars, 10)),
		key("slack", "xapp-1-A"+s.of(upperDigits, 10)+"-"+s.of(digits, 13)+"-"+s.of(hexChars, 64)),
		key("slack", "xoxa-2-"+s.of(alnumChars, 12)),
		hook("slack", "hooks.slack.com/services/", "T"+s.of(upperDigits, 8)+"/B"+s.of(upperDigits, 8)+"/"+s.of(alnumChars, 24)),
		hook("slack", "hooks.slack.com/workflows/", "T"+s.of(upperDigits, 10)+"/A"+s.of(upperDigits, 10)+"/"+s.of(digits, 18)+"/"+s.of(alnumChars, 24)),
		hook("slack", "hooks.slack.com/triggers/", s.of(alnumChars, 56)),
		hook("discord", "discord.com/api/webhooks/", s.of(digits, 18)+"/"+s.of(dashedChars, 68)),
		key("aws", "AKIA"+s.of(awsChars, 16)),
		key("aws", "ASIA"+s.of(awsChars, 16)),
		key("aws", "ABIA"+s.of(awsChars, 16)),
		key("aws", "ACCA"+s.of(awsChars, 16)),
		key("openai", "sk-proj-"+s.of(dashedChars, 74)+"T3BlbkFJ"+s.of(dashedChars, 74)),
		key("openai", "sk-svcacct-"+s.of(dashedChars, 74)+"T3BlbkFJ"+s.of(dashedChars, 74)),
		key("openai", "sk-admin-"+s.of(dashedChars, 58)+"T3BlbkFJ"+s.of(dashedChars, 58)),
		key("openai", "sk-"+s.of(alnumChars, 20)+"T3BlbkFJ"+s.of(alnumChars, 20)),
		key("anthropic", "sk-ant-api03-"+s.of(dashedChars, 93)+"AA"),
		key("anthropic", "sk-ant-admin01-"+s.of(dashedChars, 93)+"AA"),
		key("anthropic", "sk-ant-oat01-"+s.of(dashedChars, 100)),
		key("google", "AIza"+s.of(dashedChars, 35)),
	}
}

// placement puts a credential's text somewhere in an item.
type placement struct {
	name string
	log  bool
	hook bool // a place a webhook URL stands in (a URL, not a bare path)
	fill func(attrs pcommon.Map, body pcommon.Value, span ptrace.Span, text string)
}

var placements = []placement{
	{"authorization header", false, true, func(a pcommon.Map, _ pcommon.Value, _ ptrace.Span, k string) {
		putHeader(a, "authorization", "Bearer "+k)
	}},
	{"api key header", false, true, func(a pcommon.Map, _ pcommon.Value, _ ptrace.Span, k string) { putHeader(a, "x-api-key", k) }},
	{"query parameter", false, true, func(a pcommon.Map, _ pcommon.Value, _ ptrace.Span, k string) {
		a.PutStr("url.full", "https://api.example.com/v1/items?ref="+k+"&page=2")
	}},
	{"path segment", false, false, func(a pcommon.Map, _ pcommon.Value, _ ptrace.Span, k string) {
		a.PutStr("url.full", "https://api.example.com/v1/keys/"+k+"/verify")
	}},
	{"url.path", false, false, func(a pcommon.Map, _ pcommon.Value, _ ptrace.Span, k string) {
		a.PutStr("url.path", "/v1/keys/"+k)
	}},
	{"http.target", false, false, func(a pcommon.Map, _ pcommon.Value, _ ptrace.Span, k string) {
		a.PutStr("http.target", "/v1/keys/"+k+"/verify?verbose=1")
	}},
	{"fragment", false, true, func(a pcommon.Map, _ pcommon.Value, _ ptrace.Span, k string) {
		a.PutStr("url.full", "https://app.example.com/callback#"+k)
	}},
	{"whole url", false, true, func(a pcommon.Map, _ pcommon.Value, _ ptrace.Span, k string) { a.PutStr("url.full", k) }},
	{"exception message", false, true, func(_ pcommon.Map, _ pcommon.Value, s ptrace.Span, k string) {
		ev := s.Events().AppendEmpty()
		ev.SetName("exception")
		ev.Attributes().PutStr("exception.message", "AuthError: credential "+k+" was rejected by upstream.")
	}},
	{"log body", true, true, func(_ pcommon.Map, b pcommon.Value, _ ptrace.Span, k string) {
		b.SetStr(`203.0.113.9 "POST /v1/notify" 401 upstream refused ` + k + ` (revoked?)`)
	}},
	{"structured log body", true, true, func(_ pcommon.Map, b pcommon.Value, _ ptrace.Span, k string) {
		b.SetEmptyMap().PutStr("message", "retrying with "+k)
	}},
}

// runPlaced runs one item with text placed and returns the output item's
// attributes and its whole rendering.
func runPlaced(t *testing.T, h *harness, pl placement, text string) (pcommon.Map, string) {
	t.Helper()
	if pl.log {
		ld := plog.NewLogs()
		lr := ld.ResourceLogs().AppendEmpty().ScopeLogs().AppendEmpty().LogRecords().AppendEmpty()
		lr.SetTimestamp(pcommon.NewTimestampFromTime(now))
		pl.fill(lr.Attributes(), lr.Body(), ptrace.NewSpan(), text)
		h.logs.Reset()
		require.NoError(t, h.lp.ConsumeLogs(context.Background(), ld))
		out := h.logs.AllLogs()[0]
		b, err := (&plog.JSONMarshaler{}).MarshalLogs(out)
		require.NoError(t, err)
		return out.ResourceLogs().At(0).ScopeLogs().At(0).LogRecords().At(0).Attributes(), string(b)
	}
	td := ptrace.NewTraces()
	s := td.ResourceSpans().AppendEmpty().ScopeSpans().AppendEmpty().Spans().AppendEmpty()
	s.SetName("POST /v1/notify")
	s.SetStartTimestamp(pcommon.NewTimestampFromTime(now))
	pl.fill(s.Attributes(), pcommon.NewValueEmpty(), s, text)
	h.traces.Reset()
	require.NoError(t, h.tp.ConsumeTraces(context.Background(), td))
	out := h.traces.AllTraces()[0]
	b, err := (&ptrace.JSONMarshaler{}).MarshalTraces(out)
	require.NoError(t, err)
	return out.ResourceSpans().At(0).ScopeSpans().At(0).Spans().At(0).Attributes(), string(b)
}

// TestProviderCorpus places every sample in every place: each must be
// scrubbed, named with its provider, and get one id, the one its secret
// gives (issue 15, point 5).
func TestProviderCorpus(t *testing.T) {
	h := newHarness(t, testConfig())
	failures := map[string][]string{} // provider/placement -> what went wrong
	placed := 0
	for _, k := range corpusKeys() {
		want := tokenID(t, k.secret)
		for _, pl := range placements {
			if k.webhook && !pl.hook {
				continue
			}
			placed++
			attrs, dump := runPlaced(t, h, pl, k.text)
			var problems []string
			if strings.Contains(dump, k.scrub) {
				problems = append(problems, "raw secret kept")
			}
			if got := attrStr(t, attrs, auditattr.TokenProvider); got != k.provider {
				problems = append(problems, fmt.Sprintf("provider %q", got))
			}
			if got := attrStr(t, attrs, auditattr.TokenID); got != want {
				problems = append(problems, "another id")
			}
			if hint := attrStr(t, attrs, auditattr.TokenHint); strings.Contains(hint, k.scrub) {
				problems = append(problems, "hint shows the secret")
			}
			if len(problems) > 0 {
				key := k.provider + " / " + pl.name
				failures[key] = append(failures[key], k.text[:min(len(k.text), 14)]+"…: "+strings.Join(problems, ", "))
			}
		}
	}
	t.Logf("%d placements of %d samples", placed, len(corpusKeys()))
	if len(failures) > 0 {
		keys := make([]string, 0, len(failures))
		for k := range failures {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			t.Errorf("%s: %s", k, strings.Join(failures[k], "; "))
		}
	}
}

// negatives are strings close to the formats that are no credential; none
// may get a token id. placeholders are the low-entropy stand-ins scanners
// drop by entropy: the processor scrubs those (a placeholder costs an id,
// a missed key costs the key), and the test counts them.
var (
	negatives = []string{
		"TODAYINASIAASACKOFRICEFELLOVER",
		"AKIA1234",              // too short
		"AKIAIOSFODNN7EXAMPLE1", // 21 characters
		"akiaiosfodnn7example",  // lower case
		"https://github.com/xoxa-nyc/xoxa-nyc.github.io/blob/master/README.md",
		"https://indieweb.org/images/3/35/2018-250-xoxo-indieweb-1.jpg",
		"xoxb-xoxb-my-bot-token",
		"the task-ant-colony model", // sk-ant- inside a word
		"see ghp_short and gho_",
		"glpat-tooshort",
		"sk_live_short",
		"AIzaTooShort",
		"https://hooks.slack.com/services/",
		"https://hooks.slack.com/services/T000/B000/short",
		"https://discord.com/api/webhooks/123/abc",
		"mask-proj-settings are in sk-proj-docs",
		"file glpat-notes.txt",
	}
	placeholders = []string{
		"glpat-XXXXXXXXXXX-XXXXXXXX",
		"xoxb-12345-abcd234",
		"xoxp-1234567890",
		"sk-ant-api03-abc123xyz-456de-klMnopqrstuvwx-3456yza789bcde-1234fghijklmnopAA",
		"AKIAXXXXXXXXXXXXXXXX",
	}
)

func TestProviderCorpusNegatives(t *testing.T) {
	h := newHarness(t, testConfig())
	count := func(samples []string) (fp int, which []string) {
		for _, s := range samples {
			for _, pl := range placements {
				if attrs, _ := runPlaced(t, h, pl, s); pl.name != "authorization header" && pl.name != "api key header" && attrStr(t, attrs, auditattr.TokenID) != "" {
					fp++
					which = append(which, pl.name+": "+s)
				}
			}
		}
		return fp, which
	}
	fp, which := count(negatives)
	if fp != 0 {
		t.Errorf("%d false positives on negative samples: %s", fp, strings.Join(which, "; "))
	}
	fp, _ = count(placeholders)
	t.Logf("false positives: %d on %d negative samples, %d on %d placeholder samples (header placements, where any value is a credential, not counted)",
		0, len(negatives), fp, len(placeholders))
}
