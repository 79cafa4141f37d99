package credential

// DefaultQueryParams are the URL query parameter names whose values are
// credentials: the processor's default sources.query_params and the list
// the audit_log guard searches. A fresh slice each call: callers may
// change theirs.
func DefaultQueryParams() []string {
	return []string{
		"access_token", "id_token", "refresh_token", "api_key", "apikey", "api-key",
		"key", "token", "auth_token", "private_token", "client_secret", "password",
		"x-amz-credential", "x-amz-signature", "x-amz-security-token",
	}
}
