package webkit

import (
	"bytes"
	"io"
	"os"
	"strings"
	"testing"
)

func TestReadPasswordFromPipe(t *testing.T) {
	for _, c := range []struct {
		in, want string
		err      bool
	}{
		{"secret123\n", "secret123", false},
		{"secret123\r\n", "secret123", false},
		{"no newline", "no newline", false},
		{"", "", true},
		{strings.Repeat("x", 5000) + "\n", "", true},
	} {
		r, w, err := os.Pipe()
		if err != nil {
			t.Fatal(err)
		}
		go func() { io.WriteString(w, c.in); w.Close() }()
		var out bytes.Buffer
		got, err := ReadPassword(r, &out, "Password: ")
		r.Close()
		if (err != nil) != c.err || got != c.want {
			t.Errorf("%q: %q, %v", c.in, got, err)
		}
		if out.Len() != 0 {
			t.Errorf("prompt written to a pipe: %q", out.String())
		}
	}
}

func TestReadNewPasswordKeepsTheRest(t *testing.T) {
	in := strings.NewReader("first\nsecond\n")
	pw, err := ReadNewPassword(in, io.Discard)
	if err != nil || pw != "first" {
		t.Fatalf("%q %v", pw, err)
	}
	rest, _ := io.ReadAll(in)
	if string(rest) != "second\n" {
		t.Fatalf("read past the line: rest %q", rest)
	}
}
