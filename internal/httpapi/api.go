// Package httpapi is cmhub's JSON API and the server of the embedded UI.
// Routes live in one table (routes.go); handlers decode, call a service and
// encode; errors are mapped to statuses in one place (errors.go).
package httpapi

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"io/fs"
	"log/slog"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"cmhub/internal/access"
	"cmhub/internal/attendance"
	"cmhub/internal/audit"
	"cmhub/internal/auth"
	"cmhub/internal/customer"
	"cmhub/internal/cycle"
	"cmhub/internal/dict"
	"cmhub/internal/job"
	"cmhub/internal/metric"
	"cmhub/internal/org"
	"cmhub/internal/payroll"
	"cmhub/internal/people"
	"cmhub/internal/period"
	"cmhub/internal/platform"
	"cmhub/internal/record"
	"cmhub/internal/stats"
	"cmhub/internal/target"
)

// Reports keeps import error workbooks for download.
type Reports interface {
	WithTx(ctx context.Context, fn func(ctx context.Context) error) error
	SaveImportReport(ctx context.Context, id string, institution, userID int64, kind string, content []byte) error
	ImportReport(ctx context.Context, id string, userID int64) ([]byte, error)
}

// Deps is what the API needs from the rest of the program.
type Deps struct {
	Org       *org.Service
	People    *people.Service
	Auth      *auth.Service
	Periods   *period.Service
	Audit     *audit.Service
	Catalogue *metric.Service // the metric catalogue (指标库)
	Customers *customer.Service
	Targets   *target.Service
	Records   *record.Service
	Stats     *stats.Service
	Cycles    *cycle.Service // assessment cycles (考核)
	// Attendance is the working calendar and attendance (考勤).
	Attendance *attendance.Service
	// Payroll is the pay plans and trial statements (薪酬).
	Payroll *payroll.Service
	Jobs    *job.Runner
	// TempDir is where large uploads are spooled ("" = the system's).
	TempDir string
	Dicts   dict.Store
	Persons org.PersonFinder
	Reports Reports
	Ready   func(ctx context.Context) error // database reachable and migrated
	Clock   platform.Clock
	Log     *slog.Logger
	Metrics *prometheus.Registry
	UI      fs.FS // the built web UI; nil serves none
	// InsecureCookies drops the Secure flag, for plain-HTTP development
	// behind no TLS other than on localhost (browsers accept Secure there).
	InsecureCookies bool
}

// API is the HTTP handler.
type API struct {
	Deps
	log      *slog.Logger
	mux      *http.ServeMux
	requests *prometheus.CounterVec
	duration *prometheus.HistogramVec
	handler  http.Handler
}

// New builds the API handler.
func New(d Deps) *API {
	a := &API{Deps: d, log: d.Log, mux: http.NewServeMux()}
	if a.log == nil {
		a.log = slog.New(slog.DiscardHandler)
	}
	a.requests = prometheus.NewCounterVec(prometheus.CounterOpts{Name: "cmhub_http_requests_total", Help: "HTTP requests by route and status."},
		[]string{"method", "route", "status"})
	a.duration = prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "cmhub_http_request_duration_seconds", Help: "HTTP request latency by route.",
		Buckets: prometheus.DefBuckets}, []string{"route"})
	if d.Metrics != nil {
		d.Metrics.MustRegister(a.requests, a.duration)
	}
	for _, rt := range a.routes() {
		h := rt.h
		if !rt.public {
			h = a.authenticated(requirePermission(rt.perm, h))
		}
		a.mux.Handle(rt.method+" "+rt.path, a.handle(h))
	}
	a.mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) { writeJSON(w, 200, map[string]string{"status": "ok"}) })
	a.mux.HandleFunc("GET /readyz", a.readyz)
	if d.Metrics != nil {
		a.mux.Handle("GET /metrics", promhttp.HandlerFor(d.Metrics, promhttp.HandlerOpts{}))
	}
	a.mux.HandleFunc("/api/", func(w http.ResponseWriter, r *http.Request) {
		a.writeError(w, r, &apiError{Status: http.StatusNotFound, Code: "not_found", Message: "没有这个接口 no such endpoint"})
	})
	if d.UI != nil {
		a.mux.Handle("/", uiHandler(d.UI))
	}
	cop := http.NewCrossOriginProtection()
	cop.SetDenyHandler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusForbidden, &apiError{Code: "cross_origin", Message: "跨站请求被拒绝 cross-origin request refused"})
	}))
	a.handler = a.observe(cop.Handler(a.mux))
	return a
}

// ServeHTTP serves a request.
func (a *API) ServeHTTP(w http.ResponseWriter, r *http.Request) { a.handler.ServeHTTP(w, r) }

type handlerFunc func(w http.ResponseWriter, r *http.Request) error

func (a *API) handle(h handlerFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err := h(w, r); err != nil {
			a.writeError(w, r, err)
		}
	})
}

const sessionCookie = "cmhub_session"

// authenticated resolves the session cookie or bearer token to a principal.
func (a *API) authenticated(h handlerFunc) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		var p *access.Principal
		var err error
		if bearer, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer "); ok {
			p, err = a.Auth.AuthenticateToken(r.Context(), strings.TrimSpace(bearer))
		} else if c, cerr := r.Cookie(sessionCookie); cerr == nil {
			p, err = a.Auth.Authenticate(r.Context(), c.Value)
		} else {
			err = platform.ErrUnauthorized
		}
		if err != nil {
			return err
		}
		if u, ok := r.Context().Value(logUserKey{}).(*string); ok {
			*u = p.Username
		}
		return h(w, r.WithContext(access.WithPrincipal(r.Context(), p)))
	}
}

// requirePermission refuses a route to a principal without its
// permission, so the route table is the one place that says who may call
// what; services check again, as they are also called from elsewhere.
func requirePermission(perm access.Permission, h handlerFunc) handlerFunc {
	if perm == "" {
		return h
	}
	return func(w http.ResponseWriter, r *http.Request) error {
		if !access.FromContext(r.Context()).Can(perm) {
			return platform.ErrForbidden
		}
		return h(w, r)
	}
}

// logUserKey carries a slot the authentication step fills so the request
// log line can name the user.
type logUserKey struct{}

var requestIDRe = regexp.MustCompile(`^[A-Za-z0-9._-]{1,64}$`)

type statusWriter struct {
	http.ResponseWriter
	status int
}

func (s *statusWriter) WriteHeader(code int) {
	if s.status == 0 {
		s.status = code
	}
	s.ResponseWriter.WriteHeader(code)
}

func (s *statusWriter) Write(b []byte) (int, error) {
	if s.status == 0 {
		s.status = http.StatusOK
	}
	return s.ResponseWriter.Write(b)
}

func (s *statusWriter) Unwrap() http.ResponseWriter { return s.ResponseWriter }

// observe assigns the request id, sets security headers, recovers panics,
// logs the request and counts it.
func (a *API) observe(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		id := r.Header.Get("X-Request-Id")
		if !requestIDRe.MatchString(id) {
			b := make([]byte, 8)
			_, _ = rand.Read(b)
			id = hex.EncodeToString(b)
		}
		user := new(string)
		r = r.WithContext(context.WithValue(platform.WithRequestID(r.Context(), id), logUserKey{}, user))
		h := w.Header()
		h.Set("X-Request-Id", id)
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Referrer-Policy", "same-origin")
		h.Set("Content-Security-Policy", "default-src 'self'; img-src 'self' data: blob:; style-src 'self' 'unsafe-inline'; font-src 'self' data:; frame-ancestors 'none'")
		sw := &statusWriter{ResponseWriter: w}
		// NUL cannot be stored in PostgreSQL text; a path with one names no object.
		if strings.ContainsRune(r.URL.Path, 0) {
			writeJSON(sw, http.StatusNotFound, &apiError{Code: "not_found", Message: platform.ErrNotFound.Error()})
			return
		}
		if strings.Contains(r.URL.RawQuery, "%00") {
			writeJSON(sw, http.StatusBadRequest, &apiError{Code: "bad_request", Message: "查询参数中不能包含 NUL 字符 query parameters must not contain NUL characters"})
			return
		}
		defer func() {
			if v := recover(); v != nil {
				a.log.ErrorContext(r.Context(), "panic", "panic", v, "request_id", id, "path", r.URL.Path)
				if sw.status == 0 {
					writeJSON(sw, http.StatusInternalServerError, &apiError{Code: "internal", Message: "服务器内部错误 internal error"})
				}
			}
			route := r.Pattern
			if route == "" {
				route = "unmatched"
			}
			status := sw.status
			if status == 0 {
				status = http.StatusOK
			}
			d := time.Since(start)
			a.requests.WithLabelValues(r.Method, route, strconv.Itoa(status)).Inc()
			a.duration.WithLabelValues(route).Observe(d.Seconds())
			a.log.InfoContext(r.Context(), "request", "request_id", id, "method", r.Method, "path", r.URL.Path, "route", route,
				"status", status, "duration_ms", d.Milliseconds(), "user", *user, "remote", clientIP(r))
		}()
		next.ServeHTTP(sw, r)
	})
}

func clientIP(r *http.Request) string {
	host := r.RemoteAddr
	if i := strings.LastIndexByte(host, ':'); i > 0 {
		host = host[:i]
	}
	return strings.Trim(host, "[]")
}

func (a *API) readyz(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), 3*time.Second)
	defer cancel()
	if err := a.Ready(ctx); err != nil {
		a.log.WarnContext(r.Context(), "not ready", "err", err.Error())
		writeJSON(w, http.StatusServiceUnavailable, map[string]string{"status": "unavailable"})
		return
	}
	writeJSON(w, http.StatusOK, map[string]string{"status": "ready"})
}

// uiHandler serves the single-page app: real files as they are, and
// index.html for every other path so client-side routes work on reload.
func uiHandler(ui fs.FS) http.Handler {
	files := http.FileServerFS(ui)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			w.Header().Set("Allow", "GET, HEAD")
			http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
			return
		}
		p := strings.TrimPrefix(r.URL.Path, "/")
		if p != "" {
			if st, err := fs.Stat(ui, p); err == nil && !st.IsDir() {
				if strings.HasPrefix(p, "assets/") {
					w.Header().Set("Cache-Control", "public, max-age=31536000, immutable")
				}
				files.ServeHTTP(w, r)
				return
			}
		}
		b, err := fs.ReadFile(ui, "index.html")
		if err != nil {
			http.Error(w, "UI not built", http.StatusNotFound)
			return
		}
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Header().Set("Cache-Control", "no-cache")
		_, _ = w.Write(b)
	})
}
