package stationweb

import "fieldsync/places"

// placeView is a division code as pages show it (places.Label).
type placeView = places.Label

// placeOf is the template function place: a code's name, path and code.
func placeOf(code string) placeView { return places.LabelOf(code) }
