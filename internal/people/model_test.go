package people

import "testing"

func TestMasks(t *testing.T) {
	for in, want := range map[string]string{"130502199001011234": "130502********1234", "": "", "12345": "1***5"} {
		if got := MaskID(in); got != want {
			t.Errorf("MaskID(%q) = %q, want %q", in, got, want)
		}
	}
	for in, want := range map[string]string{"13800138000": "138****8000", "110": "1*0", "0311-1234567": "031*****4567"} {
		if got := MaskPhone(in); got != want {
			t.Errorf("MaskPhone(%q) = %q, want %q", in, got, want)
		}
	}
}

func FuzzMask(f *testing.F) {
	f.Add("130502199001011234")
	f.Add("中文")
	f.Fuzz(func(t *testing.T, s string) {
		if m := MaskID(s); len([]rune(m)) != len([]rune(s)) {
			t.Fatalf("MaskID changes length: %q → %q", s, m)
		}
		if m := MaskPhone(s); len([]rune(m)) != len([]rune(s)) {
			t.Fatalf("MaskPhone changes length: %q → %q", s, m)
		}
	})
}
