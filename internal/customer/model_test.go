package customer

import (
	"strings"
	"testing"

	"cmhub/internal/platform"
)

var today = platform.NewDate(2026, 11, 22)

func TestResidentID(t *testing.T) {
	for _, tc := range []struct {
		n    string
		want string // substring of the message, "" when valid
	}{
		{"11010519491231002X", ""},
		{"130102199001011237", ""},
		{"440304198506153216", ""},
		{"110105194912310021", "校验位"},                   // wrong check digit
		{"11010519491231002", "18 位"},                   // too short
		{"1101051949123100XX", "前 17 位"},                // letter inside
		{"99010519491231002X", "地区码"},                   // no such province
		{"110105194913310020", "出生日期"},                  // month 13
		{"110105203001010010", "出生日期"},                  // born in the future
		{"11010518991231002X", "出生日期"},                  // before 1900
		{"11010519491231002Y", "末位"},                    // last character neither digit nor X
		{NormaliseIDNumber(" 11010519491231002x "), ""}, // lower-case x and spaces normalised
	} {
		got := CheckIDNumber(IDResident, tc.n, today)
		if (tc.want == "") != (got == "") || !strings.Contains(got, tc.want) {
			t.Errorf("CheckIDNumber(%q) = %q, want %q", tc.n, got, tc.want)
		}
	}
}

func TestOtherIDTypes(t *testing.T) {
	for _, tc := range []struct {
		typ, n string
		ok     bool
	}{
		{IDUSCC, "91350100M000100Y43", true},
		{IDUSCC, "91350100M000100Y44", false},
		{IDUSCC, "91350100M000100I43", false}, // I is not in the alphabet
		{IDUSCC, "9135", false},
		{IDHKMacau, "H12345678", true},
		{IDHKMacau, "M1234567890", true},
		{IDHKMacau, "X12345678", false},
		{IDTaiwan, "12345678", true},
		{IDTaiwan, "1234567", false},
		{IDPassport, "E12345678", true},
		{IDPassport, "E1", false},
		{"drivers_licence", "123456", false},
	} {
		if got := CheckIDNumber(tc.typ, tc.n, today) == ""; got != tc.ok {
			t.Errorf("CheckIDNumber(%s, %q) valid = %v, want %v", tc.typ, tc.n, got, tc.ok)
		}
	}
}

func TestShares(t *testing.T) {
	for in, want := range map[string]int{"100": 10000, "60": 6000, "60%": 6000, " 33.33 ": 3333, "0.5": 50, "12.5％": 1250} {
		if got, err := ParseShare(in); err != nil || got != want {
			t.Errorf("ParseShare(%q) = %d, %v; want %d", in, got, err, want)
		}
	}
	for _, in := range []string{"", "0", "-5", "100.01", "101", "1.234", "abc", "5.", ".5", "1e2"} {
		if got, err := ParseShare(in); err == nil {
			t.Errorf("ParseShare(%q) = %d, want an error", in, got)
		}
	}
	for bp, want := range map[int]string{10000: "100%", 6000: "60%", 3333: "33.33%", 6050: "60.5%", 1: "0.01%", 13000: "130%"} {
		if got := FormatShare(bp); got != want {
			t.Errorf("FormatShare(%d) = %q, want %q", bp, got, want)
		}
	}
}

func TestSerial(t *testing.T) {
	if got := Serial("XZ", "2026-11", 7); got != "XZ-202611-0007" {
		t.Errorf("Serial = %q", got)
	}
	if got := Serial("XZ", "2026-11", 12345); got != "XZ-202611-12345" {
		t.Errorf("Serial past 9999 = %q", got)
	}
}

func TestValidateHolders(t *testing.T) {
	d := platform.NewDate(2026, 11, 1)
	for _, tc := range []struct {
		name string
		hs   []Holder
		key  string
		msg  string
	}{
		{"none", nil, "managers", "至少"},
		{"over 100%", []Holder{{1, RolePrimary, 7000}, {2, RoleAssisting, 4000}}, "managers", "110%（2026-11-01 起）"},
		{"two primaries", []Holder{{1, RolePrimary, 5000}, {2, RolePrimary, 5000}}, "managers", "仅有一位主办"},
		{"no primary", []Holder{{1, RoleAssisting, 5000}}, "managers", "仅有一位主办"},
		{"twice", []Holder{{1, RolePrimary, 5000}, {1, RoleAssisting, 5000}}, "managers[1].personId", "重复"},
		{"zero share", []Holder{{1, RolePrimary, 0}}, "managers[0].shareBp", "份额"},
		{"bad role", []Holder{{1, "boss", 100}}, "managers[0].role", "角色"},
		{"ok", []Holder{{1, RolePrimary, 7000}, {2, RoleAssisting, 3000}}, "", ""},
	} {
		f := platform.Fields{}
		validateHolders(tc.hs, d, f)
		if tc.key == "" {
			if len(f) != 0 {
				t.Errorf("%s: unexpected errors %v", tc.name, f)
			}
			continue
		}
		if !strings.Contains(f[tc.key], tc.msg) {
			t.Errorf("%s: %s = %q, want it to contain %q (all: %v)", tc.name, tc.key, f[tc.key], tc.msg, f)
		}
	}
}

func TestFilterNormalise(t *testing.T) {
	f := Filter{}
	if err := f.Normalise(today); err != nil || f.AsOf != today || f.PageSize != 20 || f.Page != 1 {
		t.Fatalf("defaults: %+v %v", f, err)
	}
	for _, bad := range []Filter{{PageSize: 501}, {Sort: "idNumber"}, {Kind: "robot"}, {Q: strings.Repeat("字", 51)}} {
		if err := bad.Normalise(today); err == nil {
			t.Errorf("%+v accepted", bad)
		}
	}
	ff := FormFilter{BranchID: 1, Month: "2026-11"}
	if err := ff.Normalise(); err != nil {
		t.Fatal(err)
	}
	for _, bad := range []FormFilter{{Month: "2026-11"}, {BranchID: 1, Month: "2026"}, {BranchID: 1, Month: "2026-Q1"}} {
		if err := bad.Normalise(); err == nil {
			t.Errorf("%+v accepted", bad)
		}
	}
}

// Every ID number a spreadsheet might hold is checked without panicking,
// and a valid resident ID stays valid only with its own check digit.
func FuzzCheckIDNumber(f *testing.F) {
	f.Add("11010519491231002X")
	f.Add("91350100M000100Y43")
	f.Add("中文字符")
	f.Add("")
	f.Fuzz(func(t *testing.T, s string) {
		n := NormaliseIDNumber(s)
		for _, typ := range IDTypes() {
			_ = CheckIDNumber(typ.Code, n, today)
		}
		if CheckIDNumber(IDResident, n, today) == "" && ResidentIDCheckChar(n[:17]) != n[17] {
			t.Fatalf("%q accepted with a wrong check digit", n)
		}
	})
}

func FuzzParseShare(f *testing.F) {
	f.Add("60")
	f.Add("33.33%")
	f.Fuzz(func(t *testing.T, s string) {
		bp, err := ParseShare(s)
		if err == nil && (bp <= 0 || bp > FullShare) {
			t.Fatalf("ParseShare(%q) = %d", s, bp)
		}
	})
}
