package httpapi_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"net/http"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"
)

// oaAssessCycle is an assessment cycle, as much of it as the exercise needs.
type oaAssessCycle struct {
	ID         int64   `json:"id"`
	Period     string  `json:"period"`
	State      string  `json:"state"`
	Version    int     `json:"version"`
	ComputedAt *string `json:"computedAt"`
}

// oaAssessSheet is a scoring sheet, as much of it as the exercise needs.
type oaAssessSheet struct {
	ID          int64              `json:"id"`
	SubjectKind string             `json:"subjectKind"`
	SubjectID   int64              `json:"subjectId"`
	SubjectName string             `json:"subjectName"`
	Group       string             `json:"group"`
	RaterID     int64              `json:"raterId"`
	State       string             `json:"state"`
	Scheme      string             `json:"scheme"`
	Points      map[string]float64 `json:"points"`
	Reopened    int                `json:"reopened"`
	Version     int                `json:"version"`
}

type oaAssessItem struct {
	Key  string `json:"key"`
	Max  int    `json:"max"`
	Kind string `json:"kind"`
}

type oaAssessMine struct {
	Items []struct {
		Cycle   oaAssessCycle   `json:"cycle"`
		Sheets  []oaAssessSheet `json:"sheets"`
		Schemes map[string]struct {
			Template struct {
				Key   string         `json:"key"`
				Items []oaAssessItem `json:"items"`
			} `json:"template"`
		} `json:"schemes"`
	} `json:"items"`
}

type oaAssessResultRow struct {
	SubjectKind string   `json:"subjectKind"`
	SubjectID   int64    `json:"subjectId"`
	Composite   *float64 `json:"composite"`
	Held        bool     `json:"held"`
	Name        string   `json:"name"`
	Scheme      string   `json:"scheme"`
}

// oaXLSXText is every cell of a workbook, one per line.
func oaXLSXText(t *testing.T, b []byte) string {
	t.Helper()
	f, err := excelize.OpenReader(bytes.NewReader(b))
	if err != nil {
		t.Fatalf("workbook does not open: %v", err)
	}
	defer func() { _ = f.Close() }()
	var sb strings.Builder
	for _, sh := range f.GetSheetList() {
		rows, err := f.GetRows(sh)
		if err != nil {
			t.Fatalf("sheet %s: %v", sh, err)
		}
		for _, r := range rows {
			for _, cell := range r {
				sb.WriteString(cell)
				sb.WriteByte('\n')
			}
		}
	}
	return sb.String()
}

// oaClone deep-copies a decoded JSON object.
func oaClone(t *testing.T, v map[string]any) map[string]any {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	var out map[string]any
	if err := json.Unmarshal(b, &out); err != nil {
		t.Fatal(err)
	}
	return out
}

// oaExerciseAssess calls every assessment operation with real requests:
// the marketing director (assess:manage, branch scope) changes a
// scorecard, opens the 2026-Q3 cycle (the harness's today is in
// 2026-11, so the quarter has begun and has no monthly exerciser's
// data), runs it through scoring, review and closing, reopens a sheet,
// reads progress, results and sheets and exports them; a sales CM
// (cm02) scores their own sheets as a rater and may touch nobody
// else's; the subject of those sheets reads their own result without
// the raters; the refusals of every step are checked on the way.
func oaExerciseAssess(t *testing.T, h *harness) {
	mkt := h.login(t, "mktdir")
	cm := h.login(t, "cm02")
	admin := h.login(t, "admin")

	// Who is who: usernames by person, and cm02's person.
	var users struct {
		Items []struct {
			Username string `json:"username"`
			PersonID int64  `json:"personId"`
		} `json:"items"`
	}
	oaCall(t, admin, "GET", "/api/users?pageSize=500", nil, nil, 200, &users)
	userOf := map[int64]string{}
	for _, u := range users.Items {
		if u.PersonID != 0 {
			userOf[u.PersonID] = u.Username
		}
	}
	var me struct {
		User struct {
			PersonID int64 `json:"personId"`
		} `json:"user"`
	}
	oaCall(t, cm, "GET", "/api/me", nil, nil, 200, &me)
	self := me.User.PersonID
	if self == 0 {
		t.Fatal("cm02 has no person")
	}

	// Rules: read by anyone with assess:read; a template whose items do
	// not total 100 is refused, a valid change is the next version.
	var rs struct {
		Version int `json:"version"`
		Rules   struct {
			Templates []map[string]any `json:"templates"`
		} `json:"rules"`
	}
	oaCall(t, mkt, "GET", "/api/assess/rules", nil, nil, 200, &rs)
	oaCall(t, cm, "GET", "/api/assess/rules", nil, nil, 200, nil)
	var cmForm map[string]any
	for _, tp := range rs.Rules.Templates {
		if tp["key"] == "cm_form" {
			cmForm = tp
		}
	}
	if cmForm == nil {
		t.Fatalf("the demo rules have no cm_form: %d templates", len(rs.Rules.Templates))
	}
	setMax := func(tp map[string]any, i int, max int) {
		tp["items"].([]any)[i].(map[string]any)["max"] = max
	}
	bad := oaClone(t, cmForm)
	setMax(bad, 0, 25) // 105 in all
	oaCall(t, mkt, "PUT", "/api/assess/templates/cm_form", map[string]any{"template": bad}, nil, 400, nil)
	oaCall(t, mkt, "PUT", "/api/assess/templates/rm_form", map[string]any{"template": cmForm}, nil, 400, nil)
	oaCall(t, mkt, "PUT", "/api/assess/templates/cm_form", map[string]any{"template": cmForm, "bonus": 1}, nil, 400, nil)
	oaCall(t, cm, "PUT", "/api/assess/templates/cm_form", map[string]any{"template": cmForm}, nil, 403, nil)
	good := oaClone(t, cmForm)
	setMax(good, 0, 25)
	setMax(good, 2, 5)
	var next struct {
		Version int `json:"version"`
	}
	oaCall(t, mkt, "PUT", "/api/assess/templates/cm_form", map[string]any{"template": good, "note": "契约测试 contract test"}, nil, 200, &next)
	if next.Version != rs.Version+1 {
		t.Errorf("rules version %d after %d", next.Version, rs.Version)
	}

	// Outcome and grade rules: refused whole with the field named, then
	// the credit-coop task rule added; the task review of October.
	var inForce struct {
		Rules struct {
			Consequences map[string]any `json:"consequences"`
		} `json:"rules"`
	}
	oaCall(t, mkt, "GET", "/api/assess/rules", nil, nil, 200, &inForce)
	oaCall(t, mkt, "POST", "/api/assess/task-reviews", map[string]any{"period": "2026-10"}, nil, 409, nil) // no rule yet
	cons := oaClone(t, inForce.Rules.Consequences)
	coop := map[string]any{"positions": []string{"sales_cm"}, "convertTo": "no_such_position", "missBelowBp": 10000, "missMonths": 3, "floorBp": 3000, "recoverMonths": 3}
	cons["outcomeRules"].(map[string]any)["coopTasks"] = coop
	oaCall(t, mkt, "PUT", "/api/assess/consequences", cons, nil, 400, nil)
	coop["convertTo"] = "marketing_staff"
	oaCall(t, cm, "PUT", "/api/assess/consequences", cons, nil, 403, nil)
	oaCall(t, mkt, "PUT", "/api/assess/consequences", cons, nil, 200, nil)
	oaCall(t, mkt, "POST", "/api/assess/task-reviews", map[string]any{"period": "2026-11"}, nil, 400, nil) // not ended
	oaCall(t, mkt, "POST", "/api/assess/task-reviews", map[string]any{"period": "2026-10"}, nil, 200, nil)
	oaCall(t, mkt, "GET", "/api/assess/task-reviews", nil, nil, 200, nil)
	oaCall(t, cm, "GET", "/api/assess/task-reviews", nil, nil, 403, nil)

	// Exam scores for grade reviews.
	var cmEmp struct {
		EmpNo string `json:"empNo"`
	}
	oaCall(t, admin, "GET", fmt.Sprintf("/api/people/%d", self), nil, nil, 200, &cmEmp)
	oaCall(t, mkt, "PUT", "/api/assess/exams", map[string]any{"period": "2026-Q3", "rows": []map[string]any{{"empNo": cmEmp.EmpNo, "exam": "星级考试", "score": "101"}}}, nil, 400, nil)
	oaCall(t, mkt, "PUT", "/api/assess/exams", map[string]any{"period": "2026-Q3", "rows": []map[string]any{{"empNo": cmEmp.EmpNo, "exam": "星级考试", "score": "86.5"}}}, nil, 200, nil)
	oaCall(t, mkt, "GET", "/api/assess/exams?period=2026-Q3", nil, nil, 200, nil)
	oaCall(t, mkt, "GET", "/api/assess/exams?period=x", nil, nil, 400, nil)

	// Opening the quarter's cycle, and the refusals.
	var c oaAssessCycle
	oaCall(t, mkt, "POST", "/api/assess/cycles", map[string]any{"period": "2026-Q3", "note": "契约测试 contract test"}, nil, 201, &c)
	if c.ID == 0 || c.State != "open" || c.Period != "2026-Q3" {
		t.Fatalf("opened cycle: %+v", c)
	}
	oaCall(t, mkt, "POST", "/api/assess/cycles", map[string]any{"period": "2026-Q3"}, nil, 409, nil) // duplicate
	oaCall(t, mkt, "POST", "/api/assess/cycles", map[string]any{"period": "2026-13"}, nil, 400, nil) // not a period
	oaCall(t, mkt, "POST", "/api/assess/cycles", map[string]any{"period": "2027-Q1"}, nil, 400, nil) // not begun
	oaCall(t, mkt, "POST", "/api/assess/cycles", map[string]any{"period": "2099"}, nil, 400, nil)    // not begun
	oaCall(t, cm, "POST", "/api/assess/cycles", map[string]any{"period": "2026-Q2"}, nil, 403, nil)  // assess:manage
	oaCall(t, mkt, "POST", "/api/assess/cycles", []byte(`period=2026-Q2`), map[string]string{"Content-Type": "text/plain"}, 415, nil)
	var cycles struct {
		Items []oaAssessCycle `json:"items"`
	}
	oaCall(t, mkt, "GET", "/api/assess/cycles", nil, nil, 200, &cycles)
	if len(cycles.Items) == 0 || cycles.Items[0].ID != c.ID {
		t.Errorf("cycles: %+v", cycles.Items)
	}
	oaCall(t, cm, "GET", "/api/assess/cycles", nil, nil, 200, nil)
	cyc := fmt.Sprintf("/api/assess/cycles/%d", c.ID)
	oaCall(t, cm, "GET", cyc, nil, nil, 200, nil)
	oaCall(t, mkt, "GET", "/api/assess/cycles/999999", nil, nil, 404, nil)

	// The rater's sheets: of an open cycle only when asked for by id.
	var mine oaAssessMine
	oaCall(t, cm, "GET", "/api/assess/my-sheets", nil, nil, 200, &mine)
	if len(mine.Items) != 0 {
		t.Errorf("my sheets list an open cycle: %+v", mine.Items)
	}
	oaCall(t, cm, "GET", fmt.Sprintf("/api/assess/my-sheets?cycle=%d", c.ID), nil, nil, 200, &mine)
	oaCall(t, cm, "GET", "/api/assess/my-sheets?cycle=x", nil, nil, 400, nil)
	oaCall(t, cm, "GET", "/api/assess/my-sheets?cycle=999999", nil, nil, 404, nil)
	oaCall(t, admin, "GET", "/api/assess/my-sheets", nil, nil, 200, nil) // no person: nothing
	if len(mine.Items) != 1 {
		t.Fatalf("cm02's sheets of the cycle: %+v", mine.Items)
	}
	var sheet, other oaAssessSheet
	for _, s := range mine.Items[0].Sheets {
		if s.RaterID != self {
			t.Errorf("cm02 is shown sheet %d of rater %d", s.ID, s.RaterID)
		}
		switch {
		case s.Scheme == "sales_cm_quarterly" && s.SubjectKind == "person" && sheet.ID == 0:
			sheet = s
		case other.ID == 0:
			other = s
		}
	}
	if sheet.ID == 0 || other.ID == 0 {
		t.Fatalf("cm02 lacks a sales CM's sheet and another one: %+v", mine.Items[0].Sheets)
	}
	subject := sheet.SubjectID
	items := mine.Items[0].Schemes[sheet.Scheme].Template.Items
	full := map[string]any{}
	var firstRated oaAssessItem
	var computedItem string
	for _, it := range items {
		switch it.Kind {
		case "rated":
			if firstRated.Key == "" {
				firstRated = it
			}
			full[it.Key] = math.Round(float64(it.Max)*8.5) / 10 // 85 %, one decimal: 17, 8.5, 4.3
		case "computed":
			computedItem = it.Key
		}
	}
	if firstRated.Key == "" || computedItem == "" || firstRated.Max != 25 {
		t.Fatalf("the cycle's cm_form (the changed one) lacks a rated or computed item: %+v", items)
	}
	full[firstRated.Key] = "21.5" // points may be sent as text too
	sheetPath := func(s oaAssessSheet) string { return fmt.Sprintf("/api/assess/sheets/%d", s.ID) }
	oaCall(t, cm, "PUT", sheetPath(sheet), map[string]any{"points": full}, nil, 409, nil) // not_scoring yet

	// Starting scoring, and the refusals of transitions.
	transition := func(cl *client, want int, body map[string]any) {
		t.Helper()
		var out oaAssessCycle
		oaCall(t, cl, "POST", cyc+"/transition", body, nil, want, &out)
		if want == 200 {
			c = out
		}
	}
	transition(mkt, 200, map[string]any{"action": "start", "version": c.Version, "note": "开始评分 scoring starts"})
	if c.State != "scoring" {
		t.Errorf("after start: %+v", c)
	}
	transition(mkt, 409, map[string]any{"action": "start"})                         // state
	transition(mkt, 409, map[string]any{"action": "end", "version": c.Version + 7}) // stale
	transition(mkt, 400, map[string]any{"action": "launch"})
	transition(cm, 403, map[string]any{"action": "end"})
	oaCall(t, mkt, "POST", "/api/assess/cycles/999999/transition", map[string]any{"action": "end"}, nil, 404, nil)
	oaCall(t, cm, "GET", "/api/assess/my-sheets", nil, nil, 200, &mine)
	if len(mine.Items) != 1 || mine.Items[0].Cycle.ID != c.ID {
		t.Errorf("my sheets while scoring: %+v", mine.Items)
	}

	// Scoring: a draft, bad points, someone else's sheet, the submission.
	var saved oaAssessSheet
	oaCall(t, cm, "PUT", sheetPath(sheet), map[string]any{"points": map[string]any{firstRated.Key: 20, "execution": nil}, "remark": "草稿 draft"}, nil, 200, &saved)
	if saved.State != "draft" || saved.Points[firstRated.Key] != 20 {
		t.Errorf("draft: %+v", saved)
	}
	oaCall(t, cm, "PUT", sheetPath(sheet), map[string]any{"points": map[string]any{firstRated.Key: firstRated.Max + 1}}, nil, 400, nil)
	oaCall(t, cm, "PUT", sheetPath(sheet), map[string]any{"points": map[string]any{firstRated.Key: 9.55}}, nil, 400, nil)
	oaCall(t, cm, "PUT", sheetPath(sheet), map[string]any{"points": map[string]any{firstRated.Key: -1}}, nil, 400, nil)
	oaCall(t, cm, "PUT", sheetPath(sheet), map[string]any{"points": map[string]any{computedItem: 5}}, nil, 400, nil)
	oaCall(t, cm, "PUT", sheetPath(sheet), map[string]any{"points": map[string]any{"no_such_item": 5}}, nil, 400, nil)
	oaCall(t, cm, "PUT", sheetPath(sheet), map[string]any{"points": map[string]any{firstRated.Key: 20}, "submit": true}, nil, 400, nil) // incomplete
	oaCall(t, cm, "PUT", sheetPath(sheet), map[string]any{"points": full, "version": saved.Version + 3}, nil, 409, nil)                 // stale
	oaCall(t, cm, "PUT", "/api/assess/sheets/999999", map[string]any{"points": full}, nil, 404, nil)
	var all struct {
		Items []oaAssessSheet `json:"items"`
	}
	oaCall(t, mkt, "GET", fmt.Sprintf("%s/sheets/person/%d", cyc, subject), nil, nil, 200, &all)
	oaCall(t, cm, "GET", fmt.Sprintf("%s/sheets/person/%d", cyc, subject), nil, nil, 403, nil)
	oaCall(t, mkt, "GET", fmt.Sprintf("%s/sheets/planet/%d", cyc, subject), nil, nil, 404, nil)
	oaCall(t, mkt, "GET", cyc+"/sheets/person/999999", nil, nil, 404, nil)
	var foreign oaAssessSheet
	for _, s := range all.Items {
		if s.RaterID != self && foreign.ID == 0 {
			foreign = s
		}
	}
	if foreign.ID == 0 {
		t.Fatalf("subject %d has no sheet of another rater: %+v", subject, all.Items)
	}
	oaCall(t, cm, "PUT", sheetPath(foreign), map[string]any{"points": full}, nil, 403, nil)
	oaCall(t, cm, "PUT", sheetPath(sheet), map[string]any{"points": full, "submit": true, "remark": "良好 good", "version": saved.Version}, nil, 200, &saved)
	if saved.State != "submitted" {
		t.Errorf("submitted: %+v", saved)
	}
	oaCall(t, cm, "PUT", sheetPath(sheet), map[string]any{"points": full}, nil, 409, nil) // submitted

	// Reopening: the marketing department only, with a reason.
	reopen := sheetPath(sheet) + "/reopen"
	oaCall(t, cm, "POST", reopen, map[string]any{"reason": "自己退回 my own"}, nil, 403, nil)
	oaCall(t, mkt, "POST", reopen, map[string]any{}, nil, 400, nil)
	oaCall(t, mkt, "POST", reopen, map[string]any{"reason": "x", "version": saved.Version + 9}, nil, 409, nil) // stale
	oaCall(t, mkt, "POST", reopen, map[string]any{"reason": "执行力评分有误 execution points wrong", "version": saved.Version}, nil, 200, &saved)
	if saved.State != "draft" || saved.Reopened != 1 {
		t.Errorf("reopened: %+v", saved)
	}
	oaCall(t, mkt, "POST", reopen, map[string]any{"reason": "再次 again"}, nil, 409, nil) // not_submitted
	oaCall(t, mkt, "POST", "/api/assess/sheets/999999/reopen", map[string]any{"reason": "无 none"}, nil, 404, nil)
	oaCall(t, cm, "PUT", sheetPath(sheet), map[string]any{"points": full, "submit": true}, nil, 200, nil)

	// The other groups score the subject too: the regional manager and the
	// marketing department submit, the remaining peers stay pending.
	submitted := map[string]bool{}
	for _, s := range all.Items {
		if s.Group == "peers" || submitted[s.Group] {
			continue
		}
		u := userOf[s.RaterID]
		if u == "" {
			t.Fatalf("no user for rater %d", s.RaterID)
		}
		oaCall(t, h.login(t, u), "PUT", sheetPath(s), map[string]any{"points": full, "submit": true}, nil, 200, nil)
		submitted[s.Group] = true
	}
	// Task completion needs a target for the quarter.
	oaCall(t, mkt, "PUT", "/api/targets", map[string]any{"period": "2026-Q3", "metric": "new_accounts", "personId": subject, "value": "10"}, nil, 200, nil)

	// Progress and outstanding sheets.
	var prog struct {
		Total     int64 `json:"total"`
		Submitted int64 `json:"submitted"`
		Raters    []struct {
			RaterID int64 `json:"raterId"`
		} `json:"raters"`
	}
	oaCall(t, mkt, "GET", cyc+"/progress", nil, nil, 200, &prog)
	if prog.Total == 0 || prog.Submitted < 2 || len(prog.Raters) == 0 {
		t.Errorf("progress: %+v", prog)
	}
	oaCall(t, cm, "GET", cyc+"/progress", nil, nil, 403, nil)
	oaCall(t, mkt, "GET", "/api/assess/cycles/999999/progress", nil, nil, 404, nil)
	var outstanding struct {
		Items []oaAssessSheet `json:"items"`
	}
	oaCall(t, mkt, "GET", fmt.Sprintf("%s/outstanding/%d", cyc, self), nil, nil, 200, &outstanding)
	for _, s := range outstanding.Items {
		if s.RaterID != self || s.State == "submitted" || s.ID == sheet.ID {
			t.Errorf("outstanding for cm02: %+v", s)
		}
	}
	oaCall(t, cm, "GET", fmt.Sprintf("%s/outstanding/%d", cyc, self), nil, nil, 403, nil)

	// Results: none before computing, so no forms either.
	oaCall(t, mkt, "GET", cyc+"/forms.xlsx", nil, nil, 400, nil)
	oaCall(t, mkt, "POST", cyc+"/compute", nil, nil, 200, &c)
	if c.ComputedAt == nil {
		t.Errorf("computed cycle without computedAt: %+v", c)
	}
	oaCall(t, cm, "POST", cyc+"/compute", nil, nil, 403, nil)
	oaCall(t, mkt, "POST", "/api/assess/cycles/999999/compute", nil, nil, 404, nil)
	transition(mkt, 200, map[string]any{"action": "end", "version": c.Version})
	// In review only reopened sheets change.
	oaCall(t, cm, "PUT", sheetPath(other), map[string]any{"points": map[string]any{}}, nil, 409, nil)
	transition(mkt, 200, map[string]any{"action": "resume"})
	transition(mkt, 200, map[string]any{"action": "end", "note": "评分结束 scoring ends"})
	if c.State != "review" || c.ComputedAt == nil {
		t.Errorf("after end: %+v", c)
	}

	var res struct {
		Rows  []oaAssessResultRow `json:"rows"`
		Total int                 `json:"total"`
	}
	oaCall(t, mkt, "GET", cyc+"/results?pageSize=500", nil, nil, 200, &res)
	var row *oaAssessResultRow
	team := int64(0)
	for i, r := range res.Rows {
		if r.SubjectKind == "person" && r.SubjectID == subject {
			row = &res.Rows[i]
		}
		if r.SubjectKind == "team" && team == 0 {
			team = r.SubjectID
		}
	}
	if row == nil || row.Held || row.Composite == nil || team == 0 {
		t.Fatalf("results lack the subject's composite or a team: %+v (of %d)", row, res.Total)
	}
	oaCall(t, mkt, "GET", cyc+"/results?scheme=team_quarterly&page=1&pageSize=5", nil, nil, 200, nil)
	oaCall(t, mkt, "GET", cyc+"/results?pageSize=501", nil, nil, 400, nil)
	oaCall(t, mkt, "GET", "/api/assess/cycles/999999/results", nil, nil, 404, nil)
	var own struct {
		Rows []oaAssessResultRow `json:"rows"`
	}
	oaCall(t, cm, "GET", cyc+"/results", nil, nil, 200, &own)
	for _, r := range own.Rows {
		if r.SubjectKind != "person" || r.SubjectID != self {
			t.Errorf("cm02 sees the result of %s %d", r.SubjectKind, r.SubjectID)
		}
	}

	// One subject's result: with the raters for the marketing department,
	// without them for the subject, not at all for a peer.
	result := fmt.Sprintf("%s/results/person/%d", cyc, subject)
	var detail struct {
		Raters bool `json:"raters"`
		Detail struct {
			Result struct {
				Groups []struct {
					Raters []json.RawMessage `json:"raters"`
				} `json:"groups"`
			} `json:"result"`
		} `json:"detail"`
	}
	oaCall(t, mkt, "GET", result, nil, nil, 200, &detail)
	if !detail.Raters || len(detail.Detail.Result.Groups) == 0 {
		t.Errorf("the marketing department's view of the result: %+v", detail)
	}
	subjectUser := userOf[subject]
	if subjectUser == "" {
		t.Fatalf("no user for subject %d", subject)
	}
	body := oaCall(t, h.login(t, subjectUser), "GET", result, nil, nil, 200, &detail)
	if detail.Raters || bytes.Contains(body, []byte(`"raters":[`)) || bytes.Contains(body, []byte(`"pending"`)) {
		t.Errorf("the subject sees the raters: %s", oaClip(body, 800))
	}
	oaCall(t, cm, "GET", result, nil, nil, 404, nil)
	oaCall(t, mkt, "GET", fmt.Sprintf("%s/results/team/%d", cyc, team), nil, nil, 200, nil)
	oaCall(t, mkt, "GET", fmt.Sprintf("%s/results/planet/%d", cyc, subject), nil, nil, 404, nil)
	oaCall(t, mkt, "GET", cyc+"/results/person/999999", nil, nil, 404, nil)

	// Exports: the results list and the paper forms open and name the subject.
	name := sheet.SubjectName
	for _, path := range []string{cyc + "/results/export.xlsx", cyc + "/forms.xlsx", cyc + "/forms.xlsx?scheme=sales_cm_quarterly"} {
		b := oaCall(t, mkt, "GET", path, nil, nil, 200, nil)
		if text := oaXLSXText(t, b); !strings.Contains(text, name) {
			t.Errorf("%s does not name %s", path, name)
		}
	}
	// cm02 sees only their own line.
	b := oaCall(t, cm, "GET", cyc+"/results/export.xlsx", nil, nil, 200, nil)
	if text := oaXLSXText(t, b); strings.Contains(text, name) {
		t.Errorf("cm02's export names %s", name)
	}
	oaCall(t, mkt, "GET", cyc+"/results/export.xlsx?unitId=x", nil, nil, 400, nil)
	oaCall(t, mkt, "GET", "/api/assess/cycles/999999/forms.xlsx", nil, nil, 404, nil)
	oaCall(t, h.login(t, "finance"), "GET", cyc+"/results/export.xlsx", nil, nil, 403, nil)

	// Closing: final; no scoring, reopening or recomputing afterwards.
	transition(mkt, 200, map[string]any{"action": "close", "version": c.Version})
	if c.State != "closed" {
		t.Errorf("after close: %+v", c)
	}
	transition(mkt, 409, map[string]any{"action": "resume"})
	oaCall(t, cm, "PUT", sheetPath(other), map[string]any{"points": map[string]any{}}, nil, 409, nil) // cycle_closed
	oaCall(t, mkt, "POST", reopen, map[string]any{"reason": "关闭后 after closing"}, nil, 409, nil)
	oaCall(t, mkt, "POST", cyc+"/compute", nil, nil, 409, nil)
	oaCall(t, mkt, "GET", cyc, nil, nil, 200, nil)

	// Closing proposed outcomes (a star CM per team with a composite).
	var outcomes struct {
		Items []struct {
			ID      int64  `json:"id"`
			Kind    string `json:"kind"`
			Version int    `json:"version"`
		} `json:"items"`
	}
	oaCall(t, mkt, "GET", fmt.Sprintf("/api/assess/outcomes?cycle=%d&state=proposed", c.ID), nil, nil, 200, &outcomes)
	oaCall(t, mkt, "GET", "/api/assess/outcomes?state=maybe", nil, nil, 400, nil)
	oaCall(t, cm, "GET", "/api/assess/outcomes", nil, nil, 403, nil)
	if len(outcomes.Items) == 0 {
		t.Fatal("closing proposed no outcome")
	}
	o := outcomes.Items[0]
	decide := fmt.Sprintf("/api/assess/outcomes/%d/decide", o.ID)
	oaCall(t, mkt, "POST", decide, map[string]any{"decision": "override"}, nil, 400, nil)
	oaCall(t, cm, "POST", decide, map[string]any{"decision": "confirm"}, nil, 403, nil)
	oaCall(t, mkt, "POST", decide, map[string]any{"decision": "confirm", "reason": "表彰 award", "version": o.Version}, nil, 200, nil)
	oaCall(t, mkt, "POST", decide, map[string]any{"decision": "confirm"}, nil, 409, nil)
	oaCall(t, mkt, "POST", "/api/assess/outcomes/999999/decide", map[string]any{"decision": "confirm"}, nil, 404, nil)
	oaCall(t, mkt, "GET", "/api/assess/outcomes?state=confirmed", nil, nil, 200, nil)
}

// TestOpenAPIAssessSchemasCatchMistakes makes sure the assessment schemas
// refuse what must never be answered: the raters of a result shown to
// anyone but the marketing department, a composite on a held result, a
// derivation in a list, points on an untouched sheet, more than two
// decimals on a score.
func TestOpenAPIAssessSchemasCatchMistakes(t *testing.T) {
	jsonHeader := http.Header{"Content-Type": {"application/json; charset=utf-8"}}
	cycle := `{"id":1,"period":"2026-Q3","kind":"quarter","asOf":"2026-09-30","state":"review","ruleVersion":2,"gaps":[],"subjects":39,` +
		`"sheets":423,"note":"","openedBy":"mktdir","openedAt":"2026-11-22T09:00:00Z","computedAt":"2026-11-22T09:00:00Z",` +
		`"updatedAt":"2026-11-22T09:00:00Z","version":6}`
	row := `{"subjectKind":"person","subjectId":12,"composite":79.1,"held":false,"rankTeam":1,"rankRegion":1,"rankBranch":1,"cycleId":1,` +
		`"period":"2026-Q3","scheme":"sales_cm_quarterly","name":"n","empNo":"XZ0012","unitId":11,"position":"sales_cm"}`
	group := `{"key":"rm","nameZh":"z","nameEn":"e","weight":6000,"effectiveWeight":"3/5","effectiveBp":6000,"raters":null,"count":1,` +
		`"sum":79.1,"meanExact":"791/10","mean":79.1,"missing":false}`
	withRaters := strings.Replace(group, `"raters":null`, `"raters":[{"rater":9,"total":79.1}]`, 1)
	detail := func(raters bool, group, row string) string {
		return fmt.Sprintf(`{"cycle":%s,"result":%s,"detail":{"period":"2026-Q3","ruleVersion":2,"schemeZh":"z","schemeEn":"e",`+
			`"result":{"scheme":"sales_cm_quarterly","schemeVersion":1,"template":"cm_form","templateVersion":2,"policy":"renormalise",`+
			`"groups":[%s],"held":false,"composite":79.1,"compositeExact":"791/10"},"items":[{"key":"execution","nameZh":"z","nameEn":"e",`+
			`"max":5,"computed":false,"byGroup":{"rm":"4.30"},"score":4.3}]},"history":[%s],"raters":%v}`, cycle, row, group, row, raters)
	}
	sheet := `{"id":5,"cycleId":1,"subjectKind":"person","subjectId":12,"group":"peers","raterId":13,"state":"draft","points":{"execution":4.5},` +
		`"ratedTotal":4.5,"remark":"","reopened":0,"savedAt":"2026-11-22T09:00:00Z","submittedAt":null,"version":2,"subjectName":"n",` +
		`"subjectEmpNo":"XZ0012","raterName":"r","scheme":"sales_cm_quarterly","unitId":11}`
	result := "/api/assess/cycles/1/results/person/12"
	cases := []struct {
		name, method, path, body string
		fails                    bool
	}{
		{"the subject's view", "GET", result, detail(false, group, row), false},
		{"the marketing department's view", "GET", result, detail(true, withRaters, row), false},
		{"raters shown to the subject", "GET", result, detail(false, withRaters, row), true},
		{"pending raters shown to the subject", "GET", result, detail(false, strings.Replace(group, `"count"`, `"pending":[4],"count"`, 1), row), true},
		{"a score with three decimals", "GET", result, detail(true, withRaters, strings.Replace(row, "79.1", "79.125", 1)), true},
		{"a held result with a composite", "GET", result, detail(true, withRaters, strings.Replace(row, `"held":false`, `"held":true`, 1)), true},
		{"a team with an employee number", "GET", result, detail(true, withRaters, strings.Replace(row, `"subjectKind":"person"`, `"subjectKind":"team"`, 1)), true},
		{"a derivation in the results list", "GET", "/api/assess/cycles/1/results", `{"cycle":` + cycle + `,"rows":[` +
			strings.Replace(row, `"cycleId"`, `"detail":{},"cycleId"`, 1) + `],"total":1}`, true},
		{"a draft sheet", "PUT", "/api/assess/sheets/5", sheet, false},
		{"points with two decimals", "PUT", "/api/assess/sheets/5", strings.Replace(sheet, `{"execution":4.5}`, `{"execution":4.55}`, 1), true},
		{"an untouched sheet with points", "PUT", "/api/assess/sheets/5", strings.Replace(sheet, `"state":"draft"`, `"state":"pending"`, 1), true},
		{"a submitted sheet without its time", "PUT", "/api/assess/sheets/5", strings.Replace(sheet, `"state":"draft"`, `"state":"submitted"`, 1), true},
		{"an unknown cycle state", "GET", "/api/assess/cycles/1", strings.Replace(cycle, `"review"`, `"done"`, 1), true},
		{"a reviewed cycle never computed", "GET", "/api/assess/cycles/1", strings.Replace(cycle, `"computedAt":"2026-11-22T09:00:00Z"`, `"computedAt":null`, 1), true},
	}
	o, err := loadOpenAPI()
	if err != nil {
		t.Fatal(err)
	}
	var madeUp []string
	for _, c := range cases {
		op := o.find(c.method, c.path)
		if op == nil {
			t.Fatalf("%s %s is not documented", c.method, c.path)
		}
		key := strings.ToUpper(op.method) + " " + op.path + " 200"
		if _, seen := oaSeen.Load(key); !seen {
			madeUp = append(madeUp, key)
		}
		r := &oaRecorder{TB: t}
		checkResponse(r, c.method, c.path, 200, jsonHeader, []byte(c.body))
		if failed := len(r.errs) > 0; failed != c.fails {
			t.Errorf("%s: checkResponse failed=%v, want %v; errors: %v", c.name, failed, c.fails, r.errs)
		}
	}
	// Made-up answers do not count as real ones for
	// TestOpenAPIEveryOperationAgainstRealResponses.
	for _, k := range madeUp {
		oaSeen.Delete(k)
	}
}
