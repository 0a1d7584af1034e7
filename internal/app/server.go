package app

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"

	"cmhub/internal/auth"
	"cmhub/internal/httpapi"
	"cmhub/internal/platform"
	"cmhub/internal/store"
	"cmhub/internal/web"
)

// Config is how the server is started (flags and CMHUB_* environment).
type Config struct {
	Addr            string // listen address, e.g. ":8080"
	DataDir         string // where the SQLite file and backups live
	DatabaseURL     string // SQLite path or postgres://…; default <DataDir>/cmhub.db
	SessionSecret   string
	Demo            bool
	DemoPassword    string
	InsecureCookies bool
	Version         string
}

// DatabaseOrDefault returns the database URL, defaulting to a SQLite file in the data directory.
func (c Config) DatabaseOrDefault() string {
	if c.DatabaseURL != "" {
		return c.DatabaseURL
	}
	dir := c.DataDir
	if dir == "" {
		dir = "data"
	}
	return filepath.Join(dir, "cmhub.db")
}

// OpenStore opens and migrates the database.
func OpenStore(ctx context.Context, url string) (*store.DB, error) {
	db, err := store.Open(ctx, url)
	if err != nil {
		return nil, err
	}
	if err := db.Migrate(ctx); err != nil {
		_ = db.Close()
		return nil, err
	}
	return db, nil
}

// Serve runs the server until ctx is cancelled (SIGINT/SIGTERM), then
// drains requests for up to 20 seconds. ready, when non-nil, receives the
// bound address once the server listens.
func Serve(ctx context.Context, cfg Config, log *slog.Logger, ready chan<- string) error {
	if cfg.Demo {
		if cfg.DataDir == "" {
			dir, err := os.MkdirTemp("", "cmhub-demo-")
			if err != nil {
				return err
			}
			defer func() { _ = os.RemoveAll(dir) }()
			cfg.DataDir = dir
		}
		if cfg.DatabaseURL == "" {
			cfg.DatabaseURL = filepath.Join(cfg.DataDir, "demo.db")
			_ = os.Remove(cfg.DatabaseURL) // the demo always starts fresh
		}
		if cfg.SessionSecret == "" {
			cfg.SessionSecret = randomHex(32)
		}
		if cfg.DemoPassword == "" {
			cfg.DemoPassword = "demo-" + randomHex(4)
		}
	}
	if err := auth.CheckSecret(cfg.SessionSecret); err != nil {
		return err
	}
	db, err := OpenStore(ctx, cfg.DatabaseOrDefault())
	if err != nil {
		return err
	}
	defer func() { _ = db.Close() }()
	clock := platform.SystemClock{}
	s := NewServices(db, clock, auth.Config{Secret: []byte(cfg.SessionSecret)})
	s.Jobs.Log = log
	if err := s.Jobs.Open(ctx); err != nil {
		return err
	}
	defer s.Jobs.Close() // cancels running jobs (their transactions roll back) before the store closes
	if cfg.Demo {
		insts, err := db.Institutions(ctx)
		if err != nil {
			return err
		}
		if len(insts) == 0 {
			start := time.Now()
			info, err := LoadDemo(ctx, s, cfg.DemoPassword)
			if err != nil {
				return fmt.Errorf("demo: %w", err)
			}
			log.Info("demo loaded", "people", info.People, "took_ms", time.Since(start).Milliseconds())
			printDemoLogins(info, cfg.DemoPassword)
		}
	} else if err := ProductionCheck(ctx, db); err != nil {
		return err
	}

	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	api := httpapi.New(httpapi.Deps{
		Org: s.Org, People: s.People, Auth: s.Auth, Periods: s.Periods, Audit: s.AuditQ, Catalogue: s.Metrics, Customers: s.Customers, Targets: s.Targets, Records: s.Records, Stats: s.Stats, Cycles: s.Cycles, Attendance: s.Attendance, Payroll: s.Payroll, Jobs: s.Jobs, Dicts: db, Persons: db, Reports: db,
		Ready: func(ctx context.Context) error {
			if err := db.Ping(ctx); err != nil {
				return err
			}
			okm, err := db.Migrated(ctx)
			if err == nil && !okm {
				err = errors.New("migrations pending")
			}
			return err
		},
		Clock: clock, Log: log, Metrics: reg, UI: web.FS(), InsecureCookies: cfg.InsecureCookies,
	})
	addr := cfg.Addr
	if addr == "" {
		addr = ":8080"
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("listen %s: %w", addr, err)
	}
	srv := &http.Server{Handler: api, ReadHeaderTimeout: 10 * time.Second, ReadTimeout: 2 * time.Minute,
		WriteTimeout: 5 * time.Minute, IdleTimeout: 2 * time.Minute, ErrorLog: slog.NewLogLogger(log.Handler(), slog.LevelWarn)}
	log.Info("cmhub listening", "addr", ln.Addr().String(), "engine", string(db.Engine()), "version", cfg.Version, "demo", cfg.Demo)
	if cfg.Demo {
		port := ln.Addr().(*net.TCPAddr).Port
		fmt.Fprintf(os.Stderr, "==== 打开 open http://localhost:%d ====\n\n", port)
	}
	if ready != nil {
		ready <- ln.Addr().String()
	}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	log.Info("shutting down")
	sctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil {
		return fmt.Errorf("shutdown: %w", err)
	}
	return nil
}

// ProductionCheck refuses to serve without an enabled administrator or
// while any account still has a demo password.
func ProductionCheck(ctx context.Context, db *store.DB) error {
	admins, defaults, err := db.StartupCheck(ctx)
	if err != nil {
		return fmt.Errorf("startup check: %w", err)
	}
	if admins == 0 {
		return errors.New("no administrator: create one with `cmhub user add --admin --username NAME` (or start the demo with `cmhub serve --demo`)")
	}
	if defaults > 0 {
		return fmt.Errorf("%d account(s) still have a demo/default password; this database was made by the demo and cannot be served outside demo mode", defaults)
	}
	return nil
}

func printDemoLogins(info *DemoInfo, password string) {
	fmt.Fprintln(os.Stderr, "\n==== cmhub 演示 demo ====  密码 password for every account: "+password)
	for _, l := range info.Logins {
		fmt.Fprintf(os.Stderr, "  %-10s %s (%s)\n", l.Username, l.Role, l.Name)
	}
	fmt.Fprintln(os.Stderr, "  cm01…cm30 销售类客户经理 sales CMs; rm1…rm3 区域经理; tl11…tl32 团队负责人")
	fmt.Fprintln(os.Stderr)
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}
