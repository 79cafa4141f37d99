package integration

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// repoRoot is the repository this test file belongs to.
func repoRoot() string {
	_, self, _, _ := runtime.Caller(0)
	return filepath.Join(filepath.Dir(self), "..")
}

// docBlocks returns the fenced blocks of lang after heading in a page of
// the repository, in order, without the indent of a block in a list: the
// test runs what the page shows.
func docBlocks(t *testing.T, page, heading, lang string) []string {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join(repoRoot(), page))
	require.NoError(t, err)
	text := string(raw)
	i := strings.Index(text, "\n"+heading+"\n")
	require.GreaterOrEqual(t, i, 0, "%s has no heading %q", page, heading)
	var blocks []string
	var indent string
	inBlock := false
	var b strings.Builder
	for _, line := range strings.Split(text[i+1:], "\n") {
		trimmed := strings.TrimLeft(line, " ")
		switch {
		case !inBlock && trimmed == "```"+lang:
			inBlock, indent = true, line[:len(line)-len(trimmed)]
			b.Reset()
		case inBlock && line == indent+"```":
			inBlock = false
			blocks = append(blocks, b.String())
		case inBlock:
			b.WriteString(strings.TrimPrefix(line, indent) + "\n")
		}
	}
	require.False(t, inBlock, "%s: an unclosed block", page)
	require.NotEmpty(t, blocks, "%s: no %s block after %q", page, lang, heading)
	return blocks
}

// docBlock is the first of docBlocks.
func docBlock(t *testing.T, page, heading, lang string) string {
	t.Helper()
	return docBlocks(t, page, heading, lang)[0]
}

// documentedSetup is docs/access-logs.md's production setup for one
// proxy: its example file with the "In production" file merged over it,
// the page's absolute paths moved under dir.
type documentedSetup struct {
	dir     string
	configs []string // --config files, in order
	logFile string   // the access log the receiver reads
	audit   string   // audit_log's directory
	pubKey  string   // the checkpoint verification key
	inputs  []string // files the test wrote for the collector to read
}

func newDocumentedSetup(t *testing.T, proxy, policy string) *documentedSetup {
	t.Helper()
	dir := t.TempDir()
	s := &documentedSetup{
		dir:     dir,
		logFile: filepath.Join(dir, "var/log", proxy, "access.json"),
		audit:   filepath.Join(dir, "var/lib/otelcol/audit"),
		pubKey:  filepath.Join(dir, "var/lib/otelcol/keys/audit-signing.key.pub"),
	}
	policyFile := filepath.Join(dir, "etc/otelcol/token-policy.yaml")
	require.NoError(t, os.MkdirAll(filepath.Dir(s.logFile), 0o700))
	require.NoError(t, os.MkdirAll(filepath.Dir(policyFile), 0o700))
	require.NoError(t, os.WriteFile(policyFile, []byte(policy), 0o600))

	production := docBlock(t, "docs/access-logs.md", "## In production", "yaml")
	if proxy != "nginx" { // as the page says for Envoy
		production = strings.NewReplacer("file_log/nginx", "file_log/"+proxy,
			"/var/log/nginx/access.json", "/var/log/"+proxy+"/access.json").Replace(production)
	}
	production = strings.NewReplacer("/var/lib/otelcol", filepath.Join(dir, "var/lib/otelcol"),
		"/var/log/", filepath.Join(dir, "var/log")+"/", "/etc/otelcol/", filepath.Join(dir, "etc/otelcol")+"/").Replace(production)
	prodFile := filepath.Join(dir, "production.yaml")
	require.NoError(t, os.WriteFile(prodFile, []byte(production), 0o600))
	s.configs = []string{filepath.Join(repoRoot(), "docs/examples/filelog-"+proxy+".yaml"), prodFile}
	s.inputs = []string{s.logFile, policyFile, prodFile}
	return s
}

// commands returns the page's two commands for this setup — validate,
// then run — as arguments of the binary, with the files the test wrote.
func (s *documentedSetup) commands(t *testing.T) (validate, run []string) {
	t.Helper()
	proxy := strings.TrimSuffix(strings.TrimPrefix(filepath.Base(s.configs[0]), "filelog-"), ".yaml")
	files := map[string]string{"docs/examples/filelog-nginx.yaml": s.configs[0], "production.yaml": s.configs[1]}
	lines := strings.Split(strings.TrimSpace(docBlock(t, "docs/access-logs.md", "## In production", "sh")), "\n")
	require.Len(t, lines, 2, "In production shows validate, then run")
	var cmds [][]string
	for _, l := range lines {
		fields := strings.Fields(l)
		require.Equal(t, "otelcol-tokenaudit", fields[0])
		args := fields[1:]
		for i, a := range args {
			if f, ok := files[a]; ok {
				args[i] = f
			}
		}
		cmds = append(cmds, args)
	}
	require.Equal(t, "validate", cmds[0][0])
	require.Equal(t, cmds[0][1:], cmds[1], "validate checks what runs (%s)", proxy)
	return cmds[0], cmds[1]
}

// validate runs the page's validate command.
func (s *documentedSetup) validate(t *testing.T) {
	t.Helper()
	args, _ := s.commands(t)
	cmd := exec.Command(binary(t), args...)
	cmd.Dir = s.dir
	out, err := cmd.CombinedOutput()
	require.NoError(t, err, "validate: %s", out)
}

// start runs the collector on the merged configuration and waits until
// the receiver watches the access log, which must not be empty: with
// start_at: end, what the log held before is not read, and what comes
// after is.
func (s *documentedSetup) start(t *testing.T) *collector {
	t.Helper()
	c := s.startUntil(t, "Started watching file")
	// The receiver logs that line just before it takes the file's size as
	// its start (start_at: end): a line written in between would be
	// skipped. Its next polls (every 200 ms) read everything new.
	time.Sleep(time.Second)
	return c
}

// restart runs the collector again on the state of an earlier run: the
// receiver continues from its saved offsets.
func (s *documentedSetup) restart(t *testing.T) *collector {
	t.Helper()
	return s.startUntil(t, "Everything is ready")
}

func (s *documentedSetup) startUntil(t *testing.T, ready string) *collector {
	t.Helper()
	c := &collector{log: &syncBuffer{}, dir: s.dir}
	_, args := s.commands(t)
	// The page's configuration runs as written, but for the collector's
	// own metrics (ownMetricsOff).
	args = append(args, ownMetricsOff)
	c.cmd = exec.Command(binary(t), args...)
	c.cmd.Dir = s.dir
	c.cmd.Stdout, c.cmd.Stderr = c.log, c.log
	require.NoError(t, c.cmd.Start())
	t.Cleanup(func() { c.stop(t) })
	deadline := time.Now().Add(30 * time.Second)
	for !strings.Contains(c.log.String(), ready) {
		if c.cmd.ProcessState != nil || time.Now().After(deadline) {
			t.Fatalf("collector did not start\n%s", c.log.String())
		}
		time.Sleep(100 * time.Millisecond)
	}
	return c
}

// apiActivities returns the log's API Activity records.
func apiActivities(t *testing.T, audit string) []map[string]any {
	t.Helper()
	var out []map[string]any
	for _, r := range auditRecords(t, audit) {
		if r["class_uid"] == float64(6003) {
			out = append(out, r)
		}
	}
	return out
}

// findingsByType returns an audit log's Detection Findings by finding type.
func findingsByType(t *testing.T, audit string) map[string][]map[string]any {
	t.Helper()
	out := map[string][]map[string]any{}
	for _, r := range auditRecords(t, audit) {
		if fi, ok := r["finding_info"].(map[string]any); ok {
			for _, typ := range fi["types"].([]any) {
				out[typ.(string)] = append(out[typ.(string)], r)
			}
		}
	}
	return out
}

// waitForActivities polls until the log holds want API Activity records.
func waitForActivities(t *testing.T, audit string, want int, col *collector) {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for {
		recs := apiActivities(t, audit)
		if len(recs) >= want {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("audit log holds %d of %d records\n%s", len(recs), want, col.log.String())
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// requireNoSecretWritten searches every file under dir that the test did
// not write itself — the collector's state, queue, keys, audit log — and
// the collector's own log for each secret.
func requireNoSecretWritten(t *testing.T, dir string, inputs []string, col *collector, secrets ...string) {
	t.Helper()
	skip := map[string]bool{}
	for _, p := range inputs {
		skip[p] = true
	}
	files := 0
	require.NoError(t, filepath.WalkDir(dir, func(path string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() || skip[path] {
			return err
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		files++
		for _, s := range secrets {
			if i := strings.Index(string(b), s); i >= 0 {
				t.Fatalf("a credential (%s…) is at rest in %s at byte %d", s, path, i)
			}
		}
		return nil
	}))
	require.Positive(t, files)
	for _, s := range secrets {
		require.NotContains(t, col.log.String(), s, "a credential is in the collector's log")
	}
}

// TestIntegrationAccessLogsProduction runs each example of
// docs/access-logs.md with the page's "In production" file merged over it,
// as the page shows: it validates, every line of the sample log is one
// record in a log that verifies, and no credential is at rest anywhere
// the collector wrote (file_log's saved fingerprint included).
func TestIntegrationAccessLogsProduction(t *testing.T) {
	for _, proxy := range []string{"nginx", "envoy"} {
		t.Run(proxy, func(t *testing.T) {
			s := newDocumentedSetup(t, proxy, "restricted:\n  - resource: \"* /admin/**\"\n    principals: [admin-bot]\n")
			s.validate(t)
			lines, err := os.ReadFile(filepath.Join(repoRoot(), "testdata/accesslogs", proxy+".log"))
			require.NoError(t, err)
			// A line from before the start, which start_at: end skips.
			require.NoError(t, os.WriteFile(s.logFile, []byte(firstLine(t, lines)), 0o600))
			col := s.start(t)
			f, err := os.OpenFile(s.logFile, os.O_APPEND|os.O_WRONLY, 0)
			require.NoError(t, err)
			_, err = f.Write(lines)
			require.NoError(t, err)
			require.NoError(t, f.Close())

			want := strings.Count(string(lines), "\n")
			waitForActivities(t, s.audit, want, col)
			time.Sleep(time.Second) // nothing more may come
			col.stop(t)
			recs := apiActivities(t, s.audit)
			require.Len(t, recs, want, "one record per line, the two identical lines included")
			for i, r := range recs {
				api := r["api"].(map[string]any)
				require.Contains(t, api, "token", "line %d: its credential was found", i)
			}
			code, out := runAuditctl(t, "verify", s.audit, "-key", s.pubKey)
			require.Equal(t, 0, code, out)
			requireNoSecretWritten(t, s.dir, s.inputs, col, "demo-"+proxy+"-token-")
		})
	}
}

// firstLine is the first line of a sample log without its credential: a
// line that was in the file before the collector started.
func firstLine(t *testing.T, lines []byte) string {
	t.Helper()
	line, _, ok := strings.Cut(string(lines), "\n")
	require.True(t, ok)
	return regexp.MustCompile(`Bearer demo-[a-z]+-token-[0-9]+`).ReplaceAllString(line, "") + "\n"
}

// TestAccessLogsPageBlocks accounts for every YAML block of
// docs/access-logs.md, so that none is added without a test running it:
// the builder fragment is in builder-config.yaml; the receiver parts, the
// Envoy configuration and the production file are run by
// TestIntegrationAccessLogs and TestIntegrationAccessLogsProduction.
func TestAccessLogsPageBlocks(t *testing.T) {
	blocks := docBlocks(t, "docs/access-logs.md", "## What you need", "yaml")
	starts := make([]string, len(blocks))
	for i, b := range blocks {
		starts[i], _, _ = strings.Cut(b, "\n")
	}
	require.Equal(t, []string{
		"receivers:",  // builder-config.yaml fragment
		"receivers:",  // nginx receiver part
		"access_log:", // Envoy's configuration
		"receivers:",  // Envoy receiver part
		"# production.yaml: merged over docs/examples/filelog-nginx.yaml",
	}, starts, "a YAML block was added to docs/access-logs.md: give it a test, then list it here")
	builder, err := os.ReadFile(filepath.Join(repoRoot(), "builder-config.yaml"))
	require.NoError(t, err)
	gomod := strings.TrimSpace(strings.TrimPrefix(blocks[0], "receivers:\n"))
	require.Contains(t, string(builder), gomod, "the page's builder fragment is the distribution's")
}
