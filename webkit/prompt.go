package webkit

import (
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"golang.org/x/term"
)

// IsTerminal reports whether in is a terminal (a person typing).
func IsTerminal(in io.Reader) bool {
	f, ok := in.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}

// ReadPassword reads a password: from a terminal without echo (on Windows
// too), after writing prompt to out; from anything else (a pipe, a file) one
// line, without a prompt.
func ReadPassword(in io.Reader, out io.Writer, prompt string) (string, error) {
	if f, ok := in.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
		fmt.Fprint(out, prompt)
		b, err := term.ReadPassword(int(f.Fd()))
		fmt.Fprintln(out)
		if err != nil {
			return "", fmt.Errorf("read password: %w", err)
		}
		return string(b), nil
	}
	line, err := readLine(in)
	if err != nil {
		return "", fmt.Errorf("read password: %w", err)
	}
	return line, nil
}

// ReadNewPassword reads a new password; at a terminal it asks twice and
// refuses two that differ.
func ReadNewPassword(in io.Reader, out io.Writer) (string, error) {
	pw, err := ReadPassword(in, out, "Password / 密码: ")
	if err != nil {
		return "", err
	}
	if !IsTerminal(in) {
		return pw, nil
	}
	again, err := ReadPassword(in, out, "Password again / 再次输入密码: ")
	if err != nil {
		return "", err
	}
	if again != pw {
		return "", errors.New("the passwords differ")
	}
	return pw, nil
}

// maxLine bounds a line read from a pipe.
const maxLine = 4096

// readLine reads one line byte by byte, so that nothing after it is consumed.
func readLine(in io.Reader) (string, error) {
	var b strings.Builder
	buf := make([]byte, 1)
	for b.Len() < maxLine {
		n, err := in.Read(buf)
		if n == 1 {
			if buf[0] == '\n' {
				return strings.TrimSuffix(b.String(), "\r"), nil
			}
			b.WriteByte(buf[0])
		}
		if errors.Is(err, io.EOF) {
			if b.Len() == 0 {
				return "", io.ErrUnexpectedEOF
			}
			return strings.TrimSuffix(b.String(), "\r"), nil
		}
		if err != nil {
			return "", err
		}
	}
	return "", errors.New("line too long")
}
