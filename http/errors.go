package http

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"strconv"
	"time"

	"github.com/go-chi/chi/v5/middleware"

	"gametable/db"
)

// Error codes of CONTRACT.md section 1.
const (
	codeBadRequest       = "bad_request"
	codeUnauthorized     = "unauthorized"
	codeForbidden        = "forbidden"
	codeAIAccessDenied   = "ai_access_denied"
	codeNotFound         = "not_found"
	codeConflict         = "conflict"
	codePayloadTooLarge  = "payload_too_large"
	codeValidationFailed = "validation_failed"
	codeRateLimited      = "rate_limited"
	codeUnavailable      = "unavailable"
	codeInternal         = "internal"
)

// apiError is an error with a fixed status and code that the client may see.
type apiError struct {
	status     int
	code       string
	message    string
	retryAfter time.Duration
}

func (e *apiError) Error() string { return e.message }

func errBadRequest(msg string) error { return &apiError{http.StatusBadRequest, codeBadRequest, msg, 0} }
func errUnauthorized() error {
	return &apiError{http.StatusUnauthorized, codeUnauthorized, "you are not logged in", 0}
}
func errForbidden(msg string) error { return &apiError{http.StatusForbidden, codeForbidden, msg, 0} }
func errNotFound(what string) error {
	return &apiError{http.StatusNotFound, codeNotFound, what + " not found", 0}
}
func errConflict(msg string) error { return &apiError{http.StatusConflict, codeConflict, msg, 0} }
func errRateLimited(retry time.Duration) error {
	return &apiError{http.StatusTooManyRequests, codeRateLimited, "too many requests, try again later", retry}
}
func errUnavailable(msg string) error {
	return &apiError{http.StatusServiceUnavailable, codeUnavailable, msg, 0}
}

// validationError is a 422 naming each bad field.
type validationError struct {
	Fields map[string]string
}

func (e *validationError) Error() string { return "validation failed" }

// validator collects field errors; a request type's validate method fills
// one and returns v.err().
type validator struct{ fields map[string]string }

// add records msg for field unless the field already has an error.
func (v *validator) add(field, msg string) {
	if v.fields == nil {
		v.fields = map[string]string{}
	}
	if _, ok := v.fields[field]; !ok {
		v.fields[field] = msg
	}
}

// check records msg for field when ok is false.
func (v *validator) check(ok bool, field, msg string) {
	if !ok {
		v.add(field, msg)
	}
}

func (v *validator) err() error {
	if len(v.fields) == 0 {
		return nil
	}
	return &validationError{Fields: v.fields}
}

type errorBody struct {
	Error errorDetail `json:"error"`
}

type errorDetail struct {
	Code    string            `json:"code"`
	Message string            `json:"message"`
	Fields  map[string]string `json:"fields,omitempty"`
}

func (errorBody) responseBody() {}

// writeError owns the mapping from errors to statuses and codes. It logs
// internal errors at Error level with the request ID; the client sees only
// "internal error".
func (s *Server) writeError(w http.ResponseWriter, r *http.Request, err error) {
	status, body := s.errorResponse(r, err)
	if ae := (*apiError)(nil); errors.As(err, &ae) && ae.retryAfter > 0 {
		secs := int(ae.retryAfter.Round(time.Second) / time.Second)
		if secs < 1 {
			secs = 1
		}
		w.Header().Set("Retry-After", strconv.Itoa(secs))
	}
	writeJSON(w, status, body)
}

func (s *Server) errorResponse(r *http.Request, err error) (int, errorBody) {
	var (
		ae  *apiError
		ve  *validationError
		mbe *http.MaxBytesError
	)
	switch {
	case errors.As(err, &ve):
		return http.StatusUnprocessableEntity, errorBody{errorDetail{codeValidationFailed, "some fields are invalid", ve.Fields}}
	case errors.As(err, &ae):
		return ae.status, errorBody{errorDetail{Code: ae.code, Message: ae.message}}
	case errors.As(err, &mbe):
		return http.StatusRequestEntityTooLarge, errorBody{errorDetail{Code: codePayloadTooLarge, Message: "request body too large"}}
	case errors.Is(err, db.ErrNotFound):
		return http.StatusNotFound, errorBody{errorDetail{Code: codeNotFound, Message: "not found"}}
	case errors.Is(err, db.ErrConflict):
		return http.StatusConflict, errorBody{errorDetail{Code: codeConflict, Message: "conflicts with existing data"}}
	case errors.Is(err, context.Canceled) && r.Context().Err() != nil:
		// The client went away; nobody reads the answer.
		return 499, errorBody{errorDetail{Code: codeBadRequest, Message: "request cancelled"}}
	}
	s.logger.ErrorContext(r.Context(), "internal error",
		"err", err,
		"request_id", middleware.GetReqID(r.Context()),
		"method", r.Method,
		"path", r.URL.Path,
	)
	return http.StatusInternalServerError, errorBody{errorDetail{Code: codeInternal, Message: "internal error"}}
}

// logWarn logs client misbehaviour worth seeing at 3 a.m.
func (s *Server) logWarn(r *http.Request, msg string, args ...any) {
	args = append(args, "request_id", middleware.GetReqID(r.Context()))
	s.logger.LogAttrs(r.Context(), slog.LevelWarn, msg, argsToAttrs(args)...)
}

func argsToAttrs(args []any) []slog.Attr {
	attrs := make([]slog.Attr, 0, len(args)/2)
	for i := 0; i+1 < len(args); i += 2 {
		k, _ := args[i].(string)
		attrs = append(attrs, slog.Any(k, args[i+1]))
	}
	return attrs
}
