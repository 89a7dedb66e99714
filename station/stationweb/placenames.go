package stationweb

import "fieldsync/places"

// placeView is a division code as pages show it: the place's name, with its
// path (盟市 down to the place) and code for a tooltip. A code no place has
// shows as itself, with no path.
type placeView struct {
	Code, Name, Path string
	Known            bool
}

// Title is the tooltip: the path and the code, or nothing for an unknown code.
func (p placeView) Title() string {
	if !p.Known {
		return ""
	}
	return p.Path + "（" + p.Code + "）"
}

func placeOf(code string) placeView {
	if p, ok := places.Lookup(code); ok {
		return placeView{Code: code, Name: p.Name, Path: p.Path, Known: true}
	}
	return placeView{Code: code, Name: code}
}
