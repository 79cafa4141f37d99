// Package ocsfschema is the official OCSF 1.8.0 schema source, as the files
// internal/ocsfcheck reads, embedded so that every test validates against
// the same copy and none reads a path outside the repository.
package ocsfschema

import "embed"

// Files holds version.json, dictionary.json, categories.json and the
// events/, objects/ and profiles/ trees (all: keeps the _-prefixed base
// objects), rooted as in the schema repository.
//
//go:embed version.json dictionary.json categories.json all:events all:objects all:profiles
var Files embed.FS
