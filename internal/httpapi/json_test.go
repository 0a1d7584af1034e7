package httpapi

import (
	"net/http/httptest"
	"strings"
	"testing"

	"cmhub/internal/people"
)

// FuzzDecode feeds arbitrary bodies to the strict JSON decoder: it must
// never panic and must answer every failure with a client error.
func FuzzDecode(f *testing.F) {
	for _, s := range []string{`{"empNo":"A1","hiredOn":"2026-01-01"}`, `{"unitId":"x"}`, `[]`, `{`, `{"a":1}`, `{} {}`, `null`, `{"hiredOn":"2026-02-30"}`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, body string) {
		r := httptest.NewRequest("POST", "/api/people", strings.NewReader(body))
		w := httptest.NewRecorder()
		var dst people.NewPerson
		err := decode(w, r, &dst)
		if err == nil {
			return
		}
		ae, known := toAPIError(err)
		if !known || ae.Status >= 500 {
			t.Fatalf("body %q: %v → %d", body, err, ae.Status)
		}
	})
}
