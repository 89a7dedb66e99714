package stationweb

import (
	"context"
	"net/http"
	"time"

	"fieldsync/station"
	"fieldsync/webkit"
)

// SessionTTL is how long a login lasts without use.
const SessionTTL = 12 * time.Hour

const (
	sessionCookie = "fs_session"
	csrfCookie    = "fs_csrf"
)

func (s *Server) newSession(ctx context.Context, w http.ResponseWriter, r *http.Request, user string) error {
	_, err := s.sessions.Start(ctx, w, r, user)
	return err
}

func (s *Server) endSession(w http.ResponseWriter, r *http.Request) {
	if err := s.sessions.End(r.Context(), w, r); err != nil {
		s.log.WarnContext(r.Context(), "end session", "err", err)
	}
}

// login checks a user name and password against the lock-out and the
// accounts, and logs the outcome: 0 when they are right, else 401 (wrong)
// or 429 (locked out).
func (s *Server) checkLogin(r *http.Request, via, name, password string) int {
	remote := webkit.RemoteKey(r)
	if err := s.limiter.Begin(name, remote); err != nil {
		webkit.LogLocked(r.Context(), s.log, r, via)
		return http.StatusTooManyRequests
	}
	ok, known := s.users.CheckKnown(name, password)
	outcome := webkit.Failed
	if ok {
		outcome = webkit.Succeeded
	}
	s.limiter.Finish(name, remote, outcome)
	if !ok {
		webkit.LogLogin(r.Context(), s.log, r, via, name, known, outcome)
		return http.StatusUnauthorized
	}
	return 0
}

// authenticate finds the staff member behind a request: its session (sess,
// already looked up), or for the API also HTTP basic authentication. status
// is 0 when found, else 401 or 429 (locked out).
func (s *Server) authenticate(r *http.Request, sess *webkit.Session, api bool) (user string, status int) {
	if sess != nil {
		return sess.User, 0
	}
	if api && s.users != nil {
		if name, pw, ok := r.BasicAuth(); ok {
			if st := s.checkLogin(r, "api", name, pw); st != 0 {
				return "", st
			}
			return name, 0
		}
	}
	return "", http.StatusUnauthorized
}

// mayReadRights says whether the request may read and write labour-rights
// cases (劳动权益维护): a station that asks for a login (bound beyond
// loopback) allows the staff accounts granted the permission (station user
// add --rights); a station that asks for none (loopback) cannot tell its
// users apart, so whoever sits at its PC holds it.
func (s *Server) mayReadRights(r *http.Request) bool {
	return !s.login || s.users.HasRights(station.LoggedIn(r.Context()))
}
