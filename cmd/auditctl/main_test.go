package main

import (
	"bytes"
	"encoding/base64"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/tokenaudit/tokenaudit/internal/fingerprint"
)

func runCmd(t *testing.T, stdin string, env map[string]string, args ...string) (code int, out, errOut string) {
	t.Helper()
	for k, v := range env {
		t.Setenv(k, v)
	}
	var o, e bytes.Buffer
	code = run(args, strings.NewReader(stdin), &o, &e)
	return code, o.String(), e.String()
}

func TestFingerprint(t *testing.T) {
	dir := t.TempDir()
	keyFile := filepath.Join(dir, "key")
	if code, _, e := runCmd(t, "", nil, "keygen", "-out", keyFile); code != 0 {
		t.Fatalf("keygen: %s", e)
	}
	key, err := fingerprint.ReadKeyFile(keyFile)
	if err != nil {
		t.Fatal(err)
	}
	fp, _ := fingerprint.New(key, "tok_")
	const tok = "opaque-token-value-1234567890"
	basic := base64.StdEncoding.EncodeToString([]byte("bob:pw-secret"))

	tests := []struct {
		name     string
		stdin    string
		args     []string
		env      map[string]string
		wantCode int
		wantOut  string
		wantErr  string
	}{
		{"bare token", tok + "\n", []string{"-key-file", keyFile}, nil, 0, fp.TokenID(tok), ""},
		{"bearer header value", "Bearer " + tok, []string{"-key-file", keyFile}, nil, 0, fp.TokenID(tok), ""},
		{"basic: the decoded user:password", "Basic " + basic, []string{"-key-file", keyFile}, nil, 0, fp.TokenID("bob:pw-secret"), ""},
		{"key header", "Bearer " + tok, []string{"-key-file", keyFile, "-header", "key"}, nil, 0, fp.TokenID("Bearer " + tok), ""},
		{"key from env", tok, nil, map[string]string{"TOKENAUDIT_FINGERPRINT_KEY": string(key)}, 0, fp.TokenID(tok), ""},
		{"no key", tok, nil, map[string]string{"TOKENAUDIT_FINGERPRINT_KEY": ""}, 1, "", "no key"},
		{"empty input", "\n", []string{"-key-file", keyFile}, nil, 1, "", "no token on stdin"},
		{"bad header flag", tok, []string{"-key-file", keyFile, "-header", "cookie"}, nil, 1, "", "use authorization or key"},
		{"prefix the processor refuses", tok, []string{"-key-file", keyFile, "-prefix", "abc"}, nil, 1, "", "-prefix: \"abc\" must be"},
		{"lines: one id per token, in order, CRLF too", tok + "\r\nBearer " + tok + "x\nBasic " + basic + "\n", []string{"-key-file", keyFile, "-lines"}, nil, 0,
			fp.TokenID(tok) + "\n" + fp.TokenID(tok+"x") + "\n" + fp.TokenID("bob:pw-secret"), ""},
		{"lines: a line without a token keeps its place", tok + "\n\n" + tok + "x\n", []string{"-key-file", keyFile, "-lines"}, nil, 1,
			fp.TokenID(tok) + "\n\n" + fp.TokenID(tok+"x"), "line 2: no token"},
		{"lines: a byte-order mark is not part of the first token", "\ufeff" + tok + "\n", []string{"-key-file", keyFile, "-lines"}, nil, 0, fp.TokenID(tok), ""},
		{"lines: a line over 1 MiB", strings.Repeat("A", maxInput+10) + "\n", []string{"-key-file", keyFile, "-lines"}, nil, 1, "", "a line is larger than 1 MiB"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, out, e := runCmd(t, tt.stdin, tt.env, append([]string{"fingerprint"}, tt.args...)...)
			if code != tt.wantCode {
				t.Fatalf("code %d, stderr %s", code, e)
			}
			if strings.TrimSpace(out) != tt.wantOut {
				t.Errorf("out %q want %q", out, tt.wantOut)
			}
			if !strings.Contains(e, tt.wantErr) {
				t.Errorf("stderr %q lacks %q", e, tt.wantErr)
			}
			if strings.Contains(out+e, tok) || strings.Contains(out+e, "pw-secret") {
				t.Error("the token was echoed")
			}
		})
	}
}

func TestKeygen(t *testing.T) {
	code, out, _ := runCmd(t, "", nil, "keygen")
	if code != 0 || !regexp.MustCompile(`^[0-9a-f]{64}\n$`).MatchString(out) {
		t.Fatalf("keygen printed %q (code %d)", out, code)
	}
	path := filepath.Join(t.TempDir(), "k")
	os.WriteFile(path, []byte("existing"), 0o600)
	code, _, e := runCmd(t, "", nil, "keygen", "-out", path)
	if code == 0 || !strings.Contains(e, "refusing to replace") {
		t.Errorf("overwrote a key: %d %s", code, e)
	}
	if code, _, _ := runCmd(t, "", nil, "nope"); code != 2 {
		t.Error("unknown command accepted")
	}
	if code, _, _ := runCmd(t, "", nil); code != 2 {
		t.Error("no command accepted")
	}
}
