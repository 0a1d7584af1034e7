package httpapi_test

import (
	"bytes"
	"fmt"
	"testing"
)

func TestTargetsAPI(t *testing.T) {
	eachEngine(t, func(t *testing.T, h *harness) {
		c := h.login(t, "mktdir")
		branch, r1, r2 := unitID(t, c, "XZ"), unitID(t, c, "XZ-R1"), unitID(t, c, "XZ-R2")
		st, b := c.do(t, "GET", fmt.Sprintf("/api/targets/tree?period=2026-11&metric=new_accounts&root=%d", branch), nil)
		if st != 200 || !bytes.Contains(b, []byte(`"remaining"`)) {
			t.Fatalf("tree: %d %s", st, b)
		}
		// Children may not exceed the parent (at_most is the default for counts).
		st, b = c.do(t, "PUT", "/api/targets", map[string]any{"period": "2026-11", "metric": "new_accounts", "unitId": r2, "value": "250"})
		if st != 409 || !bytes.Contains(b, []byte("exceeds_parent")) {
			t.Fatalf("child over its parent: %d %s", st, b)
		}
		// An even split over explicit children, dry run first.
		t1, t2 := unitID(t, c, "XZ-R2-T1"), unitID(t, c, "XZ-R2-T2")
		st, b = c.do(t, "POST", "/api/targets/decompose", map[string]any{"period": "2026-11", "metric": "new_accounts", "parentUnitId": r2, "even": true, "dryRun": true,
			"children": []map[string]any{{"unitId": t1, "value": "0"}, {"unitId": t2, "value": "0"}}})
		if st != 200 || !bytes.Contains(b, []byte(`"dryRun":true`)) {
			t.Fatalf("dry run: %d %s", st, b)
		}
		// rm1 may decompose region 1 but not touch region 2.
		rm1 := h.login(t, "rm1")
		st, b = rm1.do(t, "POST", "/api/targets/decompose", map[string]any{"period": "2026-11", "metric": "new_accounts", "parentUnitId": r2,
			"children": []map[string]any{{"unitId": t1, "value": "40"}}})
		if st != 404 && st != 403 {
			t.Fatalf("rm1 decomposes region 2: %d %s", st, b)
		}
		st, b = rm1.do(t, "PUT", "/api/targets", map[string]any{"period": "2026-11", "metric": "new_accounts", "unitId": unitID(t, rm1, "XZ-R1-T2"), "value": "40"})
		if st != 200 {
			t.Fatalf("rm1 sets a team target in region 1: %d %s", st, b)
		}
		// A sales CM sees their own target but cannot set any.
		cm := h.login(t, "cm02")
		if st, _ := cm.do(t, "PUT", "/api/targets", map[string]any{"period": "2026-11", "metric": "new_accounts", "unitId": r1, "value": "1"}); st != 403 {
			t.Fatalf("cm02 sets a target: %d", st)
		}
		st, b = cm.do(t, "GET", "/api/targets/tree?period=2026-11&metric=new_accounts", nil)
		if st != 200 || !bytes.Contains(b, []byte(`"empNo":"XZ0013"`)) || bytes.Contains(b, []byte(`"empNo":"XZ0012"`)) {
			t.Fatalf("cm02's tree: %d %s", st, b)
		}
		// Deleting a parent with children is refused.
		st, b = c.do(t, "DELETE", fmt.Sprintf("/api/targets?period=2026-11&metric=new_accounts&unitId=%d&reason=x", r1), nil)
		if st != 409 || !bytes.Contains(b, []byte("has_children")) {
			t.Fatalf("delete a decomposed target: %d %s", st, b)
		}
	})
}
