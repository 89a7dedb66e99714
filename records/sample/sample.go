// Package sample makes realistic, deterministic sample records (Chinese names,
// valid GB 11643 id numbers, villages of one county) for `make run`, tests and
// benchmarks. Nothing in it is real personal data.
package sample

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"time"

	"fieldsync/ident"
	"fieldsync/records"
	"fieldsync/replica"
)

var (
	surnames    = []rune("王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤")
	givenChars  = []rune("伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英华玉萍红娥玲芬燕彩春菊兰凤洁梅琳素云莲真环雪荣爱妹霞香月莺媛艳瑞凡佳嘉琼勤珍贞莉桂娣叶璧璐娅琦晶妍茜秋珊莎锦黛青倩婷姣婉娴瑾颖露瑶怡婵雁蓓纨仪荷丹蓉眉君琴蕊薇菁梦岚苑婕馨瑗琰韵融园艺咏卿聪澜纯毓悦昭冰爽琬茗羽希宁欣飘育滢馥筠柔竹霭凝晓欢霄枫芸菲寒伊亚宜可姬舒影荔枝丽阳妮宝贝初程梵罡恒鸿桦骅剑娇纪宽苛灵玛媚琪晴容睿烁堂唯威韦雯苇萱阅彦宇雨洋忠宗曼紫逸贤蝶菡绿蓝儿翠烟巴图那仁朝鲁苏和格日乐其木")
	ethnicities = []string{"汉族", "汉族", "汉族", "蒙古族", "蒙古族", "回族", "满族", "达斡尔族", "鄂温克族"}
	skills      = []string{"焊工", "电工", "厨师", "育婴员", "养老护理员", "挖掘机驾驶", "农机驾驶", "牧民", "家政服务", "建筑瓦工", "畜牧兽医", "汽车驾驶"}
	occupations = []string{"农忙帮工", "建筑小工", "装卸搬运", "保洁", "餐厅帮厨", "牧场放牧", "羊绒分拣", "采摘", "家政", "护林"}
	employers   = []string{"乌兰牧业合作社", "兴安建筑工程队", "草原羊绒厂", "嘎查种植合作社", "县城家政服务中心", "绿源农业公司"}
)

// County is the 6-digit division code prefix of the sample county.
const County = "150421"

// Village returns the 12-digit division code of sample village i (0..49).
func Village(i int) string {
	return fmt.Sprintf("%s%03d%03d", County, 100+(i/10)*100, 200+i%10)
}

// IDNumber returns a valid 18-digit id number for person i of the sample.
func IDNumber(rng *rand.Rand, i int) string {
	birth := time.Date(1960, 1, 1, 0, 0, 0, 0, time.UTC).AddDate(0, 0, rng.IntN(365*45))
	first17 := fmt.Sprintf("%s%s%03d", County, birth.Format("20060102"), i%1000)
	return first17 + string(ident.CheckDigit(first17))
}

// Name returns a Chinese name of two or three characters.
func Name(rng *rand.Rand) string {
	n := string(surnames[rng.IntN(len(surnames))]) + string(givenChars[rng.IntN(len(givenChars))])
	if rng.IntN(3) > 0 {
		n += string(givenChars[rng.IntN(len(givenChars))])
	}
	return n
}

func pickSome(rng *rand.Rand, from []string, max int) []string {
	k := rng.IntN(max + 1)
	out := make([]string, 0, k)
	seen := map[string]bool{}
	for len(out) < k {
		s := from[rng.IntN(len(from))]
		if !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	slices.Sort(out) // a set, in the form the forms give it (records.CheckChange)
	return out
}

// Workers returns n worker registrations as edits, deterministic for seed.
// Ids derive from the id numbers under key. Id numbers are unique for
// i < 1000 × days: the sequence part is i mod 1000 and the birth date random.
func Workers(n int, seed int64, key ident.Key, station string) []replica.Edit {
	rng := rand.New(rand.NewPCG(uint64(seed), 0x5eed))
	out := make([]replica.Edit, 0, n)
	seen := make(map[string]bool, n)
	for i := 0; len(out) < n; i++ {
		id := IDNumber(rng, i)
		if seen[id] {
			continue
		}
		seen[id] = true
		village := Village(rng.IntN(50))
		residence := village
		if rng.IntN(5) == 0 {
			residence = Village(rng.IntN(50))
		}
		willing := int64(rng.IntN(2))
		tags := pickSome(rng, records.Tags, 2)
		var monitorType any // NULL unless monitored
		if slices.Contains(tags, "防止返贫监测对象") {
			monitorType = records.MonitorTypes[rng.IntN(len(records.MonitorTypes))]
			if monitorType == "边缘易致贫户" && slices.Contains(tags, "脱贫人口") {
				monitorType = "脱贫不稳定户" // one lifted out of poverty is not on its edge
			}
		}
		out = append(out, replica.Edit{
			Table: records.Workers,
			Row:   key.Derive(records.Workers, id),
			Set: []replica.ColumnValue{
				{Column: "id_number", Value: id},
				{Column: "name", Value: Name(rng)},
				{Column: "phone", Value: fmt.Sprintf("1%d%09d", 3+rng.IntN(7), rng.IntN(1_000_000_000))},
				{Column: "ethnicity", Value: ethnicities[rng.IntN(len(ethnicities))]},
				{Column: "hukou_village", Value: village},
				{Column: "residence_village", Value: residence},
				{Column: "education", Value: records.Educations[rng.IntN(len(records.Educations))]},
				{Column: "labour_ability", Value: records.LabourAbilities[rng.IntN(3)]},
				{Column: "tags", Value: tags},
				{Column: "monitor_type", Value: monitorType},
				{Column: "skills", Value: pickSome(rng, skills, 3)},
				{Column: "willing_away", Value: willing},
				{Column: "station", Value: station},
			},
		})
	}
	return out
}

// Gigs returns n casual-work postings as edits, deterministic for seed, with
// time-ordered ids stamped around now.
func Gigs(n int, seed int64, now time.Time, station string) []replica.Edit {
	rng := rand.New(rand.NewPCG(uint64(seed), 0x6195))
	out := make([]replica.Edit, 0, n)
	for i := 0; i < n; i++ {
		id, err := ident.NewTimeOrdered(now.Add(time.Duration(i) * time.Millisecond))
		if err != nil {
			// crypto/rand does not fail on supported platforms; fall back to a
			// deterministic id rather than losing the sample.
			id = ident.Key("sample").Derive("gigs", fmt.Sprint(seed, i))
		}
		start := now.AddDate(0, 0, rng.IntN(20))
		occ := occupations[rng.IntN(len(occupations))]
		units := []string{"元/天", "元/时", "元/件"}
		unit := units[rng.IntN(len(units))]
		wage := map[string]float64{"元/天": 150 + float64(rng.IntN(20))*10, "元/时": 20 + float64(rng.IntN(10)), "元/件": 2 + float64(rng.IntN(5))}[unit]
		village := Village(rng.IntN(50))
		out = append(out, replica.Edit{
			Table: records.Gigs,
			Row:   id,
			Set: []replica.ColumnValue{
				{Column: "title", Value: occ + "（即时快招）"},
				{Column: "occupation", Value: occ},
				{Column: "headcount", Value: int64(1 + rng.IntN(10))},
				{Column: "wage", Value: wage},
				{Column: "wage_unit", Value: unit},
				{Column: "settlement", Value: []string{"日结", "周结", "完工结"}[rng.IntN(3)]},
				{Column: "place", Value: village},
				{Column: "address", Value: fmt.Sprintf("第%d组", 1+rng.IntN(9))},
				{Column: "start_date", Value: start.Format("2006-01-02")},
				{Column: "end_date", Value: start.AddDate(0, 0, 1+rng.IntN(30)).Format("2006-01-02")},
				{Column: "age_min", Value: int64(18)},
				{Column: "age_max", Value: int64(55 + rng.IntN(10))},
				{Column: "employer", Value: employers[rng.IntN(len(employers))]},
				{Column: "contact", Value: fmt.Sprintf("1%d%09d", 3+rng.IntN(7), rng.IntN(1_000_000_000))},
				{Column: "skills", Value: pickSome(rng, skills, 2)},
				{Column: "status", Value: "open"},
				{Column: "expires_on", Value: start.AddDate(0, 0, 30).Format("2006-01-02")},
				{Column: "station", Value: station},
			},
		})
	}
	return out
}
