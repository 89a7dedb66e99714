package hubweb

import (
	"net/http"

	"fieldsync/hub/access"
	"fieldsync/places/placesweb"
)

// placesPagePath is place search for the pages' picker, behind the web
// session (the picker's data-src); /api/places takes a bearer token only.
const placesPagePath = "/places/search"

// routesPlaces adds place search, for administrators with a bearer token
// and for the pages' place picker, and the picker's script:
//
//	GET /api/places?q=&level=      view (bearer token)
//	GET /places/search?q=&level=   view (web session)
//	GET /static/placepicker.js
func (h *server) routesPlaces(mux *http.ServeMux) {
	mux.Handle("GET /api/places", h.apiFor(access.PermView, placesweb.Handler(apiLang)))
	mux.Handle("GET "+placesPagePath, h.pageFor(access.PermView, placesweb.Handler(pageLang)))
	mux.Handle("GET "+placesweb.PickerPath, placesweb.Picker())
}
