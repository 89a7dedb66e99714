package records

// The messages of the welfare-post rules the station checks in its
// transactions, against the other placements and the post (a post's
// headcount, an assessment within its placement).
const (
	// KeyPostFull: the post already has as many people as its headcount in
	// part of the term.
	KeyPostFull = "post_full"
	// KeyOtherPlacement: an assessment names another person's placement.
	KeyOtherPlacement = "other_placement"
	// KeyOutsideTerm: an assessment's month is outside its placement's term.
	KeyOutsideTerm = "outside_term"
	// KeyMonthAssessed: the placement already has an assessment of that month.
	KeyMonthAssessed = "month_assessed"
	// KeySentOut: the person was sent out in an export batch during the term.
	KeySentOut = "sent_out"
)

func init() {
	for k, m := range map[string][2]string{
		KeyPostFull:       {"该%[1]s在此期间已满员（定员%[2]d人）", "this %[1]s already has its headcount (%[2]d) in that period"},
		KeyOtherPlacement: {"该%[1]s不是此人员的", "this %[1]s is another person's"},
		KeyOutsideTerm:    {"%[1]s不在岗位安置期内（%[2]s）", "%[1]s is outside the placement's term (%[2]s)"},
		KeySentOut:        {"该人员已于%[2]s随劳务输出批次外出，此期间不能安置乡村公益性岗位", "the person was sent out in an export batch on %[2]s, within this term: no welfare post then"},
		KeyMonthAssessed:  {"该岗位安置在此%[1]s已有考核记录，请修改原记录", "the placement already has an assessment of this %[1]s; correct that one"},
	} {
		messages[k] = m
	}
}
