package httpapi_test

import (
	"bytes"
	"fmt"
	"math/big"
	"net/http"
	"testing"

	"github.com/xuri/excelize/v2"
)

type statsCell struct {
	Actual, Target, Completion *string
	Rank, CompletionRank       *int
}

type statsTable struct {
	Month, Level string
	Metrics      []struct{ Key, Unit, RecordType string }
	Rows         []struct {
		SubjectType string
		ID          int64
		Name, Path  string
		EmpNo       string
		Values      map[string]statsCell
	}
}

func ratOf(t *testing.T, s *string) *big.Rat {
	t.Helper()
	if s == nil {
		t.Fatal("no value")
	}
	r, ok := new(big.Rat).SetString(*s)
	if !ok {
		t.Fatalf("not a decimal: %q", *s)
	}
	return r
}

// TestStatsAPI runs the statistics over the demo's imported records.
func TestStatsAPI(t *testing.T) {
	eachEngine(t, func(t *testing.T, h *harness) {
		mkt := h.login(t, "mktdir")
		var tbl statsTable
		oaCall(t, mkt, "GET", "/api/stats/monthly?month=2026-11&level=branch", nil, nil, 200, &tbl)
		if len(tbl.Rows) != 1 || tbl.Rows[0].SubjectType != "unit" || len(tbl.Metrics) < 10 {
			t.Fatalf("branch table: %+v", tbl)
		}
		// The demo's branch target of 300 new accounts.
		if c := tbl.Rows[0].Values["new_accounts"]; c.Target == nil || *c.Target != "300" || c.Completion == nil || c.Rank == nil || *c.Rank != 1 {
			t.Errorf("branch new accounts: %+v", c)
		}
		branchAccounts := ratOf(t, tbl.Rows[0].Values["new_accounts"].Actual)

		// Managers: every figure drills down to the records behind it.
		var mgr statsTable
		oaCall(t, mkt, "GET", "/api/stats/monthly?month=2026-11&level=manager&metrics=new_accounts,valid_account_rate", nil, nil, 200, &mgr)
		if len(mgr.Metrics) != 2 || mgr.Metrics[0].RecordType != "account_opened" || mgr.Metrics[1].RecordType != "" {
			t.Errorf("metrics: %+v", mgr.Metrics)
		}
		sum := new(big.Rat)
		var best int64
		bestVal := new(big.Rat)
		for _, r := range mgr.Rows {
			v := ratOf(t, r.Values["new_accounts"].Actual)
			sum.Add(sum, v)
			if r.Values["new_accounts"].Rank != nil && *r.Values["new_accounts"].Rank == 1 {
				best, bestVal = r.ID, v
			}
		}
		if sum.Cmp(branchAccounts) > 0 || sum.Sign() == 0 {
			t.Errorf("managers' new accounts %s vs the branch's %s", sum.FloatString(4), branchAccounts.FloatString(4))
		}
		var credits struct {
			Items []struct{ ShareBp int64 }
			Total int
		}
		oaCall(t, mkt, "GET", fmt.Sprintf("/api/records?month=2026-11&metric=new_accounts&personId=%d&pageSize=500", best), nil, nil, 200, &credits)
		shares := new(big.Rat)
		for _, it := range credits.Items {
			shares.Add(shares, big.NewRat(it.ShareBp, 10000))
		}
		if shares.Cmp(bestVal) != 0 || credits.Total != len(credits.Items) {
			t.Errorf("the best manager's %s new accounts drill down to %d records worth %s", bestVal.FloatString(4), credits.Total, shares.FloatString(4))
		}

		// A regional manager sees the teams of their region only.
		rm1 := h.login(t, "rm1")
		r1, r2 := unitID(t, rm1, "XZ-R1"), unitID(t, mkt, "XZ-R2")
		var teams statsTable
		oaCall(t, rm1, "GET", "/api/stats/monthly?month=2026-11&level=team", nil, nil, 200, &teams)
		if len(teams.Rows) != 2 {
			t.Errorf("rm1's teams: %d", len(teams.Rows))
		}
		for _, r := range teams.Rows {
			if r.Path != "邢州北路证券营业部 / 第一区域" {
				t.Errorf("rm1 sees team %s under %s", r.Name, r.Path)
			}
		}
		oaCall(t, rm1, "GET", fmt.Sprintf("/api/stats/monthly?month=2026-11&level=team&unitId=%d", r1), nil, nil, 200, nil)
		oaCall(t, rm1, "GET", fmt.Sprintf("/api/stats/monthly?month=2026-11&level=team&unitId=%d", r2), nil, nil, 404, nil)
		// A customer manager sees themself only, and may not export.
		cm := h.login(t, "cm02")
		var own statsTable
		oaCall(t, cm, "GET", "/api/stats/monthly?month=2026-11&level=manager", nil, nil, 200, &own)
		if len(own.Rows) != 1 || own.Rows[0].EmpNo != "XZ0013" {
			t.Errorf("cm02 sees %+v", own.Rows)
		}
		oaCall(t, cm, "GET", "/api/stats/monthly/export.xlsx?month=2026-11&level=manager", nil, nil, 403, nil)
		// Bad queries name the field.
		for q, field := range map[string]string{"month=2026-13&level=team": "month", "month=2026-11&level=group": "level",
			"month=2026-11&level=team&metrics=salary": "metrics", "month=2026-11&level=team&unitId=x": "unitId"} {
			b := oaCall(t, mkt, "GET", "/api/stats/monthly?"+q, nil, nil, 400, nil)
			if !bytes.Contains(b, []byte(`"`+field+`"`)) {
				t.Errorf("%s: %s", q, b)
			}
		}

		// The export: the same table as a workbook.
		req, _ := http.NewRequest("GET", h.srv.URL+"/api/stats/monthly/export.xlsx?month=2026-11&level=team", nil)
		resp, err := mkt.http.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		var buf bytes.Buffer
		_, _ = buf.ReadFrom(resp.Body)
		resp.Body.Close()
		checkResponse(t, "GET", "/api/stats/monthly/export.xlsx", resp.StatusCode, resp.Header, buf.Bytes())
		if resp.StatusCode != 200 || resp.Header.Get("Content-Disposition") != `attachment; filename="stats-2026-11-team.xlsx"` {
			t.Fatalf("export: %d %s", resp.StatusCode, resp.Header.Get("Content-Disposition"))
		}
		var all statsTable
		oaCall(t, mkt, "GET", "/api/stats/monthly?month=2026-11&level=team", nil, nil, 200, &all)
		f, err := excelize.OpenReader(&buf)
		if err != nil {
			t.Fatal(err)
		}
		rows, err := f.GetRows(f.GetSheetName(0))
		if err != nil {
			t.Fatal(err)
		}
		if len(rows) != len(all.Rows)+1 || rows[0][0] != "名称 Name" || rows[0][3] != "有效预约（个）实际 Valid appointments actual" {
			t.Fatalf("export header %v, %d rows for %d", rows[0], len(rows), len(all.Rows))
		}
		if rows[1][0] != all.Rows[0].Name || rows[1][1] != all.Rows[0].Path {
			t.Errorf("export row %v", rows[1])
		}
		// Column of the deposits in: actual, as an exact number.
		col := 3
		for _, m := range all.Metrics {
			if m.Key == "deposits_in" {
				break
			}
			col += 4
		}
		got := ratOf(t, &rows[1][col])
		if want := ratOf(t, all.Rows[0].Values["deposits_in"].Actual); got.Cmp(want) != 0 {
			t.Errorf("exported deposits in %s, want %s", rows[1][col], want.FloatString(2))
		}

		// The trend of the best teams.
		var tr struct {
			Metric struct{ Key string }
			Months []string
			Series []struct {
				ID         int64
				Actual     []*string
				Completion []*string
			}
		}
		oaCall(t, mkt, "GET", "/api/stats/trend?from=2026-06&to=2026-11&level=team&metric=new_accounts&limit=3", nil, nil, 200, &tr)
		if tr.Metric.Key != "new_accounts" || len(tr.Months) != 6 || len(tr.Series) != 3 || len(tr.Series[0].Actual) != 6 {
			t.Fatalf("trend: %+v", tr)
		}
		for i := 1; i < len(tr.Series); i++ {
			if ratOf(t, tr.Series[i].Actual[5]).Cmp(ratOf(t, tr.Series[i-1].Actual[5])) > 0 {
				t.Errorf("trend series not by last month's actual")
			}
		}
		oaCall(t, mkt, "GET", "/api/stats/trend?from=2024-01&to=2026-11&level=team&metric=new_accounts", nil, nil, 400, nil)
	})
}

// oaExerciseStats calls every statistics route once for the OpenAPI check.
func oaExerciseStats(t *testing.T, h *harness) {
	c := h.login(t, "mktdir")
	oaCall(t, c, "GET", "/api/stats/monthly?month=2026-11&level=manager", nil, nil, 200, nil)
	oaCall(t, c, "GET", "/api/stats/monthly/export.xlsx?month=2026-11&level=region", nil, nil, 200, nil)
	oaCall(t, c, "GET", "/api/stats/trend?from=2026-09&to=2026-11&level=region&metric=net_revenue_per_lot", nil, nil, 200, nil)
	oaCall(t, c, "GET", "/api/stats/trend?from=2026-09&to=2026-11&level=region", nil, nil, 400, nil)
}
