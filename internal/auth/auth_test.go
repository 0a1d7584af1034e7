package auth

import (
	"strings"
	"testing"
	"time"
)

func TestPasswordHash(t *testing.T) {
	p := Argon2Params{MemoryKiB: 64, Time: 1, Threads: 1}
	h, err := HashPassword("correct horse battery", p)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(h, "$argon2id$v=19$m=64,t=1,p=1$") {
		t.Fatal(h)
	}
	if ok, err := CheckPassword("correct horse battery", h); !ok || err != nil {
		t.Fatal(ok, err)
	}
	if ok, _ := CheckPassword("correct horse batterx", h); ok {
		t.Fatal("wrong password accepted")
	}
	if _, err := CheckPassword("x", "$2a$10$notargon"); err == nil {
		t.Fatal("malformed hash accepted")
	}
	if ok, err := CheckPassword("anything", dummyHash); ok || err != nil {
		t.Fatalf("dummy hash must be well-formed and match nothing: %v %v", ok, err)
	}
}

func TestWeakPasswordsAndSecrets(t *testing.T) {
	for _, pw := range []string{"", "short", "admin123", "Password", "12345678", "changeme"} {
		if CheckNewPassword(pw) == nil {
			t.Errorf("accepted %q", pw)
		}
	}
	if err := CheckNewPassword("营业部-Xingzhou-2026"); err != nil {
		t.Error(err)
	}
	for _, s := range []string{"", "short", "changeme-changeme-changeme-changeme", strings.Repeat("0", 40)} {
		if CheckSecret(s) == nil {
			t.Errorf("accepted secret %q", s)
		}
	}
	if err := CheckSecret("9f1c2b7e4d5a6c3b8e0f1a2d3c4b5a6e7f8091a2"); err != nil {
		t.Error(err)
	}
}

func TestLimiter(t *testing.T) {
	l := newLimiter()
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	for i := 0; i < 3; i++ {
		if !l.allow("k", 3, t0) {
			t.Fatal("refused within the limit")
		}
	}
	if l.allow("k", 3, t0.Add(time.Second)) {
		t.Fatal("allowed past the limit")
	}
	if !l.allow("k", 3, t0.Add(61*time.Second)) {
		t.Fatal("window did not reset")
	}
}
