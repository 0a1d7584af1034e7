package app

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"cmhub/internal/access"
	"cmhub/internal/auth"
	"cmhub/internal/platform"
	"cmhub/presets"
)

const goodSecret = "9f1c2b7e4d5a6c3b8e0f1a2d3c4b5a6e7f8091a2"

func quiet() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

func TestServeRefusesUnsafeStart(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	for _, secret := range []string{"", "changeme", "secret-secret-secret-secret-secret-secret"} {
		err := Serve(ctx, Config{Addr: "127.0.0.1:0", DataDir: dir, SessionSecret: secret}, quiet(), nil)
		if err == nil || !strings.Contains(err.Error(), "secret") {
			t.Errorf("secret %q: %v", secret, err)
		}
	}
	err := Serve(ctx, Config{Addr: "127.0.0.1:0", DataDir: dir, SessionSecret: goodSecret}, quiet(), nil)
	if err == nil || !strings.Contains(err.Error(), "no administrator") {
		t.Fatalf("empty database: %v", err)
	}

	// A database made by the demo cannot be served outside demo mode.
	demoDB := filepath.Join(t.TempDir(), "demo.db")
	db, err := OpenStore(ctx, demoDB)
	if err != nil {
		t.Fatal(err)
	}
	s := NewServices(db, platform.SystemClock{}, auth.Config{Secret: []byte(goodSecret), Argon2: auth.Argon2Params{MemoryKiB: 64, Time: 1, Threads: 1}})
	if _, err := LoadDemo(ctx, s, "demo-Passw0rd!"); err != nil {
		t.Fatal(err)
	}
	db.Close()
	err = Serve(ctx, Config{Addr: "127.0.0.1:0", DatabaseURL: demoDB, SessionSecret: goodSecret}, quiet(), nil)
	if err == nil || !strings.Contains(err.Error(), "demo/default password") {
		t.Fatalf("demo database outside demo mode: %v", err)
	}
}

func TestServeAndGracefulShutdown(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "cmhub.db")
	db, err := OpenStore(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	p, _ := presets.Load("commercial-bank")
	var inst int64
	if err := db.WithTx(ctx, func(ctx context.Context) error {
		in, err := db.CreateInstitution(ctx, p, "BANK", "示例银行", platform.DateOf(time.Now()))
		inst = in.ID
		return err
	}); err != nil {
		t.Fatal(err)
	}
	s := NewServices(db, platform.SystemClock{}, auth.Config{Secret: []byte(goodSecret), Argon2: auth.Argon2Params{MemoryKiB: 64, Time: 1, Threads: 1}})
	if _, err := s.Auth.CreateUser(access.WithPrincipal(ctx, access.System(inst, "test")), auth.NewUser{Username: "root", Password: "Bank-admin-2026!", Roles: []string{"admin"}}); err != nil {
		t.Fatal(err)
	}
	db.Close()

	sctx, cancel := context.WithCancel(ctx)
	ready := make(chan string, 1)
	done := make(chan error, 1)
	go func() {
		done <- Serve(sctx, Config{Addr: "127.0.0.1:0", DatabaseURL: path, SessionSecret: goodSecret}, quiet(), ready)
	}()
	var addr string
	select {
	case addr = <-ready:
	case err := <-done:
		t.Fatalf("serve: %v", err)
	}
	for _, p := range []string{"/healthz", "/readyz", "/metrics", "/api/openapi.json", "/", "/people/12"} {
		resp, err := http.Get("http://" + addr + p)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != 200 {
			t.Errorf("GET %s: %d", p, resp.StatusCode)
		}
		if p == "/" && !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/html") {
			t.Errorf("UI: %s", resp.Header.Get("Content-Type"))
		}
	}
	cancel() // what SIGTERM does through signal.NotifyContext
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("shutdown: %v", err)
		}
	case <-time.After(25 * time.Second):
		t.Fatal("server did not shut down")
	}
}
