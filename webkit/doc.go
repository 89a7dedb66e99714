// Package webkit is the web layer the station and the hub share: login
// sessions over a small store, CSRF tokens bound to a session and a server
// secret, Host and Origin checks against DNS rebinding, security headers with
// a strict Content-Security-Policy, JSON errors, language choice and a
// two-language text catalogue, login lock-out with back-off, uniform-time
// password checks, a no-echo password prompt, the time zone pages show dates
// in, hardened http.Server settings, CSV cell neutralising, the
// fingerprints of self-signed TLS certificates and the pages' shared look
// (one stylesheet and one page header for both servers). It follows the
// OWASP session, CSRF and authentication cheat sheets; it holds no domain
// knowledge.
package webkit
