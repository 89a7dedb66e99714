package syncproto

import "fieldsync/ident"

// newDeriver returns the deriver of row ids for a batch, nil without a key.
func newDeriver(k ident.Key) *ident.Deriver {
	if k == nil {
		return nil
	}
	return ident.NewDeriver(k)
}
