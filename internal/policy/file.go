package policy

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"reflect"
	"strings"

	"go.yaml.in/yaml/v3"
)

// file is the YAML form of the policy file. Times stay strings so that a bad
// one is reported with its path rather than as a yaml type error.
type file struct {
	Scopes          map[string][]string      `yaml:"scopes"`
	Restricted      []restrictedFile         `yaml:"restricted"`
	WorkingHours    *hoursFile               `yaml:"working_hours"`
	AllowedNetworks []string                 `yaml:"allowed_networks"`
	Principals      map[string]principalFile `yaml:"principals"`
	Revoked         []revokedFile            `yaml:"revoked"`
	Registry        registryFile             `yaml:"registry"`
}

// principalFile is what one principal's tokens are held to when the
// token itself sets nothing.
type principalFile struct {
	Networks     []string   `yaml:"networks"`
	WorkingHours *hoursFile `yaml:"working_hours"`
}

type restrictedFile struct {
	Resource   string   `yaml:"resource"`
	Principals []string `yaml:"principals"`
	Tokens     []string `yaml:"tokens"`
	Scopes     []string `yaml:"scopes"`
}

type hoursFile struct {
	TimeZone string   `yaml:"time_zone"`
	Days     []string `yaml:"days"`
	Start    string   `yaml:"start"`
	End      string   `yaml:"end"`
}

type revokedFile struct {
	ID        string `yaml:"id"`
	JTI       string `yaml:"jti"`
	KeyID     string `yaml:"key_id"`
	RevokedAt string `yaml:"revoked_at"`
}

type registryFile struct {
	Authoritative   bool        `yaml:"authoritative"`
	Known           string      `yaml:"known"`
	VerifiedIssuers []string    `yaml:"verified_issuers"`
	Tokens          []tokenFile `yaml:"tokens"`
}

type tokenFile struct {
	ID           string     `yaml:"id"`
	JTI          string     `yaml:"jti"`
	KeyID        string     `yaml:"key_id"`
	Name         string     `yaml:"name"`
	Owner        string     `yaml:"owner"`
	OwnerType    string     `yaml:"owner_type"`
	Scopes       []string   `yaml:"scopes"`
	CreatedAt    string     `yaml:"created_at"`
	ExpiresAt    string     `yaml:"expires_at"`
	LastUsedAt   string     `yaml:"last_used_at"`
	Networks     []string   `yaml:"networks"`
	WorkingHours *hoursFile `yaml:"working_hours"`
}

// decode reads the YAML. It first checks the document's shape, whose errors
// name the YAML path; the strict decode after it (unknown keys rejected) then
// only fails on what the shape check cannot see.
func decode(data []byte) (*file, error) {
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return nil, err
	}
	if err := checkShape(&doc, reflect.TypeFor[file](), ""); err != nil {
		return nil, err
	}
	var f file
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(&f); err != nil {
		if errors.Is(err, io.EOF) { // an empty file is an empty policy
			return &f, nil
		}
		return nil, cleanTypeError(err)
	}
	for {
		var next yaml.Node
		err := dec.Decode(&next)
		if errors.Is(err, io.EOF) {
			return &f, nil
		}
		if err != nil || !isEmpty(&next) { // a trailing "---" alone is harmless
			return nil, errors.New("the file holds more than one YAML document: keep one, without a second ---")
		}
	}
}

func isEmpty(doc *yaml.Node) bool {
	if doc.Kind == yaml.DocumentNode && len(doc.Content) == 1 {
		doc = doc.Content[0]
	}
	return doc.Kind == 0 || doc.Kind == yaml.DocumentNode || (doc.Kind == yaml.ScalarNode && doc.Tag == "!!null")
}

// cleanTypeError keeps yaml's line numbers and drops the " in type
// policy.tokenFile" it appends: a name from this code, not the user's file.
func cleanTypeError(err error) error {
	var te *yaml.TypeError
	if !errors.As(err, &te) {
		return err
	}
	const shown = 3 // one alias can repeat an error thousands of times
	msgs := make([]string, 0, shown+1)
	for i, m := range te.Errors {
		if i == shown {
			msgs = append(msgs, fmt.Sprintf("and %d more", len(te.Errors)-shown))
			break
		}
		m, _, _ = strings.Cut(m, " in type ")
		msgs = append(msgs, m)
	}
	return errors.New("yaml: " + strings.Join(msgs, "; "))
}
