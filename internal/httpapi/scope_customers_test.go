package httpapi_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"testing"

	"github.com/xuri/excelize/v2"
)

// demoCustomer is a customer as the administrator sees it.
type demoCustomer struct {
	id       int64
	branch   int64
	idNumber string
	owners   []int64 // people holding it today
	everyone []int64 // everyone who ever held it (its history names them)
}

func loadCustomers(t *testing.T, admin *client) []demoCustomer {
	t.Helper()
	st, b := admin.do(t, "GET", "/api/customers?pageSize=500", nil)
	if st != 200 {
		t.Fatalf("customers: %d %s", st, b)
	}
	var list struct{ Items []struct{ ID int64 } }
	decodeJSON(t, b, &list)
	var out []demoCustomer
	for _, it := range list.Items {
		_, b := admin.do(t, "GET", fmt.Sprintf("/api/customers/%d", it.ID), nil)
		var d struct {
			ID           int64
			BranchID     int64
			IDNumber     string
			Attributions []struct {
				PersonID int64
				ValidTo  *string
			}
		}
		decodeJSON(t, b, &d)
		c := demoCustomer{id: d.ID, branch: d.BranchID, idNumber: d.IDNumber}
		for _, a := range d.Attributions {
			if a.ValidTo == nil {
				c.owners = append(c.owners, a.PersonID)
			}
			c.everyone = append(c.everyone, a.PersonID)
		}
		out = append(out, c)
	}
	if len(out) != 90 {
		t.Fatalf("demo has %d customers, want 90", len(out))
	}
	return out
}

// customerVisible is the rule of docs/decisions/0009, written from the
// organisation: the whole institution, the customer's branch in the
// user's subtree, or a manager holding it whom the user may see.
func (w *world) customerVisible(username string, c demoCustomer, people map[int64]bool) bool {
	level := matrixUsers[username]
	if level == "institution" {
		return true
	}
	if level != "self" {
		if root := w.nearest(w.unitOf[w.personOf[username]], level); root != 0 && w.under(c.branch, root) {
			return true
		}
	}
	return slices.ContainsFunc(c.owners, func(p int64) bool { return people[p] })
}

// checkCustomerScopes proves for every demo role that customer lists,
// details, exports and forms show exactly the customers in scope, that
// out-of-scope customers answer 404 to reads and writes, and that the
// duplicate check names an owner without revealing the customer.
func checkCustomerScopes(t *testing.T, h *harness, admin *client, w *world, mark func(method, path string)) {
	customers := loadCustomers(t, admin)
	for _, r := range []string{"GET /api/customers", "GET /api/customers/export.xlsx", "GET /api/customers/{id}", "GET /api/customer-forms",
		"POST /api/customers/duplicates", "PATCH /api/customers/{id}", "POST /api/customers/{id}/attribution", "POST /api/customers/transfers",
		"POST /api/customer-forms/archive"} {
		m, p, _ := cut(r)
		mark(m, p)
	}
	for username := range matrixUsers {
		t.Run("customers/"+username, func(t *testing.T) {
			c := h.login(t, username)
			people := w.visible(username, w.unitOf)
			want := map[int64]bool{}
			allowedEmp := map[string]bool{}
			for p := range people {
				allowedEmp[w.empNo[p]] = true
			}
			for _, cu := range customers {
				if w.customerVisible(username, cu, people) {
					want[cu.id] = true
					for _, o := range cu.everyone { // its managers, past and present, may be named
						allowedEmp[w.empNo[o]] = true
					}
				}
			}
			noLeak := func(what string, b []byte) {
				t.Helper()
				var doc any
				if err := json.Unmarshal(b, &doc); err != nil {
					t.Fatalf("%s: %v", what, err)
				}
				emp, ids := map[string]bool{}, map[int64]bool{}
				collectPeople(doc, emp, ids)
				for no := range emp {
					if !allowedEmp[no] {
						t.Errorf("%s leaks employee %s", what, no)
					}
				}
			}
			st, b := c.do(t, "GET", "/api/customers?pageSize=500", nil)
			if st == 403 {
				return
			}
			var list struct {
				Items []struct{ ID int64 }
				Total int
			}
			decodeJSON(t, b, &list)
			if list.Total != len(want) || len(list.Items) != len(want) {
				t.Errorf("customer list: %d (total %d), want %d", len(list.Items), list.Total, len(want))
			}
			for _, it := range list.Items {
				if !want[it.ID] {
					t.Errorf("customer list includes %d", it.ID)
				}
			}
			noLeak("customer list", b)
			for _, cu := range customers {
				st, b := c.do(t, "GET", fmt.Sprintf("/api/customers/%d", cu.id), nil)
				if (st == http.StatusOK) != want[cu.id] || (st != 200 && st != 404) {
					t.Errorf("GET customer %d: %d, visible=%v", cu.id, st, want[cu.id])
				}
				if st == 200 {
					noLeak("customer detail", b)
					continue
				}
				if bytes.Contains(b, []byte(cu.idNumber[len(cu.idNumber)-4:])) {
					t.Errorf("404 for customer %d mentions its ID number", cu.id)
				}
				// Writes to it are refused and name nothing.
				if st, _ := c.do(t, "PATCH", fmt.Sprintf("/api/customers/%d", cu.id), map[string]any{"name": "篡改"}); st != 404 && st != 403 {
					t.Errorf("PATCH out-of-scope customer %d: %d", cu.id, st)
				}
				if st, _ := c.do(t, "POST", fmt.Sprintf("/api/customers/%d/attribution", cu.id), map[string]any{
					"effectiveFrom": "2026-11-20", "reason": "x", "managers": []map[string]any{{"personId": w.personOf[username], "role": "primary", "shareBp": 10000}}}); st != 404 && st != 403 && st != 400 {
					t.Errorf("attribute out-of-scope customer %d: %d", cu.id, st)
				}
				// The duplicate check names the owner but not the customer.
				st, b = c.do(t, "POST", "/api/customers/duplicates", map[string]string{"idNumber": cu.idNumber})
				if st != 200 {
					t.Errorf("duplicate check: %d %s", st, b)
					continue
				}
				var dup struct {
					Items []struct {
						CustomerID int64 `json:"customerId"`
						Owners     []struct{ EmpNo string }
					}
				}
				decodeJSON(t, b, &dup)
				if len(dup.Items) != 1 || dup.Items[0].CustomerID != 0 || len(dup.Items[0].Owners) == 0 {
					t.Errorf("duplicate check of an out-of-scope customer: %s", b)
				}
			}
			// Export: exactly the customers in scope.
			if st, x := c.do(t, "GET", "/api/customers/export.xlsx", nil); st == 200 {
				f, err := excelize.OpenReader(bytes.NewReader(x))
				if err != nil {
					t.Fatal(err)
				}
				rows, _ := f.GetRows(f.GetSheetName(0))
				if len(rows)-1 != len(want) {
					t.Errorf("customer export: %d rows, want %d", len(rows)-1, len(want))
				}
			} else if st != 403 {
				t.Errorf("customer export: %d", st)
			}
			// Forms of the demo month: only those of customers in scope.
			st, b = c.do(t, "GET", fmt.Sprintf("/api/customer-forms?branchId=%d&month=2026-01&pageSize=500", customers[0].branch), nil)
			if st == 200 {
				var forms struct {
					Items []struct {
						CustomerID int64
						PersonID   int64
						EmpNo      string
					}
				}
				decodeJSON(t, b, &forms)
				for _, f := range forms.Items {
					// A manager keeps seeing the forms they signed, even for customers handed over since.
					if !want[f.CustomerID] && f.PersonID != w.personOf[username] {
						t.Errorf("forms list shows customer %d", f.CustomerID)
					}
					if !allowedEmp[f.EmpNo] && f.PersonID != w.personOf[username] {
						t.Errorf("forms list names %s", f.EmpNo)
					}
				}
			} else if st != 404 && st != 403 {
				t.Errorf("forms: %d %s", st, b)
			}
		})
	}
}

func cut(route string) (method, path string, ok bool) {
	for i := 0; i < len(route); i++ {
		if route[i] == ' ' {
			return route[:i], route[i+1:], true
		}
	}
	return route, "", false
}
