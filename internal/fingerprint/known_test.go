package fingerprint

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"testing"
)

func hmacHex(key, msg string) string {
	m := hmac.New(sha256.New, []byte(key))
	m.Write([]byte(msg))
	return hex.EncodeToString(m.Sum(nil))
}

func TestPrincipalForm(t *testing.T) {
	f, _ := New([]byte(key), "tok_")
	if got, want := f.PrincipalID("alice"), "usr_"+hmacHex(key, "tokenaudit/principal/v1\x00alice")[:32]; got != want {
		t.Fatalf("got %s want %s", got, want)
	}
}
