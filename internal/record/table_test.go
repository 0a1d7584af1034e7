package record

import (
	"encoding/binary"
	"math/rand/v2"
	"testing"
)

// The tables must answer exactly as a Go map would, whatever the keys
// (zero, clustered, colliding home slots) and however often they grow.

func checkIDTable(t *testing.T, keys []uint64, hint int) {
	t.Helper()
	tab := newIDTable(hint)
	want := map[uint64]int32{}
	for i, k := range keys {
		_, dup := want[k]
		if got := tab.add(k, int32(i)); got == dup {
			t.Fatalf("add(%#x) = %v, key present before: %v", k, got, dup)
		}
		if !dup {
			want[k] = int32(i)
		}
	}
	if tab.n != len(want) {
		t.Fatalf("n = %d, want %d", tab.n, len(want))
	}
	for k, v := range want {
		if got, ok := tab.get(k); !ok || got != v {
			t.Fatalf("get(%#x) = %d, %v; want %d", k, got, ok, v)
		}
		if _, ok := tab.get(k ^ 0x8000_0000_0000_0001); ok {
			if _, in := want[k^0x8000_0000_0000_0001]; !in {
				t.Fatalf("get of an absent key %#x found something", k^0x8000_0000_0000_0001)
			}
		}
	}
}

func checkRecordTable(t *testing.T, stored, file []uint64, hint int) {
	t.Helper()
	tab := newRecordTable(hint)
	content := map[uint64]uint64{}
	for i, k := range stored {
		tab.store(k, uint64(i)*7+1)
		content[k] = uint64(i)*7 + 1
	}
	first := map[uint64]int32{}
	for i, k := range file {
		num := int32(i + 2)
		got, c, ok := tab.see(k, num)
		wc, wok := content[k]
		if ok != wok || c != wc {
			t.Fatalf("see(%#x) content = %d, %v; want %d, %v", k, c, ok, wc, wok)
		}
		if f, dup := first[k]; dup {
			if got != f {
				t.Fatalf("see(%#x) at row %d = %d, want the first row %d", k, num, got, f)
			}
			continue
		}
		if got != 0 {
			t.Fatalf("first see(%#x) = %d, want 0", k, got)
		}
		first[k] = num
	}
	if tab.n != len(union(stored, file)) {
		t.Fatalf("n = %d, want %d", tab.n, len(union(stored, file)))
	}
}

func union(a, b []uint64) map[uint64]bool {
	m := map[uint64]bool{}
	for _, k := range append(append([]uint64{}, a...), b...) {
		m[k] = true
	}
	return m
}

func TestTablesAgainstMaps(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	random := make([]uint64, 50_000)
	for i := range random {
		random[i] = r.Uint64()
	}
	// Keys whose home slots coincide in a small table, the zero key, and
	// repeats.
	clustered := []uint64{0, 1, 2, 3, 0, 1 << 63, 1<<63 + 1, 5, 5, 0}
	for i := range 200 {
		clustered = append(clustered, uint64(i)<<56, uint64(i))
	}
	for _, tc := range []struct {
		name string
		keys []uint64
		hint int
	}{
		{"random, sized", random, len(random)},
		{"random, grown from nothing", random, 0},
		{"clustered and zero", clustered, 4},
		{"empty", nil, 10},
	} {
		t.Run(tc.name, func(t *testing.T) {
			checkIDTable(t, tc.keys, tc.hint)
			half := len(tc.keys) / 2
			checkRecordTable(t, tc.keys[:half], tc.keys[half/2:], tc.hint)
		})
	}
}

func FuzzTables(f *testing.F) {
	f.Add([]byte{0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0}, uint8(1), uint8(3))
	f.Fuzz(func(t *testing.T, data []byte, hint, split uint8) {
		keys := make([]uint64, 0, len(data)/8+1)
		for len(data) >= 8 {
			// Small keys collide on home slots; the fuzzer finds the rest.
			keys = append(keys, binary.LittleEndian.Uint64(data)&0xff00_0000_0000_00ff)
			data = data[8:]
		}
		checkIDTable(t, keys, int(hint))
		cut := min(int(split), len(keys))
		checkRecordTable(t, keys[:cut], keys[cut/2:], int(hint))
	})
}
