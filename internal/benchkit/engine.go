package benchkit

import (
	"context"
	"fmt"

	"fieldsync/records"
	"fieldsync/records/sample"
	"fieldsync/replica"
)

const txRows = 1000 // rows a transaction, engine and limit alike

// measureImport: a station importing workers 1,000 a transaction, against
// raw INSERTs of the same rows, interleaved batch by batch. Twice: the
// shared schema alone (the engine), and with the station's page indexes
// against a plain table with the same indexes (the station as deployed).
func measureImport(ctx context.Context, e *env) ([]Row, error) {
	n := e.sz.ImportWorkers
	edits := sample.Workers(n, 1, e.key, "s1")
	schema, err := records.NewSchema()
	if err != nil {
		return nil, err
	}
	type side struct {
		rep   *replica.Replica
		plain *plainDB
		sw    stopwatch
	}
	sides := make([]*side, 2)
	for i, ix := range []map[string][][]string{nil, records.StationIndexes()} {
		rep, err := replica.Open(ctx, e.path("import.db"), replica.Options{Schema: schema, Key: e.key, Synchronous: "NORMAL", Indexes: ix})
		if err != nil {
			return nil, fmt.Errorf("open replica: %w", err)
		}
		defer rep.Close()
		plain, err := openPlain(ctx, e.path("import-plain.db"), schema, "NORMAL", true, ix)
		if err != nil {
			return nil, err
		}
		defer plain.Close()
		sides[i] = &side{rep: rep, plain: plain}
	}
	for j := 0; j < n; j += txRows {
		batch := edits[j:min(j+txRows, n)]
		for _, s := range sides {
			if err := s.plain.insert(ctx, batch); err != nil {
				return nil, err
			}
			s.sw.start()
			_, err := s.rep.Write(ctx, batch...)
			s.sw.stop()
			if err != nil {
				return nil, fmt.Errorf("import: %w", err)
			}
		}
	}
	var rows []Row
	for i, s := range sides {
		got := float64(n) / s.sw.wall.Seconds()
		r := Row{ID: "import", What: "station batched import (engine, shared schema)", Figure: got, Unit: "workers/s",
			Limit: s.plain.rate(), LimitUnit: "rows/s raw INSERT", Ratio: got / s.plain.rate(), Target: atLeast(0.6),
			Note: fmt.Sprintf("%d workers, %d a tx, WAL NORMAL, interleaved; cpu-ratio %.2f", n, txRows, cpuRatio(s.sw.cpu, n, s.plain.cpu, s.plain.rows))}
		if i == 1 {
			r.ID, r.What = "import-station-indexes", "station batched import, with the station's page indexes"
			r.Note += "; limit: plain table with the same indexes"
		}
		rows = append(rows, r)
	}
	return rows, nil
}

// measureApply: a fresh hub database (the hub's own, as hub.Open makes it:
// history index and all) applying a station's initial sync of workers,
// 1,000 changes a batch, against raw INSERTs of the same rows into a plain
// table, interleaved batch by batch.
func measureApply(ctx context.Context, e *env) ([]Row, error) {
	n := e.sz.ApplyWorkers
	h, err := hubReplica(ctx, e, "")
	if err != nil {
		return nil, err
	}
	defer h.Close()
	dst := h.Replica()
	edits := sample.Workers(n, 2, dst.Key(), "s1")
	schema := dst.Schema()
	src, err := replica.Open(ctx, e.path("apply-src.db"), replica.Options{Schema: schema, Key: dst.Key(), Synchronous: "NORMAL"})
	if err != nil {
		return nil, fmt.Errorf("open source replica: %w", err)
	}
	defer src.Close()
	if err := writeBatches(ctx, src, edits, txRows); err != nil {
		return nil, err
	}
	batches, lasts, err := readBatches(ctx, src, 0, txRows, 1<<30)
	if err != nil {
		return nil, err
	}
	plain, err := openPlain(ctx, e.path("apply-plain.db"), schema, "NORMAL", false, nil)
	if err != nil {
		return nil, err
	}
	defer plain.Close()
	var sw stopwatch
	done := 0
	for k, chs := range batches {
		if err := plain.insert(ctx, edits[done:done+len(chs)]); err != nil {
			return nil, err
		}
		done += len(chs)
		sw.start()
		_, err := dst.Apply(ctx, chs, "up:bench", lasts[k])
		sw.stop()
		if err != nil {
			return nil, fmt.Errorf("apply: %w", err)
		}
	}
	if got, err := rowCount(ctx, dst, records.Workers); err != nil || got != n {
		return nil, fmt.Errorf("hub holds %d workers after apply, want %d (%v)", got, n, err)
	}
	got := float64(n) / sw.wall.Seconds()
	return []Row{{ID: "hub-apply", What: "hub Apply, initial sync of a station", Figure: got, Unit: "workers/s",
		Limit: plain.rate(), LimitUnit: "rows/s raw INSERT", Ratio: got / plain.rate(), Target: atLeast(0.4),
		Note: fmt.Sprintf("%d workers, %d a batch, the hub's own database (history), WAL NORMAL, interleaved; cpu-ratio %.2f",
			n, txRows, cpuRatio(sw.cpu, n, plain.cpu, plain.rows))}}, nil
}
