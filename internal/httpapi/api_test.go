package httpapi_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"
	"golang.org/x/text/encoding/simplifiedchinese"

	"cmhub/internal/audit"
	"cmhub/internal/store/storetest"
)

type apiErr struct {
	Code    string            `json:"code"`
	Message string            `json:"message"`
	Fields  map[string]string `json:"fields"`
}

func errOf(t testing.TB, b []byte) apiErr {
	t.Helper()
	var e apiErr
	decodeJSON(t, b, &e)
	if e.Code == "" || e.Message == "" {
		t.Fatalf("error without code/message: %s", b)
	}
	return e
}

// eachEngine runs fn on a fresh demo server of every engine.
func eachEngine(t *testing.T, fn func(t *testing.T, h *harness)) {
	for _, e := range storetest.Engines() {
		t.Run(string(e), func(t *testing.T) { fn(t, newHarness(t, e)) })
	}
}

func personID(t *testing.T, c *client, empNo string) int64 {
	t.Helper()
	st, b := c.do(t, "GET", "/api/people?q="+empNo, nil)
	var res struct{ Items []struct{ ID int64 } }
	decodeJSON(t, b, &res)
	if st != 200 || len(res.Items) != 1 {
		t.Fatalf("find %s: %d %s", empNo, st, b)
	}
	return res.Items[0].ID
}

func unitID(t *testing.T, c *client, code string) int64 {
	t.Helper()
	_, b := c.do(t, "GET", "/api/org/units", nil)
	var res struct {
		Items []struct {
			ID   int64
			Code string
		}
	}
	decodeJSON(t, b, &res)
	for _, u := range res.Items {
		if u.Code == code {
			return u.ID
		}
	}
	t.Fatalf("no unit %s", code)
	return 0
}

func TestSignIn(t *testing.T) {
	eachEngine(t, func(t *testing.T, h *harness) {
		c := h.anon()
		if st, b := c.do(t, "GET", "/api/me", nil); st != 401 || errOf(t, b).Code != "unauthenticated" {
			t.Fatalf("anonymous /api/me: %d %s", st, b)
		}
		st, b := c.do(t, "POST", "/api/auth/login", map[string]string{"username": "rm1", "password": "wrong-password"})
		if st != 401 || errOf(t, b).Code != "invalid_credentials" {
			t.Fatalf("wrong password: %d %s", st, b)
		}
		// Unknown users get the same answer as wrong passwords.
		st, b2 := c.do(t, "POST", "/api/auth/login", map[string]string{"username": "nobody", "password": "wrong-password"})
		if st != 401 || errOf(t, b2).Message != errOf(t, b).Message {
			t.Fatalf("unknown user: %d %s", st, b2)
		}

		// The cookie is HttpOnly, Secure and SameSite.
		req, _ := http.NewRequest("POST", h.srv.URL+"/api/auth/login", strings.NewReader(`{"username":"gm","password":"`+demoPassword+`"}`))
		req.Header.Set("Content-Type", "application/json")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		sc := resp.Header.Get("Set-Cookie")
		for _, want := range []string{"cmhub_session=", "HttpOnly", "Secure", "SameSite=Lax", "Path=/"} {
			if !strings.Contains(sc, want) {
				t.Errorf("Set-Cookie %q lacks %s", sc, want)
			}
		}

		// Five failures lock the account, even for the right password.
		for i := 0; i < 4; i++ {
			c.do(t, "POST", "/api/auth/login", map[string]string{"username": "cm05", "password": "wrong-password"})
		}
		st, b = c.do(t, "POST", "/api/auth/login", map[string]string{"username": "cm05", "password": "wrong-password"})
		if st != 423 || errOf(t, b).Code != "locked" {
			t.Fatalf("fifth failure: %d %s", st, b)
		}
		if st, _ := c.do(t, "POST", "/api/auth/login", map[string]string{"username": "cm05", "password": demoPassword}); st != 423 {
			t.Fatalf("locked account signed in: %d", st)
		}

		// Logout ends the session; logout-all ends the others and the API tokens.
		a := h.login(t, "mktdir")
		b1 := h.login(t, "mktdir")
		st, b = a.do(t, "POST", "/api/me/tokens", map[string]any{"name": "CRM 同步", "expiresInDays": 30})
		if st != 201 {
			t.Fatalf("token: %d %s", st, b)
		}
		var tok struct{ Token string }
		decodeJSON(t, b, &tok)
		bearer := func() int {
			req, _ := http.NewRequest("GET", h.srv.URL+"/api/people?pageSize=1", nil)
			req.Header.Set("Authorization", "Bearer "+tok.Token)
			st, _ := h.anon().send(t, req)
			return st
		}
		if st := bearer(); st != 200 {
			t.Fatalf("bearer token: %d", st)
		}
		if st, _ := a.do(t, "POST", "/api/auth/logout", nil); st != 204 {
			t.Fatalf("logout: %d", st)
		}
		if st, _ := a.do(t, "GET", "/api/me", nil); st != 401 {
			t.Fatalf("after logout: %d", st)
		}
		if st, _ := b1.do(t, "GET", "/api/me", nil); st != 200 {
			t.Fatalf("other session ended by logout: %d", st)
		}
		if st, _ := b1.do(t, "POST", "/api/auth/logout-all", nil); st != 204 {
			t.Fatalf("logout-all: %d", st)
		}
		if st := bearer(); st != 401 {
			t.Fatalf("token alive after logout-all: %d", st)
		}
	})
}

func TestRateLimit(t *testing.T) {
	h := newHarness(t, storetest.Engines()[0])
	h.svc.Auth.Config.PerIPPerMin = 3
	c := h.anon()
	var last int
	for i := 0; i < 4; i++ {
		last, _ = c.do(t, "POST", "/api/auth/login", map[string]string{"username": fmt.Sprintf("x%d", i), "password": "wrong-password"})
	}
	if last != 429 {
		t.Fatalf("fourth attempt in a minute: %d, want 429", last)
	}
}

func TestCrossOriginRefused(t *testing.T) {
	h := newHarness(t, storetest.Engines()[0])
	c := h.login(t, "mktdir")
	req, _ := http.NewRequest("POST", h.srv.URL+"/api/org/units", strings.NewReader(`{}`))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Origin", "https://evil.example")
	req.Header.Set("Sec-Fetch-Site", "cross-site")
	if st, b := c.send(t, req); st != 403 || errOf(t, b).Code != "cross_origin" {
		t.Fatalf("cross-site POST: %d %s", st, b)
	}
}

func TestBadInput(t *testing.T) {
	eachEngine(t, func(t *testing.T, h *harness) {
		c := h.login(t, "mktdir")
		team := unitID(t, c, "XZ-R1-T1")
		cases := []struct {
			name, method, path string
			body               any
			status             int
			field              string
		}{
			{"malformed JSON", "POST", "/api/people", json.RawMessage(`{"empNo": `), 400, ""},
			{"unknown field", "POST", "/api/people", map[string]any{"empNo": "N1", "salary": 1}, 400, "salary"},
			{"wrong type", "POST", "/api/people", map[string]any{"empNo": 7}, 400, "empNo"},
			{"invalid date", "POST", "/api/people", json.RawMessage(`{"empNo":"N1","hiredOn":"2026-02-30"}`), 400, ""},
			{"missing fields", "POST", "/api/people", map[string]any{"empNo": "N1"}, 400, "name"},
			{"duplicate employee number", "POST", "/api/people", map[string]any{"empNo": "XZ0001", "name": "重号", "hiredOn": "2026-11-01",
				"unitId": team, "position": "sales_cm"}, 400, "empNo"},
			{"unknown position", "POST", "/api/people", map[string]any{"empNo": "N2", "name": "新人", "hiredOn": "2026-11-01",
				"unitId": team, "position": "astronaut"}, 400, "position"},
			{"two JSON values", "POST", "/api/org/units", json.RawMessage(`{} {}`), 400, ""},
			{"oversized body", "POST", "/api/org/units", json.RawMessage(`{"name":"` + strings.Repeat("x", 2<<20) + `"}`), 413, ""},
			{"bad query date", "GET", "/api/people?asOf=2026-13-01", nil, 400, "asOf"},
			{"bad page size", "GET", "/api/people?pageSize=100000", nil, 400, "pageSize"},
			{"bad sort", "GET", "/api/people?sort=salary", nil, 400, "sort"},
			{"move without reason", "POST", fmt.Sprintf("/api/org/units/%d/move", team), map[string]any{"parentId": 1, "effectiveFrom": "2026-11-01"}, 400, "reason"},
			{"unit into its own child", "POST", fmt.Sprintf("/api/org/units/%d/move", unitID(t, c, "XZ-R1")),
				map[string]any{"parentId": team, "effectiveFrom": "2026-11-01", "reason": "测试"}, 409, "parentId"},
			{"non-numeric id", "GET", "/api/people/abc", nil, 404, ""},
			{"unknown endpoint", "GET", "/api/salaries", nil, 404, ""},
		}
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				st, b := c.do(t, tc.method, tc.path, tc.body)
				if st != tc.status {
					t.Fatalf("%d %s, want %d", st, b, tc.status)
				}
				e := errOf(t, b)
				if tc.field != "" && e.Fields[tc.field] == "" {
					t.Errorf("error does not name field %s: %s", tc.field, b)
				}
			})
		}
		// A unit cannot become its own ancestor even through a deeper descendant.
		group := unitID(t, c, "XZ-R1-T1-G1")
		st, b := c.do(t, "POST", fmt.Sprintf("/api/org/units/%d/move", team), map[string]any{"parentId": group, "effectiveFrom": "2026-11-01", "reason": "x"})
		if st != 409 && st != 400 {
			t.Fatalf("team under its own group: %d %s", st, b)
		}
	})
}

func TestInternalErrorsSayNothing(t *testing.T) {
	h := newHarness(t, storetest.Engines()[0])
	c := h.login(t, "gm")
	h.db.Close() // every query now fails inside the server
	st, b := c.do(t, "GET", "/api/people", nil)
	if st != 500 {
		t.Fatalf("%d %s", st, b)
	}
	e := errOf(t, b)
	if e.Code != "internal" || strings.Contains(strings.ToLower(string(b)), "sql") || strings.Contains(string(b), "closed") {
		t.Fatalf("500 leaks internals: %s", b)
	}
}

func TestMovePromotionAndHistory(t *testing.T) {
	eachEngine(t, func(t *testing.T, h *harness) {
		c := h.login(t, "mktdir")
		cm := personID(t, c, "XZ0020")
		region2 := unitID(t, c, "XZ-R2-T1-G1")
		st, b := c.do(t, "POST", fmt.Sprintf("/api/people/%d/moves", cm), map[string]any{
			"effectiveFrom": "2026-11-01", "unitId": region2, "grade": "star3", "reason": "区域调整并晋级"})
		if st != 200 {
			t.Fatalf("move: %d %s", st, b)
		}
		var d struct {
			UnitID  int64
			Grade   string
			History []struct {
				ValidFrom string
				ValidTo   *string
				UnitID    int64
				Grade     string
			}
		}
		decodeJSON(t, b, &d)
		n := len(d.History)
		if d.UnitID != region2 || d.Grade != "star3" || n < 2 {
			t.Fatalf("after move: %s", b)
		}
		if d.History[n-2].ValidTo == nil || *d.History[n-2].ValidTo != "2026-10-31" || d.History[n-1].ValidFrom != "2026-11-01" || d.History[n-1].ValidTo != nil {
			t.Fatalf("old record must end the day before: %s", b)
		}
		// The organisation as of a date is a query.
		_, b = c.do(t, "GET", "/api/people?asOf=2026-10-31&q=XZ0020", nil)
		if !bytes.Contains(b, []byte(fmt.Sprintf(`"unitId":%d`, d.History[n-2].UnitID))) {
			t.Fatalf("as of 2026-10-31 the old unit: %s", b)
		}
		// A change dated before the latest one is refused.
		st, b = c.do(t, "POST", fmt.Sprintf("/api/people/%d/moves", cm), map[string]any{"effectiveFrom": "2026-10-15", "grade": "star1", "reason": "倒插"})
		if st != 400 || errOf(t, b).Fields["effectiveFrom"] == "" {
			t.Fatalf("back-dated move: %d %s", st, b)
		}
		// Closed periods refuse writes; reopening needs a reason and is audited.
		fin := h.login(t, "finance")
		if st, b := fin.do(t, "POST", "/api/periods/2026-12/close", nil); st != 200 {
			t.Fatalf("close: %d %s", st, b)
		}
		st, b = c.do(t, "POST", fmt.Sprintf("/api/people/%d/moves", cm), map[string]any{"effectiveFrom": "2026-12-01", "status": "suspended", "reason": "停职"})
		if st != 409 || errOf(t, b).Code != "period_closed" {
			t.Fatalf("write into closed period: %d %s", st, b)
		}
		if st, b := fin.do(t, "POST", "/api/periods/2026-12/reopen", map[string]string{"reason": ""}); st != 400 {
			t.Fatalf("reopen without reason: %d %s", st, b)
		}
		if st, b := fin.do(t, "POST", "/api/periods/2026-12/reopen", map[string]string{"reason": "补录调岗"}); st != 200 {
			t.Fatalf("reopen: %d %s", st, b)
		}
		if st, b := c.do(t, "POST", fmt.Sprintf("/api/people/%d/moves", cm), map[string]any{"effectiveFrom": "2026-12-01", "status": "suspended", "reason": "停职"}); st != 200 {
			t.Fatalf("after reopen: %d %s", st, b)
		}
		// Everything above is in the audit log, and the chain verifies.
		gm := h.login(t, "gm")
		_, b = gm.do(t, "GET", "/api/audit?objectType=period&objectId=2026-12", nil)
		if !bytes.Contains(b, []byte("period.reopen")) || !bytes.Contains(b, []byte("补录调岗")) {
			t.Fatalf("reopen not audited: %s", b)
		}
		_, b = gm.do(t, "GET", fmt.Sprintf("/api/audit?objectType=person&objectId=%d", cm), nil)
		if !bytes.Contains(b, []byte("person.move")) || !bytes.Contains(b, []byte("mktdir")) {
			t.Fatalf("move not audited: %s", b)
		}
		n2, problem, err := audit.Verify(context.Background(), h.db)
		if err != nil || problem != nil || n2 < 100 {
			t.Fatalf("verify: %d %v %v", n2, problem, err)
		}
		// Refused writes left no audit entry and no record.
		_, b = gm.do(t, "GET", fmt.Sprintf("/api/people/%d", cm), nil)
		if bytes.Count(b, []byte(`"validFrom"`)) != n+2 { // person + n records + the December one
			t.Fatalf("history after refused writes: %s", b)
		}
	})
}

func TestMasking(t *testing.T) {
	h := newHarness(t, storetest.Engines()[0])
	for user, masked := range map[string]bool{"rm1": true, "archivist": false, "gm": false, "cm02": true} {
		c := h.login(t, user)
		_, b := c.do(t, "GET", "/api/people?pageSize=500", nil)
		has := bytes.Contains(b, []byte("****"))
		if has != masked {
			t.Errorf("%s: masked=%v, want %v", user, has, masked)
		}
		if st, x := c.do(t, "GET", "/api/people/export.xlsx", nil); st == 200 {
			f, err := excelize.OpenReader(bytes.NewReader(x))
			if err != nil {
				t.Fatal(err)
			}
			rows, _ := f.GetRows(f.GetSheetName(0))
			if got := strings.Contains(rows[1][4], "****"); got != masked {
				t.Errorf("%s: export phone %q, masked=%v want %v", user, rows[1][4], got, masked)
			}
		}
	}
}

func csvBody(rows ...string) []byte { return []byte(strings.Join(rows, "\r\n") + "\r\n") }

const peopleHeader = "工号 EmpNo,姓名 Name,性别 Gender,身份证号 ID number,手机 Phone,用工形式 Employment type,入职日期 Hired on,试用期结束 Probation end,合同到期 Contract end,单位编码 Unit code,岗位 Position,职级 Grade,状态 Status"

func TestImportPeople(t *testing.T) {
	eachEngine(t, func(t *testing.T, h *harness) {
		c := h.login(t, "mktdir")
		count := func() int {
			_, b := c.do(t, "GET", "/api/people?pageSize=1", nil)
			var r struct{ Total int }
			decodeJSON(t, b, &r)
			return r.Total
		}
		before := count()
		// Templates download as real files.
		if st, b := c.do(t, "GET", "/api/import/people/template?format=xlsx", nil); st != 200 || !bytes.HasPrefix(b, []byte("PK")) {
			t.Fatalf("xlsx template: %d", st)
		}
		if st, b := c.do(t, "GET", "/api/import/people/template?format=csv", nil); st != 200 || !bytes.Contains(b, []byte("工号")) {
			t.Fatalf("csv template: %d", st)
		}
		// One bad row rejects the whole file, naming row and column.
		st, b := c.upload(t, "/api/import/people", "people.csv", csvBody(peopleHeader,
			"N0001,新员工甲,男,,13900000001,劳动合同,2026-11-02,,,XZ-R1-T1-G1,销售类客户经理,一星客户经理,试用期",
			"N0002,新员工乙,女,,13900000002,劳动合同,2026-11-31,,,XZ-R9,宇航员,,在岗"))
		if st != 422 {
			t.Fatalf("bad file: %d %s", st, b)
		}
		var fail struct {
			Code   string
			Errors []struct {
				Row     int
				Column  string
				Message string
			}
			ReportID string
		}
		decodeJSON(t, b, &fail)
		cols := map[string]bool{}
		for _, e := range fail.Errors {
			if e.Row != 3 {
				t.Errorf("error on row %d, want 3: %+v", e.Row, e)
			}
			cols[e.Column] = true
		}
		for _, col := range []string{"入职日期 Hired on", "单位编码 Unit code", "岗位 Position"} {
			if !cols[col] {
				t.Errorf("no error for column %s: %s", col, b)
			}
		}
		if count() != before {
			t.Fatalf("a rejected file changed the data")
		}
		// The error workbook has the error column first.
		st, rep := c.do(t, "GET", "/api/import-reports/"+fail.ReportID, nil)
		if st != 200 {
			t.Fatalf("report: %d", st)
		}
		f, err := excelize.OpenReader(bytes.NewReader(rep))
		if err != nil {
			t.Fatal(err)
		}
		rows, _ := f.GetRows(f.GetSheetName(0))
		if len(rows) != 2 || !strings.Contains(rows[0][0], "错误") || !strings.Contains(rows[1][0], "岗位") {
			t.Fatalf("report rows: %q", rows)
		}
		// Another user cannot fetch it.
		if st, _ := h.login(t, "gm").do(t, "GET", "/api/import-reports/"+fail.ReportID, nil); st != 404 {
			t.Fatalf("someone else's report: %d", st)
		}
		// Wrong columns are refused before any row is read.
		st, b = c.upload(t, "/api/import/people", "people.csv", csvBody("工号,姓名,工资", "N1,张三,100"))
		if st != 422 || !bytes.Contains(b, []byte("工资")) {
			t.Fatalf("wrong columns: %d %s", st, b)
		}
		// Duplicate employee numbers inside the file.
		st, b = c.upload(t, "/api/import/people", "people.csv", csvBody(peopleHeader,
			"N0003,甲,,,,,2026-11-02,,,XZ-R1-T1-G1,sales_cm,,",
			"N0003,乙,,,,,2026-11-02,,,XZ-R1-T1-G1,sales_cm,,"))
		if st != 422 || !bytes.Contains(b, []byte("N0003")) {
			t.Fatalf("duplicate in file: %d %s", st, b)
		}
		// A GBK CSV saved by Chinese Excel imports correctly.
		gbk, err := simplifiedchinese.GBK.NewEncoder().Bytes(csvBody(peopleHeader,
			"N0004,王小明,男,130502199001011234,13900000004,劳动合同,2026-11-02,2027-01-01,2027-11-01,XZ-R1-T1-G1,销售类客户经理,见习客户经理,试用期",
			"N0005,李小红,女,,13900000005,营销合作协议,2026-11-03,,,XZ-R1-T1-G2,sales_cm,star1,active"))
		if err != nil {
			t.Fatal(err)
		}
		st, b = c.upload(t, "/api/import/people", "people-gbk.csv", gbk)
		if st != 200 || !bytes.Contains(b, []byte(`"created":2`)) {
			t.Fatalf("GBK import: %d %s", st, b)
		}
		if count() != before+2 {
			t.Fatalf("count after import: %d", count())
		}
		_, b = c.do(t, "GET", "/api/people?q=N0004", nil)
		if !bytes.Contains(b, []byte("王小明")) || !bytes.Contains(b, []byte(`"grade":"trainee"`)) {
			t.Fatalf("imported person: %s", b)
		}
		// The same file again is refused as duplicates and changes nothing.
		if st, _ := c.upload(t, "/api/import/people", "people-gbk.csv", gbk); st != 422 || count() != before+2 {
			t.Fatalf("re-import: %d", st)
		}
		// An XLSX file through the same path.
		x := excelize.NewFile()
		sh := x.GetSheetName(0)
		x.SetSheetRow(sh, "A1", &[]any{"工号 EmpNo", "姓名 Name", "入职日期 Hired on", "单位编码 Unit code", "岗位 Position"})
		x.SetSheetRow(sh, "A2", &[]any{"N0006", "赵六", "2026-11-05", "XZ-R2-T1-G1", "销售类客户经理"})
		var buf bytes.Buffer
		x.Write(&buf)
		if st, b := c.upload(t, "/api/import/people", "p.xlsx", buf.Bytes()); st != 200 {
			t.Fatalf("xlsx import: %d %s", st, b)
		}
		// Users without the permission cannot import.
		if st, _ := h.login(t, "rm1").upload(t, "/api/import/people", "p.xlsx", buf.Bytes()); st != 403 {
			t.Fatalf("rm1 import: %d", st)
		}
	})
}

func TestImportUnits(t *testing.T) {
	eachEngine(t, func(t *testing.T, h *harness) {
		c := h.login(t, "mktdir")
		header := "单位编码 Code,单位名称 Name,英文名称 English name,类型 Kind,上级编码 Parent code,设立日期 Opened on"
		st, b := c.upload(t, "/api/import/units", "units.csv", csvBody(header,
			"XZ-R4,第四区域,Region 4,区域,XZ,2026-11-01",
			"XZ-R4-T1,第四区域一队,,营销团队,XZ-R4,2026-11-01",
			"XZ-R4-T1-G1,第1小组,,小组,XZ-R4-T1,2026-11-01"))
		if st != 200 || !bytes.Contains(b, []byte(`"created":3`)) {
			t.Fatalf("units import: %d %s", st, b)
		}
		st, b = c.upload(t, "/api/import/units", "units.csv", csvBody(header,
			"XZ-R5,第五区域,,区域,XZ,",
			"XZ-R5-G1,小组,,小组,XZ-R5,",
			"XZ-R1,重复,,区域,XZ,"))
		if st != 422 {
			t.Fatalf("bad units: %d %s", st, b)
		}
		if bytes.Contains(b, []byte(`"row":2`)) || !bytes.Contains(b, []byte(`"row":3`)) || !bytes.Contains(b, []byte(`"row":4`)) {
			t.Fatalf("unit errors by row: %s", b)
		}
		_, b = c.do(t, "GET", "/api/org/units", nil)
		if bytes.Contains(b, []byte("XZ-R5")) {
			t.Fatalf("rejected file created a unit")
		}
	})
}

func TestStationManager(t *testing.T) {
	eachEngine(t, func(t *testing.T, h *harness) {
		c := h.login(t, "mktdir")
		ch := unitID(t, c, "XZ-R1-C2")
		cm := personID(t, c, "XZ0016")
		st, b := c.do(t, "POST", fmt.Sprintf("/api/org/units/%d/stations", ch), map[string]any{"personId": cm, "effectiveFrom": "2026-11-01"})
		if st != 201 || !bytes.Contains(b, []byte(`"empNo":"XZ0016"`)) {
			t.Fatalf("station: %d %s", st, b)
		}
		// Not a channel; and a team lead may not station anyone.
		team := unitID(t, c, "XZ-R1-T1")
		if st, b := c.do(t, "POST", fmt.Sprintf("/api/org/units/%d/stations", team), map[string]any{"personId": cm, "effectiveFrom": "2026-11-01"}); st != 400 {
			t.Fatalf("station at a team: %d %s", st, b)
		}
		if st, _ := h.login(t, "tl11").do(t, "POST", fmt.Sprintf("/api/org/units/%d/stations", ch), map[string]any{"personId": cm, "effectiveFrom": "2026-11-01"}); st != 403 {
			t.Fatalf("team lead stationing: %d", st)
		}
		// The region-1 manager sees the stationed CM; region 2's does not see the channel at all.
		if _, b := h.login(t, "rm1").do(t, "GET", fmt.Sprintf("/api/org/units/%d", ch), nil); !bytes.Contains(b, []byte("XZ0016")) {
			t.Fatalf("rm1 channel detail: %s", b)
		}
		if st, _ := h.login(t, "rm2").do(t, "GET", fmt.Sprintf("/api/org/units/%d", ch), nil); st != 404 {
			t.Fatalf("rm2 sees region 1's channel: %d", st)
		}
	})
}

func TestNULIsRefused(t *testing.T) {
	eachEngine(t, func(t *testing.T, h *harness) {
		c := h.login(t, "mktdir")
		for _, path := range []string{"/api/people?q=a%00b", "/api/customers?q=%00"} {
			if st, b := c.do(t, "GET", path, nil); st != 400 {
				t.Errorf("GET %s: %d %s", path, st, b)
			}
		}
		if st, b := c.do(t, "GET", "/api/metrics/a%00b", nil); st != 404 {
			t.Errorf("NUL in a path: %d %s", st, b)
		}
		st, b := c.do(t, "POST", "/api/customers/duplicates", json.RawMessage(`{"phone":"139\u0000"}`))
		if st != 400 {
			t.Errorf("NUL in JSON: %d %s", st, b)
		}
		st, b = c.upload(t, "/api/import/people", "p.csv", csvBody(peopleHeader, "N0009,甲\x00乙,,,,,2026-11-02,,,XZ-R1-T1-G1,sales_cm,,"))
		if st != 422 { // refused as a binary, not a text file; nothing is imported
			t.Errorf("NUL in an upload: %d %s", st, b)
		}
	})
}
