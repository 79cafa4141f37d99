package credential

import "strings"

// secretKeywords make a parameter name in free text secret-bearing, as
// secret scanners' generic rules read an assignment (gitleaks'
// generic-api-key): aws_secret_access_key=…, DB_PASSWORD=…,
// STRIPE_SECRET_KEY=…, x_auth_token=…, a credentials file's lines. The
// exact names of the query parameters list are credentials of their own
// (fingerprinted and reported); a value found only by a keyword in its
// name is scrubbed but not reported (Type ""): its form is unknown, so it
// may be no credential at all (secret_name=prod-db), and a finding would
// be a guess, while letting a real one through would be a leak (the
// seventh outside evaluation's AWS secret access key, written next to its
// access key id in a log line, left the processor and the guard).
var secretKeywords = []string{"secret", "password", "passwd", "passphrase", "token", "apikey", "api_key", "api-key", "private_key", "privatekey", "credential"}

// secretName reports whether a parameter name holds a secret keyword, in
// any case, and does not name where a secret is kept (password_file=,
// --access-token-file=, secret_path=).
func secretName(name string) bool {
	if n := len(name); n >= 4 {
		switch strings.ToLower(name[max(0, n-5):]) {
		case "_file", "-file", "_path", "-path":
			return false
		}
	}
	for _, kw := range secretKeywords {
		if indexFold(name, kw) >= 0 {
			return true
		}
	}
	return false
}

// secretValue reports whether a value after a secret-bearing name may be
// the secret: at least minTextToken bytes, not a number (a timestamp, a
// count or a lifetime: token_expires_at=1733500000) and not a file path.
func secretValue(v string) bool {
	if len(v) < minTextToken || v[0] == '/' || strings.HasPrefix(v, "./") {
		return false
	}
	return strings.TrimLeft(v, "0123456789") != ""
}
