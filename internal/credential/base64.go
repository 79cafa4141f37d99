package credential

import (
	"encoding/base64"
	"strings"
)

// decodeStdLenient decodes standard base64 with or without padding.
func decodeStdLenient(s string) ([]byte, error) {
	return base64.RawStdEncoding.DecodeString(strings.TrimRight(s, "="))
}
