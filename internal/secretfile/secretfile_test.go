package secretfile

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestRead(t *testing.T) {
	const secret = "0123456789abcdef0123456789abcdef-secret"
	tests := []struct {
		name    string
		mode    os.FileMode
		content string
		missing bool
		wantErr string // "" for success
	}{
		{name: "owner only", mode: 0o600, content: secret},
		{name: "owner read-only", mode: 0o400, content: secret},
		{name: "group can read", mode: 0o640, content: secret, wantErr: "has mode 0640: others can read it; run chmod 600"},
		{name: "world can read", mode: 0o644, content: secret, wantErr: "has mode 0644"},
		{name: "group can write", mode: 0o620, content: secret, wantErr: "has mode 0620"},
		{name: "missing", missing: true, wantErr: "key.file: open"},
		{name: "too large", mode: 0o600, content: strings.Repeat("k", maxBytes+1), wantErr: "larger than"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "key")
			if !tt.missing {
				if err := os.WriteFile(path, []byte(tt.content), 0o600); err != nil {
					t.Fatal(err)
				}
				if err := os.Chmod(path, tt.mode); err != nil {
					t.Fatal(err)
				}
			}
			got, err := Read(path, "key.file")
			if tt.wantErr == "" {
				if err != nil || string(got) != tt.content {
					t.Fatalf("Read = %q, %v; want the content", got, err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("Read error = %v, want it to contain %q", err, tt.wantErr)
			}
			if strings.Contains(err.Error(), secret) {
				t.Fatal("the error shows the secret")
			}
			if tt.missing && !errors.Is(err, fs.ErrNotExist) {
				t.Fatalf("missing file: %v is not fs.ErrNotExist", err)
			}
		})
	}
}
