package webkit

import "context"

// Peek is LookupToken without recording the use: a page refreshing itself is
// not its user at work, so a web session's idle timeout keeps running.
func (m *Sessions) Peek(ctx context.Context, tok string) (Session, error) {
	if !ValidToken(tok) {
		return Session{}, ErrNoSession
	}
	s, err := m.store.Session(ctx, TokenHash(tok))
	if err != nil {
		return Session{}, err
	}
	if !m.now().Before(s.Expires) {
		return Session{}, ErrNoSession
	}
	return s, nil
}
