package places

// Label is a division code as people are shown it: the place's name, with
// its path (盟市 down to the place) and code for a tooltip or a name column.
// A code no place has shows as itself, with no path.
type Label struct {
	Code, Name, Path string
	Known            bool
}

// LabelOf is the label of code (see Lookup for the codes it knows).
func LabelOf(code string) Label {
	if p, ok := Lookup(code); ok {
		return Label{Code: code, Name: p.Name, Path: p.Path, Known: true}
	}
	return Label{Code: code, Name: code}
}

// Title is the tooltip: the path and the code, or nothing for an unknown code.
func (l Label) Title() string {
	if !l.Known {
		return ""
	}
	return l.Path + "（" + l.Code + "）"
}

// Cell is the name column beside a division code in an export: the place's
// path, or the code itself when no place has it ("" for no code).
func (l Label) Cell() string {
	if l.Known {
		return l.Path
	}
	return l.Code
}
