package customer_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"cmhub/internal/access"
	"cmhub/internal/audit"
	"cmhub/internal/customer"
	"cmhub/internal/org"
	"cmhub/internal/people"
	"cmhub/internal/period"
	"cmhub/internal/platform"
	"cmhub/internal/store"
	"cmhub/internal/store/storetest"
	"cmhub/presets"
)

var now = time.Date(2026, 11, 22, 9, 0, 0, 0, time.UTC)

func d(s string) platform.Date {
	x, err := platform.ParseDate(s)
	if err != nil {
		panic(err)
	}
	return x
}

// rid builds a valid resident ID number from a serial.
func rid(n int) string {
	first := fmt.Sprintf("11010519900101%03d", n)
	return first + string(customer.ResidentIDCheckChar(first))
}

// env is an institution HQ with branch XZ (regions R1, R2) and branch XZ2,
// managers E1 张三 and E2 李四 in R1, E3 王五 in R2, E9 (left in June) in R1,
// and principals of every kind.
type env struct {
	db                         *store.DB
	svc                        *customer.Service
	periods                    *period.Service
	inst, xz, xz2, r1, r2      int64
	e1, e2, e3, e9             int64
	admin, clerk, rm1, rm1w    *access.Principal
	rm2, cm1, director, nobody *access.Principal
}

func (e *env) as(p *access.Principal) context.Context {
	return access.WithPrincipal(context.Background(), p)
}

func newEnv(t *testing.T, db *store.DB) *env {
	t.Helper()
	clock := platform.FixedClock{T: now}
	db.SetClock(clock)
	ctx := context.Background()
	pre, err := presets.Load("securities-branch")
	if err != nil {
		t.Fatal(err)
	}
	e := &env{db: db}
	err = db.WithTx(ctx, func(ctx context.Context) error {
		in, err := db.CreateInstitution(ctx, pre, "HQ", "测试证券", d("2020-01-01"))
		if err != nil {
			return err
		}
		e.inst = in.ID
		mk := func(parent int64, kind org.Kind, code string) int64 {
			u := org.Unit{Institution: e.inst, ParentID: parent, Kind: kind, Code: code, Name: code, OpenedOn: d("2020-01-01")}
			if err == nil {
				err = db.CreateUnit(ctx, &u)
			}
			return u.ID
		}
		e.xz = mk(in.RootUnit, org.Branch, "XZ")
		e.r1 = mk(e.xz, org.Region, "R1")
		e.r2 = mk(e.xz, org.Region, "R2")
		e.xz2 = mk(in.RootUnit, org.Branch, "XZ2")
		if err != nil {
			return err
		}
		for _, p := range []struct {
			no, name string
			unit     int64
			dst      *int64
		}{{"E1", "张三", e.r1, &e.e1}, {"E2", "李四", e.r1, &e.e2}, {"E3", "王五", e.r2, &e.e3}, {"E9", "赵九", e.r1, &e.e9}} {
			x := people.Person{Institution: e.inst, EmpNo: p.no, Name: p.name, HiredOn: d("2025-01-01")}
			if err := db.CreatePerson(ctx, &x, people.Record{UnitID: p.unit, Position: "sales_cm", Status: "active", ValidFrom: d("2025-01-01")}); err != nil {
				return err
			}
			*p.dst = x.ID
		}
		return db.MovePerson(ctx, e.e9, people.Record{UnitID: e.r1, Position: "sales_cm", Status: "terminated", ValidFrom: d("2026-06-01"), Reason: "离职"})
	})
	if err != nil {
		t.Fatal(err)
	}
	lg := audit.Log{A: db, Clock: clock}
	e.periods = &period.Service{Store: db, Audit: lg, Clock: clock}
	e.svc = &customer.Service{Store: db, Audit: lg, Clock: clock, Periods: e.periods}
	all := []access.Permission{access.CustomerRead, access.CustomerWrite, access.CustomerImport, access.CustomerExport, access.CustomerPII, access.PeriodManage}
	pr := func(name string, perms []access.Permission, s access.Scope) *access.Principal {
		s.Institution = e.inst
		return &access.Principal{Username: name, Institution: e.inst, Permissions: perms, Scope: s}
	}
	e.admin = pr("admin", all, access.Scope{All: true})
	e.clerk = pr("clerk", []access.Permission{access.CustomerRead, access.CustomerWrite, access.CustomerExport, access.CustomerPII}, access.Scope{Units: []int64{e.xz}})
	e.director = pr("director", []access.Permission{access.CustomerRead, access.CustomerWrite, access.CustomerImport, access.CustomerExport}, access.Scope{Units: []int64{e.xz}})
	e.rm1 = pr("rm1", []access.Permission{access.CustomerRead, access.CustomerExport}, access.Scope{Units: []int64{e.r1}})
	e.rm1w = pr("rm1w", []access.Permission{access.CustomerRead, access.CustomerWrite}, access.Scope{Units: []int64{e.r1}})
	e.rm2 = pr("rm2", []access.Permission{access.CustomerRead}, access.Scope{Units: []int64{e.r2}})
	e.cm1 = pr("cm1", []access.Permission{access.CustomerRead}, access.Scope{Self: e.e1})
	e.cm1.PersonID = e.e1
	e.nobody = pr("nobody", nil, access.Scope{All: true})
	return e
}

func (e *env) newCustomer(n int, opened string, hs ...customer.Holder) customer.NewCustomer {
	return customer.NewCustomer{Kind: customer.KindPerson, Name: fmt.Sprintf("客户%d", n), IDType: customer.IDResident, IDNumber: rid(n),
		Phone: fmt.Sprintf("1390000%04d", n), Address: "中山东路 1 号", OpenedOn: d(opened), Managers: hs}
}

func (e *env) create(t *testing.T, n int, opened string, hs ...customer.Holder) customer.Detail {
	t.Helper()
	x, err := e.svc.Create(e.as(e.admin), e.newCustomer(n, opened, hs...))
	if err != nil {
		t.Fatalf("create %d: %v", n, err)
	}
	return x
}

func primary(p int64, bp int) customer.Holder {
	return customer.Holder{PersonID: p, Role: customer.RolePrimary, ShareBP: bp}
}
func assisting(p int64, bp int) customer.Holder {
	return customer.Holder{PersonID: p, Role: customer.RoleAssisting, ShareBP: bp}
}

// field returns the message of a validation error's field, or "".
func field(err error, key string) string {
	var ve *platform.ValidationError
	if errors.As(err, &ve) {
		return ve.Fields[key]
	}
	return ""
}

func (e *env) auditActions(t *testing.T, objectType, objectID string) []string {
	t.Helper()
	list, _, err := e.db.ListAudit(context.Background(), access.Scope{Institution: e.inst, All: true},
		audit.Filter{ObjectType: objectType, ObjectID: objectID, Page: 1, PageSize: 100})
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for i := len(list) - 1; i >= 0; i-- {
		out = append(out, list[i].Action)
	}
	return out
}

func (e *env) closeMonth(t *testing.T, key string) {
	t.Helper()
	if _, err := e.periods.Close(e.as(e.admin), key); err != nil {
		t.Fatal(err)
	}
}

func TestPermissions(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		c := e.create(t, 1, "2026-11-01", primary(e.e1, 10000))
		each := func(*customer.Customer) error { return nil }
		ctx := e.as(e.nobody)
		calls := map[string]func(ctx context.Context) error{
			"list": func(ctx context.Context) error { _, _, err := e.svc.List(ctx, customer.Filter{}); return err },
			"each": func(ctx context.Context) error { return e.svc.Each(ctx, customer.Filter{}, each) },
			"get":  func(ctx context.Context) error { _, err := e.svc.Get(ctx, c.ID); return err },
			"create": func(ctx context.Context) error {
				_, err := e.svc.Create(ctx, e.newCustomer(2, "2026-11-01", primary(e.e1, 10000)))
				return err
			},
			"update": func(ctx context.Context) error {
				n := "x"
				_, err := e.svc.Update(ctx, c.ID, customer.Patch{Name: &n})
				return err
			},
			"attribute": func(ctx context.Context) error {
				_, err := e.svc.Attribute(ctx, c.ID, customer.Shares{EffectiveFrom: d("2026-11-20"), Reason: "r", Managers: []customer.Holder{primary(e.e2, 10000)}})
				return err
			},
			"transfer": func(ctx context.Context) error {
				_, err := e.svc.Transfer(ctx, customer.Transfer{FromPersonID: e.e1, ToPersonID: e.e2, EffectiveFrom: d("2026-11-20"), Reason: "r"})
				return err
			},
			"forms": func(ctx context.Context) error {
				_, _, err := e.svc.Forms(ctx, customer.FormFilter{BranchID: e.xz, Month: "2026-11"})
				return err
			},
			"archive": func(ctx context.Context) error {
				_, err := e.svc.ArchiveForms(ctx, customer.Archive{BranchID: e.xz, Month: "2026-11"})
				return err
			},
			"duplicates": func(ctx context.Context) error {
				_, err := e.svc.DuplicateCheck(ctx, customer.DuplicateQuery{IDNumber: rid(1)})
				return err
			},
			"import": func(ctx context.Context) error {
				_, _, err := e.svc.Import(ctx, []platform.ImportRow{{Num: 2, Values: map[string]string{}}})
				return err
			},
		}
		for name, call := range calls {
			if err := call(ctx); !errors.Is(err, platform.ErrForbidden) {
				t.Errorf("%s without permission: %v", name, err)
			}
		}
		// Read-only roles may read and export but not write or import;
		// writers without customer:import may not import.
		for _, name := range []string{"create", "update", "attribute", "transfer", "archive", "import"} {
			if err := calls[name](e.as(e.rm1)); !errors.Is(err, platform.ErrForbidden) {
				t.Errorf("%s as a read-only RM: %v", name, err)
			}
		}
		if err := calls["import"](e.as(e.clerk)); !errors.Is(err, platform.ErrForbidden) {
			t.Errorf("import without customer:import: %v", err)
		}
		if err := calls["each"](e.as(e.rm2)); !errors.Is(err, platform.ErrForbidden) {
			t.Errorf("export without customer:export: %v", err)
		}
		for _, name := range []string{"list", "each", "get", "forms", "duplicates"} {
			if err := calls[name](e.as(e.rm1)); err != nil {
				t.Errorf("%s as RM of region 1: %v", name, err)
			}
		}
	})
}

func TestCreateMaskingAndAudit(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		c := e.create(t, 1, "2026-11-02", primary(e.e1, 7000), assisting(e.e2, 3000))
		if c.ManagerID != e.e1 || c.ManagerName != "张三" || c.BranchID != e.xz || c.IDNumber != rid(1) || c.Phone != "13900000001" {
			t.Fatalf("created: %+v", c.Customer)
		}
		if len(c.Attributions) != 2 || len(c.Forms) != 2 || c.Forms[0].Serial != "XZ-202611-0001" || c.Forms[1].Serial != "XZ-202611-0002" ||
			c.Forms[0].SignedOn.String() != "2026-11-22" || c.Forms[0].Kind != customer.ChangeCreate || c.Attributions[0].FormSerial == "" {
			t.Fatalf("attribution and forms: %+v %+v", c.Attributions, c.Forms)
		}
		// Without customer:pii the ID number and phone are masked — in
		// details, lists and exports.
		masked, err := e.svc.Get(e.as(e.rm1), c.ID)
		if err != nil || masked.IDNumber != people.MaskID(rid(1)) || masked.Phone != "139****0001" || strings.Contains(masked.IDNumber, rid(1)[6:14]) {
			t.Fatalf("masked detail: %+v %v", masked.Customer, err)
		}
		list, _, err := e.svc.List(e.as(e.rm1), customer.Filter{})
		if err != nil || len(list) != 1 || list[0].IDNumber != masked.IDNumber || list[0].Phone != masked.Phone {
			t.Fatalf("masked list: %+v %v", list, err)
		}
		var exported []customer.Customer
		if err := e.svc.Each(e.as(e.rm1), customer.Filter{}, func(x *customer.Customer) error { exported = append(exported, *x); return nil }); err != nil ||
			len(exported) != 1 || exported[0].IDNumber != masked.IDNumber {
			t.Fatalf("masked export: %+v %v", exported, err)
		}
		full, err := e.svc.Get(e.as(e.clerk), c.ID)
		if err != nil || full.IDNumber != rid(1) || full.Phone != "13900000001" {
			t.Fatalf("clear detail: %+v %v", full.Customer, err)
		}
		// Without customer:pii a fragment of an ID number or phone finds nothing; the whole number does.
		for q, want := range map[string]int{rid(1)[:10]: 0, "0001": 0, rid(1): 1, "13900000001": 1, "客户1": 1} {
			list, _, err := e.svc.List(e.as(e.rm1), customer.Filter{Q: q})
			if err != nil || len(list) != want {
				t.Errorf("masked search %q: %d %v", q, len(list), err)
			}
		}
		if list, _, _ := e.svc.List(e.as(e.clerk), customer.Filter{Q: "0001"}); len(list) != 1 {
			t.Errorf("a pii viewer searches fragments: %d", len(list))
		}
		// Profile update, audited with before and after.
		addr := "新地址"
		if _, err := e.svc.Update(e.as(e.clerk), c.ID, customer.Patch{Address: &addr}); err != nil {
			t.Fatal(err)
		}
		if got := e.auditActions(t, "customer", fmt.Sprint(c.ID)); strings.Join(got, ",") != "customer.create,customer.update" {
			t.Fatalf("audit: %v", got)
		}
		bad := "12345"
		if _, err := e.svc.Update(e.as(e.clerk), c.ID, customer.Patch{IDNumber: &bad}); field(err, "idNumber") == "" {
			t.Fatalf("bad ID number accepted: %v", err)
		}
		// An RM of region 2 cannot see or change it.
		if _, err := e.svc.Get(e.as(e.rm2), c.ID); !errors.Is(err, platform.ErrNotFound) {
			t.Fatalf("outside scope: %v", err)
		}
	})
}

func TestCreateBadInput(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		e.create(t, 1, "2026-11-02", primary(e.e1, 10000))
		e.closeMonth(t, "2026-10")
		bad := func(name string, p *access.Principal, n customer.NewCustomer, key, want string) {
			t.Helper()
			_, err := e.svc.Create(e.as(p), n)
			if got := field(err, key); !strings.Contains(got, want) || got == "" {
				t.Errorf("%s: %s = %q, want %q (%v)", name, key, got, want, err)
			}
		}
		n := e.newCustomer(2, "2026-11-02", primary(e.e1, 10000))
		n.IDNumber = rid(2)[:17] + "0"
		if rid(2)[17] == '0' {
			n.IDNumber = rid(2)[:17] + "1"
		}
		bad("check digit", e.admin, n, "idNumber", "校验位")
		n = e.newCustomer(2, "2026-11-02", primary(e.e1, 10000))
		n.Kind = customer.KindCompany
		bad("company with a resident ID", e.admin, n, "idType", "不符")
		bad("share sum", e.admin, e.newCustomer(2, "2026-11-02", primary(e.e1, 8000), assisting(e.e2, 3000)), "managers", "110%（2026-11-02 起）")
		bad("unknown manager", e.admin, e.newCustomer(2, "2026-11-02", primary(999999, 10000)), "managers[0].personId", "不存在")
		bad("manager outside scope", e.rm1w, e.newCustomer(2, "2026-11-02", primary(e.e3, 10000)), "managers[0].personId", "管辖范围")
		bad("manager who left", e.admin, e.newCustomer(2, "2026-11-02", primary(e.e9, 10000)), "managers[0].personId", "离职")
		bad("not yet hired", e.admin, e.newCustomer(2, "2024-06-01", primary(e.e1, 10000)), "managers[0].personId", "未在职")
		bad("opened in the future", e.admin, e.newCustomer(2, "2026-12-01", primary(e.e1, 10000)), "openedOn", "晚于今天")
		n = e.newCustomer(2, "2026-11-02", primary(e.e1, 10000))
		n.EffectiveFrom = d("2026-11-01")
		bad("attributed before it existed", e.admin, n, "effectiveFrom", "早于客户建档日期")
		bad("closed period", e.admin, e.newCustomer(2, "2026-10-15", primary(e.e1, 10000)), "effectiveFrom", "已关账")
		n = e.newCustomer(2, "2026-11-02", primary(e.e1, 10000))
		n.BranchID = e.xz2
		bad("branch outside scope", e.rm1w, n, "branchId", "管辖范围")
		// A duplicate ID number names the owner and nothing else.
		n = e.newCustomer(2, "2026-11-02", primary(e.e2, 10000))
		n.IDNumber = rid(1)
		bad("duplicate", e.admin, n, "idNumber", "张三（E1，R1）")
		// Nothing of all that was written.
		if list, total, _ := e.svc.List(e.as(e.admin), customer.Filter{}); total != 1 || len(list) != 1 {
			t.Fatalf("%d customers after refusals", total)
		}
		forms, _, _ := e.svc.Forms(e.as(e.admin), customer.FormFilter{BranchID: e.xz, Month: "2026-11"})
		if len(forms) != 1 {
			t.Fatalf("%d forms after refusals", len(forms))
		}
	})
}

func TestAttributeAndTransfer(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		ctx := e.as(e.admin)
		c := e.create(t, 1, "2026-03-01", primary(e.e1, 10000))
		shares := func(on string, hs ...customer.Holder) customer.Shares {
			return customer.Shares{EffectiveFrom: d(on), Reason: "协办", Managers: hs}
		}
		_, err := e.svc.Attribute(ctx, c.ID, shares("2026-11-01", primary(e.e1, 10000), assisting(e.e2, 3000)))
		if got := field(err, "managers"); !strings.Contains(got, "130%") || !strings.Contains(got, "2026-11-01") {
			t.Fatalf("share sum over 100%%: %v", err)
		}
		x, err := e.svc.Attribute(ctx, c.ID, shares("2026-11-01", primary(e.e1, 7000), assisting(e.e2, 3000)))
		if err != nil || len(x.Attributions) != 3 || len(x.Forms) != 3 {
			t.Fatalf("attribute: %+v %v", x.Attributions, err)
		}
		if _, err := e.svc.Attribute(ctx, c.ID, shares("2026-11-10", primary(e.e1, 7000), assisting(e.e2, 3000))); !strings.Contains(field(err, "managers"), "没有变化") {
			t.Fatalf("no change: %v", err)
		}
		if _, err := e.svc.Attribute(ctx, c.ID, shares("2026-10-01", primary(e.e1, 10000))); !strings.Contains(field(err, "effectiveFrom"), "2026-11-01") {
			t.Fatalf("before the latest change: %v", err)
		}
		if _, err := e.svc.Attribute(ctx, 999999, shares("2026-11-10", primary(e.e1, 10000))); !errors.Is(err, platform.ErrNotFound) {
			t.Fatalf("unknown customer: %v", err)
		}
		tr := func(p *access.Principal, t0 customer.Transfer) (customer.TransferResult, error) {
			if t0.Reason == "" {
				t0.Reason = "调岗"
			}
			return e.svc.Transfer(e.as(p), t0)
		}
		one := []int64{c.ID}
		_, err = tr(e.admin, customer.Transfer{FromPersonID: e.e1, ToPersonID: e.e3, CustomerIDs: one, EffectiveFrom: d("2026-02-01")})
		if !strings.Contains(field(err, "effectiveFrom"), "早于客户建档日期") {
			t.Fatalf("before the customer existed: %v", err)
		}
		_, err = tr(e.admin, customer.Transfer{FromPersonID: e.e1, ToPersonID: e.e3, CustomerIDs: one, EffectiveFrom: d("2026-10-15")})
		if !strings.Contains(field(err, "effectiveFrom"), "最近一次归属变动") {
			t.Fatalf("before the latest change: %v", err)
		}
		e.closeMonth(t, "2026-09")
		_, err = tr(e.admin, customer.Transfer{FromPersonID: e.e1, ToPersonID: e.e3, CustomerIDs: one, EffectiveFrom: d("2026-09-15")})
		var ce *platform.ConflictError
		if !errors.As(err, &ce) || ce.Code != "period_closed" {
			t.Fatalf("closed period: %v", err)
		}
		_, err = tr(e.rm1w, customer.Transfer{FromPersonID: e.e1, ToPersonID: e.e3, CustomerIDs: one, EffectiveFrom: d("2026-11-20")})
		if !strings.Contains(field(err, "toPersonId"), "管辖范围") {
			t.Fatalf("to a person outside the actor's scope: %v", err)
		}
		_, err = tr(e.admin, customer.Transfer{FromPersonID: e.e1, ToPersonID: e.e9, CustomerIDs: one, EffectiveFrom: d("2026-11-20")})
		if !strings.Contains(field(err, "toPersonId"), "离职") {
			t.Fatalf("to a person who left: %v", err)
		}
		_, err = tr(e.admin, customer.Transfer{FromPersonID: 999999, ToPersonID: e.e3, EffectiveFrom: d("2026-11-20")})
		if !strings.Contains(field(err, "fromPersonId"), "不存在") {
			t.Fatalf("unknown manager: %v", err)
		}
		if _, err = tr(e.admin, customer.Transfer{FromPersonID: e.e1, ToPersonID: e.e3, CustomerIDs: []int64{999999}, EffectiveFrom: d("2026-11-20")}); !errors.Is(err, platform.ErrNotFound) {
			t.Fatalf("unknown customer: %v", err)
		}
		if _, err = tr(e.admin, customer.Transfer{FromPersonID: e.e3, ToPersonID: e.e1, CustomerIDs: one, EffectiveFrom: d("2026-11-20")}); field(err, "fromPersonId") == "" {
			t.Fatalf("from a manager who holds nothing: %v", err)
		}
		// One customer: e1's 70% primary goes to e3; e2 keeps 30%.
		res, err := tr(e.admin, customer.Transfer{FromPersonID: e.e1, ToPersonID: e.e3, CustomerIDs: one, EffectiveFrom: d("2026-11-20")})
		if err != nil || res.Customers != 1 || len(res.Forms) != 1 || res.Forms[0].First != "XZ-202611-0004" {
			t.Fatalf("transfer: %+v %v", res, err)
		}
		x, _ = e.svc.Get(ctx, c.ID)
		if x.ManagerID != e.e3 {
			t.Fatalf("after the transfer the primary is %d", x.ManagerID)
		}
		if got := e.auditActions(t, "customer", fmt.Sprint(c.ID)); strings.Join(got, ",") != "customer.create,customer.attribute,customer.transfer" {
			t.Fatalf("audit: %v", got)
		}
		// Bulk: everything e2 holds (two own customers and 30% of c) goes to e1.
		e.create(t, 2, "2026-11-02", primary(e.e2, 10000))
		e.create(t, 3, "2026-11-02", primary(e.e2, 5000), assisting(e.e1, 5000))
		res, err = tr(e.admin, customer.Transfer{FromPersonID: e.e2, ToPersonID: e.e1, EffectiveFrom: d("2026-11-21"), Reason: "离职移交"})
		if err != nil || res.Customers != 3 || res.Forms[0].Count != 3 {
			t.Fatalf("bulk transfer: %+v %v", res, err)
		}
		if got := e.auditActions(t, "attribution_change", fmt.Sprint(res.ChangeID)); strings.Join(got, ",") != "customer.transfer" {
			t.Fatalf("bulk audit: %v", got)
		}
		list, total, _ := e.svc.List(ctx, customer.Filter{ManagerID: e.e2})
		if total != 0 || len(list) != 0 {
			t.Fatalf("e2 still holds %d", total)
		}
		list, _, _ = e.svc.List(ctx, customer.Filter{ManagerID: e.e1, Q: "客户3"})
		if len(list) != 1 || list[0].ManagerID != e.e1 {
			t.Fatalf("merged customer 3: %+v", list)
		}
	})
}

func TestScopeAndDuplicateCheck(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		c1 := e.create(t, 1, "2026-11-02", primary(e.e1, 10000))
		e.create(t, 2, "2026-11-02", primary(e.e2, 10000))
		c3 := e.create(t, 3, "2026-11-02", primary(e.e3, 10000))
		names := func(p *access.Principal) string {
			list, _, err := e.svc.List(e.as(p), customer.Filter{})
			if err != nil {
				t.Fatal(err)
			}
			var out []string
			for _, c := range list {
				out = append(out, c.Name)
			}
			return strings.Join(out, ",")
		}
		for p, want := range map[*access.Principal]string{e.clerk: "客户1,客户2,客户3", e.rm1: "客户1,客户2", e.rm2: "客户3", e.cm1: "客户1"} {
			if got := names(p); got != want {
				t.Errorf("%s sees %s, want %s", p.Username, got, want)
			}
		}
		if _, err := e.svc.Get(e.as(e.cm1), c3.ID); !errors.Is(err, platform.ErrNotFound) {
			t.Errorf("a CM opens a colleague's customer: %v", err)
		}
		// The duplicate check names the owner even to someone who may not
		// open the customer, and nothing more.
		dups, err := e.svc.DuplicateCheck(e.as(e.rm2), customer.DuplicateQuery{IDNumber: strings.ToLower(rid(1))})
		if err != nil || len(dups) != 1 {
			t.Fatalf("duplicate check: %+v %v", dups, err)
		}
		x := dups[0]
		if x.Visible || x.CustomerID != 0 || x.Field != "idNumber" || len(x.Owners) != 1 ||
			x.Owners[0] != (customer.Owner{EmpNo: "E1", Name: "张三", UnitName: "R1", Role: customer.RolePrimary}) || x.BranchName != "XZ" {
			t.Fatalf("seen from region 2: %+v", x)
		}
		dups, err = e.svc.DuplicateCheck(e.as(e.rm1), customer.DuplicateQuery{Phone: "139 0000 0001"})
		if err != nil || len(dups) != 1 || !dups[0].Visible || dups[0].CustomerID != c1.ID || dups[0].Field != "phone" {
			t.Fatalf("seen from region 1: %+v %v", dups, err)
		}
		if dups, err := e.svc.DuplicateCheck(e.as(e.rm1), customer.DuplicateQuery{IDNumber: rid(99)}); err != nil || len(dups) != 0 {
			t.Fatalf("no duplicate: %+v %v", dups, err)
		}
		for _, q := range []customer.DuplicateQuery{{}, {IDNumber: "1101"}, {Phone: "139"}} {
			if _, err := e.svc.DuplicateCheck(e.as(e.rm1), q); err == nil {
				t.Errorf("fragment %+v accepted", q)
			}
		}
	})
}

func TestArchiveForms(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		e.create(t, 1, "2026-11-02", primary(e.e1, 10000))
		e.create(t, 2, "2026-11-02", primary(e.e3, 6000), assisting(e.e2, 4000))
		forms, total, err := e.svc.Forms(e.as(e.clerk), customer.FormFilter{BranchID: e.xz, Month: "2026-11"})
		if err != nil || total != 3 || forms[2].Serial != "XZ-202611-0003" {
			t.Fatalf("forms: %d %+v %v", total, forms, err)
		}
		if _, err := e.svc.ArchiveForms(e.as(e.rm1w), customer.Archive{BranchID: e.xz, Month: "2026-11"}); !errors.Is(err, platform.ErrNotFound) {
			t.Fatalf("archiving a branch outside scope: %v", err)
		}
		if _, err := e.svc.ArchiveForms(e.as(e.clerk), customer.Archive{BranchID: e.xz, Month: "11/2026"}); field(err, "month") == "" {
			t.Fatalf("bad month: %v", err)
		}
		res, err := e.svc.ArchiveForms(e.as(e.clerk), customer.Archive{BranchID: e.xz, Month: "2026-11"})
		if err != nil || res.Archived != 3 || strings.Join(res.Serials, ",") != "XZ-202611-0001,XZ-202611-0002,XZ-202611-0003" {
			t.Fatalf("archive: %+v %v", res, err)
		}
		if got := e.auditActions(t, "confirmation_forms", fmt.Sprintf("%d/2026-11", e.xz)); strings.Join(got, ",") != "customer.forms.archive" {
			t.Fatalf("audit: %v", got)
		}
		var ce *platform.ConflictError
		if _, err := e.svc.ArchiveForms(e.as(e.clerk), customer.Archive{BranchID: e.xz, Month: "2026-11"}); !errors.As(err, &ce) {
			t.Fatalf("archive twice: %v", err)
		}
		yes := true
		if _, total, _ := e.svc.Forms(e.as(e.clerk), customer.FormFilter{BranchID: e.xz, Month: "2026-11", Archived: &yes}); total != 3 {
			t.Fatalf("archived forms: %d", total)
		}
		// Region 2's RM sees the one form of their manager.
		if forms, total, _ := e.svc.Forms(e.as(e.rm2), customer.FormFilter{BranchID: e.xz, Month: "2026-11"}); total != 1 || forms[0].EmpNo != "E3" {
			t.Fatalf("region 2 forms: %+v", forms)
		}
	})
}

func row(num int, kv ...string) platform.ImportRow {
	v := map[string]string{}
	for i := 0; i+1 < len(kv); i += 2 {
		v[kv[i]] = kv[i+1]
	}
	return platform.ImportRow{Num: num, Values: v}
}

func person(num, n int, manager string, kv ...string) platform.ImportRow {
	base := []string{"kind", "个人", "name", fmt.Sprintf("导入%d", n), "idType", "居民身份证", "idNumber", rid(n), "openedOn", "2026-11-02", "managerEmpNo", manager}
	return row(num, append(base, kv...)...)
}

func TestImport(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		e.create(t, 1, "2026-11-02", primary(e.e1, 10000))
		e.closeMonth(t, "2026-10")
		badID := rid(50)[:17] + "5"
		if rid(50)[17] == '5' {
			badID = rid(50)[:17] + "6"
		}
		rows := []platform.ImportRow{
			person(2, 10, "E1"),
			person(3, 11, "NOPE"),
			person(4, 10, "E2"), // same ID number as row 2
			person(5, 1, "E2"),  // already a customer of 张三
			person(6, 12, "E1", "share", "80", "assistEmpNo", "E2", "assistShare", "30"),
			person(7, 50, "E1", "idNumber", badID),
			person(8, 13, "E1", "openedOn", "2026-10-01", "effectiveFrom", "2026-10-10"),
			person(9, 14, "E1", "effectiveFrom", "2026-11-01"),
			person(10, 15, "E9"),
			person(11, 16, "E1", "kind", "机器人", "openedOn", "2026/11/02"),
			row(12, "kind", "机构", "name", "某某有限公司", "idType", "统一社会信用代码", "idNumber", "91350100M000100Y43", "branchCode", "XZ",
				"managerEmpNo", "E3", "share", "60", "assistEmpNo", "E1", "assistShare", "40%"),
		}
		n, errs, err := e.svc.Import(e.as(e.director), rows)
		if err != nil || n != 0 {
			t.Fatalf("import: %d %v", n, err)
		}
		got := map[string]string{}
		for _, re := range errs {
			got[fmt.Sprintf("%d/%s", re.Row, re.Column)] = re.Message
		}
		for key, want := range map[string]string{
			"3/managerEmpNo":  "NOPE",      // unknown manager
			"4/idNumber":      "第 2 行",     // duplicate ID in the file
			"5/idNumber":      "张三（E1，R1）", // duplicate ID in the database, naming the owner
			"6/share":         "110%",      // share sum over 100%
			"7/idNumber":      "校验位",       // invalid ID number
			"8/effectiveFrom": "已关账",       // a closed period
			"9/effectiveFrom": "早于客户建档日期",  // attributed before the customer existed
			"10/managerEmpNo": "离职",        // a manager who has left
			"11/kind":         "机器人",       // not a kind
			"11/openedOn":     "不是日期",      // not a date
		} {
			if !strings.Contains(got[key], want) {
				t.Errorf("%s = %q, want %q", key, got[key], want)
			}
			delete(got, key)
		}
		for k, msg := range got {
			t.Errorf("unexpected error %s: %s", k, msg)
		}
		if _, total, _ := e.svc.List(e.as(e.admin), customer.Filter{}); total != 1 {
			t.Fatalf("a failed import wrote %d customers", total-1)
		}
		// The valid rows alone go in, with forms and an audit entry each.
		n, errs, err = e.svc.Import(e.as(e.director), []platform.ImportRow{rows[0], rows[10]})
		if err != nil || len(errs) != 0 || n != 2 {
			t.Fatalf("valid import: %d %+v %v", n, errs, err)
		}
		list, _, _ := e.svc.List(e.as(e.admin), customer.Filter{Q: "某某"})
		if len(list) != 1 || list[0].Kind != customer.KindCompany || list[0].ManagerID != e.e3 || list[0].BranchID != e.xz {
			t.Fatalf("imported company: %+v", list)
		}
		x, _ := e.svc.Get(e.as(e.admin), list[0].ID)
		if len(x.Attributions) != 2 || x.Attributions[1].ShareBP != 4000 || x.Forms[0].Kind != customer.ChangeImport {
			t.Fatalf("imported attribution: %+v %+v", x.Attributions, x.Forms)
		}
		if got := e.auditActions(t, "customer", fmt.Sprint(list[0].ID)); strings.Join(got, ",") != "customer.create" {
			t.Fatalf("audit: %v", got)
		}
		forms, total, _ := e.svc.Forms(e.as(e.admin), customer.FormFilter{BranchID: e.xz, Month: "2026-11"})
		if total != 4 || forms[3].Serial != "XZ-202611-0004" {
			t.Fatalf("forms after import: %d", total)
		}
	})
}
