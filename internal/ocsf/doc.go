// Package ocsf validates records against the official OCSF schema source
// tree (github.com/ocsf/ocsf-schema, a tagged release): required
// attributes, types, enums, type_uid arithmetic, object constraints,
// profile gating, and no unknown attributes. It reads the schema's own
// files, so a new release is a new directory, not new code.
package ocsf
