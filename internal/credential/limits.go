// Package credential finds and recognises API credentials in header
// values, URLs and free text. It never decodes more than a bounded amount,
// never panics on input, and never puts a secret into an error, a Reason or
// a Hint.
package credential

// Limits bound parsing work.
type Limits struct {
	// MaxTokenBytes: a longer candidate is Malformed and not decoded.
	MaxTokenBytes int
}

// DefaultLimits returns the limits used when none are configured.
func DefaultLimits() Limits { return Limits{MaxTokenBytes: 16 << 10} }

// Credential is one credential found in a value.
type Credential struct {
	// Secret is what is fingerprinted: the token; for Basic the decoded
	// "user:password"; for AWS SigV4 the access key id.
	Secret   string
	Type     string
	Provider string
	// Hint is a non-secret display form: a known prefix and the last four
	// characters, or "".
	Hint string
	// User is a Basic user name, never the password.
	User      string
	Malformed bool
	// Reason says, without secrets, why a credential is malformed.
	Reason string
	JWT    *JWT
	// Start and End delimit the secret-bearing text in the scanned input:
	// input[Start:End] is what a scrubber replaces.
	Start, End int
	// AsAuth: the scanner found it where a request presents its
	// authentication (after a header-like name, as a credential query
	// parameter, as a URL's userinfo), not as a bare key or JWT in prose.
	AsAuth bool
}
