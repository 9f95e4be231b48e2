package httpx

import (
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"

	"github.com/vigil-med/vigil/internal/domain"
)

// Status maps a domain error code to an HTTP status. This is the only place that does.
func Status(code string) int {
	switch code {
	case domain.EInvalid:
		return http.StatusBadRequest
	case domain.ENotFound:
		return http.StatusNotFound
	case domain.EConflict:
		return http.StatusConflict
	case domain.EUnauthorized:
		return http.StatusUnauthorized
	case domain.EForbidden:
		return http.StatusForbidden
	case domain.ETooLarge:
		return http.StatusRequestEntityTooLarge
	case domain.ERateLimited:
		return http.StatusTooManyRequests
	case domain.EUnavailable:
		return http.StatusServiceUnavailable
	}
	return http.StatusInternalServerError
}

// ErrorBody is the one error envelope of the API.
type ErrorBody struct {
	Error ErrorDetail `json:"error"`
}

// ErrorDetail describes an error for API clients.
type ErrorDetail struct {
	Code      string `json:"code"`
	Message   string `json:"message"`
	Field     string `json:"field,omitempty"`
	RequestID string `json:"request_id,omitempty"`
}

// AsDomain turns errors from the standard library (body too large) into domain errors.
func AsDomain(err error) error {
	var mbe *http.MaxBytesError
	if errors.As(err, &mbe) {
		return &domain.Error{Code: domain.ETooLarge, Message: "request body is larger than the limit", Err: err}
	}
	return err
}

// JSON writes v as JSON with the status.
func JSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(true)
	_ = enc.Encode(v)
}

// Error writes err as the JSON error envelope; internal errors are logged with their cause and shown
// only as "internal error" with the request id.
func Error(w http.ResponseWriter, r *http.Request, log *slog.Logger, err error) {
	err = AsDomain(err)
	code := domain.ErrorCode(err)
	switch code {
	case domain.EInternal:
		log.Error("request failed", "err", err, "path", r.URL.Path, "request_id", RequestID(r.Context()))
	case domain.EUnavailable:
		log.Warn("request failed: a dependency is unavailable", "err", err, "path", r.URL.Path, "request_id", RequestID(r.Context()))
	}
	JSON(w, Status(code), ErrorBody{Error: ErrorDetail{
		Code: code, Message: domain.ErrorMessage(err), Field: domain.ErrorField(err), RequestID: RequestID(r.Context()),
	}})
}
