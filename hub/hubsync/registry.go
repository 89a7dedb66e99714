package hubsync

import (
	"fmt"
	"sort"

	memdb "github.com/hashicorp/go-memdb"

	"fieldsync/hub"
)

// wake is bumped to wake a station's session: its watch channel fires.
type wake struct {
	Station string
	Gen     uint64
}

// registry is the live session registry: connected sessions indexed by
// station, and the wake objects whose watch channels wake sessions when a
// change in their scope is applied.
type registry struct {
	db *memdb.MemDB
}

func newRegistry() (*registry, error) {
	schema := &memdb.DBSchema{Tables: map[string]*memdb.TableSchema{
		"session": {Name: "session", Indexes: map[string]*memdb.IndexSchema{
			"id": {Name: "id", Unique: true, Indexer: &memdb.StringFieldIndex{Field: "Station"}},
		}},
		"wake": {Name: "wake", Indexes: map[string]*memdb.IndexSchema{
			"id": {Name: "id", Unique: true, Indexer: &memdb.StringFieldIndex{Field: "Station"}},
		}},
	}}
	db, err := memdb.NewMemDB(schema)
	if err != nil {
		return nil, fmt.Errorf("session registry: %w", err)
	}
	return &registry{db: db}, nil
}

// put inserts or replaces a session.
func (r *registry) put(s hub.SessionInfo) {
	txn := r.db.Txn(true)
	txn.Insert("session", &s)
	if w, _ := txn.First("wake", "id", s.Station); w == nil {
		txn.Insert("wake", &wake{Station: s.Station})
	}
	txn.Commit()
}

// update changes the session of station if it is session id.
func (r *registry) update(station string, id uint64, fn func(*hub.SessionInfo)) {
	txn := r.db.Txn(true)
	defer txn.Abort()
	raw, _ := txn.First("session", "id", station)
	if raw == nil || raw.(*hub.SessionInfo).ID != id {
		return
	}
	s := *raw.(*hub.SessionInfo) // objects in memdb are immutable: change a copy
	fn(&s)
	txn.Insert("session", &s)
	txn.Commit()
}

// remove deletes the session of station if it is session id.
func (r *registry) remove(station string, id uint64) {
	txn := r.db.Txn(true)
	defer txn.Abort()
	raw, _ := txn.First("session", "id", station)
	if raw == nil || raw.(*hub.SessionInfo).ID != id {
		return
	}
	txn.Delete("session", raw)
	txn.Commit()
}

func (r *registry) get(station string) (hub.SessionInfo, bool) {
	raw, _ := r.db.Txn(false).First("session", "id", station)
	if raw == nil {
		return hub.SessionInfo{}, false
	}
	return *raw.(*hub.SessionInfo), true
}

func (r *registry) all() []hub.SessionInfo {
	it, _ := r.db.Txn(false).Get("session", "id")
	var out []hub.SessionInfo
	for raw := it.Next(); raw != nil; raw = it.Next() {
		out = append(out, *raw.(*hub.SessionInfo))
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Station < out[j].Station })
	return out
}

// watch returns a channel closed at the next wake of station. Take it before
// looking for work, so that a wake during the look is not missed.
func (r *registry) watch(station string) <-chan struct{} {
	// Without a wake object yet, the channel fires when one is inserted.
	ch, _, _ := r.db.Txn(false).FirstWatch("wake", "id", station)
	return ch
}

// wake wakes the sessions of the given stations (all connected ones when
// all is set).
func (r *registry) wake(stations []string, all bool) {
	txn := r.db.Txn(true)
	defer txn.Abort()
	bump := func(raw any) {
		w := *raw.(*wake)
		w.Gen++
		txn.Insert("wake", &w)
	}
	if all {
		it, _ := txn.Get("wake", "id")
		var ws []any
		for raw := it.Next(); raw != nil; raw = it.Next() {
			ws = append(ws, raw)
		}
		for _, raw := range ws {
			bump(raw)
		}
	} else {
		for _, st := range stations {
			if raw, _ := txn.First("wake", "id", st); raw != nil {
				bump(raw)
			}
		}
	}
	txn.Commit()
}
