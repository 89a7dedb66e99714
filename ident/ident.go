// Package ident makes the 128-bit row ids of fieldsync and checks the natural keys
// they derive from: a worker's id comes from the normalised national id number
// (GB 11643) under a deployment key, so two stations that register the same person
// offline write to the same row; other rows get time-ordered random ids.
package ident

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"database/sql/driver"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"strings"
	"sync"
	"time"
	"unicode/utf8"
)

// ID is a 128-bit row id.
type ID [16]byte

// Zero is the empty id.
var Zero ID

// String is the id in lower-case hex, as it appears in URLs and the API.
func (id ID) String() string { return hex.EncodeToString(id[:]) }

// IsZero reports whether id is the zero id.
func (id ID) IsZero() bool { return id == Zero }

// ParseID parses the 32-hex-digit form made by String.
func ParseID(s string) (ID, error) {
	var id ID
	if len(s) != 32 {
		return id, fmt.Errorf("parse id %q: want 32 hex digits", s)
	}
	if _, err := hex.Decode(id[:], []byte(s)); err != nil {
		return id, fmt.Errorf("parse id %q: %w", s, err)
	}
	return id, nil
}

// MarshalText makes IDs render as hex in JSON.
func (id ID) MarshalText() ([]byte, error) { return []byte(id.String()), nil }

// UnmarshalText parses the hex form.
func (id *ID) UnmarshalText(b []byte) error {
	v, err := ParseID(string(b))
	if err != nil {
		return err
	}
	*id = v
	return nil
}

// Value stores an id in SQL as its 16 bytes.
func (id ID) Value() (driver.Value, error) { return id[:], nil }

// Scan reads an id stored by Value.
func (id *ID) Scan(src any) error {
	b, ok := src.([]byte)
	if !ok || len(b) != len(id) {
		return fmt.Errorf("scan id: want 16 bytes, got %T", src)
	}
	copy(id[:], b)
	return nil
}

// Key is the deployment's secret for deriving ids from natural keys. Without it
// an id cannot be turned back into a national id number by trying them all.
type Key []byte

// NewKey makes a random 32-byte deployment key.
func NewKey() (Key, error) {
	k := make(Key, 32)
	if _, err := rand.Read(k); err != nil {
		return nil, fmt.Errorf("new deployment key: %w", err)
	}
	return k, nil
}

// Derive returns the id of the row whose natural key in namespace (a table name)
// is natural. The caller normalises natural first.
func (k Key) Derive(namespace, natural string) ID {
	m := hmac.New(sha256.New, k)
	m.Write([]byte(namespace))
	m.Write([]byte{0})
	m.Write([]byte(natural))
	var id ID
	copy(id[:], m.Sum(nil))
	return id
}

// Deriver derives ids under one key, reusing one keyed hash state: the hot
// path of importing and applying worker records, where a new HMAC per row
// costs more than the hashing. It is safe for concurrent use; callers that
// derive in parallel should each have their own.
type Deriver struct {
	mu  sync.Mutex
	h   hash.Hash
	buf []byte
	sum [sha256.Size]byte
}

// NewDeriver returns a Deriver for key.
func NewDeriver(k Key) *Deriver { return &Deriver{h: hmac.New(sha256.New, k)} }

// Derive is Key.Derive.
func (d *Deriver) Derive(namespace, natural string) ID {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.h.Reset()
	d.buf = append(append(append(d.buf[:0], namespace...), 0), natural...)
	d.h.Write(d.buf)
	var id ID
	copy(id[:], d.h.Sum(d.sum[:0]))
	return id
}

// NewTimeOrdered returns a random id whose first 48 bits are the milliseconds of
// now, so ids made later sort later (the layout of UUID version 7).
func NewTimeOrdered(now time.Time) (ID, error) {
	var id ID
	if _, err := rand.Read(id[6:]); err != nil {
		return id, fmt.Errorf("new id: %w", err)
	}
	ms := uint64(now.UnixMilli())
	var b [8]byte
	binary.BigEndian.PutUint64(b[:], ms<<16)
	copy(id[:6], b[:6])
	id[6] = 0x70 | id[6]&0x0f // version 7
	id[8] = 0x80 | id[8]&0x3f // RFC 4122 variant
	return id, nil
}

// Errors from NormalizeIDNumber. They are sentinel values so that the UI can
// translate them; wrap them, never compare their text.
var (
	ErrIDLength   = errors.New("id number must have 18 characters (or 15 for the old form)")
	ErrIDChars    = errors.New("id number may hold only digits and a final X")
	ErrIDDate     = errors.New("id number holds an impossible birth date")
	ErrIDChecksum = errors.New("id number check digit is wrong")
)

var idWeights = [17]int{7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2}

const idCheckChars = "10X98765432"

// CheckDigit computes the GB 11643 check character of the first 17 digits.
func CheckDigit(first17 string) byte {
	sum := 0
	for i := 0; i < 17; i++ {
		sum += int(first17[i]-'0') * idWeights[i]
	}
	return idCheckChars[sum%11]
}

// NormalizeIDNumber returns the canonical 18-character form of a citizen id
// number as people type it: surrounding and inner spaces dropped, full-width
// digits and X accepted, lower-case x upper-cased, 15-digit legacy numbers
// converted (century 19 and a computed check digit). The date part and the check
// digit are verified.
func NormalizeIDNumber(s string) (string, error) {
	var b strings.Builder
	for _, r := range s {
		switch {
		case r == ' ' || r == '\t' || r == '\u3000' || r == '-':
			continue
		case r >= '０' && r <= '９':
			r = '0' + (r - '０')
		case r == 'x' || r == 'Ｘ' || r == 'ｘ':
			r = 'X'
		}
		if r >= utf8.RuneSelf {
			return "", ErrIDChars
		}
		b.WriteRune(r)
	}
	id := b.String()
	switch len(id) {
	case 15:
		if !allDigits(id) {
			return "", ErrIDChars
		}
		first17 := id[:6] + "19" + id[6:]
		id = first17 + string(CheckDigit(first17))
	case 18:
		if !allDigits(id[:17]) || !(id[17] == 'X' || isDigit(id[17])) {
			return "", ErrIDChars
		}
		if _, err := BirthDate(id); err != nil {
			return "", err
		}
		if CheckDigit(id[:17]) != id[17] {
			return "", ErrIDChecksum
		}
	default:
		return "", ErrIDLength
	}
	if _, err := BirthDate(id); err != nil {
		return "", err
	}
	return id, nil
}

// BirthDate is the birth date held in a normalised 18-character id number.
func BirthDate(id string) (time.Time, error) {
	if len(id) != 18 {
		return time.Time{}, ErrIDLength
	}
	d, err := time.Parse("20060102", id[6:14])
	if err != nil || d.Year() < 1900 {
		return time.Time{}, ErrIDDate
	}
	return d, nil
}

// Male reports the sex held in a normalised id number: the 17th digit is odd for men.
func Male(id string) bool { return len(id) == 18 && (id[16]-'0')%2 == 1 }

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if !isDigit(s[i]) {
			return false
		}
	}
	return true
}
