// Package hubtest is the test support for the hub and its adapters, in the
// httptest way: it starts a real hub with hubsync and hubweb on 127.0.0.1
// with its SQLite files in a test's temporary folder, enrolls stations and
// runs their sync clients, logs administrators in, speaks raw syncproto over
// a WebSocket, cuts connections in a proxy, and polls with a deadline.
//
// HUB_TEST_LOG=1 shows the hub's and clients' logs, and a goroutine dump
// when a wait times out.
package hubtest
