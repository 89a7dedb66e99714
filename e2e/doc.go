// Package e2e holds the tests that run the hub, stations and the sync
// client together on 127.0.0.1: real SQLite files, real WebSockets, real
// station processes' parts, as in the field (nats-server's RunServer way).
package e2e
