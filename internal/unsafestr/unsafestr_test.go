package unsafestr

import "testing"

func TestBytes(t *testing.T) {
	for _, s := range []string{"", "a", "tok_0123456789abcdef0123456789abcdef"} {
		if got := string(Bytes(s)); got != s {
			t.Errorf("Bytes(%q) = %q", s, got)
		}
	}
	if testing.AllocsPerRun(100, func() { _ = Bytes("no copy is made of this string") }) != 0 {
		t.Error("Bytes allocates")
	}
}
