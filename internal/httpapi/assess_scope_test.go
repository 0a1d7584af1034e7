package httpapi_test

import (
	"bytes"
	"fmt"
	"testing"

	"github.com/xuri/excelize/v2"
)

// checkAssessScopes opens and scores a quarterly cycle, then proves for
// every matrix user that results, their details, exports, progress and
// sheets follow the data scope: lists hold only people in scope, details
// of others answer 404, the marketing department's views answer 403 to
// everyone else, and a rater sees and writes only their own sheets.
func checkAssessScopes(t *testing.T, h *harness, admin *client, w *world, mark func(method, path string)) {
	for _, r := range []string{"GET /api/assess/cycles/{id}/results", "GET /api/assess/cycles/{id}/results/{kind}/{subject}",
		"GET /api/assess/cycles/{id}/results/export.xlsx", "GET /api/assess/cycles/{id}/forms.xlsx",
		"GET /api/assess/cycles/{id}/progress", "GET /api/assess/cycles/{id}/outstanding/{rater}",
		"GET /api/assess/cycles/{id}/sheets/{kind}/{subject}", "GET /api/assess/my-sheets", "PUT /api/assess/sheets/{id}",
		"POST /api/assess/sheets/{id}/reopen", "GET /api/assess/cycles", "GET /api/assess/cycles/{id}", "GET /api/assess/rules",
		// Cycle administration holds no people's data; TestAssessmentCycle covers it.
		"POST /api/assess/cycles", "POST /api/assess/cycles/{id}/transition", "POST /api/assess/cycles/{id}/compute",
		"PUT /api/assess/templates/{key}",
		// Outcomes: TestAssessmentOutcomes and the OpenAPI scenario cover them; lists are scoped like results.
		"GET /api/assess/outcomes", "POST /api/assess/outcomes/{id}/decide",
		// Rules and task-review runs hold counts, not people; their outcomes are listed above.
		"PUT /api/assess/consequences", "GET /api/assess/task-reviews", "POST /api/assess/task-reviews",
		"GET /api/assess/exams", "PUT /api/assess/exams"} {
		m, p, _ := cut(r)
		mark(m, p)
	}
	var c struct {
		ID int64 `json:"id"`
	}
	if st, b := admin.do(t, "POST", "/api/assess/cycles", map[string]any{"period": "2026-Q3"}); st != 201 {
		t.Fatalf("open: %d %s", st, b)
	} else {
		decodeJSON(t, b, &c)
	}
	if st, b := admin.do(t, "POST", fmt.Sprintf("/api/assess/cycles/%d/transition", c.ID), map[string]any{"action": "start"}); st != 200 {
		t.Fatalf("start: %d %s", st, b)
	}
	type sheet struct {
		ID          int64  `json:"id"`
		RaterID     int64  `json:"raterId"`
		SubjectKind string `json:"subjectKind"`
		SubjectID   int64  `json:"subjectId"`
		State       string `json:"state"`
	}
	// Every rated item of the CM form, so sheets of sales CMs can be submitted.
	points := map[string]any{"duty_performance": 16, "professional_skill": 8, "execution": 8, "communication": 8,
		"service_awareness": 8, "work_efficiency": 8, "labour_discipline": 16}
	var someSheet sheet
	for username := range matrixUsers {
		cl := h.login(t, username)
		st, b := cl.do(t, "GET", "/api/assess/my-sheets", nil)
		if st != 200 {
			t.Fatalf("%s my sheets: %d %s", username, st, b)
		}
		var mine struct {
			Items []struct {
				Sheets []sheet `json:"sheets"`
			} `json:"items"`
		}
		decodeJSON(t, b, &mine)
		for _, m := range mine.Items {
			for _, s := range m.Sheets {
				if s.RaterID != w.personOf[username] {
					t.Errorf("%s is shown sheet %d of rater %d", username, s.ID, s.RaterID)
				}
				someSheet = s
			}
			// Submit the first sheet (CM subjects only) so that results exist.
			if len(m.Sheets) > 0 && username != "admin" {
				if st, b := cl.do(t, "PUT", fmt.Sprintf("/api/assess/sheets/%d", m.Sheets[0].ID), map[string]any{"points": points, "submit": true}); st != 200 && st != 400 {
					t.Errorf("%s submit: %d %s", username, st, b)
				}
			}
		}
	}
	if someSheet.ID == 0 {
		t.Fatal("no rater has a sheet")
	}
	if st, b := admin.do(t, "POST", fmt.Sprintf("/api/assess/cycles/%d/compute", c.ID), nil); st != 200 {
		t.Fatalf("compute: %d %s", st, b)
	}
	var subjects []struct {
		Kind string
		ID   int64
	}
	{
		_, b := admin.do(t, "GET", fmt.Sprintf("/api/assess/cycles/%d/results?pageSize=500", c.ID), nil)
		var all struct {
			Rows []struct {
				SubjectKind string `json:"subjectKind"`
				SubjectID   int64  `json:"subjectId"`
			} `json:"rows"`
		}
		decodeJSON(t, b, &all)
		for _, r := range all.Rows {
			subjects = append(subjects, struct {
				Kind string
				ID   int64
			}{r.SubjectKind, r.SubjectID})
		}
		if len(subjects) == 0 {
			t.Fatal("no results")
		}
	}
	// Exam scores for everyone, entered by the administrator.
	var examRows []map[string]any
	for _, p := range w.persons {
		examRows = append(examRows, map[string]any{"empNo": w.empNo[p], "exam": "星级考试", "score": "88"})
	}
	if st, b := admin.do(t, "PUT", "/api/assess/exams", map[string]any{"period": "2026-Q3", "rows": examRows}); st != 200 {
		t.Fatalf("exam scores: %d %s", st, b)
	}
	for username, level := range matrixUsers {
		t.Run("assess/"+username, func(t *testing.T) {
			cl := h.login(t, username)
			vis := w.visible(username, w.unitOf)
			visEmp := map[string]bool{}
			for p := range vis {
				visEmp[w.empNo[p]] = true
			}
			noLeak := func(what string, b []byte) {
				t.Helper()
				for _, no := range w.empNo {
					if !visEmp[no] && bytes.Contains(b, []byte(`"empNo":"`+no+`"`)) {
						t.Errorf("%s leaks employee %s to %s", what, no, username)
					}
				}
			}
			manage := username == "admin" || username == "mktdir" || username == "mkt1" // marketing staff hold assess:manage
			// Another rater's sheet is never writable.
			if someSheet.RaterID != w.personOf[username] {
				if st, _ := cl.do(t, "PUT", fmt.Sprintf("/api/assess/sheets/%d", someSheet.ID), map[string]any{"points": map[string]any{}}); st != 403 {
					t.Errorf("PUT someone else's sheet: %d", st)
				}
			}
			// The marketing department's views.
			for _, path := range []string{fmt.Sprintf("/api/assess/cycles/%d/progress", c.ID),
				fmt.Sprintf("/api/assess/cycles/%d/outstanding/%d", c.ID, someSheet.RaterID)} {
				st, b := cl.do(t, "GET", path, nil)
				switch {
				case manage && st == 200:
					noLeak(path, b)
				case !manage && st == 403:
				default:
					t.Errorf("GET %s: %d", path, st)
				}
			}
			// Exam scores: only the people in scope, to those who manage assessment.
			st, b := cl.do(t, "GET", "/api/assess/exams?period=2026-Q3", nil)
			switch {
			case manage && st == 200:
				noLeak("exam scores", b)
				var es struct {
					Total int `json:"total"`
				}
				decodeJSON(t, b, &es)
				if es.Total != len(vis) {
					t.Errorf("%s sees %d exam scores, %d people in scope", username, es.Total, len(vis))
				}
			case !manage && st == 403:
				if st, _ := cl.do(t, "PUT", "/api/assess/exams", map[string]any{"period": "2026-Q3", "rows": examRows[:1]}); st != 403 {
					t.Errorf("%s entered an exam score: %d", username, st)
				}
			default:
				t.Errorf("GET exams: %d %s", st, b)
			}
			st, b = cl.do(t, "GET", fmt.Sprintf("/api/assess/cycles/%d/results?pageSize=500", c.ID), nil)
			if st == 403 {
				if username != "finance" && username != "archivist" {
					t.Errorf("results refused to %s (%s)", username, level)
				}
				return
			}
			if st != 200 {
				t.Fatalf("results: %d %s", st, b)
			}
			noLeak("results", b)
			// Details: 200 exactly for people in scope (teams: by the team's place).
			for _, s := range subjects {
				if s.Kind != "person" {
					continue
				}
				st, b := cl.do(t, "GET", fmt.Sprintf("/api/assess/cycles/%d/results/person/%d", c.ID, s.ID), nil)
				want := 404
				if vis[s.ID] {
					want = 200
				}
				if st != want {
					t.Errorf("result of person %d: %d, want %d", s.ID, st, want)
				}
				if st == 200 {
					noLeak("result detail", b)
					if !manage && bytes.Contains(b, []byte(`"raters":[{`)) {
						t.Errorf("%s sees individual raters of %d", username, s.ID)
					}
				}
				sst, _ := cl.do(t, "GET", fmt.Sprintf("/api/assess/cycles/%d/sheets/person/%d", c.ID, s.ID), nil)
				if (manage && sst != 200) || (!manage && sst != 403) {
					t.Errorf("sheets of %d: %d", s.ID, sst)
				}
			}
			// Exports hold only people in scope.
			for _, path := range []string{fmt.Sprintf("/api/assess/cycles/%d/results/export.xlsx", c.ID), fmt.Sprintf("/api/assess/cycles/%d/forms.xlsx", c.ID)} {
				st, b := cl.do(t, "GET", path, nil)
				if st == 400 && !bytes.Contains(b, []byte("PK")) { // nothing in scope to export
					continue
				}
				if st != 200 {
					t.Errorf("%s: %d %s", path, st, b)
					continue
				}
				f, err := excelize.OpenReader(bytes.NewReader(b))
				if err != nil {
					t.Fatal(err)
				}
				for _, sh := range f.GetSheetList() {
					rows, _ := f.GetRows(sh)
					for _, r := range rows {
						for _, cell := range r {
							for p, no := range w.empNo {
								if !vis[p] && bytes.Contains([]byte(cell), []byte("（"+no+"）")) || !vis[p] && cell == no {
									t.Errorf("%s leaks %s", path, no)
								}
							}
						}
					}
				}
				_ = f.Close()
			}
		})
	}
}
