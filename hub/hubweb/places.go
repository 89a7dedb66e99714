package hubweb

import (
	"net/http"

	"fieldsync/hub/access"
	"fieldsync/places/placesweb"
)

// routesPlaces adds place search for administrators with a bearer token:
//
//	GET /api/places?q=&level=   view
func (h *server) routesPlaces(mux *http.ServeMux) {
	mux.Handle("GET /api/places", h.apiFor(access.PermView, placesweb.Handler(apiLang)))
}
