// Command checkpaths fails when a file of the repository reads or names a
// path outside it: the shared folder the project was designed in, a build
// machine's home or work directory, or a relative path whose ".." climbs
// above the repository root. A fresh clone is the whole product, so no test,
// build step or document may depend on what lies beside it.
//
// Run from the repository root (make lint does): go run ./scripts/checkpaths
package main

import (
	"bytes"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"strings"
)

// outside are names of places beside or above a checkout. A document may
// still name system paths a deployment uses (/var/lib/otelcol, /etc/...).
var outside = regexp.MustCompile(`\.\./shared\b|/work/|/home/|/root/|/Users/`)

// climb is a run of ".." path elements, joined by "/" or by Go's
// filepath.Join argument separator; "..." and "a..b" are not.
var climb = regexp.MustCompile(`(?:^|[^\w.])(\.\.(?:(?:/|", ")\.\.)*)(?:[^\w.]|$)`)

// skipDirs, from the root, are not the repository's own text: build
// outputs, the vendored schema, and this checker, whose source must name
// what it looks for. Git's metadata (.git) and npm's installed packages
// (node_modules, git-ignored: integration/testdata/sdkjs) are skipped
// wherever they are.
var skipDirs = map[string]bool{
	"dist": true, "data": true, "bin": true, "bench/e2e/dist": true,
	"third_party": true, "scripts/checkpaths": true,
}

// climbChecked are the files whose relative paths are resolved: code,
// build files, configuration and documents. Test data (fuzz corpora, logs)
// may hold any bytes.
func climbChecked(name string) bool {
	switch path.Ext(name) {
	case ".go", ".sh", ".yaml", ".yml", ".mod", ".md", ".tmpl":
		return true
	case ".json":
		return !strings.Contains(name, "testdata/")
	}
	base := path.Base(name)
	return base == "Makefile" || base == "run"
}

// problem is one finding.
type problem struct {
	file string
	line int
	what string
}

func (p problem) String() string { return fmt.Sprintf("%s:%d: %s", p.file, p.line, p.what) }

// check walks root and returns every line that leaves the repository.
func check(root string) ([]problem, error) {
	var out []problem
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(root, p)
		if err != nil {
			return err
		}
		rel = filepath.ToSlash(rel)
		switch {
		case d.IsDir() && (skipDirs[rel] || d.Name() == ".git" || d.Name() == "node_modules"):
			return filepath.SkipDir
		case d.IsDir() || !d.Type().IsRegular() || d.Name() == ".git":
			return nil
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		if bytes.IndexByte(data, 0) >= 0 {
			return nil // binary
		}
		out = append(out, checkFile(rel, data)...)
		return nil
	})
	return out, err
}

// checkFile checks one file, named by its path from the root.
func checkFile(rel string, data []byte) []problem {
	var out []problem
	depth := strings.Count(path.Dir(rel), "/") + 1
	if path.Dir(rel) == "." {
		depth = 0
	}
	resolve := climbChecked(rel)
	for i, line := range strings.Split(string(data), "\n") {
		if m := outside.FindString(line); m != "" {
			out = append(out, problem{rel, i + 1, fmt.Sprintf("names %q, outside the repository", m)})
		}
		if !resolve {
			continue
		}
		for _, m := range climb.FindAllStringSubmatch(line, -1) {
			if n := strings.Count(m[1], ".."); n > depth {
				out = append(out, problem{rel, i + 1, fmt.Sprintf("%q climbs %d levels from %s, above the repository root", m[1], n, path.Dir(rel))})
			}
		}
	}
	return out
}

func main() {
	problems, err := check(".")
	if err != nil {
		fmt.Fprintln(os.Stderr, "checkpaths:", err)
		os.Exit(2)
	}
	for _, p := range problems {
		fmt.Fprintln(os.Stderr, p)
	}
	if len(problems) > 0 {
		fmt.Fprintf(os.Stderr, "checkpaths: %d references outside the repository; vendor what is needed (third_party/) and use paths inside it\n", len(problems))
		os.Exit(1)
	}
}
