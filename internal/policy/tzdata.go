package policy

// Embeds the IANA database so that time_zone works in scratch and
// distroless images, which ship no /usr/share/zoneinfo.
import _ "time/tzdata"
