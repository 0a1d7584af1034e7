package platform

import (
	"errors"
	"sort"
	"strings"
)

// Error kinds every capability returns and the HTTP layer maps in one place.
// Their messages are written for users (Chinese first, then English).
var (
	ErrNotFound     = errors.New("不存在或无权查看 not found")
	ErrForbidden    = errors.New("无此权限 forbidden")
	ErrUnauthorized = errors.New("未登录或会话已过期 not signed in")
)

// ValidationError names each bad field with a message for the user.
type ValidationError struct {
	Fields map[string]string
}

func (e *ValidationError) Error() string {
	keys := make([]string, 0, len(e.Fields))
	for k := range e.Fields {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var b strings.Builder
	b.WriteString("invalid: ")
	for i, k := range keys {
		if i > 0 {
			b.WriteString("; ")
		}
		b.WriteString(k + ": " + e.Fields[k])
	}
	return b.String()
}

// Invalid builds a ValidationError for one field.
func Invalid(field, msg string) *ValidationError {
	return &ValidationError{Fields: map[string]string{field: msg}}
}

// Fields collects field errors; Err returns nil when there are none.
type Fields map[string]string

// Add records msg for field unless the field already has a message.
func (f Fields) Add(field, msg string) {
	if _, ok := f[field]; !ok {
		f[field] = msg
	}
}

// Err returns a *ValidationError, or nil when empty.
func (f Fields) Err() error {
	if len(f) == 0 {
		return nil
	}
	return &ValidationError{Fields: f}
}

// ConflictError is a request that is well-formed but clashes with the
// current state (duplicate number, cycle in the tree, closed period).
type ConflictError struct {
	Code    string // machine code, e.g. "duplicate", "cycle", "period_closed"
	Message string
	Field   string // optional field the conflict is about
}

func (e *ConflictError) Error() string { return e.Message }

// Conflict builds a ConflictError.
func Conflict(code, field, msg string) *ConflictError {
	return &ConflictError{Code: code, Field: field, Message: msg}
}

// DeniedError is a refusal with a message for the user that says why
// ("this sheet is not yours"); it is an ErrForbidden.
type DeniedError struct{ Message string }

func (e *DeniedError) Error() string { return e.Message }

// Is makes errors.Is(err, ErrForbidden) hold.
func (e *DeniedError) Is(target error) bool { return target == ErrForbidden }

// Denied builds a DeniedError.
func Denied(msg string) *DeniedError { return &DeniedError{Message: msg} }
