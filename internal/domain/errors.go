// Package domain holds Vigil's entities, roles and error codes. It knows no database and no HTTP.
package domain

import (
	"errors"
	"fmt"
)

// Error codes, mapped to HTTP status codes in one place (internal/httpx).
const (
	EInvalid      = "invalid"      // the request is malformed or fails validation
	ENotFound     = "not_found"    // the entity does not exist (or is not visible to the caller)
	EConflict     = "conflict"     // the change conflicts with existing data
	EUnauthorized = "unauthorized" // the caller is not authenticated
	EForbidden    = "forbidden"    // the caller may not do this
	ETooLarge     = "too_large"    // the input exceeds a size limit
	ERateLimited  = "rate_limited" // too many attempts
	EUnavailable  = "unavailable"  // a dependency (database, feed) is not reachable
	EInternal     = "internal"     // a bug or an unexpected failure; details are logged, not shown
)

// Error is an error with a code that the faces (web, API, CLI) can turn into a status and a safe message.
// Message is written for the user; Field names the offending input (a form field, a JSON path, a column).
type Error struct {
	Code    string
	Message string
	Field   string
	Err     error // the cause, for logs; never shown to users
}

func (e *Error) Error() string {
	s := e.Message
	if e.Field != "" {
		s = e.Field + ": " + s
	}
	if e.Err != nil {
		s += ": " + e.Err.Error()
	}
	return s
}

func (e *Error) Unwrap() error { return e.Err }

// Errorf returns an *Error with the given code and a formatted message.
func Errorf(code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// Invalid returns an EInvalid error for one field.
func Invalid(field, format string, args ...any) *Error {
	return &Error{Code: EInvalid, Field: field, Message: fmt.Sprintf(format, args...)}
}

// NotFound returns an ENotFound error for the named thing.
func NotFound(what string) *Error {
	return &Error{Code: ENotFound, Message: what + " not found"}
}

// ErrorCode returns the code of the first *Error in err's chain, EInternal for any other error and "" for nil.
func ErrorCode(err error) string {
	if err == nil {
		return ""
	}
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return EInternal
}

// ErrorMessage returns the user-facing message of err: the *Error's message (with its field),
// or a generic text for internal errors so that causes never leak to users.
func ErrorMessage(err error) string {
	var e *Error
	if errors.As(err, &e) {
		if e.Code == EInternal {
			return "internal error"
		}
		if e.Field != "" {
			return e.Field + ": " + e.Message
		}
		return e.Message
	}
	return "internal error"
}

// ErrorField returns the field of the first *Error in err's chain, or "".
func ErrorField(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Field
	}
	return ""
}
