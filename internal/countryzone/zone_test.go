package countryzone

import (
	"slices"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestZone(t *testing.T) {
	tests := []struct {
		code, zone string
	}{
		{"DE", "Europe/Berlin"},
		{"IN", "Asia/Kolkata"},
		{"US", "America/New_York"}, // the most populous of its zones
		{"CN", "Asia/Shanghai"},    // not Urumqi's, the second listed
		{"MX", "America/Mexico_City"},
		{"BR", "America/Sao_Paulo"}, // not Noronha, listed first
		{"CA", "America/Toronto"},   // not St John's
		{"RU", "Europe/Moscow"},     // not Kaliningrad
		{"AU", "Australia/Sydney"},  // not Lord Howe
	}
	for _, tt := range tests {
		t.Run(tt.code, func(t *testing.T) {
			zones := Zones(tt.code)
			require.NotEmpty(t, zones)
			assert.Equal(t, tt.zone, zones[0].String())
		})
	}
	for _, code := range []string{"", "XX", "de", "DEU"} {
		assert.Nil(t, Zones(code), code)
	}
}

// TestZoneHasDaylightSaving: the zone is the country's rules, not a fixed
// offset: 02:30 in Berlin is 01:30 UTC in winter and 00:30 in summer.
func TestZoneHasDaylightSaving(t *testing.T) {
	zones := Zones("DE")
	require.NotEmpty(t, zones)
	loc := zones[0]
	assert.Equal(t, 2, time.Date(2026, time.January, 15, 1, 30, 0, 0, time.UTC).In(loc).Hour())
	assert.Equal(t, 2, time.Date(2026, time.July, 15, 0, 30, 0, 0, time.UTC).In(loc).Hour())
}

func TestParse(t *testing.T) {
	tab := "# a comment\n" +
		"AA\t+0000+00000\tEurope/Berlin\tfirst\n" +
		"AA\t+0000+00000\tAsia/Tokyo\tsecond\n" +
		"BB\t+0000+00000\tNo/Such_Zone\n" +
		"BB\t+0000+00000\tAsia/Kolkata\r\n" +
		"CCC\t+0000+00000\tEurope/Paris\n" +
		"DD\tshort\n"
	got := Parse(tab)
	require.Len(t, got, 2)
	require.Len(t, got["AA"], 2)
	assert.Equal(t, "Europe/Berlin", got["AA"][0].String(), "the first listed first")
	assert.Equal(t, "Asia/Tokyo", got["AA"][1].String())
	require.Len(t, got["BB"], 1, "an unknown zone is skipped")
	assert.Equal(t, "Asia/Kolkata", got["BB"][0].String())
}

// TestVendoredCovers: every country of the vendored table has a zone.
func TestVendoredCovers(t *testing.T) {
	assert.Greater(t, len(vendored()), 240)
	for code, zones := range vendored() {
		assert.NotEmpty(t, zones, code)
	}
	assert.Len(t, Zones("DE"), 2, "Berlin and Busingen")
	assert.Greater(t, len(Zones("US")), 20)
	assert.Nil(t, Zones("XX"))
}

// FuzzParse: whatever the table, Parse returns only countries of two
// letters with a zone, and never panics.
func FuzzParse(f *testing.F) {
	f.Add("DE\t+5230+01322\tEurope/Berlin\n")
	f.Add("# c\nUS\t+404251-0740023\tAmerica/New_York\tEastern\n\t\t\n")
	f.Add("XX\t\t../../etc/passwd\n")
	f.Fuzz(func(t *testing.T, tab string) {
		for code, zones := range Parse(tab) {
			if len(code) != 2 || len(zones) == 0 || slices.Contains(zones, nil) {
				t.Fatalf("country %q zones %v", code, zones)
			}
		}
	})
}
