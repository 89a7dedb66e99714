package stationweb

import (
	"context"
	"fmt"
	"net/http/httptest"
	"testing"
	"time"

	"fieldsync/ident"
	"fieldsync/records"
	"fieldsync/records/sample"
	"fieldsync/replica"
)

// BenchmarkGigMatchesTrained100k renders a gig's page (its matches) at a
// station of 100,000 workers of whom 20,000 completed a course, one course
// for each of the sample's skills: the trained skills count in matching
// through one indexed query, not one per candidate. Compare with
// BenchmarkPages100k/gig_matches (no one trained).
func BenchmarkGigMatchesTrained100k(b *testing.B) {
	f := newFixture(b, nil)
	populate(b, f, 100_000, "2026-11")
	ctx := context.Background()
	skills := []string{"焊工", "电工", "厨师", "育婴员", "养老护理员", "挖掘机驾驶", "农机驾驶", "牧民", "家政服务", "建筑瓦工",
		"畜牧兽医", "汽车驾驶"}
	var courses []string
	for i, sk := range skills {
		id, err := f.st.SaveProgramme(ctx, records.Trainings, ident.Zero, &records.Training{Course: sk + "培训",
			Kind: "技能", Skill: sk, StartOn: fmt.Sprintf("2026-%02d-01", i%9+1)})
		if err != nil {
			b.Fatal(err)
		}
		courses = append(courses, id.String())
	}
	var workers [][]byte
	rows, err := f.r.DB().Query(`SELECT id FROM workers ORDER BY id LIMIT 20000`)
	if err != nil {
		b.Fatal(err)
	}
	for rows.Next() {
		var id []byte
		if err := rows.Scan(&id); err != nil {
			b.Fatal(err)
		}
		workers = append(workers, id)
	}
	rows.Close()
	now := time.Now()
	var edits []replica.Edit
	for i, w := range workers {
		var wid ident.ID
		copy(wid[:], w)
		id, err := ident.NewTimeOrdered(now.Add(time.Duration(i) * time.Microsecond))
		if err != nil {
			b.Fatal(err)
		}
		e := records.TrainingEnrolment{WorkerID: wid.String(), TrainingID: courses[i%len(courses)], Completed: true}
		edits = append(edits, replica.Edit{Table: records.TrainingEnrolments, Row: id,
			Set: append(e.Columns(), replica.ColumnValue{Column: "station", Value: f.cfg.Name})})
	}
	for start := 0; start < len(edits); start += 5000 {
		if _, err := f.r.Write(ctx, edits[start:min(start+5000, len(edits))]...); err != nil {
			b.Fatal(err)
		}
	}
	gigs := sample.Gigs(1, 3, testNow, f.cfg.Name)
	if _, err := f.r.Write(ctx, gigs...); err != nil {
		b.Fatal(err)
	}
	path := "/gigs/" + gigs[0].Row.String()
	b.ResetTimer()
	var total time.Duration
	for i := 0; i < b.N; i++ {
		rec := httptest.NewRecorder()
		start := time.Now()
		f.h.ServeHTTP(rec, httptest.NewRequest("GET", path, nil))
		total += time.Since(start)
		if rec.Code != 200 {
			b.Fatalf("%s: %d", path, rec.Code)
		}
	}
	b.ReportMetric(float64(total.Microseconds())/1000/float64(b.N), "ms/page")
}
