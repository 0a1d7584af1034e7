package httpapi

import (
	"errors"

	"net/http"

	"cmhub/internal/auth"
	"cmhub/internal/platform"
)

// apiError is the one error shape every endpoint answers with.
type apiError struct {
	Status  int               `json:"-"`
	Code    string            `json:"code"`
	Message string            `json:"message"`
	Fields  map[string]string `json:"fields,omitempty"`
}

func (e *apiError) Error() string { return e.Code + ": " + e.Message }

func badRequest(field, msg string) *apiError {
	e := &apiError{Status: http.StatusBadRequest, Code: "validation", Message: "请求有误 invalid request"}
	if field != "" {
		e.Fields = map[string]string{field: msg}
	} else {
		e.Code, e.Message = "bad_request", msg
	}
	return e
}

// toAPIError maps the domain's error kinds to statuses in one place.
// Anything unknown is a 500 whose text stays in the log.
func toAPIError(err error) (*apiError, bool) {
	var ae *apiError
	var ve *platform.ValidationError
	var ce *platform.ConflictError
	var de *platform.DeniedError
	switch {
	case errors.As(err, &ae):
		return ae, true
	case errors.As(err, &ve):
		return &apiError{Status: http.StatusBadRequest, Code: "validation", Message: "请求有误 invalid request", Fields: ve.Fields}, true
	case errors.As(err, &ce):
		e := &apiError{Status: http.StatusConflict, Code: ce.Code, Message: ce.Message}
		if ce.Field != "" {
			e.Fields = map[string]string{ce.Field: ce.Message}
		}
		return e, true
	case errors.Is(err, platform.ErrNotFound):
		return &apiError{Status: http.StatusNotFound, Code: "not_found", Message: platform.ErrNotFound.Error()}, true
	case errors.As(err, &de):
		return &apiError{Status: http.StatusForbidden, Code: "forbidden", Message: de.Message}, true
	case errors.Is(err, platform.ErrForbidden):
		return &apiError{Status: http.StatusForbidden, Code: "forbidden", Message: platform.ErrForbidden.Error()}, true
	case errors.Is(err, platform.ErrUnauthorized):
		return &apiError{Status: http.StatusUnauthorized, Code: "unauthenticated", Message: platform.ErrUnauthorized.Error()}, true
	case errors.Is(err, auth.ErrInvalidCredentials):
		return &apiError{Status: http.StatusUnauthorized, Code: "invalid_credentials", Message: err.Error()}, true
	case errors.Is(err, auth.ErrLocked):
		return &apiError{Status: http.StatusLocked, Code: "locked", Message: err.Error()}, true
	case errors.Is(err, auth.ErrRateLimited):
		return &apiError{Status: http.StatusTooManyRequests, Code: "rate_limited", Message: err.Error()}, true
	}
	var mbe *http.MaxBytesError
	if errors.As(err, &mbe) {
		return &apiError{Status: http.StatusRequestEntityTooLarge, Code: "too_large", Message: "请求体过大 request body too large"}, true
	}
	return &apiError{Status: http.StatusInternalServerError, Code: "internal", Message: "服务器内部错误，请联系管理员并提供请求编号 internal error; quote the request id to your administrator"}, false
}

func (a *API) writeError(w http.ResponseWriter, r *http.Request, err error) {
	ae, known := toAPIError(err)
	if !known {
		a.log.ErrorContext(r.Context(), "request failed", "err", err.Error(), "request_id", platform.RequestID(r.Context()),
			"method", r.Method, "path", r.URL.Path)
	} else if ae.Status >= 500 {
		a.log.ErrorContext(r.Context(), "request failed", "err", err.Error(), "request_id", platform.RequestID(r.Context()))
	} else {
		a.log.DebugContext(r.Context(), "request refused", "code", ae.Code, "status", ae.Status)
	}
	writeJSON(w, ae.Status, ae)
}
