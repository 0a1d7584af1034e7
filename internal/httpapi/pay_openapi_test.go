package httpapi_test

import (
	"strconv"
	"testing"
	"time"
)

// payJobDone waits for a pay-close job to succeed (a guard, not a speed
// goal: the demo's month takes well under a second).
func payJobDone(t *testing.T, c *client, id string) {
	t.Helper()
	deadline := time.Now().Add(120 * time.Second)
	for {
		var j struct {
			Status  string `json:"status"`
			Message string `json:"message"`
		}
		oaCall(t, c, "GET", "/api/jobs/"+id, nil, nil, 200, &j)
		switch {
		case j.Status == "succeeded":
			return
		case j.Status != "running" && j.Status != "queued":
			t.Fatalf("pay close: %s %s", j.Status, j.Message)
		case time.Now().After(deadline):
			t.Fatalf("pay close still %s", j.Status)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// oaExercisePay calls every pay operation: the plans, a trial with the
// plan in force and with a draft, a refused and a stored new version.
func oaExercisePay(t *testing.T, h *harness) {
	fin := h.login(t, "finance")
	cm := h.login(t, "cm02")
	var plans struct {
		Items []struct {
			Plan map[string]any `json:"plan"`
		} `json:"items"`
	}
	oaCall(t, fin, "GET", "/api/pay/plans", nil, nil, 200, &plans)
	oaCall(t, cm, "GET", "/api/pay/plans", nil, nil, 403, nil)
	if len(plans.Items) == 0 {
		t.Fatal("no pay plans")
	}
	var month struct {
		People []struct {
			EmpNo    string `json:"empNo"`
			Position string `json:"position"`
		} `json:"people"`
	}
	oaCall(t, h.login(t, "mktdir"), "GET", "/api/attendance/month?month=2026-10&pageSize=100", nil, nil, 200, &month)
	emp := ""
	for _, p := range month.People {
		if p.Position == "sales_cm" {
			emp = p.EmpNo
			break
		}
	}
	oaCall(t, fin, "POST", "/api/pay/trial", map[string]any{"empNo": emp, "month": "2026-10"}, nil, 200, nil)
	plan := oaClone(t, plans.Items[0].Plan)
	oaCall(t, fin, "POST", "/api/pay/trial", map[string]any{"empNo": emp, "month": "2026-10", "plan": plan}, nil, 200, nil)
	oaCall(t, fin, "POST", "/api/pay/trial", map[string]any{"empNo": "NOBODY", "month": "2026-10"}, nil, 400, nil)
	bad := oaClone(t, plan)
	bad["effectiveFrom"] = "2026-13"
	oaCall(t, fin, "PUT", "/api/pay/plans/cm_pay", map[string]any{"plan": bad}, nil, 400, nil)
	oaCall(t, cm, "PUT", "/api/pay/plans/cm_pay", map[string]any{"plan": plan}, nil, 403, nil)
	plan["effectiveFrom"] = "2026-12"
	oaCall(t, fin, "PUT", "/api/pay/plans/cm_pay", map[string]any{"plan": plan, "note": "契约测试 contract test"}, nil, 200, nil)

	// The close of October: calculate (a job), the statements, the chain.
	oaCall(t, fin, "GET", "/api/pay/months/2026-10", nil, nil, 200, nil)
	oaCall(t, fin, "POST", "/api/pay/months/2026-10/sign", map[string]any{"action": "submit"}, nil, 409, nil) // not calculated
	var j struct {
		ID string `json:"id"`
	}
	oaCall(t, fin, "POST", "/api/pay/months/2026-10/calculate", nil, nil, 202, &j)
	oaCall(t, cm, "POST", "/api/pay/months/2026-10/calculate", nil, nil, 403, nil)
	oaCall(t, fin, "POST", "/api/pay/months/2026-13/calculate", nil, nil, 400, nil)
	payJobDone(t, fin, j.ID)
	var page struct {
		Items []struct {
			PersonID int64 `json:"personId"`
		} `json:"items"`
	}
	oaCall(t, fin, "GET", "/api/pay/months/2026-10/statements?pageSize=5", nil, nil, 200, &page)
	if len(page.Items) == 0 {
		t.Fatal("no statements")
	}
	oaCall(t, fin, "GET", "/api/pay/months/2026-10/statement?personId="+strconv.FormatInt(page.Items[0].PersonID, 10), nil, nil, 200, nil)
	oaCall(t, cm, "GET", "/api/pay/months/2026-10/statement", nil, nil, 200, nil)
	oaCall(t, fin, "POST", "/api/pay/months/2026-10/sign", map[string]any{"action": "submit"}, nil, 200, nil)
	oaCall(t, h.login(t, "gm"), "POST", "/api/pay/months/2026-10/sign", map[string]any{"action": "approve"}, nil, 403, nil) // not the GM's step yet
	oaCall(t, fin, "POST", "/api/pay/months/2026-10/sign", map[string]any{"action": "reject"}, nil, 400, nil)               // no reason
	oaCall(t, fin, "POST", "/api/pay/months/2026-10/sign", map[string]any{"action": "approve"}, nil, 200, nil)
}

// checkPayScopes: the pay plans and trials are for pay:read holders only
// (all branch-wide in the demo); a trial names a person in scope by row.
func checkPayScopes(t *testing.T, h *harness, w *world, mark func(method, path string)) {
	for _, r := range []string{"GET /api/pay/plans", "PUT /api/pay/plans/{key}", "POST /api/pay/trial",
		// The month holds totals only; statements are checked below and in TestPayClose.
		"GET /api/pay/months/{month}", "POST /api/pay/months/{month}/calculate", "POST /api/pay/months/{month}/sign",
		"GET /api/pay/months/{month}/statements", "GET /api/pay/months/{month}/statement"} {
		m, p, _ := cut(r)
		mark(m, p)
	}
	reads := map[string]bool{"admin": true, "finance": true, "gm": true, "deputy": true, "mktdir": true}
	for username := range matrixUsers {
		cl := h.login(t, username)
		st, _ := cl.do(t, "GET", "/api/pay/plans", nil)
		if (reads[username] && st != 200) || (!reads[username] && st != 403) {
			t.Errorf("%s: GET /api/pay/plans %d", username, st)
		}
		p := w.persons[0]
		st, b := cl.do(t, "POST", "/api/pay/trial", map[string]any{"empNo": w.empNo[p], "month": "2026-10"})
		if !reads[username] && st != 403 {
			t.Errorf("%s tried a statement: %d %s", username, st, b)
		}
		if reads[username] && !w.visible(username, w.unitOf)[p] && st != 400 {
			t.Errorf("%s tried the statement of %d outside the scope: %d", username, p, st)
		}
	}
}
