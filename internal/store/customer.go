package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sort"
	"strings"

	"cmhub/internal/access"
	"cmhub/internal/customer"
	"cmhub/internal/platform"
)

// Customers, their effective-dated attribution to managers, and the
// confirmation forms with gap-free serial numbers (docs/decisions/0009).

const customerCols = `c.id, c.institution_id, c.kind, c.name, c.id_type, c.id_number, c.phone, c.address, c.branch_id, b.name,
	c.opened_on, c.created_at, c.updated_at, COALESCE(pa.person_id, 0), COALESCE(pm.emp_no, ''), COALESCE(pm.name, '')`

func scanCustomer(sc interface{ Scan(...any) error }, c *customer.Customer) error {
	return sc.Scan(&c.ID, &c.Institution, &c.Kind, &c.Name, &c.IDType, &c.IDNumber, &c.Phone, &c.Address, &c.BranchID, &c.BranchName,
		&c.OpenedOn, &c.CreatedAt, &c.UpdatedAt, &c.ManagerID, &c.ManagerEmpNo, &c.ManagerName)
}

// customerJoins adds the branch and the primary manager in force on asOf
// to "customers c". One customer has at most one primary row on a day.
func customerJoins(q *sqlb, asOf platform.Date) {
	q.add(` JOIN units b ON b.id = c.branch_id
	LEFT JOIN customer_attributions pa ON pa.customer_id = c.id AND pa.role = 'primary' AND pa.valid_from <= ? AND ? < pa.valid_to
	LEFT JOIN persons pm ON pm.id = pa.person_id`, asOf, asOf)
}

// customerVisible writes the predicate that customer c is visible to s on
// d: the whole institution, or its branch in the scope's subtrees, or one
// of its rows in force on d held by a person whose record in force on d
// lies in those subtrees, or by the principal themself. It needs the
// scope_units CTE. The zero scope matches nothing.
func customerVisible(q *sqlb, s access.Scope, d platform.Date) {
	if s.Empty() {
		q.add("1 = 0")
		return
	}
	q.add("c.institution_id = ?", s.Institution)
	if s.All {
		return
	}
	q.add(` AND (c.branch_id IN (SELECT id FROM scope_units)
		OR EXISTS (SELECT 1 FROM customer_attributions va JOIN person_records vr ON vr.person_id = va.person_id AND vr.valid_from <= ? AND ? < vr.valid_to
			WHERE va.customer_id = c.id AND va.valid_from <= ? AND ? < va.valid_to AND vr.unit_id IN (SELECT id FROM scope_units))`, d, d, d, d)
	if s.Self != 0 {
		q.add(` OR EXISTS (SELECT 1 FROM customer_attributions vs WHERE vs.customer_id = c.id AND vs.person_id = ? AND vs.valid_from <= ? AND ? < vs.valid_to)`,
			s.Self, d, d)
	}
	q.add(")")
}

// customersQuery writes the shared FROM/WHERE of lists and exports. For a
// limited scope the visible customers are found from the scope's units —
// customers of branches in the subtrees, and customers held by the people
// whose records lie there (index person_records_unit, then
// customer_attributions_person) — rather than by testing every customer of
// the institution, which keeps a region's list independent of the
// branch's size.
func customersQuery(q *sqlb, s access.Scope, f customer.Filter, selectList string, branches []int64, e Engine) {
	d := f.AsOf
	q.add("WITH RECURSIVE ")
	scopeCTE(q, s, d)
	q.add(", filter_units(id) AS (SELECT id FROM units WHERE id = ?", f.UnitID)
	q.add(" UNION SELECT up.unit_id FROM unit_parents up JOIN filter_units fu ON up.parent_id = fu.id WHERE up.valid_from <= ? AND ? < up.valid_to)", d, d)
	q.add(" SELECT " + selectList + " FROM ")
	switch {
	case s.Empty():
		q.add("customers c WHERE 1 = 0")
	case s.All:
		q.add("customers c WHERE c.institution_id = ?", s.Institution)
	default:
		// The visible ids, from at most three small sources. The scope's
		// branches come resolved as literals so the planner sees how few
		// rows they bring (an empty arm is left out altogether).
		var v sqlb
		arm := func(sql string, args ...any) {
			if len(v.args) > 0 || v.b.Len() > 0 {
				v.add(" UNION ")
			}
			v.add(sql, args...)
		}
		if len(branches) > 0 {
			arm("SELECT c0.id AS id FROM customers c0 WHERE c0.branch_id IN ("+placeholders(len(branches))+")", int64Args(branches)...)
		}
		if len(s.Units) > 0 {
			arm(`SELECT DISTINCT a0.customer_id AS id FROM person_records r0
				JOIN customer_attributions a0 ON a0.person_id = r0.person_id AND a0.valid_from <= ? AND ? < a0.valid_to
				WHERE r0.unit_id IN (SELECT id FROM scope_units) AND r0.valid_from <= ? AND ? < r0.valid_to`, d, d, d, d)
		}
		if s.Self != 0 || v.b.Len() == 0 {
			arm("SELECT DISTINCT a1.customer_id AS id FROM customer_attributions a1 WHERE a1.person_id = ? AND a1.valid_from <= ? AND ? < a1.valid_to", s.Self, d, d)
		}
		if e == Postgres {
			// An array built once lets PostgreSQL fetch the few visible
			// customers by primary key instead of hash-joining the table.
			q.add("customers c WHERE c.id = ANY(ARRAY("+v.String()+"))", v.args...)
		} else {
			q.add("("+v.String()+") v JOIN customers c ON c.id = v.id WHERE 1 = 1", v.args...)
		}
		q.add(" AND c.institution_id = ?", s.Institution)
	}
	q.add(" AND c.opened_on <= ?", d)
	if f.UnitID != 0 {
		q.add(` AND (c.branch_id IN (SELECT id FROM filter_units)
			OR c.id IN (SELECT a2.customer_id FROM person_records r2
				JOIN customer_attributions a2 ON a2.person_id = r2.person_id AND a2.valid_from <= ? AND ? < a2.valid_to
				WHERE r2.unit_id IN (SELECT id FROM filter_units) AND r2.valid_from <= ? AND ? < r2.valid_to))`, d, d, d, d)
	}
	if f.ManagerID != 0 {
		q.add(" AND c.id IN (SELECT a3.customer_id FROM customer_attributions a3 WHERE a3.person_id = ? AND a3.valid_from <= ? AND ? < a3.valid_to)",
			f.ManagerID, d, d)
	}
	if f.Kind != "" {
		q.add(" AND c.kind = ?", f.Kind)
	}
	if f.Q != "" {
		like := "%" + escapeLike(strings.ToLower(f.Q)) + "%"
		compact := strings.Join(strings.Fields(f.Q), "")
		if f.ExactIdentifiers {
			q.add(` AND (LOWER(c.name) LIKE ? ESCAPE '\' OR c.id_number = ? OR c.phone = ?)`, like, strings.ToUpper(compact), compact)
		} else {
			idLike := "%" + escapeLike(strings.ToUpper(compact)) + "%"
			phoneLike := "%" + escapeLike(compact) + "%"
			q.add(` AND (LOWER(c.name) LIKE ? ESCAPE '\' OR c.id_number LIKE ? ESCAPE '\' OR c.phone LIKE ? ESCAPE '\')`, like, idLike, phoneLike)
		}
	}
}

var customerSortSQL = map[string]string{"name": "c.name", "openedOn": "c.opened_on", "createdAt": "c.created_at"}

func customerOrderBy(sort string) string {
	dir := "ASC"
	if strings.HasPrefix(sort, "-") {
		sort, dir = sort[1:], "DESC"
	}
	col, ok := customerSortSQL[sort]
	if !ok {
		col = "c.name"
	}
	return " ORDER BY " + col + " " + dir + ", c.id"
}

// ListCustomers returns a page of the customers in scope and the total count.
func (db *DB) ListCustomers(ctx context.Context, s access.Scope, f customer.Filter) ([]customer.Customer, int, error) {
	branches, err := db.scopeBranches(ctx, s, f.AsOf)
	if err != nil {
		return nil, 0, err
	}
	var cq sqlb
	customersQuery(&cq, s, f, "COUNT(*)", branches, db.engine)
	var total int
	if err := db.queryRow(ctx, cq.String(), cq.args...).Scan(&total); err != nil {
		return nil, 0, fmt.Errorf("count customers: %w", err)
	}
	// The page's ids first, from customers alone; then the branch and the
	// primary manager for just those rows.
	var q sqlb
	q.add("SELECT " + customerCols + " FROM (")
	customersQuery(&q, s, f, "c.id AS id", branches, db.engine)
	q.add(customerOrderBy(f.Sort)+" LIMIT ? OFFSET ?", f.PageSize, (f.Page-1)*f.PageSize)
	q.add(") pg JOIN customers c ON c.id = pg.id")
	customerJoins(&q, f.AsOf)
	q.add(customerOrderBy(f.Sort))
	rows, err := db.query(ctx, q.String(), q.args...)
	if err != nil {
		return nil, 0, fmt.Errorf("list customers: %w", err)
	}
	defer rows.Close()
	out := []customer.Customer{}
	for rows.Next() {
		var c customer.Customer
		if err := scanCustomer(rows, &c); err != nil {
			return nil, 0, err
		}
		out = append(out, c)
	}
	return out, total, rows.Err()
}

// EachCustomer streams every customer in scope matching f, for exports.
func (db *DB) EachCustomer(ctx context.Context, s access.Scope, f customer.Filter, fn func(*customer.Customer) error) error {
	branches, err := db.scopeBranches(ctx, s, f.AsOf)
	if err != nil {
		return err
	}
	var q sqlb
	q.add("SELECT " + customerCols + " FROM (")
	customersQuery(&q, s, f, "c.id AS id", branches, db.engine)
	q.add(") ids JOIN customers c ON c.id = ids.id")
	customerJoins(&q, f.AsOf)
	q.add(customerOrderBy(f.Sort))
	rows, err := db.query(ctx, q.String(), q.args...)
	if err != nil {
		return fmt.Errorf("export customers: %w", err)
	}
	defer rows.Close()
	var c customer.Customer
	for rows.Next() {
		if err := scanCustomer(rows, &c); err != nil {
			return err
		}
		if err := fn(&c); err != nil {
			return err
		}
	}
	return rows.Err()
}

// Customer returns one customer in scope, with its primary manager on asOf.
func (db *DB) Customer(ctx context.Context, s access.Scope, id int64, asOf platform.Date) (customer.Customer, error) {
	var q sqlb
	q.add("WITH RECURSIVE ")
	scopeCTE(&q, s, asOf)
	q.add(" SELECT " + customerCols + " FROM customers c")
	customerJoins(&q, asOf)
	q.add(" WHERE c.id = ? AND ", id)
	customerVisible(&q, s, asOf)
	var c customer.Customer
	err := scanCustomer(db.queryRow(ctx, q.String(), q.args...), &c)
	if errors.Is(err, sql.ErrNoRows) {
		return c, platform.ErrNotFound
	}
	if err != nil {
		return c, fmt.Errorf("customer %d: %w", id, err)
	}
	return c, nil
}

// CustomersByID returns those of ids the scope may see on asOf.
func (db *DB) CustomersByID(ctx context.Context, s access.Scope, ids []int64, asOf platform.Date) (map[int64]customer.Customer, error) {
	out := map[int64]customer.Customer{}
	for part := range chunks(ids, 500) {
		var q sqlb
		q.add("WITH RECURSIVE ")
		scopeCTE(&q, s, asOf)
		q.add(" SELECT " + customerCols + " FROM customers c")
		customerJoins(&q, asOf)
		q.add(" WHERE c.id IN ("+placeholders(len(part))+") AND ", int64Args(part)...)
		customerVisible(&q, s, asOf)
		rows, err := db.query(ctx, q.String(), q.args...)
		if err != nil {
			return nil, fmt.Errorf("customers: %w", err)
		}
		for rows.Next() {
			var c customer.Customer
			if err := scanCustomer(rows, &c); err != nil {
				rows.Close()
				return nil, err
			}
			out[c.ID] = c
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// chunks yields consecutive parts of at most n elements.
func chunks[T any](xs []T, n int) func(func([]T) bool) {
	return func(yield func([]T) bool) {
		for i := 0; i < len(xs); i += n {
			if !yield(xs[i:min(i+n, len(xs))]) {
				return
			}
		}
	}
}

// DuplicateCustomers finds the customers of the scope's institution whose
// ID number or phone is one of those given — whether or not the scope may
// open them — with their owners on asOf. Visible says whether the scope
// may open the customer; callers reveal nothing else of an invisible one.
func (db *DB) DuplicateCustomers(ctx context.Context, s access.Scope, idNumbers, phones []string, asOf platform.Date, limit int) ([]customer.Duplicate, error) {
	if s.Institution == 0 {
		return nil, nil
	}
	var out []customer.Duplicate
	seen := map[int64]bool{}
	search := func(field, col string, values []string) error {
		for part := range chunks(values, 500) {
			if limit > 0 && len(out) >= limit {
				return nil
			}
			var q sqlb
			q.add("WITH RECURSIVE ")
			scopeCTE(&q, s, asOf)
			q.add(" SELECT c.id, c." + col + ", b.name, CASE WHEN ")
			customerVisible(&q, s, asOf)
			q.add(" THEN 1 ELSE 0 END FROM customers c JOIN units b ON b.id = c.branch_id WHERE c.institution_id = ? AND c."+col+" IN ("+
				placeholders(len(part))+") ORDER BY c.id", append([]any{s.Institution}, stringArgs(part)...)...)
			if limit > 0 {
				q.add(" LIMIT ?", limit-len(out))
			}
			rows, err := db.query(ctx, q.String(), q.args...)
			if err != nil {
				return fmt.Errorf("duplicates: %w", err)
			}
			for rows.Next() {
				d := customer.Duplicate{Field: field, Owners: []customer.Owner{}}
				var vis int
				if err := rows.Scan(&d.CustomerID, &d.Value, &d.BranchName, &vis); err != nil {
					rows.Close()
					return err
				}
				d.Visible = vis == 1
				if !seen[d.CustomerID] {
					seen[d.CustomerID] = true
					out = append(out, d)
				}
			}
			rows.Close()
			if err := rows.Err(); err != nil {
				return err
			}
		}
		return nil
	}
	if err := search("idNumber", "id_number", idNumbers); err != nil {
		return nil, err
	}
	if err := search("phone", "phone", phones); err != nil {
		return nil, err
	}
	if len(out) == 0 {
		return out, nil
	}
	idx := map[int64]int{}
	ids := make([]int64, len(out))
	for i, d := range out {
		idx[d.CustomerID], ids[i] = i, d.CustomerID
	}
	for part := range chunks(ids, 500) {
		rows, err := db.query(ctx, `SELECT a.customer_id, p.emp_no, p.name, a.role, COALESCE(u.name, '')
			FROM customer_attributions a JOIN persons p ON p.id = a.person_id
			LEFT JOIN person_records r ON r.person_id = p.id AND r.valid_from <= ? AND ? < r.valid_to
			LEFT JOIN units u ON u.id = r.unit_id
			WHERE a.customer_id IN (`+placeholders(len(part))+`) AND a.valid_from <= ? AND ? < a.valid_to
			ORDER BY a.customer_id, CASE WHEN a.role = 'primary' THEN 0 ELSE 1 END, p.emp_no`,
			append(append([]any{asOf, asOf}, int64Args(part)...), asOf, asOf)...)
		if err != nil {
			return nil, fmt.Errorf("owners: %w", err)
		}
		for rows.Next() {
			var cid int64
			var o customer.Owner
			if err := rows.Scan(&cid, &o.EmpNo, &o.Name, &o.Role, &o.UnitName); err != nil {
				rows.Close()
				return nil, err
			}
			out[idx[cid]].Owners = append(out[idx[cid]].Owners, o)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// visibleCustomer writes "WITH RECURSIVE … SELECT cols FROM …" where the
// WHERE ends with "AND EXISTS (customer id col visible to s on asOf)", for
// the detail queries of one customer.
func visibleCustomer(q *sqlb, s access.Scope, asOf platform.Date, selectFrom, idCol string, id int64) {
	q.add("WITH RECURSIVE ")
	scopeCTE(q, s, asOf)
	q.add(" "+selectFrom+" WHERE "+idCol+" = ? AND EXISTS (SELECT 1 FROM customers c WHERE c.id = "+idCol+" AND ", id)
	customerVisible(q, s, asOf)
	q.add(")")
}

// CustomerAttributions returns every attribution row of a customer in
// scope on asOf, oldest first, primary first within a day; nothing for a
// customer outside the scope.
func (db *DB) CustomerAttributions(ctx context.Context, s access.Scope, customerID int64, asOf platform.Date) ([]customer.Attribution, error) {
	var q sqlb
	visibleCustomer(&q, s, asOf, `SELECT a.id, a.customer_id, a.person_id, p.emp_no, p.name, a.role, a.share_bp, a.valid_from, a.valid_to,
			a.change_id, ch.kind, ch.reason, COALESCE(f.id, 0), COALESCE(f.serial, '')
		FROM customer_attributions a JOIN persons p ON p.id = a.person_id JOIN attribution_changes ch ON ch.id = a.change_id
		LEFT JOIN confirmation_forms f ON f.attribution_id = a.id`, "a.customer_id", customerID)
	q.add(" ORDER BY a.valid_from, CASE WHEN a.role = 'primary' THEN 0 ELSE 1 END, p.emp_no, a.id")
	rows, err := db.query(ctx, q.String(), q.args...)
	if err != nil {
		return nil, fmt.Errorf("attributions: %w", err)
	}
	defer rows.Close()
	out := []customer.Attribution{}
	for rows.Next() {
		var a customer.Attribution
		var to platform.Date
		if err := rows.Scan(&a.ID, &a.CustomerID, &a.PersonID, &a.EmpNo, &a.PersonName, &a.Role, &a.ShareBP, &a.ValidFrom, &to,
			&a.ChangeID, &a.ChangeKind, &a.Reason, &a.FormID, &a.FormSerial); err != nil {
			return nil, err
		}
		if !to.IsEndOfTime() {
			last := to.AddDays(-1) // shown as the last day in force
			a.ValidTo = &last
		}
		out = append(out, a)
	}
	return out, rows.Err()
}

const formCols = `f.id, f.serial, f.branch_id, b.name, f.month, f.seq, f.customer_id, c.name, f.person_id, p.emp_no, p.name,
	f.role, f.share_bp, f.effective_from, f.kind, f.signed_on, f.archived, f.archived_at, f.archived_by, f.created_by, f.created_at`

const formFrom = ` FROM confirmation_forms f JOIN units b ON b.id = f.branch_id JOIN customers c ON c.id = f.customer_id
	JOIN persons p ON p.id = f.person_id`

func scanForms(rows *sql.Rows) ([]customer.Form, error) {
	out := []customer.Form{}
	for rows.Next() {
		var x customer.Form
		var at platform.Timestamp
		if err := rows.Scan(&x.ID, &x.Serial, &x.BranchID, &x.BranchName, &x.Month, &x.Seq, &x.CustomerID, &x.CustomerName,
			&x.PersonID, &x.EmpNo, &x.PersonName, &x.Role, &x.ShareBP, &x.EffectiveFrom, &x.Kind, &x.SignedOn, &x.Archived,
			&at, &x.ArchivedBy, &x.CreatedBy, &x.CreatedAt); err != nil {
			return nil, err
		}
		if !at.IsZero() {
			x.ArchivedAt = &at
		}
		out = append(out, x)
	}
	return out, rows.Err()
}

// CustomerForms returns the confirmation forms of a customer in scope on
// asOf; nothing for a customer outside the scope.
func (db *DB) CustomerForms(ctx context.Context, s access.Scope, customerID int64, asOf platform.Date) ([]customer.Form, error) {
	var q sqlb
	// The EXISTS's own "customers c" shadows the outer one, as SQL scoping says.
	visibleCustomer(&q, s, asOf, "SELECT "+formCols+formFrom, "f.customer_id", customerID)
	q.add(" ORDER BY f.signed_on, f.id")
	rows, err := db.query(ctx, q.String(), q.args...)
	if err != nil {
		return nil, fmt.Errorf("customer forms: %w", err)
	}
	defer rows.Close()
	return scanForms(rows)
}

// formsQuery writes the shared FROM/WHERE of the forms list: the forms of
// a branch and month that the scope covers — by the branch, or by the
// manager (their record in force on the form's effective date, or self).
func formsQuery(q *sqlb, s access.Scope, f customer.FormFilter, today platform.Date, selectList string) {
	q.add("WITH RECURSIVE ")
	scopeCTE(q, s, today)
	q.add(" SELECT "+selectList+formFrom+" WHERE f.institution_id = ? AND f.branch_id = ? AND f.month = ?", s.Institution, f.BranchID, f.Month)
	if f.Archived != nil {
		q.add(" AND f.archived = ?", *f.Archived)
	}
	switch {
	case s.Empty():
		q.add(" AND 1 = 0")
	case s.All:
	default:
		q.add(` AND (f.branch_id IN (SELECT id FROM scope_units) OR f.person_id = ?
			OR EXISTS (SELECT 1 FROM person_records fr WHERE fr.person_id = f.person_id AND fr.valid_from <= f.effective_from
				AND f.effective_from < fr.valid_to AND fr.unit_id IN (SELECT id FROM scope_units)))`, s.Self)
	}
}

// ListConfirmationForms returns a page of the forms of a branch and month in scope, by serial.
func (db *DB) ListConfirmationForms(ctx context.Context, s access.Scope, f customer.FormFilter) ([]customer.Form, int, error) {
	today := platform.DateOf(db.clock.Now())
	var cq sqlb
	formsQuery(&cq, s, f, today, "COUNT(*)")
	var total int
	if err := db.queryRow(ctx, cq.String(), cq.args...).Scan(&total); err != nil {
		return nil, 0, fmt.Errorf("count forms: %w", err)
	}
	var q sqlb
	formsQuery(&q, s, f, today, formCols)
	q.add(" ORDER BY f.seq LIMIT ? OFFSET ?", f.PageSize, (f.Page-1)*f.PageSize)
	rows, err := db.query(ctx, q.String(), q.args...)
	if err != nil {
		return nil, 0, fmt.Errorf("list forms: %w", err)
	}
	defer rows.Close()
	out, err := scanForms(rows)
	return out, total, err
}

// managersQuery selects people with their record in force on asOf, in scope.
func managersQuery(q *sqlb, s access.Scope, asOf platform.Date, where string, args []any) {
	q.add("WITH RECURSIVE ")
	scopeCTE(q, s, asOf)
	q.add(` SELECT p.id, p.emp_no, p.name, r.unit_id, u.name, r.status FROM persons p
		JOIN person_records r ON r.person_id = p.id AND r.valid_from <= ? AND ? < r.valid_to
		JOIN units u ON u.id = r.unit_id WHERE `+where+" AND ", append([]any{asOf, asOf}, args...)...)
	scopeWhere(q, s, "r.unit_id")
}

func (db *DB) scanManagers(ctx context.Context, q *sqlb, fn func(customer.Manager)) error {
	rows, err := db.query(ctx, q.String(), q.args...)
	if err != nil {
		return fmt.Errorf("managers: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var m customer.Manager
		if err := rows.Scan(&m.ID, &m.EmpNo, &m.Name, &m.UnitID, &m.UnitName, &m.Status); err != nil {
			return err
		}
		fn(m)
	}
	return rows.Err()
}

// ScopedManagers returns those of the people the scope may see on asOf.
func (db *DB) ScopedManagers(ctx context.Context, s access.Scope, ids []int64, asOf platform.Date) (map[int64]customer.Manager, error) {
	out := map[int64]customer.Manager{}
	for part := range chunks(ids, 500) {
		var q sqlb
		managersQuery(&q, s, asOf, "p.id IN ("+placeholders(len(part))+")", int64Args(part))
		if err := db.scanManagers(ctx, &q, func(m customer.Manager) { out[m.ID] = m }); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// ScopedManagersByEmpNo returns those of the employee numbers the scope may see on asOf.
func (db *DB) ScopedManagersByEmpNo(ctx context.Context, s access.Scope, empNos []string, asOf platform.Date) (map[string]customer.Manager, error) {
	out := map[string]customer.Manager{}
	for part := range chunks(empNos, 500) {
		var q sqlb
		managersQuery(&q, s, asOf, "p.emp_no IN ("+placeholders(len(part))+")", stringArgs(part))
		if err := db.scanManagers(ctx, &q, func(m customer.Manager) { out[m.EmpNo] = m }); err != nil {
			return nil, err
		}
	}
	return out, nil
}

func nullID(id int64) any {
	if id == 0 {
		return nil
	}
	return id
}

func (db *DB) insertChange(ctx context.Context, ch *customer.Change) error {
	id, err := db.insertID(ctx, `INSERT INTO attribution_changes (institution_id, kind, from_person_id, to_person_id, effective_from,
		signed_on, reason, created_by, created_at) VALUES (?,?,?,?,?,?,?,?,?)`, ch.Institution, ch.Kind, nullID(ch.FromPersonID),
		nullID(ch.ToPersonID), ch.EffectiveFrom, ch.SignedOn, ch.Reason, ch.CreatedBy, platform.TS(db.clock.Now()))
	if err != nil {
		return fmt.Errorf("insert attribution change: %w", err)
	}
	ch.ID = id
	return nil
}

// CreateCustomers inserts the drafts and their rows in batched multi-row
// statements, checks the attribution invariants and issues the forms.
func (db *DB) CreateCustomers(ctx context.Context, ch *customer.Change, drafts []*customer.Draft) ([]customer.SerialRange, error) {
	tx, err := db.mustTx(ctx)
	if err != nil {
		return nil, err
	}
	if err := db.insertChange(ctx, ch); err != nil {
		return nil, err
	}
	now := platform.TS(db.clock.Now())
	for part := range chunks(drafts, 100) {
		var q sqlb
		q.add(`INSERT INTO customers (institution_id, kind, name, id_type, id_number, phone, address, branch_id, opened_on, created_at, updated_at) VALUES `)
		byNumber := map[string]*customer.Draft{}
		for i, d := range part {
			c := &d.Customer
			if i > 0 {
				q.add(",")
			}
			q.add("(?,?,?,?,?,?,?,?,?,?,?)", ch.Institution, c.Kind, c.Name, c.IDType, c.IDNumber, c.Phone, c.Address, c.BranchID, c.OpenedOn, now, now)
			byNumber[c.IDNumber] = d
		}
		q.add(" RETURNING id, id_number")
		rows, err := tx.QueryContext(ctx, rebind(db.engine, q.String()), q.args...)
		if err != nil {
			return nil, customerWriteError(err)
		}
		for rows.Next() {
			var id int64
			var n string
			if err := rows.Scan(&id, &n); err != nil {
				rows.Close()
				return nil, err
			}
			if d := byNumber[n]; d != nil {
				d.Customer.ID, d.Customer.Institution, d.Customer.CreatedAt, d.Customer.UpdatedAt = id, ch.Institution, now, now
			}
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, customerWriteError(err)
		}
	}
	type row struct {
		customerID int64
		customer.NewRow
	}
	var all []row
	for _, d := range drafts {
		if d.Customer.ID == 0 {
			return nil, fmt.Errorf("insert customers: no id returned for %q", d.Customer.IDNumber)
		}
		for _, r := range d.Rows {
			all = append(all, row{d.Customer.ID, r})
		}
	}
	for part := range chunks(all, 100) {
		var q sqlb
		q.add(`INSERT INTO customer_attributions (customer_id, person_id, role, share_bp, valid_from, valid_to, change_id, created_at) VALUES `)
		for i, r := range part {
			if i > 0 {
				q.add(",")
			}
			q.add("(?,?,?,?,?,?,?,?)", r.customerID, r.PersonID, r.Role, r.ShareBP, r.ValidFrom, platform.EndOfTime(), ch.ID, now)
		}
		if _, err := db.exec(ctx, q.String(), q.args...); err != nil {
			return nil, fmt.Errorf("insert attributions: %w", err)
		}
	}
	if err := db.verifyChange(ctx, ch.ID); err != nil {
		return nil, err
	}
	return db.issueForms(ctx, ch)
}

func customerWriteError(err error) error {
	if IsUniqueViolation(err) {
		return platform.Conflict("duplicate", "idNumber", "证件号码已登记为客户 the ID number is already a customer's")
	}
	return fmt.Errorf("write customer: %w", err)
}

// UpdateCustomer writes the profile fields.
func (db *DB) UpdateCustomer(ctx context.Context, c customer.Customer) error {
	_, err := db.exec(ctx, `UPDATE customers SET kind = ?, name = ?, id_type = ?, id_number = ?, phone = ?, address = ?, branch_id = ?,
		updated_at = ? WHERE id = ? AND institution_id = ?`,
		c.Kind, c.Name, c.IDType, c.IDNumber, c.Phone, c.Address, c.BranchID, platform.TS(db.clock.Now()), c.ID, c.Institution)
	if err != nil {
		return customerWriteError(err)
	}
	return nil
}

var errAttributionChanged = platform.Conflict("attribution_changed", "",
	"客户归属已被他人修改，请刷新后重试 the attribution changed meanwhile; reload and retry")

// ReplaceAttributions ends the given rows of one customer at
// ch.EffectiveFrom, starts the new ones, checks and issues forms.
func (db *DB) ReplaceAttributions(ctx context.Context, ch *customer.Change, customerID int64, ended []int64, starts []customer.NewRow) ([]customer.SerialRange, error) {
	if err := db.insertChange(ctx, ch); err != nil {
		return nil, err
	}
	d := ch.EffectiveFrom
	if len(ended) > 0 {
		res, err := db.exec(ctx, `UPDATE customer_attributions SET valid_to = ? WHERE customer_id = ? AND id IN (`+placeholders(len(ended))+`)
			AND valid_from < ? AND ? < valid_to`, append(append([]any{d, customerID}, int64Args(ended)...), d, d)...)
		if err != nil {
			return nil, fmt.Errorf("end attributions: %w", err)
		}
		if n, _ := res.RowsAffected(); n != int64(len(ended)) {
			return nil, errAttributionChanged
		}
	}
	now := platform.TS(db.clock.Now())
	if len(starts) > 0 {
		var q sqlb
		q.add(`INSERT INTO customer_attributions (customer_id, person_id, role, share_bp, valid_from, valid_to, change_id, created_at) VALUES `)
		for i, r := range starts {
			if i > 0 {
				q.add(",")
			}
			q.add("(?,?,?,?,?,?,?,?)", customerID, r.PersonID, r.Role, r.ShareBP, r.ValidFrom, platform.EndOfTime(), ch.ID, now)
		}
		if _, err := db.exec(ctx, q.String(), q.args...); err != nil {
			if IsUniqueViolation(err) {
				return nil, errAttributionChanged
			}
			return nil, fmt.Errorf("insert attributions: %w", err)
		}
	}
	if err := db.verifyChange(ctx, ch.ID); err != nil {
		return nil, err
	}
	return db.issueForms(ctx, ch)
}

// TransferCandidates lists the rows of person in force on or after on,
// with each customer's latest change, restricted to customerIDs when given.
func (db *DB) TransferCandidates(ctx context.Context, institution, person int64, customerIDs []int64, on platform.Date) ([]customer.Candidate, error) {
	var q sqlb
	q.add(`SELECT a.customer_id, c.name, c.opened_on, a.role, a.share_bp, a.valid_from,
			(SELECT MAX(x.valid_from) FROM customer_attributions x WHERE x.customer_id = a.customer_id)
		FROM customer_attributions a JOIN customers c ON c.id = a.customer_id
		WHERE c.institution_id = ? AND a.person_id = ? AND ? < a.valid_to`, institution, person, on)
	if len(customerIDs) > 0 {
		q.add(" AND a.customer_id IN ("+placeholders(len(customerIDs))+")", int64Args(customerIDs)...)
	}
	q.add(" ORDER BY a.customer_id, a.valid_from")
	rows, err := db.query(ctx, q.String(), q.args...)
	if err != nil {
		return nil, fmt.Errorf("transfer candidates: %w", err)
	}
	defer rows.Close()
	var out []customer.Candidate
	for rows.Next() {
		var c customer.Candidate
		if err := rows.Scan(&c.CustomerID, &c.CustomerName, &c.OpenedOn, &c.Role, &c.ShareBP, &c.ValidFrom, &c.LatestChange); err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

// TransferCustomers moves the rows of ch.FromPersonID in force on
// ch.EffectiveFrom (those of customerIDs when given) to ch.ToPersonID, in
// a fixed number of statements whatever the number of customers:
//  1. start the new rows, each merged with a row the to-manager already
//     holds in the customer (shares added, primary if either was);
//  2. end the from-manager's rows and the merged rows the day before;
//  3. check the invariants and issue one form per new row.
//
// Callers have checked that no row of these customers starts on or after
// the date; a concurrent change shows as a count mismatch.
func (db *DB) TransferCustomers(ctx context.Context, ch *customer.Change, customerIDs []int64) (int, []customer.SerialRange, error) {
	if err := db.insertChange(ctx, ch); err != nil {
		return 0, nil, err
	}
	d, eot, now := ch.EffectiveFrom, platform.EndOfTime(), platform.TS(db.clock.Now())
	var q sqlb
	q.add(`INSERT INTO customer_attributions (customer_id, person_id, role, share_bp, valid_from, valid_to, change_id, created_at)
		SELECT a.customer_id, ?, CASE WHEN a.role = 'primary' OR t.role = 'primary' THEN 'primary' ELSE 'assisting' END,
			a.share_bp + COALESCE(t.share_bp, 0), ?, ?, ?, ?
		FROM customer_attributions a JOIN customers c ON c.id = a.customer_id
		LEFT JOIN customer_attributions t ON t.customer_id = a.customer_id AND t.person_id = ? AND t.valid_from < ? AND ? < t.valid_to
		WHERE c.institution_id = ? AND a.person_id = ? AND a.valid_from < ? AND ? < a.valid_to`,
		ch.ToPersonID, d, eot, ch.ID, now, ch.ToPersonID, d, d, ch.Institution, ch.FromPersonID, d, d)
	if len(customerIDs) > 0 {
		q.add(" AND a.customer_id IN ("+placeholders(len(customerIDs))+")", int64Args(customerIDs)...)
	}
	res, err := db.exec(ctx, q.String(), q.args...)
	if err != nil {
		if IsUniqueViolation(err) {
			return 0, nil, errAttributionChanged
		}
		return 0, nil, fmt.Errorf("start transferred attributions: %w", err)
	}
	moved, _ := res.RowsAffected()
	end := func(person int64) (int64, error) {
		res, err := db.exec(ctx, `UPDATE customer_attributions SET valid_to = ? WHERE person_id = ? AND valid_from < ? AND ? < valid_to
			AND customer_id IN (SELECT customer_id FROM customer_attributions WHERE change_id = ?)`, d, person, d, d, ch.ID)
		if err != nil {
			return 0, fmt.Errorf("end attributions: %w", err)
		}
		return res.RowsAffected()
	}
	n, err := end(ch.FromPersonID)
	if err != nil {
		return 0, nil, err
	}
	if n != moved {
		return 0, nil, errAttributionChanged
	}
	if _, err := end(ch.ToPersonID); err != nil {
		return 0, nil, err
	}
	if err := db.verifyChange(ctx, ch.ID); err != nil {
		return 0, nil, err
	}
	forms, err := db.issueForms(ctx, ch)
	if err != nil {
		return 0, nil, err
	}
	return int(moved), forms, nil
}

// verifyChange checks the attribution invariants for every customer the
// change touched, on every day from the change's first new row on: shares
// sum to at most 100%, exactly one primary, no manager twice. A customer's
// sums only change where a row starts, so checking at each start suffices.
func (db *DB) verifyChange(ctx context.Context, changeID int64) error {
	var cid int64
	var on platform.Date
	var sum, primaries, n, persons int
	err := db.queryRow(ctx, `SELECT k.customer_id, k.valid_from, SUM(a.share_bp), SUM(CASE WHEN a.role = 'primary' THEN 1 ELSE 0 END),
			COUNT(*), COUNT(DISTINCT a.person_id)
		FROM (SELECT DISTINCT x.customer_id, x.valid_from FROM customer_attributions x
			JOIN (SELECT customer_id, MIN(valid_from) AS since FROM customer_attributions WHERE change_id = ? GROUP BY customer_id) ch
				ON ch.customer_id = x.customer_id AND x.valid_from >= ch.since) k
		JOIN customer_attributions a ON a.customer_id = k.customer_id AND a.valid_from <= k.valid_from AND k.valid_from < a.valid_to
		GROUP BY k.customer_id, k.valid_from
		HAVING SUM(a.share_bp) > 10000 OR SUM(CASE WHEN a.role = 'primary' THEN 1 ELSE 0 END) <> 1 OR COUNT(*) <> COUNT(DISTINCT a.person_id)
		ORDER BY k.customer_id, k.valid_from LIMIT 1`, changeID).Scan(&cid, &on, &sum, &primaries, &n, &persons)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return nil
	case err != nil:
		return fmt.Errorf("verify attributions: %w", err)
	case sum > customer.FullShare:
		return customer.ShareSumError(cid, sum, on)
	case primaries != 1:
		return platform.Invalid("managers", fmt.Sprintf("客户 #%d 在 %s 须有且仅有一位主办客户经理（现有 %d 位）customer #%d needs exactly one primary manager on %s, has %d",
			cid, on, primaries, cid, on, primaries))
	default:
		return platform.Invalid("managers", fmt.Sprintf("客户 #%d 在 %s 有同一客户经理的重叠归属 customer #%d has overlapping rows of one manager on %s", cid, on, cid, on))
	}
}

// issueForms issues one confirmation form per row the change started.
// Serial numbers come from the (branch, month) counter row, incremented by
// the number of forms inside this transaction: a rollback takes the
// increment back with it, so numbers stay gap-free, and concurrent
// transactions queue on the row. Branches are taken in id order so two
// multi-branch acts cannot deadlock on the counters.
func (db *DB) issueForms(ctx context.Context, ch *customer.Change) ([]customer.SerialRange, error) {
	tx, err := db.mustTx(ctx)
	if err != nil {
		return nil, err
	}
	type group struct {
		branch int64
		code   string
		n      int
	}
	var groups []group
	rows, err := tx.QueryContext(ctx, rebind(db.engine, `SELECT c.branch_id, u.code, COUNT(*) FROM customer_attributions a
		JOIN customers c ON c.id = a.customer_id JOIN units u ON u.id = c.branch_id
		WHERE a.change_id = ? GROUP BY c.branch_id, u.code ORDER BY c.branch_id`), ch.ID)
	if err != nil {
		return nil, fmt.Errorf("forms to issue: %w", err)
	}
	for rows.Next() {
		var g group
		if err := rows.Scan(&g.branch, &g.code, &g.n); err != nil {
			rows.Close()
			return nil, err
		}
		groups = append(groups, g)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	month := customer.MonthOf(ch.SignedOn)
	now := platform.TS(db.clock.Now())
	out := []customer.SerialRange{}
	for _, g := range groups {
		var last int
		if err := tx.QueryRowContext(ctx, rebind(db.engine, `INSERT INTO confirmation_form_counters (branch_id, month, last_seq) VALUES (?, ?, ?)
			ON CONFLICT (branch_id, month) DO UPDATE SET last_seq = confirmation_form_counters.last_seq + excluded.last_seq
			RETURNING last_seq`), g.branch, month, g.n).Scan(&last); err != nil {
			return nil, fmt.Errorf("allocate serial numbers: %w", err)
		}
		base := last - g.n
		prefix := g.code + "-" + strings.ReplaceAll(month, "-", "") + "-"
		res, err := db.exec(ctx, `INSERT INTO confirmation_forms (institution_id, branch_id, month, seq, serial, attribution_id, customer_id,
				person_id, role, share_bp, effective_from, kind, signed_on, created_by, created_at)
			SELECT ?, x.branch_id, ?, x.seq,
				CAST(? AS TEXT) || CASE WHEN x.seq < 10 THEN '000' WHEN x.seq < 100 THEN '00' WHEN x.seq < 1000 THEN '0' ELSE '' END || CAST(x.seq AS TEXT),
				x.id, x.customer_id, x.person_id, x.role, x.share_bp, x.valid_from, ?, ?, ?, ?
			FROM (SELECT a.id, a.customer_id, a.person_id, a.role, a.share_bp, a.valid_from, c.branch_id,
					? + ROW_NUMBER() OVER (ORDER BY a.customer_id, a.id) AS seq
				FROM customer_attributions a JOIN customers c ON c.id = a.customer_id
				WHERE a.change_id = ? AND c.branch_id = ?) x`,
			ch.Institution, month, prefix, ch.Kind, ch.SignedOn, ch.CreatedBy, now, base, ch.ID, g.branch)
		if err != nil {
			return nil, fmt.Errorf("issue forms: %w", err)
		}
		if n, _ := res.RowsAffected(); n != int64(g.n) {
			return nil, fmt.Errorf("issue forms: %d of %d", n, g.n)
		}
		out = append(out, customer.SerialRange{BranchID: g.branch, Month: month, First: customer.Serial(g.code, month, base+1),
			Last: customer.Serial(g.code, month, last), Count: g.n})
	}
	return out, nil
}

// ArchiveConfirmationForms marks unarchived forms of a branch and month (only ids,
// when given) archived and returns their serial numbers in order.
func (db *DB) ArchiveConfirmationForms(ctx context.Context, institution, branchID int64, month string, ids []int64, by string) ([]string, error) {
	tx, err := db.mustTx(ctx)
	if err != nil {
		return nil, err
	}
	var q sqlb
	q.add(`UPDATE confirmation_forms SET archived = TRUE, archived_at = ?, archived_by = ?
		WHERE institution_id = ? AND branch_id = ? AND month = ? AND archived = FALSE`, platform.TS(db.clock.Now()), by, institution, branchID, month)
	if len(ids) > 0 {
		q.add(" AND id IN ("+placeholders(len(ids))+")", int64Args(ids)...)
	}
	q.add(" RETURNING seq, serial")
	rows, err := tx.QueryContext(ctx, rebind(db.engine, q.String()), q.args...)
	if err != nil {
		return nil, fmt.Errorf("archive forms: %w", err)
	}
	defer rows.Close()
	type s struct {
		seq    int
		serial string
	}
	var got []s
	for rows.Next() {
		var x s
		if err := rows.Scan(&x.seq, &x.serial); err != nil {
			return nil, err
		}
		got = append(got, x)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	sort.Slice(got, func(i, j int) bool { return got[i].seq < got[j].seq })
	out := make([]string, len(got))
	for i, x := range got {
		out[i] = x.serial
	}
	return out, nil
}

// scopeBranches returns the branch units inside a limited scope's subtrees
// on d (none for region, team, group and self scopes).
func (db *DB) scopeBranches(ctx context.Context, s access.Scope, d platform.Date) ([]int64, error) {
	if s.Empty() || s.All || len(s.Units) == 0 {
		return nil, nil
	}
	var q sqlb
	q.add("WITH RECURSIVE ")
	scopeCTE(&q, s, d)
	q.add(" SELECT u.id FROM scope_units su JOIN units u ON u.id = su.id WHERE u.kind = 'branch'")
	rows, err := db.query(ctx, q.String(), q.args...)
	if err != nil {
		return nil, fmt.Errorf("scope branches: %w", err)
	}
	defer rows.Close()
	var out []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		out = append(out, id)
	}
	return out, rows.Err()
}
