package records

import (
	"testing"

	"fieldsync/glossary"
)

// TestGlossaryWords fails on a word the glossary replaces in a field's label
// or a message, which both interfaces show.
func TestGlossaryWords(t *testing.T) {
	for name, table := range map[string]map[string][2]string{"label": fieldLabels, "message": messages} {
		for key, text := range table {
			for _, m := range glossary.Misuses(text[0]) {
				t.Errorf("%s %q (%s): %s, write %s", name, key, text[0], m.Word, m.Use)
			}
		}
	}
}
