package station

import (
	"fieldsync/dbmigrate"
	"fieldsync/replica"
)

// Ladder is station.db's layout ladder (dbmigrate). A station keeps no
// tables of its own in its database today (its staff are in users.json),
// so it is the engine's steps; a station's own step, or a new step of the
// engine, is appended at its end, never inserted: a step's number is what
// a database's user_version counts.
func Ladder() []dbmigrate.Step {
	return []dbmigrate.Step{
		// 1: the layout of release 0.5.0, made before ladders existed; on
		// its databases (user_version 0) it changes nothing.
		replica.Layout1,
	}
}
