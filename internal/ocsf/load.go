package ocsf

import (
	"encoding/json"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync"
)

// rawDef is a class or object file as the schema writes it.
type rawDef struct {
	Name        string                     `json:"name"`
	UID         int64                      `json:"uid"`
	Extends     string                     `json:"extends"`
	Category    string                     `json:"category"`
	Meta        string                     `json:"meta"`
	Profiles    []string                   `json:"profiles"`
	Attributes  map[string]json.RawMessage `json:"attributes"`
	Constraints map[string][]string        `json:"constraints"`
}

// dictAttr is an attribute's dictionary entry.
type dictAttr struct {
	Type    string                     `json:"type"`
	IsArray bool                       `json:"is_array"`
	Enum    map[string]json.RawMessage `json:"enum"`
}

// typeDef is a primitive type.
type typeDef struct {
	Type   string    `json:"type"`
	Regex  string    `json:"regex"`
	Range  []float64 `json:"range"`
	MaxLen int       `json:"max_len"`
}

// Schema is one loaded OCSF release.
type Schema struct {
	root       string
	version    string
	categories map[string]int64
	dict       map[string]dictAttr
	types      map[string]typeDef
	objects    map[string]*rawDef
	events     map[string]*rawDef
	classes    map[int64]string // class_uid → event name
	resolved   map[string]*def
	regexes    sync.Map // pattern → *regexp.Regexp (nil: RE2 cannot compile it)
}

// Load reads the schema source tree at dir.
func Load(dir string) (*Schema, error) {
	s := &Schema{root: dir, categories: map[string]int64{}, objects: map[string]*rawDef{},
		events: map[string]*rawDef{}, classes: map[int64]string{}, resolved: map[string]*def{}}
	var version struct {
		Version string `json:"version"`
	}
	if err := readJSON(filepath.Join(dir, "version.json"), &version); err != nil {
		return nil, err
	}
	s.version = version.Version
	var cats struct {
		Attributes map[string]struct {
			UID int64 `json:"uid"`
		} `json:"attributes"`
	}
	if err := readJSON(filepath.Join(dir, "categories.json"), &cats); err != nil {
		return nil, err
	}
	for name, c := range cats.Attributes {
		s.categories[name] = c.UID
	}
	var dict struct {
		Attributes map[string]dictAttr `json:"attributes"`
		Types      struct {
			Attributes map[string]typeDef `json:"attributes"`
		} `json:"types"`
	}
	if err := readJSON(filepath.Join(dir, "dictionary.json"), &dict); err != nil {
		return nil, err
	}
	s.dict, s.types = dict.Attributes, dict.Types.Attributes
	if err := s.loadDefs(filepath.Join(dir, "objects"), s.objects); err != nil {
		return nil, err
	}
	if err := s.loadDefs(filepath.Join(dir, "events"), s.events); err != nil {
		return nil, err
	}
	for name := range s.events {
		d, err := s.resolveEvent(name)
		if err != nil {
			return nil, err
		}
		if d.uid > 0 && d.category != "" {
			s.classes[s.categories[d.category]*1000+d.uid] = name
		}
	}
	return s, nil
}

func (s *Schema) loadDefs(dir string, into map[string]*rawDef) error {
	return filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(path, ".json") {
			return err
		}
		var r rawDef
		if err := readJSON(path, &r); err != nil {
			return err
		}
		if r.Name != "" {
			into[r.Name] = &r
		}
		return nil
	})
}

func readJSON(path string, v any) error {
	data, err := os.ReadFile(path)
	if err != nil {
		return fmt.Errorf("ocsf schema: %w", err)
	}
	if err := json.Unmarshal(data, v); err != nil {
		return fmt.Errorf("ocsf schema %s: %w", path, err)
	}
	return nil
}
