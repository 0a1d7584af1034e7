package httpapi_test

import (
	"net/http"
	"testing"
)

// checkResponse validates a response against the OpenAPI document.
// (Placeholder until the document is written; replaced by the real check.)
func checkResponse(t testing.TB, method, path string, status int, header http.Header, body []byte) {}
