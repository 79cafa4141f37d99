package auditlog

import (
	"errors"
	"fmt"

	"golang.org/x/mod/sumdb/note"
)

// SetSigner changes the checkpoint signing key without closing the log.
// Everything written so far is first signed under the old key; then
// record (the log's own record of the change, which should name both
// keys) is appended and signed at once under the new one. A verifier
// given both verification keys checks the whole log; one given only the
// old key checks it up to the change.
func (l *Log) SetSigner(signer note.Signer, record Entry) error {
	if signer == nil {
		return errors.New("audit log: no signer")
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	defer l.publishLocked()
	if err := l.repair(); err != nil {
		return err
	}
	if err := l.checkpointLocked(); err != nil {
		return fmt.Errorf("audit log: sign under the old key before the change: %w", err)
	}
	old := l.opts.Signer
	l.opts.Signer = signer
	if record != nil {
		if _, err := l.appendLocked([]Entry{record}); err != nil {
			// No record of the change, no change: the caller tries again.
			l.opts.Signer = old
			return err
		}
	}
	return l.checkpointLocked()
}
