// Package policy reads the token policy file and evaluates the stateless
// checks that need it: revocation, unknown tokens, scopes, restricted
// resources, working hours and networks. The file format is documented in
// README.md beside this file.
package policy

import "time"

// file is the YAML form of the policy file.
type file struct {
	Scopes          map[string][]string `yaml:"scopes"`
	Restricted      []restrictedFile    `yaml:"restricted"`
	WorkingHours    *hoursFile          `yaml:"working_hours"`
	AllowedNetworks []string            `yaml:"allowed_networks"`
	Revoked         []revokedFile       `yaml:"revoked"`
	Registry        registryFile        `yaml:"registry"`
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
	ID  string `yaml:"id"`
	JTI string `yaml:"jti"`
}

type registryFile struct {
	Authoritative bool        `yaml:"authoritative"`
	Tokens        []tokenFile `yaml:"tokens"`
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
	Networks     []string   `yaml:"networks"`
	WorkingHours *hoursFile `yaml:"working_hours"`
}

// Entry is a registry entry.
type Entry struct {
	Name, Owner, OwnerType string
	Scopes                 []string
	CreatedAt, ExpiresAt   time.Time

	networks []netPrefix
	hours    *hours
}
