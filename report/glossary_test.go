package report

import (
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"fieldsync/glossary"
)

// TestGlossaryWords fails on a word the glossary replaces in the report's
// text: every string of the package's code (sheet titles, column headers,
// summary rows, chart titles and series) and every sheet's title and header
// as built.
func TestGlossaryWords(t *testing.T) {
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	fset := token.NewFileSet()
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, name, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		ast.Inspect(f, func(n ast.Node) bool {
			if lit, ok := n.(*ast.BasicLit); ok && lit.Kind == token.STRING {
				s, err := strconv.Unquote(lit.Value)
				if err != nil {
					t.Fatalf("%s: %v", fset.Position(lit.Pos()), err)
				}
				for _, m := range glossary.Misuses(s) {
					t.Errorf("%s: %s, write %s", fset.Position(lit.Pos()), m.Word, m.Use)
				}
			}
			return true
		})
	}
	b := &workbook{}
	for _, s := range []*sheet{b.list(SheetEmployed, "就业"), b.ledger(), b.villages(), b.summary(), b.rosterSheet()} {
		for _, text := range append([]string{s.title}, s.header...) {
			for _, m := range glossary.Misuses(text) {
				t.Errorf("sheet %s: %q: %s, write %s", s.name, text, m.Word, m.Use)
			}
		}
	}
	for _, c := range Charts(&Figures{}) {
		for _, m := range glossary.Misuses(c.Title) {
			t.Errorf("chart %s: %s, write %s", c.ID, m.Word, m.Use)
		}
	}
}
