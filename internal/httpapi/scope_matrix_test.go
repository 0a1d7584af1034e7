package httpapi_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"cmhub/internal/store/storetest"
)

// world is the demo organisation as the administrator sees it, indexed so
// the test can work out — independently of the server's scope SQL — whom
// each user must and must not see.
type world struct {
	parent   map[int64]int64
	kind     map[int64]string
	unitOf   map[int64]int64  // person → unit today
	empNo    map[int64]string // person → employee number
	personOf map[string]int64 // username → person (0 for admin)
	userIDs  map[string]int64 // username → user id
	units    []int64
	persons  []int64
	// unitOn is each person's unit on pastDate, for as-of lists.
	unitOn map[int64]int64
}

// pastDate is before the demo's move of cm15 from region 1 to region 2.
const pastDate = "2026-03-31"

func loadWorld(t *testing.T, admin *client) *world {
	w := &world{parent: map[int64]int64{}, kind: map[int64]string{}, unitOf: map[int64]int64{}, empNo: map[int64]string{},
		personOf: map[string]int64{}, userIDs: map[string]int64{}}
	var units struct {
		Items []struct {
			ID, ParentID int64
			Kind         string
		}
	}
	st, b := admin.do(t, "GET", "/api/org/units", nil)
	if st != 200 {
		t.Fatalf("units: %d %s", st, b)
	}
	decodeJSON(t, b, &units)
	for _, u := range units.Items {
		w.parent[u.ID], w.kind[u.ID] = u.ParentID, u.Kind
		w.units = append(w.units, u.ID)
	}
	var ppl struct {
		Items []struct {
			ID     int64
			EmpNo  string
			UnitID int64
		}
		Total int
	}
	st, b = admin.do(t, "GET", "/api/people?pageSize=500", nil)
	if st != 200 {
		t.Fatalf("people: %d %s", st, b)
	}
	decodeJSON(t, b, &ppl)
	for _, p := range ppl.Items {
		w.unitOf[p.ID], w.empNo[p.ID] = p.UnitID, p.EmpNo
		w.persons = append(w.persons, p.ID)
	}
	var users struct {
		Items []struct {
			ID       int64
			Username string
			PersonID int64
		}
	}
	st, b = admin.do(t, "GET", "/api/users?pageSize=500", nil)
	if st != 200 {
		t.Fatalf("users: %d %s", st, b)
	}
	decodeJSON(t, b, &users)
	for _, u := range users.Items {
		w.personOf[u.Username], w.userIDs[u.Username] = u.PersonID, u.ID
	}
	w.unitOn = map[int64]int64{}
	st, b = admin.do(t, "GET", "/api/people?pageSize=500&asOf="+pastDate, nil)
	if st != 200 {
		t.Fatalf("people as of %s: %d %s", pastDate, st, b)
	}
	ppl.Items = nil
	decodeJSON(t, b, &ppl)
	for _, p := range ppl.Items {
		w.unitOn[p.ID] = p.UnitID
	}
	if len(w.persons) != 50 || len(w.userIDs) != 51 {
		t.Fatalf("demo has %d people and %d users, want 50 and 51", len(w.persons), len(w.userIDs))
	}
	return w
}

func (w *world) nearest(unit int64, kind string) int64 {
	for u := unit; u != 0; u = w.parent[u] {
		if w.kind[u] == kind {
			return u
		}
	}
	return 0
}

func (w *world) under(unit, root int64) bool {
	for u := unit; u != 0; u = w.parent[u] {
		if u == root {
			return true
		}
	}
	return false
}

// expected data scope of each demo user, written from the role table in
// presets/base.json, not from the server's code.
var matrixUsers = map[string]string{
	"admin": "institution", "gm": "branch", "deputy": "branch", "mktdir": "branch", "mkt1": "branch",
	"finance": "branch", "archivist": "branch", "rm1": "region", "rma2": "region", "tl11": "team",
	"tl32": "team", "cm01": "group", "cm02": "self", "cm15": "self", "cm30": "self",
}

// visible returns the set of people a user must see in lists as of a
// date whose units are given by unitOf: those whose unit then lies under
// the unit the user's role reaches today (see docs/decisions/0003).
func (w *world) visible(username string, unitOf map[int64]int64) map[int64]bool {
	level := matrixUsers[username]
	me := w.personOf[username]
	out := map[int64]bool{}
	var root int64
	if level != "institution" && level != "self" {
		root = w.nearest(w.unitOf[me], level)
	}
	for p, u := range unitOf {
		switch {
		case level == "institution", p == me:
			out[p] = true
		case root != 0 && w.under(u, root):
			out[p] = true
		}
	}
	return out
}

// collectPeople walks any JSON document and returns every employee number
// and person id it mentions.
func collectPeople(v any, emp map[string]bool, ids map[int64]bool) {
	switch x := v.(type) {
	case map[string]any:
		for k, val := range x {
			switch k {
			case "empNo":
				if s, ok := val.(string); ok && s != "" {
					emp[s] = true
				}
			case "personId":
				if f, ok := val.(float64); ok && f != 0 {
					ids[int64(f)] = true
				}
			}
			collectPeople(val, emp, ids)
		}
	case []any:
		for _, e := range x {
			collectPeople(e, emp, ids)
		}
	}
}

// TestDataScopeMatrix calls every API route as a user of each demo role and
// proves that nobody outside the user's scope is returned by any list,
// detail or export, that out-of-scope objects answer 404, and that writes
// to them change nothing.
func TestDataScopeMatrix(t *testing.T) {
	for _, e := range storetest.Engines() {
		t.Run(string(e), func(t *testing.T) {
			h := newHarness(t, e)
			admin := h.login(t, "admin")
			w := loadWorld(t, admin)
			covered := map[string]bool{}
			mark := func(method, path string) { covered[method+" "+path] = true }
			users := make([]string, 0, len(matrixUsers))
			for u := range matrixUsers {
				users = append(users, u)
			}
			slices.Sort(users)
			for _, username := range users {
				t.Run(username, func(t *testing.T) {
					c := h.login(t, username)
					var checkIn func(route string, b []byte, vis map[int64]bool, visEmp map[string]bool)
					vis := w.visible(username, w.unitOf)
					visEmp := map[string]bool{}
					for p := range vis {
						visEmp[w.empNo[p]] = true
					}
					past := w.visible(username, w.unitOn)
					pastEmp := map[string]bool{}
					for p := range past {
						pastEmp[w.empNo[p]] = true
					}
					checkJSON := func(route string, b []byte) {
						t.Helper()
						checkIn(route, b, vis, visEmp)
					}
					checkIn = func(route string, b []byte, vis map[int64]bool, visEmp map[string]bool) {
						t.Helper()
						var doc any
						if err := json.Unmarshal(b, &doc); err != nil {
							t.Fatalf("%s: %v", route, err)
						}
						emp, ids := map[string]bool{}, map[int64]bool{}
						collectPeople(doc, emp, ids)
						for no := range emp {
							if !visEmp[no] {
								t.Errorf("%s leaks employee %s to %s", route, no, username)
							}
						}
						for id := range ids {
							if !vis[id] {
								t.Errorf("%s leaks person id %d to %s", route, id, username)
							}
						}
					}
					// As-of lists follow the organisation on that date.
					if st, b := c.do(t, "GET", "/api/people?pageSize=500&asOf="+pastDate, nil); st == 200 {
						checkIn("people as of "+pastDate, b, past, pastEmp)
					}
					// Lists: every GET route without path parameters.
					for _, path := range []string{"/api/me", "/api/dicts", "/api/org/units", "/api/people?pageSize=500",
						"/api/people?q=XZ&pageSize=500", "/api/periods",
						"/api/audit?pageSize=500", "/api/roles", "/api/users?pageSize=500", "/api/me/tokens", "/api/openapi.json",
						"/api/targets/tree?period=2026-11&metric=new_accounts", "/api/target-rules",
						"/api/stats/monthly?month=2026-11&level=manager", "/api/stats/trend?from=2026-10&to=2026-11&level=manager&metric=new_accounts&limit=100",
						"/api/records?month=2026-11&pageSize=500", "/api/record-imports", "/api/record-types"} {
						route := strings.SplitN(path, "?", 2)[0]
						mark("GET", route)
						st, b := c.do(t, "GET", path, nil)
						switch st {
						case 200:
							checkJSON(path, b)
						case 403:
						default:
							t.Errorf("GET %s: %d %s", path, st, b)
						}
					}
					// The people list shows exactly the scope, no more and no fewer.
					st, b := c.do(t, "GET", "/api/people?pageSize=500", nil)
					if st == 200 {
						var got struct {
							Items []struct{ ID int64 }
							Total int
						}
						decodeJSON(t, b, &got)
						if got.Total != len(vis) || len(got.Items) != len(vis) {
							t.Errorf("people list: %d (total %d), want %d", len(got.Items), got.Total, len(vis))
						}
						for _, it := range got.Items {
							if !vis[it.ID] {
								t.Errorf("people list includes %d", it.ID)
							}
						}
					}
					// Export.
					mark("GET", "/api/people/export.xlsx")
					st, b = c.do(t, "GET", "/api/people/export.xlsx", nil)
					switch st {
					case 200:
						f, err := excelize.OpenReader(bytes.NewReader(b))
						if err != nil {
							t.Fatalf("export: %v", err)
						}
						rows, err := f.GetRows(f.GetSheetName(0))
						if err != nil {
							t.Fatal(err)
						}
						if len(rows)-1 != len(vis) {
							t.Errorf("export has %d people, want %d", len(rows)-1, len(vis))
						}
						for _, r := range rows[1:] {
							if !visEmp[r[0]] {
								t.Errorf("export leaks %s", r[0])
							}
						}
					case 403:
					default:
						t.Errorf("export: %d", st)
					}
					// The statistics export names managers by employee number.
					mark("GET", "/api/stats/monthly/export.xlsx")
					switch st, b := c.do(t, "GET", "/api/stats/monthly/export.xlsx?month=2026-11&level=manager", nil); st {
					case 200:
						f, err := excelize.OpenReader(bytes.NewReader(b))
						if err != nil {
							t.Fatalf("stats export: %v", err)
						}
						rows, err := f.GetRows(f.GetSheetName(0))
						if err != nil {
							t.Fatal(err)
						}
						for _, r := range rows[1:] {
							if len(r) < 3 || !visEmp[r[2]] {
								t.Errorf("stats export leaks %v", r[:min(3, len(r))])
							}
						}
					case 403:
					default:
						t.Errorf("stats export: %d", st)
					}
					// Details of every person: 200 exactly when in scope.
					mark("GET", "/api/people/{id}")
					for _, p := range w.persons {
						st, b := c.do(t, "GET", fmt.Sprintf("/api/people/%d", p), nil)
						want := http.StatusNotFound
						if vis[p] {
							want = http.StatusOK
						}
						if st == http.StatusForbidden {
							continue
						}
						if st != want {
							t.Errorf("GET person %d: %d, want %d", p, st, want)
						}
						if st == 200 {
							checkJSON("person detail", b)
						} else if bytes.Contains(b, []byte(w.empNo[p])) {
							t.Errorf("404 body mentions the hidden person")
						}
					}
					// Unit details (channels list stationed people).
					mark("GET", "/api/org/units/{id}")
					for _, u := range w.units {
						st, b := c.do(t, "GET", fmt.Sprintf("/api/org/units/%d", u), nil)
						if st == 200 {
							checkJSON("unit detail", b)
						} else if st != 404 && st != 403 {
							t.Errorf("GET unit %d: %d", u, st)
						}
					}
					// Writes to people outside scope answer 404 (or 403 without the right) and change nothing.
					mark("PATCH", "/api/people/{id}")
					mark("POST", "/api/people/{id}/moves")
					mark("PATCH", "/api/users/{id}")
					for _, p := range w.persons {
						if vis[p] {
							continue
						}
						st, _ := c.do(t, "PATCH", fmt.Sprintf("/api/people/%d", p), map[string]any{"name": "篡改"})
						if st != 404 && st != 403 {
							t.Errorf("PATCH out-of-scope person %d: %d", p, st)
						}
						st, _ = c.do(t, "POST", fmt.Sprintf("/api/people/%d/moves", p), map[string]any{"effectiveFrom": "2026-11-01", "status": "terminated", "reason": "x"})
						if st != 404 && st != 403 {
							t.Errorf("move out-of-scope person %d: %d", p, st)
						}
					}
					for other, uid := range w.userIDs {
						pid := w.personOf[other]
						if (pid != 0 && vis[pid]) || matrixUsers[username] == "institution" {
							continue
						}
						st, _ := c.do(t, "PATCH", fmt.Sprintf("/api/users/%d", uid), map[string]any{"disabled": true})
						if st != 404 && st != 403 {
							t.Errorf("PATCH out-of-scope user %s: %d", other, st)
						}
					}
				})
			}
			checkCustomerScopes(t, h, admin, w, mark)
			checkAssessScopes(t, h, admin, w, mark)
			checkAttendanceScopes(t, h, w, mark)
			checkPayScopes(t, h, w, mark)
			// Nothing was changed by the refused writes.
			var ppl struct {
				Items []struct {
					ID     int64
					Name   string
					Status string
				}
			}
			_, b := admin.do(t, "GET", "/api/people?pageSize=500", nil)
			decodeJSON(t, b, &ppl)
			for _, p := range ppl.Items {
				if p.Name == "篡改" || p.Status == "terminated" {
					t.Errorf("person %d was changed by an out-of-scope write", p.ID)
				}
			}
			_, b = admin.do(t, "GET", "/api/users?pageSize=500", nil)
			if bytes.Contains(b, []byte(`"disabled":true`)) {
				t.Errorf("a user was disabled by an out-of-scope write")
			}
			// Routes that return no people's data, or are exercised by the
			// scenario tests, are named here so that a new route cannot be
			// added without deciding where it is covered.
			for _, r := range []string{"POST /api/auth/login", "POST /api/auth/logout", "POST /api/auth/logout-all", "PUT /api/me/password",
				"POST /api/me/tokens", "DELETE /api/me/tokens/{id}", "POST /api/org/units", "PATCH /api/org/units/{id}",
				"POST /api/org/units/{id}/move", "POST /api/org/units/{id}/stations", "POST /api/people", "GET /api/import/{kind}/template", "POST /api/import/{kind}",
				"GET /api/import-reports/{id}", "POST /api/periods/{key}/close", "POST /api/periods/{key}/reopen", "POST /api/users",
				// The metric catalogue holds no people or customers.
				"GET /api/metrics", "GET /api/metrics/{key}", "POST /api/metrics", "PUT /api/metrics/{key}", "POST /api/metrics/{key}/deactivate",
				"GET /api/customers/options", "POST /api/customers",
				// Target writes: TestTargetsAPI refuses them outside scope.
				"PUT /api/targets", "POST /api/targets/decompose", "DELETE /api/targets", "PUT /api/target-rules/{metric}",
				// Imports run on the whole institution's customers; a job is seen only by
				// its starter (TestRecordImportAPI).
				"POST /api/record-imports", "GET /api/jobs/{id}"} {
				covered[r] = true
			}
			for _, r := range h.api.Routes() {
				if !covered[r.Method+" "+r.Path] {
					t.Errorf("route %s %s is not in the data-scope matrix", r.Method, r.Path)
				}
			}
		})
	}
}
