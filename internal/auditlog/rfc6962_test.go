package auditlog

import (
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"strings"
)

// checkInclusionRFC6962 verifies a proof with its own code, written from
// RFC 9162 section 2.1.3.2, not with sumdb/tlog: the proof format must
// not depend on one implementation.
func checkInclusionRFC6962(p *Proof) error {
	text, _, ok := strings.Cut(p.Checkpoint, "\n\n")
	if !ok {
		return errors.New("no note body")
	}
	lines := strings.Split(text, "\n")
	root, err := base64.StdEncoding.DecodeString(lines[2])
	if err != nil {
		return err
	}
	leaf := sha256.Sum256(append([]byte{0}, p.Record...))
	fn, sn := p.Index, p.TreeSize-1
	if fn > sn {
		return errors.New("index beyond tree")
	}
	r := leaf[:]
	node := func(l, rr []byte) []byte {
		h := sha256.Sum256(append(append([]byte{1}, l...), rr...))
		return h[:]
	}
	for _, s := range p.Hashes {
		pb, err := base64.StdEncoding.DecodeString(s)
		if err != nil {
			return err
		}
		if sn == 0 {
			return errors.New("proof too long")
		}
		if fn&1 == 1 || fn == sn {
			r = node(pb, r)
			if fn&1 == 0 {
				for fn&1 == 0 && fn != 0 {
					fn >>= 1
					sn >>= 1
				}
			}
		} else {
			r = node(r, pb)
		}
		fn >>= 1
		sn >>= 1
	}
	if sn != 0 {
		return errors.New("proof too short")
	}
	if string(r) != string(root) {
		return errors.New("root mismatch")
	}
	return nil
}
