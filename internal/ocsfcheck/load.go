package ocsfcheck

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strings"

	ocsfschema "github.com/tokenaudit/tokenaudit/third_party/ocsf-schema-1.8.0"
)

// Schema is a resolved, immutable OCSF schema; it is safe for concurrent use.
type Schema struct {
	version  string
	classes  map[int64]*definition
	objects  map[string]*definition
	types    map[string]*dataType
	profiles map[string]bool
}

// Version is the schema version read from version.json.
func (s *Schema) Version() string { return s.version }

// rawSchema holds the files as read, before inheritance is resolved.
type rawSchema struct {
	root       fs.FS
	dictionary map[string]map[string]any // attribute name -> dictionary entry
	types      map[string]map[string]any
	categories map[string]rawCategory
	classes    map[string]map[string]any // class name -> file content, includes expanded
	objects    map[string]map[string]any
	profiles   map[string]bool
	includes   map[string]map[string]any // cache: include path -> tagged content
}

type rawCategory struct {
	uid     int64
	caption string
}

// Load reads and resolves the schema source tree rooted at dir once; the
// result is reused for every Validate call.
func Load(dir string) (*Schema, error) {
	return LoadFS(os.DirFS(dir), dir)
}

// LoadOCSF180 loads the official OCSF 1.8.0 schema vendored in
// third_party/ocsf-schema-1.8.0.
func LoadOCSF180() (*Schema, error) {
	return LoadFS(ocsfschema.Files, "third_party/ocsf-schema-1.8.0")
}

// LoadFS is Load of a schema source tree in fsys; name says which in errors.
func LoadFS(fsys fs.FS, name string) (*Schema, error) {
	raw := &rawSchema{
		root:     fsys,
		classes:  map[string]map[string]any{},
		objects:  map[string]map[string]any{},
		profiles: map[string]bool{},
		includes: map[string]map[string]any{},
	}
	version, err := raw.read()
	if err != nil {
		return nil, fmt.Errorf("ocsfcheck: load %s: %w", name, err)
	}
	s, err := raw.resolve(version)
	if err != nil {
		return nil, fmt.Errorf("ocsfcheck: resolve %s: %w", name, err)
	}
	return s, nil
}

func (r *rawSchema) read() (string, error) {
	var ver struct {
		Version string `json:"version"`
	}
	if err := readJSON(r.root, "version.json", &ver); err != nil {
		return "", err
	}
	if ver.Version == "" {
		return "", errors.New("version.json: empty version")
	}
	if err := r.readDictionary(); err != nil {
		return "", err
	}
	if err := r.readCategories(); err != nil {
		return "", err
	}
	if err := r.readProfiles(); err != nil {
		return "", err
	}
	if err := r.readItems("objects", r.objects); err != nil {
		return "", err
	}
	if err := r.readItems("events", r.classes); err != nil {
		return "", err
	}
	return ver.Version, nil
}

func (r *rawSchema) readDictionary() error {
	var dict struct {
		Attributes map[string]map[string]any `json:"attributes"`
		Types      struct {
			Attributes map[string]map[string]any `json:"attributes"`
		} `json:"types"`
	}
	if err := readJSON(r.root, "dictionary.json", &dict); err != nil {
		return err
	}
	if len(dict.Attributes) == 0 || len(dict.Types.Attributes) == 0 {
		return errors.New("dictionary.json: no attributes or types")
	}
	r.dictionary, r.types = dict.Attributes, dict.Types.Attributes
	return nil
}

func (r *rawSchema) readCategories() error {
	var cats struct {
		Attributes map[string]struct {
			UID     *int64 `json:"uid"`
			Caption string `json:"caption"`
		} `json:"attributes"`
	}
	if err := readJSON(r.root, "categories.json", &cats); err != nil {
		return err
	}
	r.categories = make(map[string]rawCategory, len(cats.Attributes))
	for name, c := range cats.Attributes {
		if c.UID == nil {
			return fmt.Errorf("categories.json: category %q has no uid", name)
		}
		r.categories[name] = rawCategory{uid: *c.UID, caption: c.Caption}
	}
	return nil
}

// readProfiles records the profile names an event may list in
// metadata.profiles. The synthetic "datetime" profile has a file too.
func (r *rawSchema) readProfiles() error {
	files, err := fs.Glob(r.root, "profiles/*.json")
	if err != nil {
		return fmt.Errorf("list profiles: %w", err)
	}
	for _, f := range files {
		var p map[string]any
		if err := readJSON(r.root, f, &p); err != nil {
			return err
		}
		name, _ := p["name"].(string)
		if name == "" {
			return fmt.Errorf("%s: profile without name", f)
		}
		r.profiles[name] = true
	}
	r.profiles["datetime"] = true
	return nil
}

// readItems loads every *.json under dir (recursively) keyed by its "name",
// expanding $include directives on the way.
func (r *rawSchema) readItems(dir string, into map[string]map[string]any) error {
	return fs.WalkDir(r.root, dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return fmt.Errorf("walk %s: %w", p, err)
		}
		if d.IsDir() || path.Ext(p) != ".json" {
			return nil
		}
		var item map[string]any
		if err := readJSON(r.root, p, &item); err != nil {
			return err
		}
		name, _ := item["name"].(string)
		if name == "" {
			name = strings.TrimSuffix(path.Base(p), ".json")
		}
		if _, dup := into[name]; dup {
			return fmt.Errorf("%s: duplicate definition of %q", p, name)
		}
		if err := r.expandIncludes(item); err != nil {
			return fmt.Errorf("%s: %w", p, err)
		}
		into[name] = item
		return nil
	})
}

func readJSON(root fs.FS, name string, v any) error {
	b, err := fs.ReadFile(root, name)
	if err != nil {
		return fmt.Errorf("read %s: %w", name, err)
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	if err := dec.Decode(v); err != nil {
		return fmt.Errorf("parse %s: %w", name, err)
	}
	return nil
}

// includePath validates a $include target: it must stay inside the schema root.
func includePath(p string) (string, error) {
	clean := path.Clean(filepath.ToSlash(p))
	if !fs.ValidPath(clean) {
		return "", fmt.Errorf("invalid $include path %q", p)
	}
	return clean, nil
}
