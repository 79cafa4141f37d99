// Package ocsfcheck validates OCSF events against the official OCSF schema
// source tree (dictionary.json, events/, objects/, profiles/, categories.json,
// version.json) using only the standard library.
//
// The rules follow the reference validator of the OCSF server (Validator2)
// with a few deliberate differences, all of them stricter:
//
//   - A value that does not match its data type's regex (ip_t, mac_t, uuid_t,
//     email_t, datetime_t, ...) is an error; the OCSF server only warns.
//   - A null value counts as absent, also for at_least_one/just_one
//     constraints (the server counts a present key even when null).
//   - Dotted constraint members such as "device.os.sp_name" are resolved as
//     paths instead of as literal keys.
//   - Integers (integer_t, long_t and their subtypes) must be integral JSON
//     number literals within the 32-bit (integer_t) or 64-bit (long_t) range.
//
// Sibling rules (an *_id enum and its caption attribute, e.g. activity_id and
// activity_name) are warnings, never errors: the schema marks no sibling as
// required and the OCSF server treats a missing sibling as fine and a
// mismatched caption as a warning. We additionally warn when an *_id is 99
// (Other) without its sibling, because the enum's own description says the
// sibling carries the source-specific value.
//
// Deprecated classes, objects, attributes and enum values are accepted and
// reported through Warnings. Schema extensions (extensions/) are not loaded.
package ocsfcheck
