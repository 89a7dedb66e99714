package sample

import (
	"fmt"
	"math/rand/v2"
	"slices"

	"fieldsync/ident"
	"fieldsync/records"
	"fieldsync/replica"
)

// Households groups the people Workers made (their edits, in order) into
// households (家庭户) of 1 to 5, deterministic for seed: the first of each
// group is its head (户主). It sets each person's household_id in their
// edit (so workers must be written with the households it returns) and
// returns the households' rows: about one in eight a 零就业家庭, and a
// 监测对象 type on the households of people monitored (防止返贫监测对象)
// and on a few others. Each row is valid for records.CheckChange as new.
func Households(workers []replica.Edit, seed int64, key ident.Key, station string) ([]replica.Edit, error) {
	rng := rand.New(rand.NewPCG(uint64(seed), 0x4855))
	var out []replica.Edit
	for i := 0; i < len(workers); {
		n := min(1+rng.IntN(5), len(workers)-i)
		group := workers[i : i+n]
		i += n
		head := group[0]
		h := records.Household{WorkerID: head.Row.String(), ZeroEmployment: rng.IntN(8) == 0}
		h.Village, _ = columnValue(head, "residence_village").(string)
		if h.Village == "" {
			h.Village, _ = columnValue(head, "hukou_village").(string)
		}
		for _, w := range group {
			tags, _ := columnValue(w, "tags").([]string)
			if mt, _ := columnValue(w, "monitor_type").(string); mt != "" && slices.Contains(tags, "防止返贫监测对象") {
				h.MonitorType = mt
			}
		}
		if h.MonitorType == "" && rng.IntN(10) == 0 {
			h.MonitorType = records.MonitorTypes[rng.IntN(len(records.MonitorTypes))]
		}
		if h.ZeroEmployment {
			h.Notes = "家庭成员均未就业，优先帮扶"
		}
		if err := h.Validate(); err != nil {
			return nil, fmt.Errorf("sample household of %s: %w", head.Row, err)
		}
		id := key.Derive(records.Households, "sample/"+head.Row.String())
		for j := range group {
			group[j].Set = append(group[j].Set, replica.ColumnValue{Column: "household_id", Value: id.String()})
		}
		out = append(out, replica.Edit{Table: records.Households, Row: id,
			Set: append(h.Columns(), replica.ColumnValue{Column: "station", Value: station})})
	}
	return out, nil
}
