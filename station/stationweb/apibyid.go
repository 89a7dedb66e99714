package stationweb

import (
	"bytes"
	"encoding/json"
	"net/http"

	"fieldsync/ident"
)

// serveByID serves an API call on the record or person the path's id
// names: the body is decoded into a fresh In (unknown fields refused; with
// In struct{}, an empty body or {}), act does the work, and the answer is
// {"id"}. Every error goes through apiError.
func serveByID[In any](s *Server, act func(r *http.Request, id ident.ID, in *In) error) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		id, err := pathID(r)
		if err != nil {
			s.apiError(w, r, err)
			return
		}
		var in In
		if _, empty := any(&in).(*struct{}); empty {
			err = decodeEmpty(w, r)
		} else {
			err = decodeJSON(w, r, &in)
		}
		if err == nil {
			err = act(r, id, &in)
		}
		if err != nil {
			s.apiError(w, r, err)
			return
		}
		writeJSON(w, http.StatusOK, map[string]string{"id": id.String()})
	}
}

// patchBody reads a PATCH body naming some of a record's fields and returns
// what the station's Update functions apply: it decodes the body over the
// current record rec (unknown fields refused) and names the columns the
// body set, so that the others are not written (a conflict on them stays
// for someone who saw it).
func patchBody(w http.ResponseWriter, r *http.Request) (func(rec any) ([]string, error), error) {
	body, err := readJSONBody(w, r)
	if err != nil {
		return nil, err
	}
	fields, err := jsonFields(body)
	if err != nil {
		return nil, err
	}
	return func(rec any) ([]string, error) {
		dec := json.NewDecoder(bytes.NewReader(body))
		dec.DisallowUnknownFields()
		if err := decodeInto(dec, rec); err != nil {
			return nil, err
		}
		return columnsNamed(fields, columnsOf(rec)), nil
	}, nil
}
