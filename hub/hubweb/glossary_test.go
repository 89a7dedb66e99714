package hubweb

import (
	"io/fs"
	"testing"

	"fieldsync/glossary"
)

// TestGlossaryWords fails on a word the glossary replaces (三个清单, 已安排,
// 满员率, 农民工, 县 for 旗县, 乡镇 for 苏木乡镇, 村 for 嘎查村, …) in any page
// template or interface text of the hub; the legitimate uses (县级平台,
// 乡村公益性岗位, …) are glossary.Misuses' own allow-list.
func TestGlossaryWords(t *testing.T) {
	files, err := fs.Glob(templateFiles, "templates/*.html")
	if err != nil || len(files) == 0 {
		t.Fatalf("templates: %v %v", files, err)
	}
	for _, name := range files {
		b, err := fs.ReadFile(templateFiles, name)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range glossary.Misuses(string(b)) {
			t.Errorf("%s: %s, write %s", name, m.Word, m.Use)
		}
	}
	for key, text := range hubText.With(dashboardText) {
		for _, m := range glossary.Misuses(text[0]) {
			t.Errorf("text %q (%s): %s, write %s", key, text[0], m.Word, m.Use)
		}
	}
}
