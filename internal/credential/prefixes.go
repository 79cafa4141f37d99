package credential

import (
	"regexp"
	"strings"

	"github.com/tokenaudit/tokenaudit/internal/auditattr"
)

// family is a key format recognised by its prefix. The prefixes are the
// issuers' documented ones (gitleaks and trufflehog list the same); a
// prefix match with the body shape below names the provider.
type family struct {
	prefix   string
	provider string
	typ      string
	minBody  int // characters after the prefix
	body     func(byte) bool
}

func alnum(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
}
func word(c byte) bool    { return alnum(c) || c == '_' }
func dashed(c byte) bool  { return word(c) || c == '-' }
func awsBody(c byte) bool { return c >= 'A' && c <= 'Z' || c >= '2' && c <= '7' }

// families is ordered so that a longer prefix comes before a shorter one
// it starts with (sk-ant- before sk-).
var families = []family{
	{"github_pat_", "github", auditattr.TypeAPIKey, 22, word},
	{"ghp_", "github", auditattr.TypeAPIKey, 30, alnum},
	{"gho_", "github", auditattr.TypeAPIKey, 30, alnum},
	{"ghu_", "github", auditattr.TypeAPIKey, 30, alnum},
	{"ghs_", "github", auditattr.TypeAPIKey, 30, alnum},
	{"ghr_", "github", auditattr.TypeAPIKey, 30, alnum},
	{"glpat-", "gitlab", auditattr.TypeAPIKey, 20, dashed},
	{"glptt-", "gitlab", auditattr.TypeAPIKey, 20, dashed},
	{"gldt-", "gitlab", auditattr.TypeAPIKey, 20, dashed},
	{"glrt-", "gitlab", auditattr.TypeAPIKey, 20, dashed},
	{"sk_live_", "stripe", auditattr.TypeAPIKey, 10, alnum},
	{"sk_test_", "stripe", auditattr.TypeAPIKey, 10, alnum},
	{"rk_live_", "stripe", auditattr.TypeAPIKey, 10, alnum},
	{"rk_test_", "stripe", auditattr.TypeAPIKey, 10, alnum},
	{"xoxb-", "slack", auditattr.TypeAPIKey, 10, dashed},
	{"xoxp-", "slack", auditattr.TypeAPIKey, 10, dashed},
	{"xoxa-", "slack", auditattr.TypeAPIKey, 10, dashed},
	{"xoxr-", "slack", auditattr.TypeAPIKey, 10, dashed},
	{"xoxe-", "slack", auditattr.TypeAPIKey, 10, dashed},
	{"xapp-", "slack", auditattr.TypeAPIKey, 10, dashed},
	{"sk-ant-", "anthropic", auditattr.TypeAPIKey, 20, dashed},
	{"sk-proj-", "openai", auditattr.TypeAPIKey, 20, dashed},
	{"sk-svcacct-", "openai", auditattr.TypeAPIKey, 20, dashed},
	{"sk-admin-", "openai", auditattr.TypeAPIKey, 20, dashed},
	{"AIza", "google", auditattr.TypeAPIKey, 35, dashed},
	{"AKIA", "aws", auditattr.TypeAWSAccessKey, 16, awsBody},
	{"ASIA", "aws", auditattr.TypeAWSAccessKey, 16, awsBody},
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
		if f.typ == auditattr.TypeAWSAccessKey && len(body) != 16 {
			continue
		}
		ok := true
		for i := 0; i < len(body); i++ {
			if !f.body(body[i]) {
				ok = false
				break
			}
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

// hint is the prefix and the last four characters, for tokens long enough
// that this reveals a negligible part of them.
func hint(prefix, tok string) string {
	if len(tok) < 20 || len(prefix)+4 >= len(tok)/2 {
		return ""
	}
	return prefix + "…" + tok[len(tok)-4:]
}
