package ipasn

import "slices"

// hostingProviders are the autonomous systems of the large cloud, VPS and
// dedicated-server providers: networks where anyone can rent an address
// by the hour, so that two of an org's tokens on one of their ranges say
// nothing about a third (a merchant's server and a thief's VPS share
// DigitalOcean's /16s by chance). An AS number is a registry fact; the
// list is ours, from the providers' own AS registrations, and names only
// providers whose address space is rented servers.
//
// Left out on purpose: content delivery networks and privacy relays
// (Cloudflare 13335, Akamai's CDN 20940 and 16625, Fastly 54113, Apple's
// 714 and 6185): iCloud Private Relay, WARP and their kind put ordinary
// users' phones and laptops on those addresses, and a user moving
// between relay egresses is no thief.
//
// They are grouped by provider: one company's clouds and regions are
// announced under several numbers (AWS's EC2 in us-east-1 is AS14618,
// elsewhere AS16509), and a service moving between them has not changed
// provider.
var hostingProviders = [][]uint32{
	{7684, 9370, 9371},     // SAKURA Internet
	{8075, 12076},          // Microsoft Azure
	{8100},                 // QuadraNet
	{8560},                 // IONOS
	{8987, 14618, 16509},   // Amazon Web Services
	{9009},                 // M247
	{9123},                 // TimeWeb
	{12876},                // Scaleway (Online S.A.S.)
	{14061, 393406},        // DigitalOcean
	{15169, 19527, 396982}, // Google Cloud
	{7203, 16265, 28753, 30633, 59253, 60781, 396190}, // Leaseweb
	{16276},                 // OVHcloud
	{19994, 27357},          // Rackspace
	{20473},                 // Vultr (The Constant Company, Choopa)
	{21859},                 // Zenlayer
	{24940, 212317, 213230}, // Hetzner Online
	{26496, 398101},         // GoDaddy
	{31034},                 // Aruba
	{31898},                 // Oracle Cloud
	{36007},                 // Kamatera
	{36351},                 // IBM Cloud (SoftLayer)
	{36352},                 // ColoCrossing
	{37963, 45102},          // Alibaba Cloud
	{40509},                 // Fly.io
	{40676},                 // Psychz Networks
	{45090, 132203},         // Tencent Cloud
	{47583},                 // Hostinger
	{49505},                 // Selectel
	{49981},                 // WorldStream
	{51167},                 // Contabo
	{53667},                 // FranTech (BuyVM)
	{54290},                 // Hostwinds
	{54825},                 // Equinix Metal (Packet)
	{57043},                 // HOSTKEY
	{60068, 212238},         // DataCamp (CDN77, DataPacket)
	{48337, 63949},          // Linode (Akamai Connected Cloud)
	{136907},                // Huawei Cloud
	{197540},                // netcup
	{199524, 202422},        // G-Core Labs
	{202053},                // UpCloud
}

// HostingASNs returns the built-in hosting ASes, sorted (a copy).
func HostingASNs() []uint32 {
	var s []uint32
	for _, p := range hostingProviders {
		s = append(s, p...)
	}
	slices.Sort(s)
	return s
}

// ProviderASNs returns the built-in hosting ASes of as's provider, as
// included; nil when as is not on the built-in list (a provider a config
// names by hosting_asns is its own AS). The slice is shared: read only.
func ProviderASNs(as uint32) []uint32 {
	for _, p := range hostingProviders {
		if slices.Contains(p, as) {
			return p
		}
	}
	return nil
}
