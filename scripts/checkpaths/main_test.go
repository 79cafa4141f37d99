package main

import (
	"os"
	"path/filepath"
	"testing"
)

// sibling is the folder beside a checkout that users do not have, built
// from parts so that this file, which only feeds it to the checker, does
// not name it itself.
const sibling = "sha" + "red"

func TestCheckFile(t *testing.T) {
	tests := []struct {
		file, line string
		want       int // problems
	}{
		{"internal/ocsfcheck/helpers_test.go", `const dir = "../../../` + sibling + `/ocsf-schema-1.8.0"`, 2},
		{"integration/audit_log_test.go", `ocsfcheck.Load("../../` + sibling + `/ocsf")`, 2},
		{"internal/x/x_test.go", `t.Fatal("expected /work/` + sibling + `/x")`, 1},
		{"README.md", "see /home/alice/design.md", 1},
		{".ci/run", `export PATH="$PATH:$(go env GOPATH || echo /root/go)/bin"`, 1},
		{"Makefile", "\tcp ../secret.key dist/", 1},
		{"internal/policy/readme_test.go", `os.ReadFile("../../../policy.yaml")`, 1},
		{"integration/demo_test.go", `filepath.Join(dir, "..", "..")`, 1},
		// inside the repository
		{"internal/policy/readme_test.go", `os.ReadFile("../../docs/policy.md")`, 0},
		{"bench/go.mod", "replace github.com/tokenaudit/tokenaudit => ../", 0},
		{"scripts/demo.sh", `cd "$(dirname "$0")/.."`, 0},
		{"integration/demo_test.go", `filepath.Join(filepath.Dir(self), "..")`, 0},
		{"docs/policy.md", "[`policy.yaml`](../policy.yaml)", 0},
		{"connector/x/doc.go", "//go:generate go -C ../../tools tool mdatagen", 0},
		{"docs/kubernetes.md", "mountPath: /var/lib/otelcol", 0},
		{"internal/x/x.go", "func f(xs ...string) {}", 0},
		{"README.md", "Nov 20 10:46 … a..b ....", 0},
		// test data may hold any bytes; the named places are still checked
		{"internal/x/testdata/fuzz/FuzzX/1", `string("../../../../etc")`, 0},
		{"internal/x/testdata/fuzz/FuzzX/2", `string("../` + sibling + `")`, 1},
	}
	for _, tt := range tests {
		if got := checkFile(tt.file, []byte("first line\n"+tt.line+"\n")); len(got) != tt.want {
			t.Errorf("%s: %q: %d problems %v, want %d", tt.file, tt.line, len(got), got, tt.want)
		} else if len(got) > 0 && got[0].line != 2 {
			t.Errorf("%s: problem on line %d, want 2", tt.file, got[0].line)
		}
	}
}

func TestCheckSkipsOutputsAndVendored(t *testing.T) {
	root := t.TempDir()
	write := func(name, content string) {
		p := filepath.Join(root, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	bad := `const dir = "../../../` + sibling + `/x"` + "\n"
	write("dist/build.go", bad)
	write("third_party/x/a.go", bad)
	write(".git", "gitdir: /work/main/.git/worktrees/x\n")
	write("bin.dat", "\x00"+bad)
	write("integration/testdata/app/node_modules/pkg/README.md", "see /Users/someone/x\n")
	write("internal/ok/ok.go", "package ok\n")
	if got, err := check(root); err != nil || len(got) != 0 {
		t.Fatalf("check = %v, %v; want nothing", got, err)
	}
	write("internal/bad/bad_test.go", bad)
	if got, err := check(root); err != nil || len(got) != 2 {
		t.Fatalf("check = %v, %v; want the two problems of internal/bad", got, err)
	}
}
