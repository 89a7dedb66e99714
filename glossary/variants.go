package glossary

import (
	"strings"
)

// A variant is a word the glossary replaces: where it is found, the term to
// write instead. Before and After are the neighbours that make a use
// legitimate (乡村公益性岗位 holds 村 but means no village).
type variant struct {
	word, use     string
	before, after []string // a use preceded by one of before, or followed by one of after, is allowed
}

// variants are the words the interfaces and the report must not show.
var variants = []variant{
	{word: "三个清单", use: ThreeLists[0]},
	{word: "已安排", use: OnTheJob[0]},
	{word: "满员率", use: FillRate[0]},
	{word: "农民工", use: "农牧民工"},
	{word: "残疾", use: "残疾人", after: []string{"人"}},
	{word: "上门", use: HomeVisit[0]},
	{word: "就业范围", use: WorkScope[0]},
	{word: "务工范围", use: WorkScope[0]},
	{word: "乡外县内", use: "苏木乡镇外旗县内"},
	{word: "县外区内", use: "旗县外区内"},
	{word: "公益性岗位", use: "乡村公益性岗位", before: []string{"乡村"}},
	{word: "帮扶车间", use: "就业帮扶车间", before: []string{"就业"}},
	// 县级 and 县里 name the county as the institution that runs the hub
	// (县级平台, 县里下发), not a level of division.
	{word: "县", use: County[0], before: []string{"旗"}, after: []string{"级", "里"}},
	{word: "乡镇", use: Township[0], before: []string{"苏木"}},
	// 乡村 and 农村 mean the countryside, not a village.
	{word: "村", use: Village[0], before: []string{"嘎查", "乡", "农"}},
}

// A Misuse is a variant found in a text, and the glossary's term for it.
type Misuse struct {
	Word, Use string
}

// Misuses are the variants the glossary replaces that text holds, in order,
// leaving out the legitimate uses (苏木乡镇 for 乡镇, 县级平台 for 县, …).
func Misuses(text string) []Misuse {
	var out []Misuse
	for _, v := range variants {
		for i := 0; ; {
			j := strings.Index(text[i:], v.word)
			if j < 0 {
				break
			}
			at := i + j
			i = at + len(v.word)
			if hasSuffixAny(text[:at], v.before) || hasPrefixAny(text[i:], v.after) {
				continue
			}
			out = append(out, Misuse{Word: v.word, Use: v.use})
		}
	}
	return out
}

func hasSuffixAny(s string, xs []string) bool {
	for _, x := range xs {
		if strings.HasSuffix(s, x) {
			return true
		}
	}
	return false
}

func hasPrefixAny(s string, xs []string) bool {
	for _, x := range xs {
		if strings.HasPrefix(s, x) {
			return true
		}
	}
	return false
}
