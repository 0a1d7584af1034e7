package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func cli(t *testing.T, stdin string, args ...string) (string, error) {
	t.Helper()
	var out bytes.Buffer
	err := run(context.Background(), args, strings.NewReader(stdin), &out)
	return out.String(), err
}

func TestCLI(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "cmhub.db")
	if out, err := cli(t, "", "version"); err != nil || !strings.HasPrefix(out, "cmhub ") {
		t.Fatalf("version: %q %v", out, err)
	}
	if out, err := cli(t, "", "migrate", "--db", db); err != nil || !strings.Contains(out, "sqlite") {
		t.Fatalf("migrate: %q %v", out, err)
	}
	// No default password: a weak one is refused, and there is no fallback.
	if _, err := cli(t, "admin123\n", "user", "add", "--db", db, "--username", "root", "--admin", "--institution", "XT", "--institution-name", "邢台证券"); err == nil {
		t.Fatal("weak password accepted")
	}
	out, err := cli(t, "Xingtai-admin-2026!\n", "user", "add", "--db", db, "--username", "root", "--admin", "--institution", "XT", "--institution-name", "邢台证券")
	if err != nil || !strings.Contains(out, "user root created") || !strings.Contains(out, "institution XT created") {
		t.Fatalf("user add: %q %v", out, err)
	}
	if out, err := cli(t, "", "audit", "verify", "--db", db); err != nil || !strings.Contains(out, "OK:") {
		t.Fatalf("audit verify: %q %v", out, err)
	}
	bak := filepath.Join(dir, "copy.db")
	if out, err := cli(t, "", "backup", "--db", db, "--out", bak); err != nil || !strings.Contains(out, bak) {
		t.Fatalf("backup: %q %v", out, err)
	}
	if st, err := os.Stat(bak); err != nil || st.Size() == 0 {
		t.Fatalf("backup file: %v", err)
	}
	// The backup is a working database with the same audit chain.
	if out, err := cli(t, "", "audit", "verify", "--db", bak); err != nil || !strings.Contains(out, "OK: 2 audit") {
		t.Fatalf("verify backup: %q %v", out, err)
	}
	if _, err := cli(t, "", "frobnicate"); err == nil {
		t.Fatal("unknown command accepted")
	}
}

func TestParseBytes(t *testing.T) {
	for in, want := range map[string]int64{"900000000": 900000000, "512MiB": 512 << 20, "2GiB": 2 << 30, "64KiB": 64 << 10} {
		if got, err := parseBytes(in); err != nil || got != want {
			t.Errorf("parseBytes(%q) = %d, %v; want %d", in, got, err, want)
		}
	}
	for _, bad := range []string{"", "0", "-1GiB", "1TB", "GiB", "9999999999GiB"} {
		if _, err := parseBytes(bad); err == nil {
			t.Errorf("parseBytes(%q) accepted", bad)
		}
	}
}

// gen with records, then the file it would import again: unchanged; then
// bench-import of another month against the raw load of the same rows.
func TestCLIGenAndImport(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "cmhub.db")
	out, err := cli(t, "", "gen", "--data-dir", dir, "--db", db, "--managers", "20", "--customers", "300", "--records", "2000", "--month", "2026-10")
	if err != nil || !strings.Contains(out, "imported 2000 business records of 2026-10") {
		t.Fatalf("gen: %q %v", out, err)
	}
	if left, _ := filepath.Glob(filepath.Join(dir, "gen-records-*")); len(left) > 0 {
		t.Fatalf("gen left its file behind: %v", left)
	}
	file := filepath.Join(dir, "oct.csv")
	if out, err := cli(t, "", "gen-records", "--month", "2026-10", "--records", "2000", "--customers", "300", "--out", file); err != nil {
		t.Fatalf("gen-records: %q %v", out, err)
	}
	out, err = cli(t, "", "import-records", "--db", db, "--institution", "GEN", "--month", "2026-10", "--file", file)
	if err != nil || !strings.Contains(out, `"unchanged":2000`) {
		t.Fatalf("import again: %q %v", out, err)
	}
	nov := filepath.Join(dir, "nov.csv")
	if out, err := cli(t, "", "gen-records", "--month", "2026-11", "--records", "1500", "--customers", "300", "--out", nov); err != nil {
		t.Fatalf("gen-records: %q %v", out, err)
	}
	out, err = cli(t, "", "bench-import", "--db", db, "--institution", "GEN", "--month", "2026-11", "--file", nov)
	if err != nil || !strings.Contains(out, "raw bulk load of the same 1500 stored rows") {
		t.Fatalf("bench-import: %q %v", out, err)
	}
	// A month that holds records is refused: the comparison would be unfair.
	if _, err := cli(t, "", "bench-import", "--db", db, "--institution", "GEN", "--month", "2026-11", "--file", nov); err == nil {
		t.Fatal("bench-import into a month with records accepted")
	}
}
