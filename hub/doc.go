// Package hub is the county hub of fieldsync: a replica that keeps every
// version of every row of the county (History), enrols stations and
// authenticates them by hashed tokens, serves their sync sessions over
// WebSocket (/sync), relays to each station the changes of its scope, and
// shows who is connected (/api/stations and a status page) to administrators
// who log in (roles in access.go, sessions and bearer tokens in login.go,
// every administrative action in the audit log).
package hub
