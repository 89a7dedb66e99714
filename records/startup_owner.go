package records

// KeyOtherPerson: a person's record names a row of another person's (a
// start-up support naming someone else's start-up).
const KeyOtherPerson = "other_person"

func init() {
	messages[KeyOtherPerson] = [2]string{"该%[1]s属于另一人员，只能选择本人的", "the %[1]s belongs to another person; name one of this person's"}
}
