package syncproto

import (
	"encoding/binary"
	"unsafe"

	"fieldsync/replica"
)

// Memory a decoded batch may take, per element, as decodeBody allocates it.
var (
	changeCost  = int(unsafe.Sizeof(replica.Change{})) + int(unsafe.Sizeof(changeInfo{})) + 8 // + its field count
	fieldCost   = int(unsafe.Sizeof(replica.Field{})) + 4 + 1 + 4 + 4 + 16                    // + key, flags, order, replace count, boxed value
	versionCost = int(unsafe.Sizeof(replica.Version{}))
)

// smallFrameCost bounds what decoding a frame other than a Batch allocates
// beyond the frame (an Error's message is its largest part).
const smallFrameCost = MaxErrorBytes + 1<<10

// DecodeCost tells a receiver what decoding frame will take before it
// decodes it, from the frame's length and the body size a Batch declares:
// peak bounds the bytes held at once while Decode runs, the frame included
// (the decompressed body, the string copy its text shares, and the changes,
// fields and replaced versions, each counted as if every byte of the body
// started one, within the Limits); body is a Batch's declared body size,
// which its decoded strings keep alive (0 for other frames). A frame Decode
// refuses costs at most peak as well. With the default Limits a Batch's peak
// is at most about 60 MiB.
func (c *Codec) DecodeCost(frame []byte) (peak, body int) {
	st, err := c.init()
	small := len(frame) + smallFrameCost
	if err != nil || len(frame) == 0 || MsgType(frame[0]) != TypeBatch {
		return small, 0
	}
	// The header: first seq, seq span, body encoding, body size.
	off := 1
	for range 2 {
		_, n := binary.Uvarint(frame[off:])
		if n <= 0 {
			return small, 0
		}
		off += n
	}
	if off >= len(frame) {
		return small, 0
	}
	enc := frame[off]
	off++
	raw, n := binary.Uvarint(frame[off:])
	if n <= 0 || raw > uint64(st.lim.MaxBatchRaw) {
		return small, 0 // refused before anything is allocated
	}
	r := int(raw)
	peak = small + r // the frame, and the string the body's text shares
	if enc != bodyStored {
		peak += r // the decompressed body
	}
	peak += r // site ids: 8 bytes each, from 8 bytes of body
	peak += min(r/5, st.lim.MaxChanges) * changeCost
	peak += min(r, st.lim.MaxTotalFields) * fieldCost
	peak += min(r/3, st.lim.MaxTotalFields) * versionCost
	peak += (st.nCols + 1) * 4
	// Allocations round up to Go's size classes, by at most an eighth.
	return peak + peak/8, r
}

// HeldBytes is an estimate of the memory a decoded Batch keeps until it is
// dropped, given the body size DecodeCost returned for its frame: the body's
// string, which its text values share, and its changes, fields and replaced
// versions.
func HeldBytes(b *Batch, body int) int {
	n := body + len(b.Changes)*int(unsafe.Sizeof(replica.Change{}))
	for i := range b.Changes {
		for j := range b.Changes[i].Fields {
			n += int(unsafe.Sizeof(replica.Field{})) + 16 + len(b.Changes[i].Fields[j].Replaces)*versionCost
		}
	}
	return n + n/8
}
