package credential

import (
	"bytes"
	"encoding/json"
	"errors"
	"math"
	"reflect"
	"strconv"
	"strings"
	"testing"
)

// stdlibClaims is what encoding/json reads from a payload: the object as a
// map (a repeated key counts by its last value), each claim by the rules
// parseClaims documents. It is the reference FuzzClaimsMatchStdlib holds
// parseClaims to.
func stdlibClaims(payload []byte) (Claims, error) {
	var c Claims
	var m map[string]json.RawMessage
	if err := json.Unmarshal(payload, &m); err != nil || m == nil {
		return c, errPayload
	}
	wrong := false
	value := func(name string) (any, bool) {
		raw, ok := m[name]
		if !ok {
			return nil, false
		}
		d := json.NewDecoder(bytes.NewReader(raw))
		d.UseNumber()
		var v any
		if err := d.Decode(&v); err != nil {
			panic(err) // already validated by Unmarshal
		}
		return v, v != nil
	}
	str := func(name string, dst *string) {
		if v, ok := value(name); ok {
			s, isStr := v.(string)
			*dst, wrong = s, wrong || !isStr
		}
	}
	list := func(name string) []string {
		v, ok := value(name)
		if !ok {
			return nil
		}
		switch v := v.(type) {
		case string:
			return []string{v}
		case []any:
			var out []string
			for _, e := range v {
				s, isStr := e.(string)
				if !isStr {
					wrong = true
					return nil
				}
				if len(out) < maxListItems {
					out = append(out, s)
				}
			}
			return out
		}
		wrong = true
		return nil
	}
	num := func(name string, dst *int64, has *bool) {
		v, ok := value(name)
		if !ok {
			return
		}
		n, isNum := v.(json.Number)
		f, err := strconv.ParseFloat(string(n), 64)
		if !isNum || err != nil || math.IsNaN(f) || f > math.MaxInt64/2 || f < -math.MaxInt64/2 {
			wrong = true
			return
		}
		*dst, *has = int64(f), true
	}
	str("iss", &c.Issuer)
	str("sub", &c.Subject)
	str("jti", &c.JTI)
	str("client_id", &c.ClientID)
	str("azp", &c.AuthorizedParty)
	c.Audience = nonEmpty(list("aud"))
	for _, s := range append(list("scope"), list("scp")...) {
		c.Scopes = append(c.Scopes, strings.Fields(s)...)
	}
	if len(c.Scopes) > maxListItems {
		c.Scopes = c.Scopes[:maxListItems]
	}
	c.Scopes = dedupe(c.Scopes)
	num("exp", &c.ExpiresAt, &c.HasExp)
	num("nbf", &c.NotBefore, &c.HasNbf)
	num("iat", &c.IssuedAt, &c.HasIat)
	if wrong {
		return Claims{}, errClaimType
	}
	return c, nil
}

// claimSeeds are payloads on which a hand-written reader and encoding/json
// have disagreed, or could.
var claimSeeds = []string{
	`{"iss":"https://idp","sub":"alice","aud":["a","b"],"exp":1800000000.9,"nbf":1700000000,"iat":1700000000,"jti":"j1","scope":"read write","scp":["admin"],"client_id":"web","azp":"web2"}`,
	`{"\u0073ub":"mallory","ex\u0070":1000,"\u0073cope":"admin"}`,
	`{"sub":"first","sub":"last","exp":"x","exp":5}`,
	`{"exp":5,"exp":null,"aud":"a","aud":[]}`,
	`{"exp":1e9,"nbf":1.7E+9,"iat":-0,"jti":"\u00e9\ud83d\ude00\ud800"}`,
	`{"exp":1e400}`,
	`{"exp":01}`,
	`{"exp":1.}`,
	`{"exp":-}`,
	`{"x":tru}`,
	`{"x":[1,{"a":nul}]}`,
	`{"x":{"a" 1}}`,
	`{"x":[1,]}`,
	`{"x":"\x"}`,
	`{"x":"\u12"}`,
	"{\"sub\":\"a\xffb\",\"\xff\":1}",
	"{\"x\":\"a\x01\"}",
	`{"aud":["a",1],"aud":"b"}`,
	`{"aud":["a",1]}`,
	`{"scope":{"a":"b"}}`,
	`null`,
	`[]`,
	`{} x`,
	` {"sub" : "s" } `,
	`{"SUB":"upper","Exp":1}`,
	`{"x":` + strings.Repeat("[", maxDepth-1) + strings.Repeat("]", maxDepth-1) + `}`,
	`{"x":` + strings.Repeat("[", maxDepth) + strings.Repeat("]", maxDepth) + `}`,
	`{"x":` + strings.Repeat(`{"a":`, maxDepth-1) + `1` + strings.Repeat("}", maxDepth-1) + `}`,
}

// FuzzClaimsMatchStdlib holds the claims reader to encoding/json: on any
// payload both accept or both refuse it, with the same error class, and
// both extract the same principal, issuer, audience, jti, times, scopes,
// client_id and azp.
func FuzzClaimsMatchStdlib(f *testing.F) {
	for _, s := range claimSeeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, payload []byte) {
		var got Claims
		gotErr := parseClaims(payload, &got)
		want, wantErr := stdlibClaims(payload)
		if !errors.Is(gotErr, wantErr) {
			t.Fatalf("payload %q: error %v, encoding/json gives %v", payload, gotErr, wantErr)
		}
		if gotErr == nil && !reflect.DeepEqual(got, want) {
			t.Fatalf("payload %q:\n got %+v\nwant %+v", payload, got, want)
		}
	})
}

// TestClaimsAsJSONReadsThem: escaped names, repeated names and number forms
// read as every JSON parser reads them (issue 15, point 1).
func TestClaimsAsJSONReadsThem(t *testing.T) {
	tests := []struct {
		name, payload string
		want          Claims
	}{
		{"escaped names", `{"\u0073ub":"mallory","ex\u0070":1000,"\u0073cope":"admin"}`,
			Claims{Subject: "mallory", ExpiresAt: 1000, HasExp: true, Scopes: []string{"admin"}}},
		{"escaped value", `{"sub":"al\u0069ce","iss":"https:\/\/idp"}`, Claims{Subject: "alice", Issuer: "https://idp"}},
		{"last wins", `{"sub":"first","sub":"last","exp":"soon","exp":5}`, Claims{Subject: "last", ExpiresAt: 5, HasExp: true}},
		{"null clears", `{"exp":5,"exp":null,"aud":"a","aud":null}`, Claims{}},
		{"exponent", `{"exp":1.8E+9,"iat":17e8}`, Claims{ExpiresAt: 1800000000, HasExp: true, IssuedAt: 1700000000, HasIat: true}},
		{"names are case sensitive", `{"SUB":"x","Exp":1}`, Claims{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got Claims
			if err := parseClaims([]byte(tt.payload), &got); err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got %+v want %+v", got, tt.want)
			}
		})
	}
}

// BenchmarkClaims compares the claims reader with encoding/json on a
// typical access-token payload; the difference is why the reader exists.
func BenchmarkClaims(b *testing.B) {
	payload := []byte(`{"iss":"https://idp.example.com","sub":"user-1","aud":"api","exp":1800000000,"iat":1700000000,"jti":"abc","scope":"a b c","roles":["x","y"],"pad":"` + strings.Repeat("x", 400) + `"}`)
	b.Run("reader", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			var c Claims
			_ = parseClaims(payload, &c)
		}
	})
	b.Run("encoding_json", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			_, _ = stdlibClaims(payload)
		}
	})
}
