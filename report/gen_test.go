package report

import (
	"context"
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"fieldsync/ident"
	"fieldsync/records"
	"fieldsync/records/sample"
	"fieldsync/replica"
)

// testKey is the deployment key of every test and benchmark replica.
var testKey = ident.Key("report-test-key")

// openReplica opens (or creates) a replica at path with the records schema.
func openReplica(tb testing.TB, path string) *replica.Replica {
	tb.Helper()
	return openReplicaIndexes(tb, path, nil)
}

// openHubReplica opens (or creates) a replica at path as the hub does: with
// records.HubIndexes.
func openHubReplica(tb testing.TB, path string) *replica.Replica {
	tb.Helper()
	return openReplicaIndexes(tb, path, records.HubIndexes())
}

func openReplicaIndexes(tb testing.TB, path string, indexes map[string][][]string) *replica.Replica {
	tb.Helper()
	s, err := records.NewSchema()
	if err != nil {
		tb.Fatal(err)
	}
	r, err := replica.Open(context.Background(), path, replica.Options{Schema: s, Key: testKey, Synchronous: "NORMAL",
		Indexes: indexes})
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { r.Close() })
	return r
}

// batcher writes edits through replica.Write in batches.
type batcher struct {
	ctx   context.Context
	r     *replica.Replica
	buf   []replica.Edit
	n     int
	limit int
}

func (b *batcher) add(e replica.Edit) error {
	b.buf = append(b.buf, e)
	if len(b.buf) >= b.limit {
		return b.flush()
	}
	return nil
}

func (b *batcher) flush() error {
	if len(b.buf) == 0 {
		return nil
	}
	if _, err := b.r.Write(b.ctx, b.buf...); err != nil {
		return fmt.Errorf("write batch after %d rows: %w", b.n, err)
	}
	b.n += len(b.buf)
	b.buf = b.buf[:0]
	return nil
}

// bulkConfig sizes a generated county.
type bulkConfig struct {
	Workers        int
	Months         []string // statuses are written for each
	StatusShare    float64  // share of workers with a status in a month
	Followups      int
	Gigs           int
	PlacementShare float64 // mean placements per gig
	Seed           int64
}

// monthsEnding lists n months ending with last (YYYY-MM), oldest first.
func monthsEnding(last string, n int) []string {
	t, _ := time.Parse("2006-01", last)
	out := make([]string, n)
	for i := range n {
		out[n-1-i] = t.AddDate(0, -i, 0).Format("2006-01")
	}
	return out
}

// genBulk writes a random county of the given size through replica.Write.
// It is the benchmark's data; the tests use smaller, fully known data sets.
func genBulk(ctx context.Context, r *replica.Replica, cfg bulkConfig, logf func(string, ...any)) error {
	rng := rand.New(rand.NewPCG(uint64(cfg.Seed), 7))
	b := &batcher{ctx: ctx, r: r, limit: 1000}
	start := time.Now()
	workers := sample.Workers(cfg.Workers, cfg.Seed, testKey, "bench")
	ids := make([]string, len(workers))
	for i, w := range workers {
		ids[i] = w.Row.String()
		if err := b.add(w); err != nil {
			return err
		}
	}
	workers = nil
	if err := b.flush(); err != nil {
		return err
	}
	logf("workers: %d in %s", len(ids), time.Since(start))
	forms := records.EmploymentForms
	for _, m := range cfg.Months {
		for _, wid := range ids {
			if rng.Float64() >= cfg.StatusShare {
				continue
			}
			st := records.MonthStatus{WorkerID: wid, Month: m, VerifiedByMethod: "电话", VerifiedBy: "张三",
				VerifiedAt: m + fmt.Sprintf("-%02d", 1+rng.IntN(28))}
			switch p := rng.IntN(100); {
			case p < 60:
				st.ListType = records.ListEmployed
				st.WorkScope = records.WorkScopes[rng.IntN(len(records.WorkScopes))]
				st.EmploymentForm = forms[rng.IntN(len(forms))]
				st.MonthlyIncome = records.Income(float64(rng.IntN(80)) * 100)
			case p < 75:
				st.ListType = records.ListUnemployed
			default:
				st.ListType = records.ListWillingAway
			}
			if err := b.add(replica.Edit{Table: records.MonthlyStatus, Row: st.ID(testKey), Set: st.Columns()}); err != nil {
				return err
			}
		}
		if err := b.flush(); err != nil {
			return err
		}
		logf("statuses of %s: %d rows so far, %s", m, b.n, time.Since(start))
	}
	first, _ := time.Parse("2006-01", cfg.Months[0])
	last, _ := time.Parse("2006-01", cfg.Months[len(cfg.Months)-1])
	days := int(last.AddDate(0, 1, 0).Sub(first).Hours() / 24)
	for i := 0; i < cfg.Followups; i++ {
		id, err := ident.NewTimeOrdered(first.Add(time.Duration(i) * time.Second))
		if err != nil {
			return err
		}
		f := records.Followup{WorkerID: ids[rng.IntN(len(ids))], Date: first.AddDate(0, 0, rng.IntN(days)).Format(records.DateLayout),
			Method: records.FollowupMethods[rng.IntN(3)], ServiceType: "政策宣传", Content: "电话回访，了解务工情况", Staff: "李四"}
		if err := b.add(replica.Edit{Table: records.Followups, Row: id, Set: f.Columns()}); err != nil {
			return err
		}
	}
	if err := b.flush(); err != nil {
		return err
	}
	logf("followups: %d rows so far, %s", b.n, time.Since(start))
	gigs := sample.Gigs(cfg.Gigs, cfg.Seed, first, "bench")
	for _, g := range gigs {
		// Spread the postings over the months (the id carries the posting time).
		created := first.AddDate(0, 0, rng.IntN(days))
		id, err := ident.NewTimeOrdered(created.Add(time.Duration(rng.IntN(86400)) * time.Second))
		if err != nil {
			return err
		}
		g.Row = id
		var headcount int64
		for i := range g.Set {
			if g.Set[i].Column == "headcount" {
				headcount = g.Set[i].Value.(int64)
			}
		}
		n := rng.IntN(int(2*cfg.PlacementShare) + 1)
		status := records.GigOpen
		if int64(n) >= headcount {
			n = int(headcount)
			status = records.GigFilled
		} else if rng.IntN(4) == 0 {
			status = records.GigClosed
		}
		for i := range g.Set {
			if g.Set[i].Column == "status" {
				g.Set[i].Value = status
			}
		}
		if err := b.add(g); err != nil {
			return err
		}
		for k := 0; k < n; k++ {
			pid, err := ident.NewTimeOrdered(created)
			if err != nil {
				return err
			}
			p := records.Placement{GigID: id.String(), WorkerID: ids[rng.IntN(len(ids))], Status: records.PlacementPlaced,
				PlacedOn: created.AddDate(0, 0, rng.IntN(10)).Format(records.DateLayout)}
			if err := b.add(replica.Edit{Table: records.Placements, Row: pid, Set: p.Columns()}); err != nil {
				return err
			}
		}
	}
	if err := b.flush(); err != nil {
		return err
	}
	logf("gigs and placements: %d rows in all, %s", b.n, time.Since(start))
	return nil
}
