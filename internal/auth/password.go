package auth

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"

	"golang.org/x/crypto/argon2"
)

// Argon2Params are the argon2id cost parameters.
type Argon2Params struct {
	MemoryKiB uint32
	Time      uint32
	Threads   uint8
}

// DefaultArgon2 follows the OWASP recommendation (19 MiB, 2 passes, 1 lane).
var DefaultArgon2 = Argon2Params{MemoryKiB: 19 * 1024, Time: 2, Threads: 1}

// HashPassword returns a PHC-format argon2id hash.
func HashPassword(pw string, p Argon2Params) (string, error) {
	salt := make([]byte, 16)
	if _, err := rand.Read(salt); err != nil {
		return "", fmt.Errorf("salt: %w", err)
	}
	key := argon2.IDKey([]byte(pw), salt, p.Time, p.MemoryKiB, p.Threads, 32)
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version, p.MemoryKiB, p.Time, p.Threads,
		base64.RawStdEncoding.EncodeToString(salt), base64.RawStdEncoding.EncodeToString(key)), nil
}

var errBadHash = errors.New("malformed password hash")

// CheckPassword reports whether pw matches the hash, in constant time.
func CheckPassword(pw, hash string) (bool, error) {
	parts := strings.Split(hash, "$")
	if len(parts) != 6 || parts[1] != "argon2id" {
		return false, errBadHash
	}
	var v int
	if _, err := fmt.Sscanf(parts[2], "v=%d", &v); err != nil || v != argon2.Version {
		return false, errBadHash
	}
	var p Argon2Params
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &p.MemoryKiB, &p.Time, &p.Threads); err != nil {
		return false, errBadHash
	}
	salt, err := base64.RawStdEncoding.DecodeString(parts[4])
	if err != nil {
		return false, errBadHash
	}
	want, err := base64.RawStdEncoding.DecodeString(parts[5])
	if err != nil {
		return false, errBadHash
	}
	got := argon2.IDKey([]byte(pw), salt, p.Time, p.MemoryKiB, p.Threads, uint32(len(want)))
	return subtle.ConstantTimeCompare(got, want) == 1, nil
}

// weak lists passwords that ship with software or that everyone tries first.
var weak = []string{"admin", "admin123", "administrator", "password", "password1", "123456", "12345678", "123456789",
	"qwerty", "changeme", "secret", "cmhub", "cmhub123", "demo", "demo1234", "root", "111111", "88888888", "abc123"}

// CheckNewPassword refuses empty, short, default and well-known passwords.
func CheckNewPassword(pw string) error {
	if utf8.RuneCountInString(pw) < 10 {
		return errors.New("密码至少 10 个字符 at least 10 characters")
	}
	if len(pw) > 128 {
		return errors.New("密码最多 128 个字符 at most 128 characters")
	}
	low := strings.ToLower(pw)
	for _, w := range weak {
		if low == w {
			return errors.New("不能使用默认或常见密码 a default or common password is not allowed")
		}
	}
	return nil
}

// CheckSecret refuses an empty, short or well-known session secret.
func CheckSecret(s string) error {
	if len(s) < 32 {
		return errors.New("session secret must be at least 32 characters (set CMHUB_SESSION_SECRET; e.g. `openssl rand -hex 32`)")
	}
	low := strings.ToLower(s)
	for _, bad := range []string{"changeme", "secret", "default", "example", "cmhub", "xxxxxxxx", "00000000", "your-"} {
		if strings.Contains(low, bad) {
			return fmt.Errorf("session secret looks like a default (contains %q); generate one with `openssl rand -hex 32`", bad)
		}
	}
	return nil
}
