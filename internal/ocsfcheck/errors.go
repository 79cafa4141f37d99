package ocsfcheck

import "fmt"

// Kind classifies a validation problem so callers and tests can match on it
// without parsing messages.
type Kind string

// Problem kinds reported by Validate and Warnings.
const (
	KindClass       Kind = "class"       // unknown or malformed class_uid
	KindRequired    Kind = "required"    // required attribute missing
	KindRecommended Kind = "recommended" // recommended attribute missing (warning)
	KindUnknown     Kind = "unknown"     // attribute not defined for the class/object
	KindProfile     Kind = "profile"     // profile attribute used without its profile, or unknown profile
	KindType        Kind = "type"        // wrong JSON type, or array/scalar mismatch
	KindFormat      Kind = "format"      // regex, max_len, range or values of a data type
	KindEnum        Kind = "enum"        // value not among the enum keys
	KindSibling     Kind = "sibling"     // enum caption sibling missing or mismatched (warning)
	KindTypeUID     Kind = "type_uid"    // type_uid != class_uid*100 + activity_id
	KindConstraint  Kind = "constraint"  // at_least_one / just_one violated
	KindVersion     Kind = "version"     // metadata.version differs from the schema version
	KindDeprecated  Kind = "deprecated"  // deprecated class/object/attribute/enum value (warning)
	KindObservable  Kind = "observable"  // observables[].name does not name a class attribute
	KindDepth       Kind = "depth"       // nesting deeper than the guard allows
	KindJSON        Kind = "json"        // input is not a single JSON object
)

// Error is one validation problem located by a JSON path such as
// "api.operation" or "resources[0].uid" (empty for the event itself).
type Error struct {
	Path string
	Kind Kind
	Msg  string
}

func (e *Error) Error() string {
	if e.Path == "" {
		return fmt.Sprintf("%s: %s", e.Kind, e.Msg)
	}
	return fmt.Sprintf("%s: %s: %s", e.Path, e.Kind, e.Msg)
}
