package places

import (
	"bytes"
	"fmt"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Table is a decoded division table: places sorted by code, each knowing its
// parent. It is read-only after Decode and safe for concurrent use.
type Table struct {
	codes  []string
	names  []string
	depth  []uint8 // 0 = 盟市 … 3 = 嘎查村
	parent []int32 // index of the parent place, -1 for a 盟市
	byCode map[string]int32
}

// MaxNameRunes bounds a place's name in the table.
const MaxNameRunes = 64

// Decode reads a division table: lines "code<TAB>name", sorted by code, each
// code 4, 6, 9 or 12 ASCII digits whose parent (the code less its last 2, 3
// or 3 digits, not all zeros) comes before it; lines starting with # are comments. A name is
// 1 to MaxNameRunes runes of valid UTF-8 without control characters or
// surrounding space. Anything else is an error naming the line.
func Decode(data []byte) (*Table, error) {
	t := &Table{byCode: make(map[string]int32)}
	for n := 1; len(data) > 0; n++ {
		line := data
		if i := bytes.IndexByte(data, '\n'); i >= 0 {
			line, data = data[:i], data[i+1:]
		} else {
			data = nil
		}
		if len(line) > 0 && line[0] == '#' {
			continue
		}
		code, name, ok := strings.Cut(string(line), "\t")
		if !ok {
			return nil, fmt.Errorf("line %d: want code<TAB>name", n)
		}
		depth := -1
		for d, l := range codeLen {
			if len(code) == l {
				depth = d
			}
		}
		if depth < 0 || strings.IndexFunc(code, func(r rune) bool { return r < '0' || r > '9' }) >= 0 {
			return nil, fmt.Errorf("line %d: code %q is not 4, 6, 9 or 12 digits", n, code)
		}
		if depth > 0 && strings.Trim(code[codeLen[depth-1]:], "0") == "" {
			// 150100 or 150102000 would read as a padded 1501 or 150102.
			return nil, fmt.Errorf("line %d: code %s ends in zeros", n, code)
		}
		if err := checkName(name); err != nil {
			return nil, fmt.Errorf("line %d: code %s: %w", n, code, err)
		}
		if k := len(t.codes); k > 0 && code <= t.codes[k-1] {
			return nil, fmt.Errorf("line %d: code %s does not follow %s", n, code, t.codes[k-1])
		}
		parent := int32(-1)
		if depth > 0 {
			p, ok := t.byCode[code[:codeLen[depth-1]]]
			if !ok {
				return nil, fmt.Errorf("line %d: code %s has no parent %s before it", n, code, code[:codeLen[depth-1]])
			}
			parent = p
		}
		t.byCode[code] = int32(len(t.codes))
		t.codes = append(t.codes, code)
		t.names = append(t.names, name)
		t.depth = append(t.depth, uint8(depth))
		t.parent = append(t.parent, parent)
	}
	if len(t.codes) == 0 {
		return nil, fmt.Errorf("no places")
	}
	return t, nil
}

func checkName(name string) error {
	switch {
	case name == "":
		return fmt.Errorf("empty name")
	case !utf8.ValidString(name):
		return fmt.Errorf("name is not UTF-8")
	case utf8.RuneCountInString(name) > MaxNameRunes:
		return fmt.Errorf("name longer than %d", MaxNameRunes)
	case strings.TrimSpace(name) != name:
		return fmt.Errorf("name %q has surrounding space", name)
	case strings.IndexFunc(name, unicode.IsControl) >= 0:
		return fmt.Errorf("name %q has a control character", name)
	}
	return nil
}

// Len is the number of places in t.
func (t *Table) Len() int { return len(t.codes) }

// Count is the number of places of level l in t.
func (t *Table) Count(l Level) int {
	n := 0
	for _, d := range t.depth {
		if levels[d] == l {
			n++
		}
	}
	return n
}

// Lookup returns the place with code (or its zero-padded form, see Lookup).
func (t *Table) Lookup(code string) (Place, bool) {
	i, ok := t.byCode[canonical(code)]
	if !ok {
		return Place{}, false
	}
	return t.place(i), true
}

func (t *Table) place(i int32) Place {
	var names [len(codeLen)]string
	d := int(t.depth[i])
	for j, k := i, d; j >= 0; j, k = t.parent[j], k-1 {
		names[k] = t.names[j]
	}
	return Place{Code: t.codes[i], Name: t.names[i], Level: levels[d], Path: strings.Join(names[:d+1], PathSep)}
}

// Search returns at most limit places matching q (surrounding space
// trimmed), none for an empty q or a limit below 1. A place matches when its
// name holds q or its code starts with q, and it is of one of the levels
// only names (any level when only is empty: a picker of villages asks for
// Village alone, lest 20 苏木 named 乌兰… fill its list). The order, best first:
//  1. how well: the name or code is q exactly, then the name or code starts
//     with q, then the name holds q elsewhere;
//  2. the level, from the top: a 旗县 before the 苏木乡镇 and 嘎查村 that share
//     its name (a shorter path first);
//  3. the code, so that places of one 旗县 or 苏木 stay together.
//
// It reads every name once, keeping the first limit places of each (rank,
// level) bucket: the scan is the whole cost, with no sort.
func (t *Table) Search(q string, limit int, only ...Level) []Place {
	q = strings.TrimSpace(q)
	if q == "" || limit < 1 || len(q) > 4*MaxNameRunes {
		return nil
	}
	var want [len(codeLen)]bool
	for d, l := range levels {
		want[d] = len(only) == 0 || slices.Contains(only, l)
	}
	const ranks = 3
	var buckets [ranks * len(codeLen)][]int32
	for i, name := range t.names {
		if !want[t.depth[i]] {
			continue
		}
		var r int
		code := t.codes[i]
		switch {
		case name == q || code == q:
			r = 0
		case strings.HasPrefix(name, q) || strings.HasPrefix(code, q):
			r = 1
		case strings.Contains(name, q):
			r = 2
		default:
			continue
		}
		b := &buckets[r*len(codeLen)+int(t.depth[i])]
		if len(*b) < limit {
			*b = append(*b, int32(i))
		}
	}
	var out []Place
	for _, b := range buckets {
		for _, i := range b {
			if len(out) == limit {
				return out
			}
			out = append(out, t.place(i))
		}
	}
	return out
}
