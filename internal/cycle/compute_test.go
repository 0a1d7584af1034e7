package cycle

import (
	"maps"
	"testing"

	"cmhub/internal/assess"
)

func TestPointsRoundTrip(t *testing.T) {
	in := map[string]assess.Points{"duty_performance": 180, "execution": 95, "z": 0}
	s := EncodePoints(in)
	if s != `{"duty_performance":180,"execution":95,"z":0}` {
		t.Fatalf("encoded %s", s)
	}
	back, err := DecodePoints(s)
	if err != nil || !maps.Equal(back, in) {
		t.Fatalf("decoded %v %v", back, err)
	}
	got := map[string]int64{}
	if err := eachPoint(s, func(k string, v int64) { got[k] = v }); err != nil || len(got) != 3 || got["execution"] != 95 {
		t.Fatalf("eachPoint %v %v", got, err)
	}
	if EncodePoints(nil) != "{}" {
		t.Fatal("empty points")
	}
}

// FuzzPoints holds the fast reader of stored points to encoding/json:
// whatever it accepts, it reads exactly as DecodePoints does.
func FuzzPoints(f *testing.F) {
	for _, s := range []string{`{}`, `{"a":1}`, `{"a":1,"b":200}`, `{"a":-1}`, `{"a":1.5}`, `{"a\"b":1}`, `{"a":1,}`, `{"a":01}`,
		`{"a":1 }`, `{ "a":1}`, `{"a":99999999999}`, `{"a":1,"a":2}`, `[]`, `{"a":"1"}`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		fast := map[string]int64{}
		var order []string
		if !fastPoints(s, func(k string, v int64) { fast[k] = v; order = append(order, k) }) {
			return
		}
		want, err := DecodePoints(s)
		if err != nil {
			t.Fatalf("fast read %q, encoding/json refuses it: %v", s, err)
		}
		if len(want) != len(fast) {
			t.Fatalf("%q: fast %v, json %v", s, fast, want)
		}
		for k, v := range want {
			if fast[k] != int64(v) {
				t.Fatalf("%q: %s fast %d, json %d", s, k, fast[k], v)
			}
		}
	})
}

func TestRankResults(t *testing.T) {
	sc := func(v int64) *assess.Score { s := assess.Score(v); return &s }
	subjects := []SubjectRow{
		{ID: 1, Scheme: "x", TeamID: 10, RegionID: 100, BranchID: 1000},
		{ID: 2, Scheme: "x", TeamID: 10, RegionID: 100, BranchID: 1000},
		{ID: 3, Scheme: "x", TeamID: 11, RegionID: 100, BranchID: 1000},
		{ID: 4, Scheme: "x", TeamID: 11, RegionID: 100, BranchID: 1000},
		{ID: 5, Scheme: "y", TeamID: 11, RegionID: 100, BranchID: 1000},
	}
	results := []ResultRow{{Composite: sc(8000)}, {Composite: sc(9000)}, {Composite: sc(9000)}, {Held: true}, {Composite: sc(1000)}}
	rankResults(results, subjects)
	want := []struct{ team, region int }{{2, 3}, {1, 1}, {1, 1}, {0, 0}, {1, 1}}
	for i, w := range want {
		r := results[i]
		if w.team == 0 {
			if r.RankTeam != nil || r.RankRegion != nil || r.RankBranch != nil {
				t.Errorf("held result %d ranked", i)
			}
			continue
		}
		if *r.RankTeam != w.team || *r.RankRegion != w.region || *r.RankBranch != w.region {
			t.Errorf("result %d: team %d region %d branch %d, want %d %d", i, *r.RankTeam, *r.RankRegion, *r.RankBranch, w.team, w.region)
		}
	}
}

// TestItemScores: item parts use the composite's effective weights and
// add up to it; a group's item mean is over its submitted sheets.
func TestItemScores(t *testing.T) {
	tpl := assess.Template{Items: []assess.Item{{Key: "a", Max: 60, Kind: assess.KindRated}, {Key: "b", Max: 40, Kind: assess.KindRated}}}
	acc := newItemAcc(tpl, []string{"peers", "rm"})
	for _, p := range []struct{ g, pts string }{{"peers", `{"a":500,"b":300}`}, {"peers", `{"a":455,"b":301}`}, {"rm", `{"a":600,"b":400}`}} {
		if err := acc.add(p.g, p.pts); err != nil {
			t.Fatal(err)
		}
	}
	res := assess.Result{Groups: []assess.GroupResult{{Key: "peers", Weight: 2000}, {Key: "rm", Weight: 6000}}}
	items := acc.scores(res, nil)
	// a: (2000 × 95.5/2 + 6000 × 60) / 8000 / … in points: 0.25 × 47.75 + 0.75 × 60 = 56.9375 → 56.94
	if items[0].Score == nil || *items[0].Score != 5694 || items[0].ByGroup["peers"] != "47.75" || items[0].ByGroup["rm"] != "60.00" {
		t.Fatalf("item a: %+v %v", items[0], items[0].Score)
	}
	// b: 0.25 × 30.05 + 0.75 × 40 = 37.5125 → 37.51
	if *items[1].Score != 3751 {
		t.Fatalf("item b: %v", *items[1].Score)
	}
	if err := acc.add("nobody", `{}`); err == nil {
		t.Fatal("a sheet of an unknown group was counted")
	}
}
