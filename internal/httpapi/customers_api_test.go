package httpapi_test

import (
	"bytes"
	"fmt"
	"strings"
	"testing"

	"cmhub/internal/customer"
)

func residentID(prefix string) string { // prefix: 17 digits
	return prefix + string(customer.ResidentIDCheckChar(prefix))
}

func TestCustomerImportAndDuplicates(t *testing.T) {
	eachEngine(t, func(t *testing.T, h *harness) {
		c := h.login(t, "mktdir")
		total := func() int {
			_, b := c.do(t, "GET", "/api/customers?pageSize=1", nil)
			var r struct{ Total int }
			decodeJSON(t, b, &r)
			return r.Total
		}
		before := total()
		header := "客户类型 Kind,客户名称 Name,证件类型 ID type,证件号码 ID number,联系电话 Phone,地址 Address,营业部编码 Branch code,建档日期 Customer since,主办客户经理工号 Primary manager,主办份额% Primary share %,协办客户经理工号 Assisting manager,协办份额% Assisting share %,归属生效日期 Attributed from"
		good := residentID("13050219800101001")
		bad := residentID("13050219800101002")
		bad = bad[:17] + map[bool]string{true: "0", false: "1"}[bad[17] != '0'] // wrong check digit
		st, b := c.upload(t, "/api/import/customers", "c.csv", csvBody(header,
			"个人,赵客户,居民身份证,"+good+",13912345678,邢台,,2026-11-02,XZ0013,70,XZ0012,30,2026-11-02",
			"个人,钱客户,居民身份证,"+bad+",13912345679,邢台,,2026-11-02,XZ0013,80,XZ0012,30,2026-11-02",
			"个人,孙客户,居民身份证,"+good+",13912345670,邢台,,2026-11-02,XZ9999,,,,2026-11-02"))
		if st != 422 {
			t.Fatalf("bad customer file: %d %s", st, b)
		}
		for _, want := range []string{`"row":3`, `"row":4`, "证件号码", "份额", "XZ9999"} {
			if !bytes.Contains(b, []byte(want)) {
				t.Errorf("errors lack %s: %s", want, b)
			}
		}
		if total() != before {
			t.Fatal("a rejected file created customers")
		}
		st, b = c.upload(t, "/api/import/customers", "c.csv", csvBody(header,
			"个人,赵客户,居民身份证,"+good+",13912345678,邢台,,2026-11-02,XZ0013,70,XZ0012,30,2026-11-02"))
		if st != 200 || !bytes.Contains(b, []byte(`"created":1`)) || total() != before+1 {
			t.Fatalf("good customer file: %d %s", st, b)
		}
		// rm2 may not open that customer (region 1), but learns who owns it.
		st, b = h.login(t, "rm2").do(t, "POST", "/api/customers/duplicates", map[string]string{"idNumber": good})
		if st != 200 || !bytes.Contains(b, []byte("XZ0013")) || bytes.Contains(b, []byte("customerId")) || bytes.Contains(b, []byte("赵客户")) {
			t.Fatalf("duplicate check across scopes: %d %s", st, b)
		}
		// Creating it again is refused, naming the field.
		st, b = c.do(t, "POST", "/api/customers", map[string]any{"kind": "person", "name": "重复", "idType": "resident_id", "idNumber": good,
			"managers": []map[string]any{{"personId": personID(t, c, "XZ0013"), "role": "primary", "shareBp": 10000}}})
		if st != 400 && st != 409 {
			t.Fatalf("duplicate create: %d %s", st, b)
		}
		if !strings.Contains(string(b), "idNumber") {
			t.Errorf("duplicate create does not name idNumber: %s", b)
		}
	})
}

func TestCustomerTransferInClosedPeriod(t *testing.T) {
	h := newHarness(t, "sqlite")
	c := h.login(t, "mktdir")
	if st, b := h.login(t, "finance").do(t, "POST", "/api/periods/2026-11/close", nil); st != 200 {
		t.Fatalf("close: %d %s", st, b)
	}
	from, to := personID(t, c, "XZ0013"), personID(t, c, "XZ0014")
	st, b := c.do(t, "POST", "/api/customers/transfers", map[string]any{"fromPersonId": from, "toPersonId": to, "effectiveFrom": "2026-11-20", "reason": "离职交接"})
	if st != 409 || !bytes.Contains(b, []byte("period_closed")) {
		t.Fatalf("transfer into a closed period: %d %s", st, b)
	}
	st, b = c.do(t, "POST", "/api/customers/transfers", map[string]any{"fromPersonId": from, "toPersonId": to, "effectiveFrom": "2026-12-01", "reason": "离职交接"})
	if st != 200 || !bytes.Contains(b, []byte(`"customers":3`)) {
		t.Fatalf("transfer: %d %s", st, b)
	}
	_, b = c.do(t, "GET", fmt.Sprintf("/api/customers?managerId=%d&asOf=2026-12-01&pageSize=50", to), nil)
	var r struct{ Total int }
	decodeJSON(t, b, &r)
	if r.Total < 6 {
		t.Fatalf("after transfer the receiver holds %d customers", r.Total)
	}
}

func TestMetricCatalogueAPI(t *testing.T) {
	eachEngine(t, func(t *testing.T, h *harness) {
		c := h.login(t, "mktdir")
		st, b := c.do(t, "GET", "/api/metrics", nil)
		if st != 200 || !bytes.Contains(b, []byte("new_valid_accounts")) {
			t.Fatalf("preset catalogue: %d %s", st, b)
		}
		st, b = c.do(t, "POST", "/api/metrics", map[string]any{"key": "bad_ratio", "nameZh": "错误比率", "unit": "percent", "formula": "new_accounts / no_such_metric"})
		if st != 400 || !bytes.Contains(b, []byte("no_such_metric")) || !bytes.Contains(b, []byte(`"formula"`)) {
			t.Fatalf("unknown identifier: %d %s", st, b)
		}
		st, b = c.do(t, "POST", "/api/metrics", map[string]any{"key": "accounts_per_visit", "nameZh": "每次走访开户", "unit": "percent", "formula": "new_accounts / visits_made"})
		if st != 201 {
			t.Fatalf("create formula metric: %d %s", st, b)
		}
		if st, _ := h.login(t, "rm1").do(t, "POST", "/api/metrics", map[string]any{"key": "x_y", "nameZh": "x", "unit": "count", "formula": "1"}); st != 403 {
			t.Fatalf("rm1 creates a metric: %d", st)
		}
		st, b = c.do(t, "POST", "/api/metrics/visits_made/deactivate", map[string]string{"reason": "不再统计"})
		if st != 409 || !bytes.Contains(b, []byte("accounts_per_visit")) {
			t.Fatalf("deactivating a metric a formula uses: %d %s", st, b)
		}
	})
}
