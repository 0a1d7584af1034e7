package app

import (
	"context"
	"testing"
	"time"

	"cmhub/internal/access"
	"cmhub/internal/auth"
	"cmhub/internal/people"
	"cmhub/internal/platform"
	"cmhub/internal/store"
	"cmhub/internal/store/storetest"
)

// testClock pins "today" so the demo's history is reproducible.
var testNow = time.Date(2026, 11, 22, 9, 0, 0, 0, time.UTC)

func testServices(t *testing.T, db *store.DB) *Services {
	t.Helper()
	db.SetClock(platform.FixedClock{T: testNow})
	return NewServices(db, platform.FixedClock{T: testNow}, auth.Config{
		Secret: []byte("test-secret-0123456789abcdef0123456789"),
		Argon2: auth.Argon2Params{MemoryKiB: 64, Time: 1, Threads: 1},
	})
}

func TestLoadDemo(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		s := testServices(t, db)
		info, err := LoadDemo(ctx, s, "demo-Passw0rd!")
		if err != nil {
			t.Fatal(err)
		}
		if info.People != 50 {
			t.Errorf("people = %d, want 50", info.People)
		}
		ctx = access.WithPrincipal(ctx, access.System(info.Institution, "test"))
		_, total, err := s.People.List(ctx, people.Filter{})
		if err != nil {
			t.Fatal(err)
		}
		if total != 50 {
			t.Errorf("listed %d people, want 50", total)
		}
	})
}
