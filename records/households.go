package records

// The messages of the household rules that the station checks in its
// transactions (a member belongs to one household, the head stays in it).
const (
	// KeyInHousehold: the person already belongs to another household.
	KeyInHousehold = "in_household"
	// KeyNoHousehold: the household named is not one the station holds.
	KeyNoHousehold = "no_household"
	// KeyHeadStays: the head (户主) cannot leave their own household.
	KeyHeadStays = "head_stays"
	// KeyHeadsHousehold: the person is already the head of a household.
	KeyHeadsHousehold = "heads_household"
)

func init() {
	for k, m := range map[string][2]string{
		KeyInHousehold:    {"%[1]s已属于另一家庭户，请先将其移出", "%[1]s already belongs to another household; remove them from it first"},
		KeyNoHousehold:    {"%[1]s不存在或不属于本站", "%[1]s does not exist or is not this station's"},
		KeyHeadStays:      {"户主不能移出本户", "the head cannot leave their own household"},
		KeyHeadsHousehold: {"%[1]s已是另一家庭户的户主", "%[1]s already heads another household"},
	} {
		messages[k] = m
	}
	for k, l := range map[string][2]string{
		"member_ids": {"家庭成员", "members"},
		"head":       {"户主", "head of household"},
	} {
		if _, ok := fieldLabels[k]; !ok {
			fieldLabels[k] = l
		}
	}
}
