package tokenanomalyconnector

// The hashes key saved state, so they must not change between versions
// (bump stateVersion in persist.go if they do) and must not depend on a
// per-process seed as hash/maphash does.

const (
	hashPrime1 = 0x9E3779B185EBCA87
	hashPrime2 = 0xC2B2AE3D27D4EB4F
)

// Seeds keep the hashes of different kinds of value apart.
const (
	seedToken      uint64 = 0x746f6b656e // token ids
	seedClient     uint64 = 0x636c69656e // client addresses
	seedAddress    uint64 = 0x6164647265 // (token, network) pairs
	seedResource   uint64 = 0x7265736f75 // (token, resource) pairs
	seedNetwork    uint64 = 0x6e6574776f // networks of multi_address
	seedOwner      uint64 = 0x6f776e6572 // principals of off_hours
	seedCoarse     uint64 = 0x636f617273 // (token, coarse network) pairs of new_client_address
	seedPopulation uint64 = 0x706f70756c // coarse networks in the population sketch
	seedOwnerRes   uint64 = 0x6f776e7265 // (principal, resource) pairs of new_resource
	seedPeerRes    uint64 = 0x7065657272 // (peer group, resource) in the population sketch
	seedOwnerAS    uint64 = 0x6f776e6173 // (principal, AS) pairs of new_client_address
	seedAS         uint64 = 0x6173206f66 // autonomous systems in the population sketch
	seedHosting    uint64 = 0x686f737469 // (token or principal) used a hosting provider's network
	seedOffHosting uint64 = 0x6f66666873 // the token used a network of an AS that is not a hosting provider's
	seedCohort     uint64 = 0x636f686f72 // (finding type, resource) cohorts
	seedRoute      uint64 = 0x726f757465 // resources the org called (routes.go)
	seedScopePeer  uint64 = 0x73636f7065 // (principal, scope) pairs and (peer group, scope) in the population sketch
	seedOwnerNet   uint64 = 0x6f776e6e65 // (principal, network) pairs of the cohorts' owner's ground
	seedOwnerCC    uint64 = 0x6f776e6363 // (principal, country) pairs of new_client_address
	seedCountry    uint64 = 0x636f756e74 // countries in the population sketch
)

// hashString is a small 64-bit string hash (8 bytes per round, murmur3
// finaliser); its quality is ample for hash-table keys and Bloom probes.
func hashString(seed uint64, s string) uint64 {
	h := seed ^ uint64(len(s))*hashPrime1
	for len(s) >= 8 {
		k := uint64(s[0]) | uint64(s[1])<<8 | uint64(s[2])<<16 | uint64(s[3])<<24 |
			uint64(s[4])<<32 | uint64(s[5])<<40 | uint64(s[6])<<48 | uint64(s[7])<<56
		h ^= mix64(k * hashPrime2)
		h = (h<<27 | h>>37) * hashPrime1
		s = s[8:]
	}
	var k uint64
	for i := len(s) - 1; i >= 0; i-- {
		k = k<<8 | uint64(s[i])
	}
	h ^= mix64(k*hashPrime2 + 1)
	return mix64(h)
}

// hashPair hashes a value under a token's key.
func hashPair(seed, key uint64, s string) uint64 {
	return hashString(seed^mix64(key), s)
}

// mix64 is the murmur3 64-bit finaliser.
func mix64(h uint64) uint64 {
	h ^= h >> 33
	h *= 0xff51afd7ed558ccd
	h ^= h >> 33
	h *= 0xc4ceb9fe1a85ec53
	h ^= h >> 33
	return h
}

// rng is a deterministic xorshift generator: replaying the same input
// evicts the same entries.
type rng uint64

func (r *rng) next() uint64 {
	x := uint64(*r)
	x ^= x << 13
	x ^= x >> 7
	x ^= x << 17
	*r = rng(x)
	return x
}
