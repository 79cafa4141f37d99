// Package zonetab is the tz database's zone.tab, embedded so that no
// component reads a path outside the repository for it.
package zonetab

import _ "embed"

// Tab is zone.tab: one row per country and time zone (a tab-separated
// ISO 3166 code, the zone's principal location, the IANA zone name and a
// comment), '#' lines for comments.
//
//go:embed zone.tab
var Tab string
