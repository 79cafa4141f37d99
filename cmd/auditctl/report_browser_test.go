package main

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestReportHTMLInChromium renders the HTML report in headless Chromium:
// the DOM must hold the figures and the console must stay free of errors.
// Without chromium on PATH it skips, except in CI (CI=true), where it fails.
func TestReportHTMLInChromium(t *testing.T) {
	bin, err := exec.LookPath("chromium")
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("chromium is not on PATH; CI must install it (.ci/run does)")
		}
		t.Skip("chromium is not on PATH")
	}
	dir, pub := makeReportLog(t)
	page := filepath.Join(t.TempDir(), "report.html")
	code, _, e := runCmd(t, "", nil, "report", dir, "-key", pub, "-out", page)
	require.Equal(t, 0, code, e)

	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, "--headless=new", "--disable-gpu", "--no-sandbox",
		"--user-data-dir="+t.TempDir(), "--dump-dom", "--enable-logging=stderr", "--v=0",
		"--virtual-time-budget=2000", "file://"+page)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	require.NoError(t, cmd.Run(), stderr.String())

	dom := stdout.String()
	for _, want := range []string{
		`id="verdict" class="verdict ok">VERIFIED:`,
		`id="total-api">10<`,
		`id="tree-size">10<`,
		"&lt;script&gt;alert(1)&lt;/script&gt;",
		"<svg",
	} {
		assert.Contains(t, dom, want)
	}
	assert.NotContains(t, dom, "<script>", "the principal stayed text")
	for _, bad := range []string{"Uncaught", "ERROR:CONSOLE", "Content Security Policy", "Refused to"} {
		assert.NotContains(t, stderr.String(), bad)
	}
	if t.Failed() {
		t.Logf("stderr:\n%s", stderr.String())
		t.Logf("dom head:\n%s", dom[:min(len(dom), 2000)])
	}
}
