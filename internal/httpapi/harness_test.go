package httpapi_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"mime/multipart"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"cmhub/internal/app"
	"cmhub/internal/auth"
	"cmhub/internal/httpapi"
	"cmhub/internal/platform"
	"cmhub/internal/store"
	"cmhub/internal/store/storetest"
)

// testNow pins "today" for every API test.
var testNow = time.Date(2026, 11, 22, 9, 0, 0, 0, time.UTC)

const demoPassword = "demo-Passw0rd!"

// harness is a real server on a real database with the demo branch loaded.
type harness struct {
	srv  *httptest.Server
	api  *httpapi.API
	db   *store.DB
	svc  *app.Services
	inst int64
}

func newHarness(t *testing.T, e store.Engine) *harness {
	t.Helper()
	db := storetest.Open(t, e)
	clock := platform.FixedClock{T: testNow}
	db.SetClock(clock)
	s := app.NewServices(db, clock, auth.Config{
		Secret:        []byte("test-secret-0123456789abcdef0123456789"),
		Argon2:        auth.Argon2Params{MemoryKiB: 64, Time: 1, Threads: 1},
		PerIPPerMin:   1000,
		PerUserPerMin: 1000,
	})
	info, err := app.LoadDemo(context.Background(), s, demoPassword)
	if err != nil {
		t.Fatalf("demo: %v", err)
	}
	api := httpapi.New(httpapi.Deps{Org: s.Org, People: s.People, Auth: s.Auth, Periods: s.Periods, Audit: s.AuditQ, Catalogue: s.Metrics, Customers: s.Customers, Targets: s.Targets,
		Records: s.Records, Stats: s.Stats, Cycles: s.Cycles, Attendance: s.Attendance, Payroll: s.Payroll, Jobs: s.Jobs, TempDir: t.TempDir(),
		Dicts: db, Persons: db, Reports: db, Ready: db.Ping, Clock: clock, Log: slog.New(slog.NewTextHandler(testLog{t}, &slog.HandlerOptions{Level: slog.LevelWarn})), Metrics: prometheus.NewRegistry()})
	if err := s.Jobs.Open(context.Background()); err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(api)
	t.Cleanup(func() { srv.Close(); s.Jobs.Close() })
	return &harness{srv: srv, api: api, db: db, svc: s, inst: info.Institution}
}

// client is a signed-in (or anonymous) browser-like client.
type client struct {
	h    *harness
	http *http.Client
	user string
}

func (h *harness) anon() *client {
	jar, _ := cookiejar.New(nil)
	return &client{h: h, http: &http.Client{Jar: jar}}
}

// login signs in as a demo user and fails the test if that does not work.
func (h *harness) login(t testing.TB, username string) *client {
	t.Helper()
	c := h.anon()
	c.user = username
	st, body := c.do(t, "POST", "/api/auth/login", map[string]string{"username": username, "password": demoPassword})
	if st != http.StatusOK {
		t.Fatalf("login %s: %d %s", username, st, body)
	}
	return c
}

// do sends a JSON request (body nil for none) and returns status and body.
// Every response is checked against the OpenAPI document.
func (c *client) do(t testing.TB, method, path string, body any) (int, []byte) {
	t.Helper()
	var rd io.Reader
	if body != nil {
		if raw, ok := body.(json.RawMessage); ok {
			rd = bytes.NewReader(raw)
		} else {
			b, err := json.Marshal(body)
			if err != nil {
				t.Fatal(err)
			}
			rd = bytes.NewReader(b)
		}
	}
	req, err := http.NewRequest(method, c.h.srv.URL+path, rd)
	if err != nil {
		t.Fatal(err)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	return c.send(t, req)
}

func (c *client) send(t testing.TB, req *http.Request) (int, []byte) {
	t.Helper()
	resp, err := c.http.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", req.Method, req.URL.Path, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	checkResponse(t, req.Method, req.URL.Path, resp.StatusCode, resp.Header, b)
	return resp.StatusCode, b
}

// upload posts a file as multipart field "file".
func (c *client) upload(t testing.TB, path, filename string, content []byte) (int, []byte) {
	t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	fw, err := mw.CreateFormFile("file", filename)
	if err != nil {
		t.Fatal(err)
	}
	fw.Write(content)
	mw.Close()
	req, err := http.NewRequest("POST", c.h.srv.URL+path, &buf)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", mw.FormDataContentType())
	return c.send(t, req)
}

// decodeJSON unmarshals b into v or fails.
func decodeJSON(t testing.TB, b []byte, v any) {
	t.Helper()
	if err := json.Unmarshal(b, v); err != nil {
		t.Fatalf("decode %s: %v", b, err)
	}
}

// testLog sends server warnings and errors to the test's output.
type testLog struct{ t testing.TB }

func (l testLog) Write(b []byte) (int, error) {
	l.t.Log(strings.TrimSpace(string(b)))
	return len(b), nil
}
