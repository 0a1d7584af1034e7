package app

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"slices"
	"strings"
	"testing"

	"cmhub/internal/access"
	"cmhub/internal/audit"
	"cmhub/internal/customer"
	"cmhub/internal/job"
	"cmhub/internal/platform"
	"cmhub/internal/record"
	"cmhub/internal/store"
	"cmhub/internal/store/storetest"
)

// importRows runs an import of rows for month synchronously, as the job would.
func importRows(t *testing.T, ctx context.Context, s *Services, month, mode string, rows [][]string) (job.Outcome, record.Result) {
	t.Helper()
	var reported []record.ReportRow
	req := record.ImportRequest{Month: month, Mode: mode, FileName: "test.csv", SHA256: "x", RowsHint: int64(len(rows)),
		Open: func() (record.Source, error) { return &record.MemorySource{Rows: rows}, nil },
		Report: func(_ context.Context, _ []string, rs []record.ReportRow) (string, error) {
			reported = rs
			return "report-1", nil
		}}
	out, err := s.Records.Import(ctx, req, &job.Progress{})
	if err != nil {
		t.Fatalf("import: %v", err)
	}
	var res record.Result
	if out.Result != nil {
		res = out.Result.(record.Result)
	}
	if out.ReportID != "" && len(reported) == 0 {
		t.Error("a report id without reported rows")
	}
	return out, res
}

// demoAsSystem loads the demo institution and returns a context acting
// in it as the system actor.
func demoAsSystem(t *testing.T, db *store.DB) (context.Context, *Services) {
	t.Helper()
	ctx := context.Background()
	s := testServices(t, db)
	info, err := LoadDemo(ctx, s, "demo-Passw0rd!")
	if err != nil {
		t.Fatal(err)
	}
	return access.WithPrincipal(ctx, access.System(info.Institution, "test")), s
}

// checkTotals holds the statistics' month totals to the records.
func checkTotals(t *testing.T, ctx context.Context, s *Services) {
	t.Helper()
	if err := s.DB.VerifyRecordTotals(ctx, access.FromContext(ctx).Institution); err != nil {
		t.Error(err)
	}
}

func credits(t *testing.T, ctx context.Context, s *Services, month string) []record.Credit {
	t.Helper()
	items, total, err := s.Records.List(ctx, record.Filter{Month: month, PageSize: 500})
	if err != nil {
		t.Fatal(err)
	}
	if total != len(items) {
		t.Fatalf("total %d, listed %d", total, len(items))
	}
	return items
}

func TestRecordImport(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx, s := demoAsSystem(t, db)
		cs, _, err := s.Customers.List(ctx, customer.Filter{PageSize: 12, Sort: "createdAt"})
		if err != nil || len(cs) < 12 {
			t.Fatalf("customers: %v %d", err, len(cs))
		}
		const month = "2026-04"
		before := len(credits(t, ctx, s, month))
		rows := [][]string{
			{"S-1", "2026-04-03", cs[0].IDNumber, "account_opened", "", "", "", ""},
			{"S-2", "2026-04-04", strings.ToLower(cs[1].IDNumber), "deposit_in", "50,000.00", "", "", ""},
			{"S-3", "2026-04-05", cs[2].IDNumber, "net_revenue", "-12.34", "", "", ""},
			{"S-4", "2026-04-06", cs[3].IDNumber, "futures_trade", "", "3", "bitumen_50t", ""},
			{"S-5", "2026-04-07", cs[4].IDNumber, "deposit_in", "100", "", "", cs[0].ManagerEmpNo},
		}
		for i := 5; i < 12; i++ { // every third demo customer is shared 70/30
			rows = append(rows, []string{fmt.Sprintf("S-%d", i+1), "2026-04-08", cs[i].IDNumber, "valid_appointment", "", "", "", ""})
		}
		out, res := importRows(t, ctx, s, month, record.ModeAllOrNothing, rows)
		if out.Status != job.Succeeded || res.Inserted != 12 || res.Rows != 12 {
			t.Fatalf("first import: %+v %+v", out, res)
		}
		got := credits(t, ctx, s, month)
		shares := map[string]int{}
		for _, c := range got {
			shares[c.SourceID] += c.ShareBP
			if c.PersonID == 0 {
				t.Errorf("%s credited to nobody", c.SourceID)
			}
		}
		for id, sum := range shares {
			if sum != 10000 {
				t.Errorf("%s: shares sum to %d", id, sum)
			}
		}
		if len(got)-before <= 12 {
			t.Errorf("expected a shared customer among the first (every third is shared 70/30): %d rows", len(got)-before)
		}
		for _, c := range got {
			switch c.SourceID {
			case "S-2":
				if c.Amount != 5_000_000 {
					t.Errorf("S-2 amount %d fen", c.Amount)
				}
			case "S-3":
				if c.Amount != -1234 {
					t.Errorf("S-3 amount %d fen", c.Amount)
				}
			case "S-4":
				if c.Quantity != 3000 || c.Product != "bitumen_50t" {
					t.Errorf("S-4 %d %q", c.Quantity, c.Product)
				}
			case "S-5":
				if !c.Explicit || c.EmpNo != cs[0].ManagerEmpNo || c.ShareBP != 10000 {
					t.Errorf("S-5 explicit manager: %+v", c)
				}
			}
		}

		// The same file again changes nothing.
		out, res = importRows(t, ctx, s, month, record.ModeAllOrNothing, rows)
		if out.Status != job.Succeeded || res.Inserted != 0 || res.Unchanged != 12 || len(credits(t, ctx, s, month)) != len(got) {
			t.Fatalf("second import: %+v %+v", out, res)
		}

		// A known source id with new content replaces the record, audited.
		rows[1][4] = "60000"
		out, res = importRows(t, ctx, s, month, record.ModeAllOrNothing, rows)
		if out.Status != job.Succeeded || res.Replaced != 1 || res.Unchanged != 11 {
			t.Fatalf("replacing import: %+v %+v", out, res)
		}
		after := credits(t, ctx, s, month)
		if len(after) != len(got) {
			t.Errorf("rows after replace: %d, want %d", len(after), len(got))
		}
		for _, c := range after {
			if c.SourceID == "S-2" && c.Amount != 6_000_000 {
				t.Errorf("S-2 after replace: %d", c.Amount)
			}
		}
		entries, _, err := s.AuditQ.List(ctx, audit.Filter{ObjectType: "business_record", PageSize: 10})
		if err != nil || len(entries) != 1 || entries[0].ObjectID != month+"/S-2" || !strings.Contains(string(entries[0].Before), `"amount":"50000.00"`) {
			t.Errorf("replace audit: %v %+v", err, entries)
		}
		checkTotals(t, ctx, s)

		// Bad rows reject the whole file, each error named by row and column.
		bad := [][]string{
			{"B-1", "2026-04-03", "110105194912310021", "account_opened", "", "", "", ""},
			{"B-2", "2026-04-03", cs[5].IDNumber, "no_such_type", "", "", "", ""},
			{"B-3", "2026-04-03", cs[5].IDNumber, "futures_trade", "", "-1", "bitumen_15t", ""},
			{"B-4", "2026-05-01", cs[5].IDNumber, "account_opened", "", "", "", ""},
			{"B-5", "2026-04-03", cs[6].IDNumber, "deposit_in", "-5", "", "", ""},
			{"B-6", "2026-04-03", cs[6].IDNumber, "account_opened", "", "", "", ""},
			{"B-6", "2026-04-04", cs[7].IDNumber, "account_opened", "", "", "", ""},
			{"B-7", "2026-04-04", cs[7].IDNumber, "account_opened", "1.234", "", "", "NOBODY"},
		}
		out, res = importRows(t, ctx, s, month, record.ModeAllOrNothing, bad)
		if out.Status != job.Rejected || out.ReportID == "" || res.Inserted != 0 {
			t.Fatalf("bad file: %+v", out)
		}
		want := map[int][]string{
			2: {"Customer ID number"}, 3: {"Record type"}, 4: {"Quantity"}, 5: {"Date"}, 6: {"Amount"},
			8: {"Source ID"}, 9: {"Amount", "Manager (explicit)"},
		}
		seen := map[string]bool{}
		for _, e := range out.Errors {
			seen[fmt.Sprint(e.Row, "|", e.Column)] = true
		}
		for row, cols := range want {
			for _, c := range cols {
				found := false
				for k := range seen {
					found = found || (strings.HasPrefix(k, fmt.Sprint(row, "|")) && strings.HasSuffix(k, c))
				}
				if !found {
					t.Errorf("no error for row %d column %s in %+v", row, c, out.Errors)
				}
			}
		}
		if n := len(credits(t, ctx, s, month)); n != len(after) {
			t.Errorf("a rejected file wrote rows: %d, want %d", n, len(after))
		}

		// On request the valid rows go in and the others come back.
		out, res = importRows(t, ctx, s, month, record.ModeValidRows, bad)
		if out.Status != job.Succeeded || res.Inserted != 1 || res.Rejected != 7 || out.ReportID == "" {
			t.Fatalf("valid rows: %+v %+v", out, res)
		}

		// A closed month takes no records.
		if _, err := s.Periods.Close(ctx, "2026-03"); err != nil {
			t.Fatal(err)
		}
		_, err = s.Records.StartImport(ctx, record.ImportRequest{Month: "2026-03"})
		var ce *platform.ConflictError
		if !errors.As(err, &ce) || ce.Code != "period_closed" {
			t.Errorf("import into a closed month: %v", err)
		}
		out, _ = importRows(t, ctx, s, "2026-03", record.ModeAllOrNothing, [][]string{{"C-1", "2026-03-03", cs[0].IDNumber, "account_opened", "", "", "", ""}})
		if out.Status != job.Rejected || !strings.Contains(out.Message, "2026-03") {
			t.Errorf("import into a closed month: %+v", out)
		}

		// The import log lists what happened.
		logs, total, err := s.Records.Imports(ctx, month, 1, 20)
		if err != nil || total != 4 || logs[0].Inserted != 1 || logs[0].Rejected != 7 {
			b, _ := json.Marshal(logs)
			t.Errorf("import log: %v %d %s", err, total, b)
		}
	})
}

// TestImportRecordsFile runs the command-line path on a generated
// institution: a generated CRM export read from disk, imported, and
// imported again without change.
func TestImportRecordsFile(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		s := testServices(t, db)
		if _, err := Generate(ctx, s, GenOptions{Code: "GEN", Managers: 20, Customers: 300}, func(string) {}); err != nil {
			t.Fatal(err)
		}
		path := t.TempDir() + "/records.csv"
		f, err := os.Create(path)
		if err != nil {
			t.Fatal(err)
		}
		if err := GenRecordsCSV(f, "2026-11", 2000, 300); err != nil {
			t.Fatal(err)
		}
		_ = f.Close()
		for i, want := range []record.Result{{Rows: 2000, Inserted: 2000}, {Rows: 2000, Unchanged: 2000}} {
			out, err := ImportRecordsFile(ctx, s, "GEN", path, "2026-11", record.ModeAllOrNothing)
			if err != nil {
				t.Fatal(err)
			}
			got, _ := out.Result.(record.Result)
			if out.Status != job.Succeeded || got.Rows != want.Rows || got.Inserted != want.Inserted || got.Unchanged != want.Unchanged {
				t.Fatalf("import %d: %+v %+v", i+1, out, got)
			}
		}
		if _, err := ImportRecordsFile(ctx, s, "NOPE", path, "2026-11", ""); err == nil {
			t.Error("an unknown institution code was accepted")
		}
	})
}

// A transfer dated back into a month whose records were imported moves the
// records dated on or after it to the new manager, in the transaction of
// the transfer, audited; earlier records and records naming their manager
// stay; importing the file again leaves the new credits.
func TestRecreditAfterBackdatedTransfer(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx, s := demoAsSystem(t, db)
		cs, _, err := s.Customers.List(ctx, customer.Filter{PageSize: 60, Sort: "createdAt"})
		if err != nil {
			t.Fatal(err)
		}
		// A customer held by one manager since before April, and another manager.
		var c customer.Customer
		var other int64
		for _, x := range cs {
			d, err := s.Customers.Get(ctx, x.ID)
			if err != nil {
				t.Fatal(err)
			}
			if c.ID == 0 && len(d.Attributions) == 1 && d.Attributions[0].ValidFrom.Before(platform.NewDate(2026, 4, 1)) {
				c = x
			} else if c.ID != 0 && x.ManagerID != 0 && x.ManagerID != c.ManagerID {
				other = x.ManagerID
				break
			}
		}
		if c.ID == 0 || other == 0 {
			t.Fatal("no demo customer held by one manager since before April")
		}
		rows := [][]string{
			{"R-1", "2026-04-03", c.IDNumber, "deposit_in", "100", "", "", ""},
			{"R-2", "2026-04-20", c.IDNumber, "deposit_in", "200", "", "", ""},
			{"R-3", "2026-04-21", c.IDNumber, "deposit_in", "300", "", "", c.ManagerEmpNo},
		}
		if out, res := importRows(t, ctx, s, "2026-04", record.ModeAllOrNothing, rows); out.Status != job.Succeeded || res.Inserted != 3 {
			t.Fatalf("import: %+v %+v", out, res)
		}
		res, err := s.Customers.Transfer(ctx, customer.Transfer{FromPersonID: c.ManagerID, ToPersonID: other,
			CustomerIDs: []int64{c.ID}, EffectiveFrom: platform.NewDate(2026, 4, 10), Reason: "调岗 moved"})
		if err != nil {
			t.Fatal(err)
		}
		// R-2, and the demo's records of the customer from June on.
		if res.Recredited < 2 {
			t.Errorf("recredited %d records, want R-2 and the later months' records", res.Recredited)
		}
		for _, cr := range credits(t, ctx, s, "2026-11") {
			if cr.CustomerID == c.ID && !cr.Explicit && cr.PersonID != other {
				t.Errorf("2026-11 %s still credits person %d", cr.SourceID, cr.PersonID)
			}
		}
		check := func(when string) {
			t.Helper()
			want := map[string]int64{"R-1": c.ManagerID, "R-2": other, "R-3": c.ManagerID}
			n := 0
			for _, cr := range credits(t, ctx, s, "2026-04") {
				if w, ok := want[cr.SourceID]; ok {
					n++
					if cr.PersonID != w || cr.ShareBP != 10000 {
						t.Errorf("%s: %s credits person %d (%d bp), want %d", when, cr.SourceID, cr.PersonID, cr.ShareBP, w)
					}
				}
			}
			if n != 3 {
				t.Errorf("%s: %d credited rows, want 3", when, n)
			}
		}
		check("after the transfer")
		checkTotals(t, ctx, s)
		entries, _, err := s.AuditQ.List(ctx, audit.Filter{ObjectType: "business_record", ObjectID: "2026-04/R-2", PageSize: 10})
		if err != nil || len(entries) != 1 || entries[0].Action != "record.recredit" {
			t.Fatalf("audit of the re-credit: %+v %v", entries, err)
		}
		if out, res := importRows(t, ctx, s, "2026-04", record.ModeAllOrNothing, rows); out.Status != job.Succeeded || res.Unchanged != 3 {
			t.Fatalf("import again: %+v %+v", out, res)
		}
		check("after importing the file again")
		checkTotals(t, ctx, s)
	})
}

// A small file indexes only the customers it names; a large one every
// customer. Both credit alike, and an unknown customer is an error either
// way.
func TestImportIndexesNamedOrAllCustomers(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx, s := demoAsSystem(t, db)
		cs, _, err := s.Customers.List(ctx, customer.Filter{PageSize: 6, Sort: "createdAt"})
		if err != nil || len(cs) < 6 {
			t.Fatalf("customers: %v %d", err, len(cs))
		}
		got := map[string][]string{}
		for _, tc := range []struct {
			month string
			small int
		}{{"2026-03", 0}, {"2026-02", -1}} {
			s.Records.SmallFile = tc.small
			var rows [][]string
			for i, c := range cs {
				rows = append(rows, []string{fmt.Sprintf("N-%d", i), tc.month + "-05", " " + strings.ToLower(c.IDNumber) + " ", "deposit_in", "10", "", "", ""})
			}
			if out, res := importRows(t, ctx, s, tc.month, record.ModeAllOrNothing, rows); out.Status != job.Succeeded || res.Inserted != int64(len(cs)) {
				t.Fatalf("small=%d: %+v %+v", tc.small, out, res)
			}
			for _, c := range credits(t, ctx, s, tc.month) {
				got[tc.month] = append(got[tc.month], fmt.Sprintf("%s %d %d", c.SourceID, c.PersonID, c.ShareBP))
			}
			bad := [][]string{{"U-1", tc.month + "-06", "110105194912310021", "deposit_in", "1", "", "", ""}}
			if out, _ := importRows(t, ctx, s, tc.month, record.ModeAllOrNothing, bad); out.Status != job.Rejected || out.ErrorCount != 1 {
				t.Fatalf("small=%d: unknown customer: %+v", tc.small, out)
			}
		}
		checkTotals(t, ctx, s)
		s.Records.SmallFile = 0
		slices.Sort(got["2026-03"])
		slices.Sort(got["2026-02"])
		if len(got["2026-03"]) < len(cs) || !slices.Equal(got["2026-03"], got["2026-02"]) {
			t.Errorf("credits differ:\n%v\n%v", got["2026-03"], got["2026-02"])
		}
	})
}
