// Package sampledata generates realistic worker records for fieldsync's
// benchmarks and tests: the first writes of a station registering the people of
// one county, with valid id numbers, Chinese names, phones, villages and the
// categorical fields of the workers table.
package sampledata

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"math/rand/v2"
	"strconv"
	"strings"
	"time"

	"fieldsync/hlc"
	"fieldsync/ident"
	"fieldsync/records"
	"fieldsync/replica"
)

var (
	surnames = []string{
		"王", "李", "张", "刘", "陈", "杨", "赵", "黄", "周", "吴", "徐", "孙", "胡", "朱", "高",
		"林", "何", "郭", "马", "罗", "梁", "宋", "郑", "谢", "韩", "唐", "冯", "于", "董", "萧",
		"程", "曹", "袁", "邓", "许", "傅", "沈", "曾", "彭", "吕", "苏", "卢", "蒋", "蔡", "贾",
		"丁", "魏", "薛", "叶", "阎", "余", "潘", "杜", "戴", "夏", "钟", "汪", "田", "任", "姜",
		"包", "白", "鲍", "敖", "宝", "那", "乌", "金",
	}
	givenChars = []string{
		"伟", "芳", "娜", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳", "杰", "娟", "涛",
		"明", "超", "秀", "霞", "平", "刚", "桂", "英", "华", "玉", "兰", "文", "国", "建", "志",
		"海", "红", "梅", "林", "春", "荣", "凤", "云", "宝", "晓", "小", "东", "亮", "峰", "辉",
		"鹏", "飞", "成", "德", "福", "生", "喜", "金", "山", "龙", "燕", "琴", "丹", "月", "苏",
		"日", "格", "图", "巴", "特", "尔", "其", "木", "乐", "根",
	}
	ethnicities = weighted{{"汉族", 70}, {"蒙古族", 24}, {"回族", 3}, {"满族", 2}, {"朝鲜族", 1}}
	// Weights of records.Educations, records.LabourAbilities.
	educationWeights = []int{25, 45, 15, 6, 7, 2}
	abilityWeights   = []int{20, 65, 10, 3, 2}
	skillList        = []string{
		"电工", "焊工", "厨师", "驾驶", "瓦工", "木工", "养殖", "种植", "家政", "保洁",
		"育婴", "护工", "缝纫", "挖掘机", "保安", "快递", "电商", "美发", "钢筋工", "油漆工",
	}
	notesList = []string{"常年在外务工", "季节性务工", "照顾老人", "身体不好", "在家务农", "已联系本人"}
	// birthAreas are the first six digits of id numbers: mostly the county.
	birthAreas = weighted{{"150421", 80}, {"150422", 8}, {"150423", 5}, {"150404", 4}, {"152301", 3}}
)

type weighted []struct {
	s string
	w int
}

func (ws weighted) pick(r *rand.Rand) string {
	total := 0
	for _, x := range ws {
		total += x.w
	}
	n := r.IntN(total)
	for _, x := range ws {
		if n < x.w {
			return x.s
		}
		n -= x.w
	}
	return ws[0].s
}

// pickWeighted picks one of values; weights, when as long, weigh them.
func pickWeighted(r *rand.Rand, values []string, weights []int) string {
	if len(weights) != len(values) {
		return values[r.IntN(len(values))]
	}
	ws := make(weighted, len(values))
	for i, v := range values {
		ws[i].s, ws[i].w = v, weights[i]
	}
	return ws.pick(r)
}

// villages are 12-digit codes of about 50 villages in one county (150421):
// 8 townships of 5 to 8 villages.
func villages() []string {
	var vs []string
	for town := 1; town <= 8; town++ {
		for v := 1; v <= 5+town%4; v++ {
			vs = append(vs, fmt.Sprintf("150421%03d%03d", 100+town, 200+v))
		}
	}
	return vs
}

// Site is the site id of the station the generated changes come from.
const Site replica.SiteID = 0x2a5f00c0ffee1234

// Station is the station the generated workers are registered at.
const Station = "天山镇劳动保障服务站"

// Start is the stamp of the first generated change.
var Start = time.Date(2026, 3, 2, 8, 30, 0, 0, time.UTC)

// Workers returns n first-write changes of the workers table, as a station
// registering people one after the other writes them: one Version per change
// (one registration every 40 s to 8 min), no Replaces, row ids derived from
// the id number under key, fields in column order, one field per set element,
// empty columns left out. The same seed gives the same changes.
func Workers(n int, seed int64, key ident.Key) []replica.Change {
	// The records schema is a constant: if it fails to build, every test
	// that uses the sample fails on the empty result and says so.
	s, err := records.NewSchema()
	if err != nil {
		return nil
	}
	t, _ := s.Table(records.Workers)
	col := func(name string) int {
		i, _ := t.Column(name) // a missing column makes the fields invalid: tests fail
		return i
	}
	r := rand.New(rand.NewPCG(uint64(seed), 0x5eed))
	vs := villages()
	ms := Start.UnixMilli()
	seen := map[string]bool{}
	out := make([]replica.Change, 0, n)
	for len(out) < n {
		id := idNumber(r)
		if seen[id] {
			continue
		}
		seen[id] = true
		var fs []replica.Field
		text := func(c string, v string) {
			if v != "" {
				fs = append(fs, replica.Field{Col: col(c), Value: v})
			}
		}
		text("id_number", id)
		name := surnames[r.IntN(len(surnames))]
		for k := 1 + r.IntN(2); k > 0; k-- {
			name += givenChars[r.IntN(len(givenChars))]
		}
		text("name", name)
		text("phone", fmt.Sprintf("1%d%09d", 3+r.IntN(7), r.IntN(1e9)))
		text("ethnicity", ethnicities.pick(r))
		hukou := vs[r.IntN(len(vs))]
		res := hukou
		if r.IntN(100) < 15 {
			res = vs[r.IntN(len(vs))]
		}
		text("hukou_village", hukou)
		text("residence_village", res)
		text("education", pickWeighted(r, records.Educations, educationWeights))
		text("labour_ability", pickWeighted(r, records.LabourAbilities, abilityWeights))
		tags := pickSome(r, records.Tags, r.IntN(3))
		for _, e := range tags {
			fs = append(fs, replica.Field{Col: col("tags"), Elem: e, Value: int64(1)})
		}
		for _, e := range tags {
			if e == "防止返贫监测对象" {
				text("monitor_type", records.MonitorTypes[r.IntN(len(records.MonitorTypes))])
			}
		}
		for _, e := range pickSome(r, skillList, r.IntN(4)) {
			fs = append(fs, replica.Field{Col: col("skills"), Elem: e, Value: int64(1)})
		}
		fs = append(fs, replica.Field{Col: col("willing_away"), Value: int64(r.IntN(2))})
		if r.IntN(100) < 5 {
			text("notes", notesList[r.IntN(len(notesList))])
		}
		text("station", Station)
		ms += 40_000 + r.Int64N(440_000)
		out = append(out, replica.Change{
			Table:   t.Name,
			Row:     key.Derive(t.Name, id),
			Version: replica.Version{HLC: hlc.New(ms, 0), Site: Site},
			Fields:  fs,
		})
	}
	return out
}

// idNumber makes a valid 18-character GB 11643 id number of someone born
// between 1960 and 2005.
func idNumber(r *rand.Rand) string {
	birth := time.Date(1960, 1, 1, 0, 0, 0, 0, time.UTC).AddDate(0, 0, r.IntN(46*365))
	first17 := birthAreas.pick(r) + birth.Format("20060102") + fmt.Sprintf("%03d", r.IntN(1000))
	return first17 + string(ident.CheckDigit(first17))
}

// pickSome returns k distinct elements of list, in list order.
func pickSome(r *rand.Rand, list []string, k int) []string {
	if k == 0 {
		return nil
	}
	idx := r.Perm(len(list))[:k]
	var out []string
	for i, e := range list {
		for _, j := range idx {
			if i == j {
				out = append(out, e)
			}
		}
	}
	return out
}

// CSV renders changes as CSV, one line per change with one cell per column
// of its table (set elements joined by ";", integers in decimal, reals in
// shortest form, empty for columns the change does not write), after a header
// line of the column names of the first change's table. It is the baseline the
// wire encoding is compared to: the same values without ids, stamps or
// framing.
func CSV(changes []replica.Change) []byte {
	s, err := records.NewSchema()
	if err != nil {
		return nil
	}
	var buf bytes.Buffer
	w := csv.NewWriter(&buf)
	for i, c := range changes {
		t, ok := s.Table(c.Table)
		if !ok {
			continue
		}
		// One cell per column id, the tombstone's left out when written.
		cells := make([]string, t.NumColumns())
		row := func() []string {
			return append(cells[:t.DeletedCol():t.DeletedCol()], cells[t.DeletedCol()+1:]...)
		}
		if i == 0 {
			for j := range cells {
				cells[j] = t.ColumnName(j)
			}
			_ = w.Write(row())
			clear(cells)
		}
		sets := map[int][]string{}
		for _, f := range c.Fields {
			if f.Col < 0 || f.Col >= len(cells) || f.Col == t.DeletedCol() || f.Dead {
				continue
			}
			if f.Elem != "" {
				if f.Value == int64(1) {
					sets[f.Col] = append(sets[f.Col], f.Elem)
				}
				continue
			}
			switch v := f.Value.(type) {
			case string:
				cells[f.Col] = v
			case int64:
				cells[f.Col] = strconv.FormatInt(v, 10)
			case float64:
				cells[f.Col] = strconv.FormatFloat(v, 'g', -1, 64)
			}
		}
		for col, els := range sets {
			cells[col] = strings.Join(els, ";")
		}
		_ = w.Write(row())
	}
	w.Flush()
	return buf.Bytes()
}
