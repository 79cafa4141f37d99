package policy

import (
	"os"
	"strings"
	"testing"
)

// readmeYAML returns the README's ```yaml blocks.
func readmeYAML(t testing.TB) []string {
	t.Helper()
	data, err := os.ReadFile("../../docs/policy.md")
	if err != nil {
		t.Fatal(err)
	}
	var blocks []string
	rest := string(data)
	for {
		_, after, ok := strings.Cut(rest, "```yaml\n")
		if !ok {
			return blocks
		}
		block, after, _ := strings.Cut(after, "```")
		blocks = append(blocks, block)
		rest = after
	}
}

// TestReadmeExamples keeps the reference honest: every example parses, and
// the full one is testdata/policy.yaml, which the other tests evaluate.
func TestReadmeExamples(t *testing.T) {
	blocks := readmeYAML(t)
	if len(blocks) == 0 {
		t.Fatal("the README has no yaml examples")
	}
	for i, b := range blocks {
		if _, err := Parse([]byte(b)); err != nil {
			t.Errorf("README example %d: %v\n%s", i, err, b)
		}
	}
	example, err := os.ReadFile("testdata/policy.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if blocks[0] != string(example) {
		t.Error("the README's first example must equal testdata/policy.yaml")
	}
}

// TestRepositoryPolicyParses: the policy.yaml that config.yaml (make run,
// make demo) loads parses, and uses what the demo needs.
func TestRepositoryPolicyParses(t *testing.T) {
	data, err := os.ReadFile("../../policy.yaml")
	if err != nil {
		t.Fatal(err)
	}
	p, err := Parse(data)
	if err != nil {
		t.Fatalf("policy.yaml: %v", err)
	}
	if !p.HasScopes() || len(p.Registered()) == 0 {
		t.Error("policy.yaml should show scopes and a registry")
	}
}
