package hub

import (
	"fieldsync/dbmigrate"
	"fieldsync/hub/access"
	"fieldsync/replica"
)

// Ladder is hub.db's layout ladder (dbmigrate): the replication engine's
// tables, then the hub's own. It only grows at its end, a step for each
// change of layout, the engine's new steps included; a step's number is
// what a database's user_version counts, so steps are never inserted,
// reordered or removed.
func Ladder() []dbmigrate.Step {
	var hubTables []string
	hubTables = append(hubTables, storeSchema...)
	hubTables = append(hubTables, access.Tables()...)
	hubTables = append(hubTables, conflictSchema...)
	hubTables = append(hubTables, requestSchema...)
	return []dbmigrate.Step{
		// 1, 2: the layout of release 0.5.0, made before ladders existed;
		// on its databases (user_version 0) they change nothing.
		replica.Layout1,
		dbmigrate.Statements("hub tables", hubTables...),
		// 3: release 0.6.0: every site a station had, the hub database's
		// incarnations, and the release each station runs.
		dbmigrate.Statements("0.6.0: station sites, incarnations, station software",
			append([]string{stationSitesSchema,
				`ALTER TABLE hub_stations ADD COLUMN software TEXT NOT NULL DEFAULT ''`},
				incarnationSchema...)...),
		// 4: release 0.6.0: the hub's next TLS key and the stations sent
		// its pin.
		dbmigrate.Statements("0.6.0: next TLS key, stations sent its pin", tlsSchema...),
	}
}
