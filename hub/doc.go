// Package hub is the county hub's core: a replica that keeps every version
// of every row of the county (History), enrols stations and authenticates
// them by hashed tokens, applies their uploads, keeps each station's scope
// and the conflict queue, and computes the dashboard's figures. It follows
// the core/adapter split: people reach it through hub/hubweb, stations
// through the sync session, and who may do what lives in hub/access.
package hub
