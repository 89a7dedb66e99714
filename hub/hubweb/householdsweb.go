package hubweb

import "fieldsync/webkit"

// The household (家庭户) on the county's worker page: its head and its
// designations (监测对象, 零就业家庭), read by hub.HouseholdOf.

func init() {
	hubText = hubText.With(householdText)
}

var householdText = webkit.Catalogue{
	"household":         {"家庭户", "Household"},
	"household_head":    {"户主", "Head of household"},
	"household_members": {"成员人数", "Members"},
	"household_none":    {"未加入家庭户", "In no household"},
	"zero_employment":   {"零就业家庭", "Zero-employment household"},
	"household_monitor": {"监测对象", "Monitored"},
}
