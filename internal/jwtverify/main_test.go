package jwtverify

import (
	"testing"

	"go.uber.org/goleak"
)

// The JWKS poller is a goroutine; Close must end it.
func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }
