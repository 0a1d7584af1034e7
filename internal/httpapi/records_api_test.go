package httpapi_test

import (
	"bytes"
	"encoding/json"
	"mime/multipart"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"
	"golang.org/x/text/encoding/simplifiedchinese"
)

type jobAnswer struct {
	ID     string `json:"id"`
	Status string `json:"status"`
	Total  int64  `json:"total"`
	Done   int64  `json:"done"`
	Result *struct {
		Rows, Inserted, Replaced, Unchanged, Rejected int64
	} `json:"result"`
	Errors []struct {
		Row     int    `json:"row"`
		Column  string `json:"column"`
		Message string `json:"message"`
	} `json:"errors"`
	ErrorCount int64  `json:"errorCount"`
	ReportID   string `json:"reportId"`
	Message    string `json:"message"`
}

// importRecords uploads content for month and waits for the job to end.
func importRecords(t *testing.T, c *client, month, mode, name string, content []byte) (int, jobAnswer) {
	t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	_ = mw.WriteField("month", month)
	if mode != "" {
		_ = mw.WriteField("mode", mode)
	}
	fw, err := mw.CreateFormFile("file", name)
	if err != nil {
		t.Fatal(err)
	}
	_, _ = fw.Write(content)
	_ = mw.Close()
	req, err := http.NewRequest("POST", c.h.srv.URL+"/api/record-imports", &buf)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", mw.FormDataContentType())
	st, b := c.send(t, req)
	var j jobAnswer
	if st != 202 {
		return st, j
	}
	decodeJSON(t, b, &j)
	deadline := time.Now().Add(60 * time.Second)
	for j.Status == "running" || j.Status == "queued" {
		if time.Now().After(deadline) {
			t.Fatalf("job %s still %s", j.ID, j.Status)
		}
		time.Sleep(20 * time.Millisecond)
		st, b := c.do(t, "GET", "/api/jobs/"+j.ID, nil)
		if st != 200 {
			t.Fatalf("job: %d %s", st, b)
		}
		decodeJSON(t, b, &j)
	}
	return 202, j
}

func gbk(t *testing.T, s string) []byte {
	t.Helper()
	b, err := simplifiedchinese.GBK.NewEncoder().Bytes([]byte(s))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// recordCSV builds a CSV under the template's Chinese headers.
func recordCSV(rows ...[]string) string {
	var b strings.Builder
	b.WriteString("流水号,业务日期,客户证件号码,业务类型,金额（元）,数量,产品/合约代码,指定客户经理工号\n")
	for _, r := range rows {
		b.WriteString(strings.Join(r, ",") + "\n")
	}
	return b.String()
}

func TestRecordImportAPI(t *testing.T) {
	eachEngine(t, func(t *testing.T, h *harness) { oaExerciseRecords(t, h) })
}

// oaExerciseRecords imports business records over HTTP: a GBK CSV, the
// same file again, a rejected file with its error workbook, and the
// drill-down list; every answer is checked against the OpenAPI document.
func oaExerciseRecords(t *testing.T, h *harness) {
	admin := h.login(t, "admin") // the administrator sees ID numbers unmasked
	var cs struct {
		Items []struct {
			IDNumber string `json:"idNumber"`
		}
	}
	st, b := admin.do(t, "GET", "/api/customers?pageSize=3&sort=createdAt", nil)
	if st != 200 {
		t.Fatalf("customers: %d %s", st, b)
	}
	decodeJSON(t, b, &cs)
	if st, b := admin.do(t, "GET", "/api/record-types", nil); st != 200 || !bytes.Contains(b, []byte("futures_trade")) {
		t.Fatalf("record types: %d %s", st, b)
	}
	if st, _ := admin.do(t, "GET", "/api/import/records/template?format=xlsx", nil); st != 200 {
		t.Fatalf("template: %d", st)
	}
	if st, _ := admin.upload(t, "/api/import/records", "x.csv", []byte("a")); st != 404 {
		t.Errorf("records through the synchronous import: %d, want 404", st)
	}
	good := recordCSV(
		[]string{"API-1", "2026-04-02", cs.Items[0].IDNumber, "account_opened", "", "", "", ""},
		[]string{"API-2", "2026-04-03", cs.Items[1].IDNumber, "deposit_in", "\"1,000.50\"", "", "", ""},
		[]string{"API-3", "2026-04-04", cs.Items[2].IDNumber, "net_revenue", "88.8", "", "备注", ""},
	)
	st, j := importRecords(t, admin, "2026-04", "", "业务.csv", gbk(t, good))
	if st != 202 || j.Status != "succeeded" || j.Result == nil || j.Result.Inserted != 3 || j.Done != 3 {
		t.Fatalf("GBK import: %d %+v", st, j)
	}
	st, j = importRecords(t, admin, "2026-04", "", "业务.csv", gbk(t, good))
	if st != 202 || j.Status != "succeeded" || j.Result.Inserted != 0 || j.Result.Unchanged != 3 {
		t.Fatalf("same file again: %d %+v", st, j)
	}
	// Another user cannot follow someone else's job.
	mktdir := h.login(t, "mktdir")
	if st, _ := mktdir.do(t, "GET", "/api/jobs/"+j.ID, nil); st != 404 {
		t.Errorf("someone else's job: %d", st)
	}
	// A bad file: rejected whole, errors by row and column, a workbook
	// with the error column first and formulas neutralised.
	bad := recordCSV(
		[]string{"API-4", "2026-04-05", cs.Items[0].IDNumber, "account_opened", "", "", "", ""},
		[]string{"API-5", "2026-05-05", cs.Items[0].IDNumber, "account_opened", "", "", "=1+1", ""},
	)
	st, j = importRecords(t, admin, "2026-04", "all_or_nothing", "bad.csv", []byte(bad))
	if st != 202 || j.Status != "rejected" || j.ErrorCount != 1 || len(j.Errors) != 1 || j.Errors[0].Row != 3 || j.ReportID == "" {
		t.Fatalf("bad file: %d %+v", st, j)
	}
	st, b = admin.do(t, "GET", "/api/import-reports/"+j.ReportID, nil)
	if st != 200 {
		t.Fatalf("report: %d", st)
	}
	f, err := excelize.OpenReader(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	rows, err := f.GetRows(f.GetSheetList()[0])
	if err != nil || len(rows) != 2 || !strings.Contains(rows[0][0], "错误") || !strings.Contains(rows[1][0], "业务日期") {
		t.Fatalf("report rows: %v %q", err, rows)
	}
	if got := rows[1][len(rows[1])-1]; got != "'=1+1" && !strings.HasPrefix(rows[1][8], "'") {
		t.Errorf("a formula in the report is not neutralised: %q", rows[1])
	}
	// Bad requests are answered at once, naming the field.
	if st, _ := importRecords(t, admin, "2026-13", "", "x.csv", []byte(good)); st != 400 {
		t.Errorf("bad month: %d", st)
	}
	if st, _ := importRecords(t, admin, "2026-04", "sometimes", "x.csv", []byte(good)); st != 400 {
		t.Errorf("bad mode: %d", st)
	}
	if st, _ := importRecords(t, mktdir, "2026-04", "", "x.csv", []byte(good)); st != 202 {
		t.Errorf("the marketing director imports: %d", st)
	}
	rm1 := h.login(t, "rm1")
	if st, _ := importRecords(t, rm1, "2026-04", "", "x.csv", []byte(good)); st != 403 {
		t.Errorf("a regional manager imports: %d", st)
	}
	// The records behind a figure, and the import log.
	var page struct {
		Items []struct {
			SourceID       string `json:"sourceId"`
			Amount         string `json:"amount"`
			CreditedAmount string `json:"creditedAmount"`
			ShareBp        int    `json:"shareBp"`
		}
		Total int
	}
	st, b = admin.do(t, "GET", "/api/records?month=2026-04&metric=deposits_in", nil)
	if st != 200 {
		t.Fatalf("records: %d %s", st, b)
	}
	decodeJSON(t, b, &page)
	if page.Total < 1 || page.Items[0].SourceID != "API-2" || page.Items[0].Amount != "1000.50" {
		t.Errorf("deposits behind the figure: %s", b)
	}
	if st, _ := admin.do(t, "GET", "/api/records?month=2026-04&metric=no_such", nil); st != 400 {
		t.Errorf("unknown metric: %d", st)
	}
	st, b = admin.do(t, "GET", "/api/record-imports?month=2026-04", nil)
	var logs struct{ Total int }
	if st != 200 || json.Unmarshal(b, &logs) != nil || logs.Total != 3 {
		t.Errorf("import log: %d %s", st, b)
	}
}
