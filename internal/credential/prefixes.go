package credential

import (
	"regexp"
	"strings"

	"github.com/tokenaudit/tokenaudit/internal/auditattr"
)

// family is a key format recognised by its prefix. The prefixes and body
// shapes are the issuers' documented ones (gitleaks and trufflehog list the
// same); a prefix match with the body shape below names the provider.
type family struct {
	prefix   string
	provider string
	typ      string
	minBody  int // characters after the prefix
	body     func(byte) bool
	// dots: the body may hold '.' between word characters (GitLab's
	// routable tokens end in ".<routing suffix>").
	dots bool
	// digitLead: the body starts with a digit (Slack's numbered tokens), so
	// words such as "xoxo-indieweb-1" are not keys.
	digitLead bool
}

func alnum(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
}
func word(c byte) bool    { return alnum(c) || c == '_' }
func dashed(c byte) bool  { return word(c) || c == '-' }
func dotted(c byte) bool  { return dashed(c) || c == '.' }
func awsBody(c byte) bool { return c >= 'A' && c <= 'Z' || c >= '2' && c <= '7' }

// families is ordered so that a longer prefix comes before a shorter one
// it starts with (sk-ant- before sk-).
var families = []family{
	{"github_pat_", "github", auditattr.TypeAPIKey, 22, word, false, false},
	{"ghp_", "github", auditattr.TypeAPIKey, 30, alnum, false, false},
	{"gho_", "github", auditattr.TypeAPIKey, 30, alnum, false, false},
	{"ghu_", "github", auditattr.TypeAPIKey, 30, alnum, false, false},
	{"ghs_", "github", auditattr.TypeAPIKey, 30, alnum, false, false},
	{"ghr_", "github", auditattr.TypeAPIKey, 30, alnum, false, false},
	{"glpat-", "gitlab", auditattr.TypeAPIKey, 20, dotted, true, false},
	{"glptt-", "gitlab", auditattr.TypeAPIKey, 20, dotted, true, false},
	{"gldt-", "gitlab", auditattr.TypeAPIKey, 20, dotted, true, false},
	{"glrt-", "gitlab", auditattr.TypeAPIKey, 20, dotted, true, false},
	{"glcbt-", "gitlab", auditattr.TypeAPIKey, 20, dotted, true, false},
	{"glft-", "gitlab", auditattr.TypeAPIKey, 20, dotted, true, false},
	{"glffct-", "gitlab", auditattr.TypeAPIKey, 20, dotted, true, false},
	{"glimt-", "gitlab", auditattr.TypeAPIKey, 25, dotted, true, false},
	{"glagent-", "gitlab", auditattr.TypeAPIKey, 50, dotted, true, false},
	{"gloas-", "gitlab", auditattr.TypeAPIKey, 64, dotted, true, false},
	{"glsoat-", "gitlab", auditattr.TypeAPIKey, 20, dotted, true, false},
	{"sk_live_", "stripe", auditattr.TypeAPIKey, 10, alnum, false, false},
	{"sk_test_", "stripe", auditattr.TypeAPIKey, 10, alnum, false, false},
	{"sk_prod_", "stripe", auditattr.TypeAPIKey, 10, alnum, false, false},
	{"rk_live_", "stripe", auditattr.TypeAPIKey, 10, alnum, false, false},
	{"rk_test_", "stripe", auditattr.TypeAPIKey, 10, alnum, false, false},
	{"rk_prod_", "stripe", auditattr.TypeAPIKey, 10, alnum, false, false},
	{"xoxe.xoxb-", "slack", auditattr.TypeAPIKey, 10, dashed, false, true},
	{"xoxe.xoxp-", "slack", auditattr.TypeAPIKey, 10, dashed, false, true},
	{"xoxb-", "slack", auditattr.TypeAPIKey, 10, dashed, false, true},
	{"xoxp-", "slack", auditattr.TypeAPIKey, 10, dashed, false, true},
	{"xoxa-", "slack", auditattr.TypeAPIKey, 10, dashed, false, false},
	{"xoxr-", "slack", auditattr.TypeAPIKey, 10, dashed, false, false},
	{"xoxe-", "slack", auditattr.TypeAPIKey, 10, dashed, false, true},
	{"xoxs-", "slack", auditattr.TypeAPIKey, 10, dashed, false, true},
	{"xoxo-", "slack", auditattr.TypeAPIKey, 10, dashed, false, true},
	{"xapp-", "slack", auditattr.TypeAPIKey, 10, dashed, false, true},
	{"sk-ant-", "anthropic", auditattr.TypeAPIKey, 20, dashed, false, false},
	{"sk-proj-", "openai", auditattr.TypeAPIKey, 20, dashed, false, false},
	{"sk-svcacct-", "openai", auditattr.TypeAPIKey, 20, dashed, false, false},
	{"sk-admin-", "openai", auditattr.TypeAPIKey, 20, dashed, false, false},
	{"AIza", "google", auditattr.TypeAPIKey, 35, dashed, false, false},
	{"AKIA", "aws", auditattr.TypeAWSAccessKey, 16, awsBody, false, false},
	{"ASIA", "aws", auditattr.TypeAWSAccessKey, 16, awsBody, false, false},
	{"ABIA", "aws", auditattr.TypeAWSAccessKey, 16, awsBody, false, false},
	{"ACCA", "aws", auditattr.TypeAWSAccessKey, 16, awsBody, false, false},
}

// legacyOpenAI is the pre-2024 OpenAI key: sk-<20>T3BlbkFJ<20>.
var legacyOpenAI = regexp.MustCompile(`^sk-[A-Za-z0-9]{20}T3BlbkFJ[A-Za-z0-9]{20}$`)

// matchFamily finds the family of a whole token.
func matchFamily(tok string) (family, bool) {
	for _, f := range families {
		if !strings.HasPrefix(tok, f.prefix) {
			continue
		}
		body := tok[len(f.prefix):]
		if len(body) < f.minBody {
			continue
		}
		if f.digitLead && (body[0] < '0' || body[0] > '9') {
			continue
		}
		if f.typ == auditattr.TypeAWSAccessKey && len(body) != 16 {
			continue
		}
		ok := body[len(body)-1] != '.'
		for i := 0; i < len(body) && ok; i++ {
			ok = f.body(body[i]) && (body[i] != '.' || i > 0 && body[i-1] != '.')
		}
		if ok {
			return f, true
		}
	}
	if strings.HasPrefix(tok, "sk-") && legacyOpenAI.MatchString(tok) {
		return family{prefix: "sk-", provider: "openai", typ: auditattr.TypeAPIKey}, true
	}
	return family{}, false
}

// awsHint is an AWS key id's display form: its four-letter prefix and its
// last four characters, never the whole id.
func awsHint(id string) string {
	if len(id) < 8 {
		return ""
	}
	return hint(id[:4], id)
}

// hint is the prefix and the last four characters, for tokens long enough
// that this reveals a negligible part of them.
func hint(prefix, tok string) string {
	if len(tok) < 20 || len(prefix)+4 >= len(tok)/2 {
		return ""
	}
	return prefix + "…" + tok[len(tok)-4:]
}
