package jsontext

import "testing"

func TestBad(t *testing.T) {
	for _, c := range []struct {
		body  string
		bad   bool
		field string
	}{
		{`{"name":"其木格"}`, false, ""},
		{`{"name":"\ud83d\ude00"}`, false, ""}, // a surrogate pair is one character
		{`{"name":"\ufffd"}`, false, ""},       // U+FFFD typed on purpose
		{"{\"name\":\"a\xffb\"}", true, "name"},
		{"{\"z\":\"\xff\",\"a\":\"\xfe\"}", true, "a"},
		{`{"notes":"x\udc00"}`, true, "notes"},
		{`{"notes":"\ud800x"}`, true, "notes"},
		{`{"notes":"\\ud800"}`, false, ""}, // an escaped backslash, then text
		{"[\"\xff\"]", true, ""},
		{"{\"\xff\":\"x\"}", true, ""},
	} {
		bad, field := Bad([]byte(c.body))
		if bad != c.bad || field != c.field {
			t.Errorf("Bad(%q) = %v %q, want %v %q", c.body, bad, field, c.bad, c.field)
		}
	}
}

func FuzzBad(f *testing.F) {
	f.Add([]byte(`{"a":"\ud800\udc00"}`))
	f.Add([]byte("{\"a\":\"\xff\"}"))
	f.Fuzz(func(t *testing.T, b []byte) {
		bad, field := Bad(b)
		if !bad && field != "" {
			t.Fatalf("a field %q named for a good body", field)
		}
	})
}
