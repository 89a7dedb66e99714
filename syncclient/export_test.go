package syncclient

import (
	"context"

	"fieldsync/replica"
)

// ResendRestored runs the re-send of a restored backup's unacknowledged
// changes, as the first session does.
func (c *Client) ResendRestored(ctx context.Context) error { return c.resendRestored(ctx) }

// ResendWithoutMarker runs the re-send but for its marker: a crash right
// after the re-stamp.
func (c *Client) ResendWithoutMarker(ctx context.Context) (Resent, error) {
	return c.resendUnmarked(ctx)
}

// ForgetResent removes the marker of the re-send.
func ForgetResent(ctx context.Context, r *replica.Replica) error {
	return r.SetState(ctx, resentState, nil)
}
