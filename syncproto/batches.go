package syncproto

import (
	"fieldsync/replica"
)

// Batches cuts log entries read after prev (and examined through through)
// into batches of at most max changes, for both directions of a session.
// The batches cover the log without gaps: the first starts at prev+1, each
// next one right after the last one's Last, whatever the reader's filter
// skipped in between (PROTOCOL.md, "Cursors").
// The changes of one transaction share a log sequence and may span batches:
// a batch that ends inside such a group says Last = seq-1, so that a receiver
// committing it does not move its cursor past changes it has not received;
// after a cut the group is sent again, whole (applying is idempotent). The
// last batch's Last is through. With no entries, one empty batch moves the
// receiver's cursor to through.
func Batches(entries []replica.LogEntry, prev, through uint64, max int) []*Batch {
	if len(entries) == 0 {
		return []*Batch{{First: prev + 1, Last: through}}
	}
	var out []*Batch
	for i := 0; i < len(entries); {
		j := min(i+max, len(entries)) // entries[i:j]
		b := &Batch{First: prev + 1, Changes: make([]replica.Change, j-i)}
		for k := i; k < j; k++ {
			b.Changes[k-i] = entries[k].Change
		}
		switch last := entries[j-1].Seq; {
		case j == len(entries):
			b.Last = max64(through, last)
		case entries[j].Seq == last:
			b.Last = max64(prev, last-1)
		default:
			b.Last = last
		}
		if b.Last < b.First {
			// The start of a group too large for one batch: it moves no
			// cursor, and says so (first = last = prev).
			b.First = b.Last
		}
		prev = b.Last
		out = append(out, b)
		i = j
	}
	return out
}

func max64(a, b uint64) uint64 { return max(a, b) }

// ChangeBytes bounds from above what c adds to a batch body before
// compression: its table, row and version, and each field's column,
// value, element and replaced versions, at their largest encodings.
func ChangeBytes(c *replica.Change) int {
	n := 2 + 16 + 16 + len(c.Table)
	for i := range c.Fields {
		f := &c.Fields[i]
		n += 4 + 10 + len(f.Elem) + 16*len(f.Replaces)
		if s, ok := f.Value.(string); ok {
			n += 5 + len(s)
		}
	}
	return n
}

// SplitChanges cuts changes, in order, into parts of at most maxChanges
// changes, maxFields fields and about maxBytes bytes before compression
// each (ChangeBytes; 0: no byte bound; a change beyond a bound alone
// makes a part of its own), so that every batch made of a part stays
// within a receiver's limits (Limits.MaxChanges, Limits.MaxTotalFields,
// the frame it accepts). It returns no part for no change.
func SplitChanges(changes []replica.Change, maxChanges, maxFields, maxBytes int) [][]replica.Change {
	var out [][]replica.Change
	start, fields, bytes := 0, 0, 0
	for i := range changes {
		n := len(changes[i].Fields)
		for _, f := range changes[i].Fields {
			n += len(f.Replaces)
		}
		b := ChangeBytes(&changes[i])
		if i > start && (i-start == maxChanges || fields+n > maxFields || maxBytes > 0 && bytes+b > maxBytes) {
			out = append(out, changes[start:i:i])
			start, fields, bytes = i, 0, 0
		}
		fields += n
		bytes += b
	}
	if start < len(changes) {
		out = append(out, changes[start:])
	}
	return out
}
