package credential

import (
	"strings"

	"github.com/tokenaudit/tokenaudit/internal/auditattr"
)

// webhook is a secret URL: whoever knows its path can post as the
// integration, so the path is a credential (gitleaks' slack-webhook-url and
// discord-webhook rules describe the same shapes).
type webhook struct {
	marker   string // host and the path up to the secret part
	provider string
	min, max int // length of the secret part
	body     func(byte) bool
}

func slackHookByte(c byte) bool { return alnum(c) || c == '/' || c == '+' }

var webhooks = []webhook{
	{"hooks.slack.com/services/", "slack", 43, 56, slackHookByte},
	{"hooks.slack.com/workflows/", "slack", 43, 80, slackHookByte},
	{"hooks.slack.com/triggers/", "slack", 43, 80, slackHookByte},
	{"discord.com/api/webhooks/", "discord", 60, 100, func(c byte) bool { return dashed(c) || c == '/' }},
	{"discordapp.com/api/webhooks/", "discord", 60, 100, func(c byte) bool { return dashed(c) || c == '/' }},
}

// scanWebhooks finds secret webhook URLs. The secret part after the marker
// is scrubbed; the host stays readable. Secret is the marker and the
// secret part, so the same hook gets the same id wherever it stands, with
// or without a scheme.
func (r *Rules) scanWebhooks(s string, add func(Credential)) {
	if !strings.Contains(s, "hooks") {
		return // every marker holds "hooks"
	}
	for _, w := range webhooks {
		for off := 0; off < len(s); {
			i := strings.Index(s[off:], w.marker)
			if i < 0 {
				break
			}
			start := off + i + len(w.marker)
			end := start
			for end < len(s) && end-start < w.max && w.body(s[end]) {
				end++
			}
			off = end
			if c, ok := w.credential(s[start:end]); ok {
				add(r.at(c, start, end))
			}
		}
	}
}

// credential is the credential of a hook's secret part, when it has the
// documented length.
func (w webhook) credential(part string) (Credential, bool) {
	part = strings.TrimRight(part, "/")
	if len(part) < w.min {
		return Credential{}, false
	}
	secret := w.marker + part
	return Credential{Secret: secret, Type: auditattr.TypeAPIKey, Provider: w.provider, Hint: hint(w.marker, secret)}, true
}

// wholeWebhook recognises a token that is a whole webhook URL (an API-key
// header holding one), so that it gets the id it gets in text.
func wholeWebhook(tok string) (Credential, bool) {
	rest := tok
	if i := strings.Index(rest, "://"); i >= 0 {
		rest = rest[i+3:]
	}
	for _, w := range webhooks {
		part, ok := strings.CutPrefix(rest, w.marker)
		if !ok || len(part) > w.max {
			continue
		}
		for i := 0; i < len(part); i++ {
			if !w.body(part[i]) {
				return Credential{}, false
			}
		}
		if c, ok := w.credential(part); ok {
			return c, true
		}
	}
	return Credential{}, false
}
