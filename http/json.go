package http

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strings"
)

// maxBodyBytes is the limit on JSON request bodies (CONTRACT.md section 1).
const maxBodyBytes = 1 << 20

// responseBody marks the types that may be written as a response. Database
// rows do not implement it, so they cannot be encoded by mistake.
type responseBody interface{ responseBody() }

// writeJSON writes body with status. An encoding error can only be a
// programming error or a gone client; it is not reported twice.
func writeJSON[T responseBody](w http.ResponseWriter, status int, body T) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(body)
}

// requestBody is what decodeJSON accepts: a type that validates itself.
type requestBody interface{ validate() error }

// decodeJSON reads one JSON object into dst strictly (unknown fields are
// rejected, at most maxBodyBytes) and then validates it.
func decodeJSON(w http.ResponseWriter, r *http.Request, dst requestBody) error {
	if err := decodeJSONOnly(w, r, dst); err != nil {
		return err
	}
	return dst.validate()
}

// decodeJSONOnly is decodeJSON without validation, for bodies that are
// optional or validated against state.
func decodeJSONOnly(w http.ResponseWriter, r *http.Request, dst any) error {
	if ct := r.Header.Get("Content-Type"); ct != "" {
		mt, _, err := mime.ParseMediaType(ct)
		if err != nil || mt != "application/json" {
			return errBadRequest("the body must be application/json")
		}
	}
	r.Body = http.MaxBytesReader(w, r.Body, maxBodyBytes)
	dec := json.NewDecoder(r.Body)
	dec.DisallowUnknownFields()
	if err := dec.Decode(dst); err != nil {
		return jsonError(err)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return errBadRequest("the body must hold exactly one JSON object")
	}
	return nil
}

// jsonError turns a decoding error into a client-facing one.
func jsonError(err error) error {
	var (
		syntaxErr *json.SyntaxError
		typeErr   *json.UnmarshalTypeError
		mbe       *http.MaxBytesError
	)
	switch {
	case errors.As(err, &mbe):
		return err
	case errors.Is(err, io.EOF):
		return errBadRequest("the body is empty; send a JSON object")
	case errors.As(err, &syntaxErr):
		return errBadRequest(fmt.Sprintf("malformed JSON at byte %d", syntaxErr.Offset))
	case errors.Is(err, io.ErrUnexpectedEOF):
		return errBadRequest("malformed JSON: unexpected end")
	case errors.As(err, &typeErr):
		if typeErr.Field != "" {
			return errBadRequest(fmt.Sprintf("field %q must be a %s", typeErr.Field, jsonKind(typeErr.Type.Kind().String())))
		}
		return errBadRequest("the body must be a JSON object")
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		return errBadRequest("unknown field " + strings.TrimPrefix(err.Error(), "json: unknown field "))
	}
	return errBadRequest("malformed JSON")
}

func jsonKind(goKind string) string {
	switch goKind {
	case "int", "int8", "int16", "int32", "int64", "uint", "uint8", "uint16", "uint32", "uint64", "float32", "float64":
		return "number"
	case "bool":
		return "boolean"
	case "slice", "array":
		return "list"
	case "map", "struct":
		return "object"
	}
	return goKind
}
