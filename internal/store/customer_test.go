package store_test

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
	"sync"
	"testing"

	"cmhub/internal/access"
	"cmhub/internal/customer"
	"cmhub/internal/org"
	"cmhub/internal/people"
	"cmhub/internal/platform"
	"cmhub/internal/store"
	"cmhub/internal/store/storetest"
)

var _ customer.Store = (*store.DB)(nil)

// custFixture adds to the basic fixture a second branch and managers:
// e1 (the fixture's person) and e2 in region 1, e3 in region 2, e4 in
// branch 2. Forms are signed on now's date, so serials are B-202611-….
type custFixture struct {
	fixture
	branch2, e1, e2, e3, e4 int64
}

func custSetup(t *testing.T, db *store.DB) (context.Context, custFixture) {
	t.Helper()
	ctx, f := setup(t, db)
	cf := custFixture{fixture: f, e1: f.person}
	err := db.WithTx(ctx, func(ctx context.Context) error {
		u := org.Unit{Institution: f.inst, ParentID: f.root, Kind: org.Branch, Code: "B2", Name: "B2", OpenedOn: d("2020-01-01")}
		if err := db.CreateUnit(ctx, &u); err != nil {
			return err
		}
		cf.branch2 = u.ID
		for _, p := range []struct {
			no   string
			unit int64
			dst  *int64
		}{{"E2", f.r1, &cf.e2}, {"E3", f.r2, &cf.e3}, {"E4", cf.branch2, &cf.e4}} {
			x := people.Person{Institution: f.inst, EmpNo: p.no, Name: "经理" + p.no, HiredOn: d("2024-01-01")}
			if err := db.CreatePerson(ctx, &x, people.Record{UnitID: p.unit, Position: "sales_cm", Status: "active", ValidFrom: d("2024-01-01")}); err != nil {
				return err
			}
			*p.dst = x.ID
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return ctx, cf
}

// draft is a customer of branch held by holders from the date.
func draft(idNumber string, branch int64, from string, holders ...customer.Holder) *customer.Draft {
	dr := &customer.Draft{Customer: customer.Customer{Kind: customer.KindPerson, Name: "客户" + idNumber, IDType: customer.IDPassport,
		IDNumber: idNumber, Phone: "1380000" + fmt.Sprintf("%04d", len(idNumber)), BranchID: branch, OpenedOn: d(from)}}
	for _, h := range holders {
		dr.Rows = append(dr.Rows, customer.NewRow{PersonID: h.PersonID, Role: h.Role, ShareBP: h.ShareBP, ValidFrom: d(from)})
	}
	return dr
}

func primary(p int64, bp int) customer.Holder {
	return customer.Holder{PersonID: p, Role: customer.RolePrimary, ShareBP: bp}
}
func assisting(p int64, bp int) customer.Holder {
	return customer.Holder{PersonID: p, Role: customer.RoleAssisting, ShareBP: bp}
}

func change(f custFixture, kind string) *customer.Change {
	return &customer.Change{Institution: f.inst, Kind: kind, SignedOn: d("2026-11-22"), CreatedBy: "test"}
}

func create(t *testing.T, ctx context.Context, db *store.DB, f custFixture, drafts ...*customer.Draft) []customer.SerialRange {
	t.Helper()
	var forms []customer.SerialRange
	err := db.WithTx(ctx, func(ctx context.Context) error {
		var err error
		forms, err = db.CreateCustomers(ctx, change(f, customer.ChangeCreate), drafts)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return forms
}

func transfer(ctx context.Context, db *store.DB, f custFixture, from, to int64, on string, ids ...int64) (int, error) {
	var n int
	err := db.WithTx(ctx, func(ctx context.Context) error {
		ch := change(f, customer.ChangeTransfer)
		ch.FromPersonID, ch.ToPersonID, ch.EffectiveFrom, ch.Reason = from, to, d(on), "调动"
		var err error
		n, _, err = db.TransferCustomers(ctx, ch, ids)
		return err
	})
	return n, err
}

func TestCustomerAttributionAsOf(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx, f := custSetup(t, db)
		c := draft("P1", f.branch, "2026-01-01", primary(f.e1, 10000))
		forms := create(t, ctx, db, f, c)
		if len(forms) != 1 || forms[0].First != "B-202611-0001" || forms[0].Count != 1 {
			t.Fatalf("forms: %+v", forms)
		}
		if n, err := transfer(ctx, db, f, f.e1, f.e3, "2026-07-01"); err != nil || n != 1 {
			t.Fatalf("transfer: %d %v", n, err)
		}
		all := access.Scope{Institution: f.inst, All: true}
		for on, want := range map[string]int64{"2025-12-31": 0, "2026-01-01": f.e1, "2026-06-30": f.e1, "2026-07-01": f.e3, "2026-11-22": f.e3} {
			x, err := db.Customer(ctx, all, c.Customer.ID, d(on))
			if err != nil || x.ManagerID != want {
				t.Errorf("as of %s: manager %d, want %d (%v)", on, x.ManagerID, want, err)
			}
		}
		if h, _ := db.CustomerAttributions(ctx, access.Scope{}, c.Customer.ID, platform.DateOf(now)); len(h) != 0 {
			t.Errorf("the zero scope reads a customer's history: %+v", h)
		}
		if fs, _ := db.CustomerForms(ctx, access.Scope{Institution: f.inst + 1, All: true}, c.Customer.ID, platform.DateOf(now)); len(fs) != 0 {
			t.Errorf("another institution reads a customer's forms: %+v", fs)
		}
		h, err := db.CustomerAttributions(ctx, access.Scope{Institution: f.inst, All: true}, c.Customer.ID, platform.DateOf(now))
		if err != nil || len(h) != 2 {
			t.Fatalf("history: %+v %v", h, err)
		}
		if h[0].PersonID != f.e1 || h[0].ValidTo == nil || h[0].ValidTo.String() != "2026-06-30" || h[0].FormSerial != "B-202611-0001" {
			t.Errorf("first row: %+v", h[0])
		}
		if h[1].PersonID != f.e3 || h[1].ValidTo != nil || h[1].ValidFrom.String() != "2026-07-01" || h[1].FormSerial != "B-202611-0002" ||
			h[1].ChangeKind != customer.ChangeTransfer || h[1].Reason != "调动" {
			t.Errorf("second row: %+v", h[1])
		}
		// Lists as of a date follow the rows too: e1's customers in June, none in July.
		for on, want := range map[string]int{"2026-06-30": 1, "2026-07-01": 0, "2025-12-31": 0} {
			_, total, err := db.ListCustomers(ctx, all, customer.Filter{ManagerID: f.e1, AsOf: d(on), Page: 1, PageSize: 10})
			if err != nil || total != want {
				t.Errorf("e1's customers on %s: %d, want %d (%v)", on, total, want, err)
			}
		}
	})
}

func TestCustomerShareInvariants(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx, f := custSetup(t, db)
		c := draft("P1", f.branch, "2026-01-01", primary(f.e1, 6000))
		create(t, ctx, db, f, c)
		replace := func(on string, ended []int64, rows ...customer.Holder) error {
			return db.WithTx(ctx, func(ctx context.Context) error {
				ch := change(f, customer.ChangeAttribute)
				ch.EffectiveFrom = d(on)
				var nr []customer.NewRow
				for _, h := range rows {
					nr = append(nr, customer.NewRow{PersonID: h.PersonID, Role: h.Role, ShareBP: h.ShareBP, ValidFrom: d(on)})
				}
				_, err := db.ReplaceAttributions(ctx, ch, c.Customer.ID, ended, nr)
				return err
			})
		}
		// 60% + 50% from 2026-03-01 is refused, naming the sum and the date.
		err := replace("2026-03-01", nil, assisting(f.e2, 5000))
		var ve *platform.ValidationError
		if !errors.As(err, &ve) || !strings.Contains(ve.Fields["managers"], "110%") || !strings.Contains(ve.Fields["managers"], "2026-03-01") {
			t.Fatalf("share sum over 100%%: %v", err)
		}
		// A second primary is refused as well.
		err = replace("2026-03-01", nil, primary(f.e2, 4000))
		if !errors.As(err, &ve) || !strings.Contains(ve.Fields["managers"], "主办") {
			t.Fatalf("two primaries: %v", err)
		}
		// Nothing of the refused acts remains, not even a serial number.
		h, _ := db.CustomerAttributions(ctx, access.Scope{Institution: f.inst, All: true}, c.Customer.ID, platform.DateOf(now))
		if len(h) != 1 {
			t.Fatalf("after refusals: %+v", h)
		}
		// 60% + 40% is fine and issues one form.
		if err := replace("2026-03-01", nil, assisting(f.e2, 4000)); err != nil {
			t.Fatal(err)
		}
		h, _ = db.CustomerAttributions(ctx, access.Scope{Institution: f.inst, All: true}, c.Customer.ID, platform.DateOf(now))
		if len(h) != 2 || h[1].FormSerial != "B-202611-0002" {
			t.Fatalf("after adding e2: %+v", h)
		}
		// A direct row that would overlap the future is caught on every day, not only on its first.
		err = replace("2026-02-01", nil, assisting(f.e3, 3000)) // 60+30 in February, 60+40+30 from March
		if !errors.As(err, &ve) || !strings.Contains(ve.Fields["managers"], "130%") || !strings.Contains(ve.Fields["managers"], "2026-03-01") {
			t.Fatalf("overlap into a later period: %v", err)
		}
		// Ending a row that is no longer open is a conflict, not a silent no-op.
		err = replace("2026-04-01", []int64{h[0].ID, 999999}, primary(f.e1, 5000))
		var ce *platform.ConflictError
		if !errors.As(err, &ce) {
			t.Fatalf("ending a missing row: %v", err)
		}
	})
}

func TestFormSerialsGapFreeUnderRollback(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx, f := custSetup(t, db)
		create(t, ctx, db, f, draft("P1", f.branch, "2026-01-01", primary(f.e1, 10000)))
		boom := errors.New("boom")
		err := db.WithTx(ctx, func(ctx context.Context) error {
			if _, err := db.CreateCustomers(ctx, change(f, customer.ChangeCreate), []*customer.Draft{
				draft("P2", f.branch, "2026-01-01", primary(f.e1, 7000), assisting(f.e2, 3000))}); err != nil {
				return err
			}
			return boom
		})
		if !errors.Is(err, boom) {
			t.Fatal(err)
		}
		forms := create(t, ctx, db, f, draft("P3", f.branch, "2026-01-01", primary(f.e2, 10000)),
			draft("P4", f.branch2, "2026-01-01", primary(f.e4, 10000)))
		sort.Slice(forms, func(i, j int) bool { return forms[i].BranchID < forms[j].BranchID })
		if len(forms) != 2 || forms[0].First != "B-202611-0002" || forms[1].First != "B2-202611-0001" {
			t.Fatalf("after a rollback: %+v", forms)
		}
		list, total, err := db.ListConfirmationForms(ctx, access.Scope{Institution: f.inst, All: true},
			customer.FormFilter{BranchID: f.branch, Month: "2026-11", Page: 1, PageSize: 100})
		if err != nil || total != 2 || list[0].Seq != 1 || list[1].Seq != 2 || list[1].Serial != "B-202611-0002" {
			t.Fatalf("forms of the month: %d %+v %v", total, list, err)
		}
	})
}

// Concurrent writers each take the next serial numbers; rolled-back ones
// give theirs back. On PostgreSQL the goroutines really run in parallel
// and queue on the counter row.
func TestFormSerialsConcurrent(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx, f := custSetup(t, db)
		const workers, each = 8, 6
		var wg sync.WaitGroup
		var mu sync.Mutex
		committed := 0
		errs := make(chan error, workers*each)
		for w := range workers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := range each {
					fail := (w+i)%3 == 0
					err := db.WithTx(ctx, func(ctx context.Context) error {
						dr := draft(fmt.Sprintf("W%dI%d", w, i), f.branch, "2026-01-01", primary(f.e1, 6000), assisting(f.e2, 4000))
						if _, err := db.CreateCustomers(ctx, change(f, customer.ChangeCreate), []*customer.Draft{dr}); err != nil {
							return err
						}
						if fail {
							return errRollback
						}
						return nil
					})
					switch {
					case fail && errors.Is(err, errRollback):
					case err != nil:
						errs <- err
					default:
						mu.Lock()
						committed++
						mu.Unlock()
					}
				}
			}()
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Fatal(err)
		}
		list, total, err := db.ListConfirmationForms(ctx, access.Scope{Institution: f.inst, All: true},
			customer.FormFilter{BranchID: f.branch, Month: "2026-11", Page: 1, PageSize: 500})
		if err != nil {
			t.Fatal(err)
		}
		if total != 2*committed || len(list) != total {
			t.Fatalf("%d forms for %d committed customers", total, committed)
		}
		for i, x := range list {
			if x.Seq != i+1 || x.Serial != customer.Serial("B", "2026-11", i+1) {
				t.Fatalf("form %d: seq %d serial %s — not gap-free", i, x.Seq, x.Serial)
			}
		}
	})
}

var errRollback = errors.New("roll back")

func TestCustomerScope(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx, f := custSetup(t, db)
		c1 := draft("P1", f.branch, "2026-01-01", primary(f.e1, 10000))                       // region 1
		c2 := draft("P2", f.branch, "2026-01-01", primary(f.e3, 7000), assisting(f.e2, 3000)) // region 2, assisted from region 1
		c3 := draft("P3", f.branch, "2026-01-01", primary(f.e3, 10000))                       // region 2 only
		c4 := draft("P4", f.branch2, "2026-01-01", primary(f.e4, 10000))                      // branch 2
		c5 := draft("P5", f.branch2, "2026-01-01", primary(f.e1, 10000))                      // branch 2, held from region 1
		create(t, ctx, db, f, c1, c2, c3, c4, c5)
		on := d("2026-11-22")
		ids := func(s access.Scope, flt customer.Filter) []string {
			t.Helper()
			flt.AsOf, flt.Page, flt.PageSize = on, 1, 100
			list, total, err := db.ListCustomers(ctx, s, flt)
			if err != nil || total != len(list) {
				t.Fatalf("list: %d %d %v", total, len(list), err)
			}
			var out []string
			for _, c := range list {
				out = append(out, c.IDNumber)
			}
			sort.Strings(out)
			return out
		}
		region1 := access.Scope{Institution: f.inst, Units: []int64{f.r1}}
		region2 := access.Scope{Institution: f.inst, Units: []int64{f.r2}}
		branch := access.Scope{Institution: f.inst, Units: []int64{f.branch}}
		self := access.Scope{Institution: f.inst, Self: f.e1}
		cases := []struct {
			name  string
			scope access.Scope
			want  string
		}{
			{"all", access.Scope{Institution: f.inst, All: true}, "P1 P2 P3 P4 P5"},
			{"branch", branch, "P1 P2 P3 P5"}, // its own customers and those its managers hold elsewhere
			{"region 1", region1, "P1 P2 P5"},
			{"region 2", region2, "P2 P3"},
			{"self e1", self, "P1 P5"},
			{"zero", access.Scope{}, ""},
			{"other institution", access.Scope{Institution: f.inst + 1, All: true}, ""},
		}
		for _, tc := range cases {
			if got := strings.Join(ids(tc.scope, customer.Filter{}), " "); got != tc.want {
				t.Errorf("%s sees %q, want %q", tc.name, got, tc.want)
			}
			// Detail and by-id lookups answer the same.
			for _, c := range []*customer.Draft{c1, c2, c3, c4, c5} {
				_, err := db.Customer(ctx, tc.scope, c.Customer.ID, on)
				byID, err2 := db.CustomersByID(ctx, tc.scope, []int64{c.Customer.ID}, on)
				vis := strings.Contains(" "+tc.want+" ", " "+c.Customer.IDNumber+" ")
				if vis != (err == nil) || (!vis && !errors.Is(err, platform.ErrNotFound)) || err2 != nil || vis != (len(byID) == 1) {
					t.Errorf("%s: detail of %s: %v (by id %d)", tc.name, c.Customer.IDNumber, err, len(byID))
				}
			}
		}
		// Filters: unit subtree, manager, kind, keyword.
		all := access.Scope{Institution: f.inst, All: true}
		if got := strings.Join(ids(all, customer.Filter{UnitID: f.r2}), " "); got != "P2 P3" {
			t.Errorf("unit filter region 2: %q", got)
		}
		if got := strings.Join(ids(all, customer.Filter{UnitID: f.branch2}), " "); got != "P4 P5" {
			t.Errorf("unit filter branch 2: %q", got)
		}
		if got := strings.Join(ids(region1, customer.Filter{ManagerID: f.e3}), " "); got != "P2" {
			t.Errorf("region 1, manager e3: %q", got)
		}
		if got := strings.Join(ids(all, customer.Filter{Kind: customer.KindCompany}), " "); got != "" {
			t.Errorf("companies: %q", got)
		}
		if got := strings.Join(ids(all, customer.Filter{Q: "客户P3"}), " "); got != "P3" {
			t.Errorf("by name: %q", got)
		}
		// Exact identifiers: a fragment of an ID number finds nothing.
		if got := strings.Join(ids(all, customer.Filter{Q: "P", ExactIdentifiers: true}), " "); got != "P1 P2 P3 P4 P5" {
			t.Errorf("name contains P: %q", got) // names are 客户P…
		}
		if got := strings.Join(ids(all, customer.Filter{Q: "p4", ExactIdentifiers: true}), " "); got != "P4" {
			t.Errorf("whole ID number: %q", got)
		}
		// As of a date: when e1's customers go to e3, region 1 loses them from that day.
		if _, err := transfer(ctx, db, f, f.e1, f.e3, "2026-12-01"); err != nil {
			t.Fatal(err)
		}
		for date, want := range map[string]string{"2026-11-30": "P1 P2 P5", "2026-12-01": "P2"} {
			list, _, err := db.ListCustomers(ctx, region1, customer.Filter{AsOf: d(date), Page: 1, PageSize: 10})
			var got []string
			for _, c := range list {
				got = append(got, c.IDNumber)
			}
			sort.Strings(got)
			if err != nil || strings.Join(got, " ") != want {
				t.Errorf("region 1 on %s: %v %v, want %s", date, got, err, want)
			}
		}
		// Exports honour the scope too.
		var exported []string
		if err := db.EachCustomer(ctx, self, customer.Filter{AsOf: on}, func(c *customer.Customer) error {
			exported = append(exported, c.IDNumber)
			return nil
		}); err != nil || strings.Join(exported, " ") != "P1 P5" {
			t.Errorf("self export: %v %v", exported, err)
		}
	})
}

func TestDuplicateCustomers(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx, f := custSetup(t, db)
		c := draft("P2", f.branch, "2026-01-01", primary(f.e3, 7000), assisting(f.e2, 3000))
		c.Customer.Phone = "13900000000"
		create(t, ctx, db, f, c)
		on := d("2026-11-22")
		region2 := access.Scope{Institution: f.inst, Units: []int64{f.r2}}
		self4 := access.Scope{Institution: f.inst, Self: f.e4}
		for _, tc := range []struct {
			scope access.Scope
			ids   []string
			ph    []string
			vis   bool
		}{{region2, []string{"P2"}, nil, true}, {self4, []string{"P2"}, nil, false}, {self4, nil, []string{"13900000000"}, false}} {
			dups, err := db.DuplicateCustomers(ctx, tc.scope, tc.ids, tc.ph, on, 0)
			if err != nil || len(dups) != 1 {
				t.Fatalf("duplicates: %+v %v", dups, err)
			}
			x := dups[0]
			if x.Visible != tc.vis || len(x.Owners) != 2 || x.Owners[0].EmpNo != "E3" || x.Owners[0].Role != customer.RolePrimary ||
				x.Owners[0].UnitName != "R2" || x.Owners[1].EmpNo != "E2" || x.BranchName != "B" {
				t.Errorf("duplicate seen by %+v: %+v", tc.scope, x)
			}
		}
		if dups, err := db.DuplicateCustomers(ctx, access.Scope{}, []string{"P2"}, nil, on, 0); err != nil || len(dups) != 0 {
			t.Errorf("the zero scope (no institution) found %+v %v", dups, err)
		}
		if dups, err := db.DuplicateCustomers(ctx, self4, []string{"NOPE"}, []string{"13900000001"}, on, 0); err != nil || len(dups) != 0 {
			t.Errorf("no match: %+v %v", dups, err)
		}
	})
}

// A manager's thousand customers move in a fixed number of statements,
// merging with rows the new manager already holds.
func TestBulkTransfer(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx, f := custSetup(t, db)
		const n = 1000
		var drafts []*customer.Draft
		for i := range n {
			if i%10 == 0 { // every tenth is shared with e2
				drafts = append(drafts, draft(fmt.Sprintf("B%04d", i), f.branch, "2026-01-01", primary(f.e1, 7000), assisting(f.e2, 3000)))
			} else {
				drafts = append(drafts, draft(fmt.Sprintf("B%04d", i), f.branch, "2026-01-01", primary(f.e1, 10000)))
			}
		}
		drafts = append(drafts, draft("OTHER", f.branch, "2026-01-01", primary(f.e3, 10000)))
		create(t, ctx, db, f, drafts...)
		// A transfer dated before a customer's latest change is the service's
		// to refuse; the store moves exactly the rows in force.
		var forms []customer.SerialRange
		var moved int
		err := db.WithTx(ctx, func(ctx context.Context) error {
			ch := change(f, customer.ChangeTransfer)
			ch.FromPersonID, ch.ToPersonID, ch.EffectiveFrom, ch.Reason = f.e1, f.e2, d("2026-11-01"), "离职移交"
			var err error
			moved, forms, err = db.TransferCustomers(ctx, ch, nil)
			return err
		})
		if err != nil || moved != n {
			t.Fatalf("moved %d: %v", moved, err)
		}
		if len(forms) != 1 || forms[0].Count != n || forms[0].First != customer.Serial("B", "2026-11", n+n/10+2) ||
			forms[0].Last != customer.Serial("B", "2026-11", 2*n+n/10+1) { // after the 1101 forms of the creation
			t.Fatalf("forms: %+v", forms)
		}
		all := access.Scope{Institution: f.inst, All: true}
		count := func(person int64, on string) int {
			_, total, err := db.ListCustomers(ctx, all, customer.Filter{ManagerID: person, AsOf: d(on), Page: 1, PageSize: 1})
			if err != nil {
				t.Fatal(err)
			}
			return total
		}
		if count(f.e1, "2026-10-31") != n || count(f.e1, "2026-11-01") != 0 || count(f.e2, "2026-10-31") != n/10 || count(f.e2, "2026-11-01") != n {
			t.Fatalf("counts: e1 %d→%d, e2 %d→%d", count(f.e1, "2026-10-31"), count(f.e1, "2026-11-01"), count(f.e2, "2026-10-31"), count(f.e2, "2026-11-01"))
		}
		// The shared customer now has one row: e2, primary, 100%.
		h, err := db.CustomerAttributions(ctx, access.Scope{Institution: f.inst, All: true}, drafts[0].Customer.ID, platform.DateOf(now))
		if err != nil || len(h) != 3 {
			t.Fatalf("shared history: %+v %v", h, err)
		}
		last := h[2]
		if last.PersonID != f.e2 || last.Role != customer.RolePrimary || last.ShareBP != 10000 || !last.InForce(d("2026-11-01")) ||
			h[0].InForce(d("2026-11-01")) || h[1].InForce(d("2026-11-01")) {
			t.Fatalf("merged rows: %+v", h)
		}
		// The customer nobody moved still belongs to e3.
		x, _ := db.Customer(ctx, all, drafts[n].Customer.ID, d("2026-11-22"))
		if x.ManagerID != f.e3 {
			t.Fatalf("unrelated customer moved to %d", x.ManagerID)
		}
		// A selection moves only the selected customers.
		if moved, err := transfer(ctx, db, f, f.e2, f.e1, "2026-11-15", drafts[1].Customer.ID, drafts[2].Customer.ID); err != nil || moved != 2 {
			t.Fatalf("selection: %d %v", moved, err)
		}
		if count(f.e2, "2026-11-15") != n-2 {
			t.Fatalf("after the selection e2 holds %d", count(f.e2, "2026-11-15"))
		}
	})
}

func TestArchiveForms(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx, f := custSetup(t, db)
		create(t, ctx, db, f, draft("P1", f.branch, "2026-01-01", primary(f.e1, 10000)),
			draft("P2", f.branch, "2026-01-01", primary(f.e3, 10000)), draft("P3", f.branch, "2026-01-01", primary(f.e2, 10000)))
		all := access.Scope{Institution: f.inst, All: true}
		list, _, err := db.ListConfirmationForms(ctx, all, customer.FormFilter{BranchID: f.branch, Month: "2026-11", Page: 1, PageSize: 10})
		if err != nil || len(list) != 3 {
			t.Fatal(list, err)
		}
		archive := func(ids ...int64) []string {
			var out []string
			if err := db.WithTx(ctx, func(ctx context.Context) error {
				var err error
				out, err = db.ArchiveConfirmationForms(ctx, f.inst, f.branch, "2026-11", ids, "clerk")
				return err
			}); err != nil {
				t.Fatal(err)
			}
			return out
		}
		if got := archive(list[1].ID); strings.Join(got, ",") != "B-202611-0002" {
			t.Fatalf("archive one: %v", got)
		}
		if got := archive(); strings.Join(got, ",") != "B-202611-0001,B-202611-0003" {
			t.Fatalf("archive the rest: %v", got)
		}
		if got := archive(); len(got) != 0 {
			t.Fatalf("archive again: %v", got)
		}
		yes, no := true, false
		for _, tc := range []struct {
			arch *bool
			want int
		}{{&yes, 3}, {&no, 0}, {nil, 3}} {
			list, total, err := db.ListConfirmationForms(ctx, all, customer.FormFilter{BranchID: f.branch, Month: "2026-11", Archived: tc.arch, Page: 1, PageSize: 10})
			if err != nil || total != tc.want || len(list) != tc.want {
				t.Errorf("archived=%v: %d %v", tc.arch, total, err)
			}
			if tc.arch != nil && *tc.arch && (list[0].ArchivedAt == nil || list[0].ArchivedBy != "clerk" || !list[0].Archived) {
				t.Errorf("archived form: %+v", list[0])
			}
		}
		// Region 2 sees the form of its manager e3 only; the zero scope none.
		list, total, err := db.ListConfirmationForms(ctx, access.Scope{Institution: f.inst, Units: []int64{f.r2}},
			customer.FormFilter{BranchID: f.branch, Month: "2026-11", Page: 1, PageSize: 10})
		if err != nil || total != 1 || list[0].PersonID != f.e3 {
			t.Errorf("region 2 forms: %d %+v %v", total, list, err)
		}
		if _, total, _ := db.ListConfirmationForms(ctx, access.Scope{}, customer.FormFilter{BranchID: f.branch, Month: "2026-11", Page: 1, PageSize: 10}); total != 0 {
			t.Errorf("zero scope sees %d forms", total)
		}
	})
}
