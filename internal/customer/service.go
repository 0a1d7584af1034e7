package customer

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"sort"
	"strings"
	"unicode/utf8"

	"cmhub/internal/access"
	"cmhub/internal/audit"
	"cmhub/internal/org"
	"cmhub/internal/people"
	"cmhub/internal/platform"
)

// Store is the persistence this package needs. Every read that returns
// customers' data takes the viewer's scope as a required argument; a
// customer outside it is platform.ErrNotFound. Writes run inside WithTx.
type Store interface {
	WithTx(ctx context.Context, fn func(ctx context.Context) error) error
	Units(ctx context.Context, institution int64, asOf platform.Date) ([]org.Unit, error)

	ListCustomers(ctx context.Context, scope access.Scope, f Filter) ([]Customer, int, error)
	EachCustomer(ctx context.Context, scope access.Scope, f Filter, fn func(*Customer) error) error
	Customer(ctx context.Context, scope access.Scope, id int64, asOf platform.Date) (Customer, error)
	// CustomersByID returns those of ids the scope may see (as of asOf), by id.
	CustomersByID(ctx context.Context, scope access.Scope, ids []int64, asOf platform.Date) (map[int64]Customer, error)
	// DuplicateCustomers finds customers with one of the ID numbers or
	// phones, with their owners on asOf and whether scope may open them.
	// limit 0 means no limit.
	DuplicateCustomers(ctx context.Context, scope access.Scope, idNumbers, phones []string, asOf platform.Date, limit int) ([]Duplicate, error)
	// CustomerAttributions and CustomerForms hold no personal data of the customer;
	// callers check the customer's scope first.
	CustomerAttributions(ctx context.Context, scope access.Scope, customerID int64, asOf platform.Date) ([]Attribution, error)
	CustomerForms(ctx context.Context, scope access.Scope, customerID int64, asOf platform.Date) ([]Form, error)
	ListConfirmationForms(ctx context.Context, scope access.Scope, f FormFilter) ([]Form, int, error)

	// ScopedManagers returns those of the people the scope may see on asOf, with
	// their record in force then; ScopedManagersByEmpNo does the same by employee number.
	ScopedManagers(ctx context.Context, scope access.Scope, ids []int64, asOf platform.Date) (map[int64]Manager, error)
	ScopedManagersByEmpNo(ctx context.Context, scope access.Scope, empNos []string, asOf platform.Date) (map[string]Manager, error)

	// CreateCustomers inserts the drafts (setting their IDs), their rows and
	// one confirmation form per row, as one change.
	CreateCustomers(ctx context.Context, ch *Change, drafts []*Draft) ([]SerialRange, error)
	UpdateCustomer(ctx context.Context, c Customer) error
	// ReplaceAttributions ends the rows ended (at ch.EffectiveFrom) and starts rows, with forms.
	ReplaceAttributions(ctx context.Context, ch *Change, customerID int64, ended []int64, rows []NewRow) ([]SerialRange, error)
	// TransferCandidates lists the rows of person in force on or after on,
	// restricted to customerIDs when given.
	TransferCandidates(ctx context.Context, institution, person int64, customerIDs []int64, on platform.Date) ([]Candidate, error)
	// TransferCustomers moves the rows of ch.FromPersonID in force on
	// ch.EffectiveFrom (restricted to customerIDs when given) to
	// ch.ToPersonID in a few set-based statements; it returns the number of
	// customers moved and the forms issued.
	TransferCustomers(ctx context.Context, ch *Change, customerIDs []int64) (int, []SerialRange, error)
	// ArchiveConfirmationForms marks the unarchived forms of a branch and month (only
	// ids, when given) archived and returns their serial numbers.
	ArchiveConfirmationForms(ctx context.Context, institution, branchID int64, month string, ids []int64, by string) ([]string, error)
}

// PeriodGuard refuses writes into closed periods.
type PeriodGuard interface {
	EnsureOpen(ctx context.Context, institution int64, d platform.Date) error
}

// Recrediter credits already imported business records again after an
// attribution change dated back into them (record.Service.Recredit), in
// the transaction of the change.
type Recrediter interface {
	Recredit(ctx context.Context, institution int64, customerIDs []int64, from platform.Date) (int, error)
}

// Service holds the customer use cases.
type Service struct {
	Store   Store
	Audit   audit.Log
	Clock   platform.Clock
	Periods PeriodGuard
	// Records, when set, re-credits imported records a change reaches.
	Records Recrediter
}

// recredit re-credits the customers' records dated on or after d.
func (s *Service) recredit(ctx context.Context, institution int64, ids []int64, d platform.Date) (int, error) {
	if s.Records == nil {
		return 0, nil
	}
	n, err := s.Records.Recredit(ctx, institution, ids, d)
	if err != nil {
		return 0, fmt.Errorf("re-credit business records: %w", err)
	}
	return n, nil
}

func (s *Service) today() platform.Date { return platform.DateOf(s.Clock.Now()) }

func (s *Service) tree(ctx context.Context, inst int64, asOf platform.Date) (*org.Tree, error) {
	units, err := s.Store.Units(ctx, inst, asOf)
	if err != nil {
		return nil, fmt.Errorf("units: %w", err)
	}
	return org.NewTree(units), nil
}

func mask(c *Customer, pii bool) {
	if !pii {
		c.IDNumber, c.Phone = people.MaskID(c.IDNumber), people.MaskPhone(c.Phone)
	}
}

// List returns one page of the customers in the viewer's scope.
func (s *Service) List(ctx context.Context, f Filter) ([]Customer, int, error) {
	p := access.FromContext(ctx)
	if !p.Can(access.CustomerRead) {
		return nil, 0, platform.ErrForbidden
	}
	if err := f.Normalise(s.today()); err != nil {
		return nil, 0, err
	}
	pii := p.Can(access.CustomerPII)
	f.ExactIdentifiers = !pii
	items, total, err := s.Store.ListCustomers(ctx, p.Scope, f)
	if err != nil {
		return nil, 0, fmt.Errorf("list customers: %w", err)
	}
	for i := range items {
		mask(&items[i], pii)
	}
	return items, total, nil
}

// Each streams every customer matching f in scope, for exports; ID
// numbers and phones are masked unless the viewer holds customer:pii.
func (s *Service) Each(ctx context.Context, f Filter, fn func(*Customer) error) error {
	p := access.FromContext(ctx)
	if !p.Can(access.CustomerExport) {
		return platform.ErrForbidden
	}
	f.PageSize = 1 // paging is ignored by EachCustomer; keep Normalise happy
	if err := f.Normalise(s.today()); err != nil {
		return err
	}
	pii := p.Can(access.CustomerPII)
	f.ExactIdentifiers = !pii
	return s.Store.EachCustomer(ctx, p.Scope, f, func(c *Customer) error {
		mask(c, pii)
		return fn(c)
	})
}

// Detail is a customer with its whole attribution history and its forms.
type Detail struct {
	Customer
	Attributions []Attribution `json:"attributions"`
	Forms        []Form        `json:"forms"`
}

// Get returns a customer in scope with attribution history and forms.
func (s *Service) Get(ctx context.Context, id int64) (Detail, error) {
	p := access.FromContext(ctx)
	if !p.Can(access.CustomerRead) {
		return Detail{}, platform.ErrForbidden
	}
	c, err := s.Store.Customer(ctx, p.Scope, id, s.today())
	if err != nil {
		return Detail{}, err
	}
	mask(&c, p.Can(access.CustomerPII))
	d := Detail{Customer: c}
	if d.Attributions, err = s.Store.CustomerAttributions(ctx, p.Scope, id, s.today()); err != nil {
		return Detail{}, fmt.Errorf("attributions: %w", err)
	}
	if d.Forms, err = s.Store.CustomerForms(ctx, p.Scope, id, s.today()); err != nil {
		return Detail{}, fmt.Errorf("forms: %w", err)
	}
	return d, nil
}

// NewCustomer is the input to Create and each row of an import.
type NewCustomer struct {
	Kind     string `json:"kind"`
	Name     string `json:"name"`
	IDType   string `json:"idType"`
	IDNumber string `json:"idNumber"`
	Phone    string `json:"phone"`
	Address  string `json:"address"`
	// BranchID may be left 0: the branch of the primary manager's unit.
	BranchID int64         `json:"branchId"`
	OpenedOn platform.Date `json:"openedOn"` // default today
	// The first attribution: from EffectiveFrom (default OpenedOn), signed
	// on SignedOn (default today).
	EffectiveFrom platform.Date `json:"effectiveFrom"`
	SignedOn      platform.Date `json:"signedOn"`
	Managers      []Holder      `json:"managers"`
}

var phoneRe = regexp.MustCompile(`^[0-9+\-()]{5,20}$`)

// normalisePhone removes spaces, as phones are stored and compared.
func normalisePhone(s string) string { return strings.Join(strings.Fields(s), "") }

// validateProfile checks the profile fields and returns field errors.
func validateProfile(c *Customer, today platform.Date, f platform.Fields) {
	c.Name, c.Address = strings.TrimSpace(c.Name), strings.TrimSpace(c.Address)
	c.IDNumber, c.Phone = NormaliseIDNumber(c.IDNumber), normalisePhone(c.Phone)
	if c.Kind != KindPerson && c.Kind != KindCompany {
		f.Add("kind", "客户类型须为 person（个人）或 company（机构） kind must be person or company")
	}
	if c.Name == "" || utf8.RuneCountInString(c.Name) > 100 {
		f.Add("name", "客户名称必填，最多 100 个字 required, at most 100 characters")
	}
	switch k := idTypeKind(c.IDType); {
	case k == "":
		f.Add("idType", "证件类型不在列表中 unknown ID type")
	case (c.Kind == KindPerson || c.Kind == KindCompany) && k != c.Kind:
		f.Add("idType", "证件类型与客户类型不符（机构用统一社会信用代码）the ID type does not fit the kind of customer")
	}
	if c.IDNumber == "" {
		f.Add("idNumber", "证件号码必填 required")
	} else if idTypeKind(c.IDType) != "" {
		if msg := CheckIDNumber(c.IDType, c.IDNumber, today); msg != "" {
			f.Add("idNumber", msg)
		}
	}
	if c.Phone != "" && !phoneRe.MatchString(c.Phone) {
		f.Add("phone", "电话号码格式不正确 not a phone number")
	}
	if utf8.RuneCountInString(c.Address) > 200 {
		f.Add("address", "地址最多 200 个字 at most 200 characters")
	}
}

// itemError is the field errors of one item of a batch.
type itemError struct {
	index  int
	fields platform.Fields
}

// prepare validates new customers against the dictionaries of this
// package, the viewer's scope, the managers on their dates, the unit tree,
// existing customers and open periods, and returns the drafts to insert.
// Field errors come back by item; a non-nil error is a failure to check.
// label names item j for messages about duplicates ("第 3 条", "item 3").
func (s *Service) prepare(ctx context.Context, p *access.Principal, ns []NewCustomer, label func(j int) (zh, en string)) ([]*Draft, []itemError, error) {
	today := s.today()
	fields := make([]platform.Fields, len(ns))
	drafts := make([]*Draft, len(ns))
	byDate := map[platform.Date][]int64{}
	for i := range ns {
		n := &ns[i]
		f := platform.Fields{}
		fields[i] = f
		c := Customer{Institution: p.Institution, Kind: n.Kind, Name: n.Name, IDType: n.IDType, IDNumber: n.IDNumber,
			Phone: n.Phone, Address: n.Address, BranchID: n.BranchID, OpenedOn: n.OpenedOn}
		validateProfile(&c, today, f)
		if c.OpenedOn.IsZero() {
			c.OpenedOn = today
		}
		if c.OpenedOn.After(today) {
			f.Add("openedOn", "建档日期不能晚于今天 cannot be after today")
		}
		if n.EffectiveFrom.IsZero() {
			n.EffectiveFrom = c.OpenedOn
		}
		if n.EffectiveFrom.Before(c.OpenedOn) {
			f.Add("effectiveFrom", fmt.Sprintf("归属生效日期早于客户建档日期 %s cannot be before the customer existed (%s)", c.OpenedOn, c.OpenedOn))
		} else if n.EffectiveFrom.After(today) {
			f.Add("effectiveFrom", "新客户的归属生效日期不能晚于今天 cannot be after today for a new customer")
		}
		if n.SignedOn.IsZero() {
			n.SignedOn = today
		}
		if n.SignedOn.After(today) {
			f.Add("signedOn", "签署日期不能晚于今天 cannot be after today")
		}
		validateHolders(n.Managers, n.EffectiveFrom, f)
		d := &Draft{Customer: c}
		for _, h := range n.Managers {
			d.Rows = append(d.Rows, NewRow{PersonID: h.PersonID, Role: h.Role, ShareBP: h.ShareBP, ValidFrom: n.EffectiveFrom})
			if h.PersonID > 0 {
				byDate[n.EffectiveFrom] = append(byDate[n.EffectiveFrom], h.PersonID)
			}
		}
		drafts[i] = d
	}
	// Managers must be in the viewer's scope and employed on the date the
	// attribution starts: one query per distinct date, not per row.
	managers := map[platform.Date]map[int64]Manager{}
	for day, ids := range byDate {
		ms, err := s.Store.ScopedManagers(ctx, p.Scope, dedupe(ids), day)
		if err != nil {
			return nil, nil, fmt.Errorf("managers: %w", err)
		}
		managers[day] = ms
	}
	// The unit tree on each attribution date, loaded once per date when needed.
	trees := map[platform.Date]*org.Tree{}
	treeOn := func(day platform.Date) (*org.Tree, error) {
		if t, ok := trees[day]; ok {
			return t, nil
		}
		t, err := s.tree(ctx, p.Institution, day)
		trees[day] = t
		return t, err
	}
	todayTree, err := treeOn(today)
	if err != nil {
		return nil, nil, err
	}
	writable, _ := todayTree.Visible(p.Scope, p.UnitID)
	for i, d := range drafts {
		f, day := fields[i], ns[i].EffectiveFrom
		primaryBranch := int64(0)
		for k, r := range d.Rows {
			if r.PersonID <= 0 {
				continue
			}
			m, ok := managers[day][r.PersonID]
			switch {
			case !ok:
				f.Add(fmt.Sprintf("managers[%d].personId", k), fmt.Sprintf("客户经理不存在、不在您的管辖范围或 %s 未在职 manager not found, outside your scope or not employed on %s", day, day))
			case m.Status == people.StatusTerminated:
				f.Add(fmt.Sprintf("managers[%d].personId", k), fmt.Sprintf("%s（%s）%s 已离职 has left on %s", m.Name, m.EmpNo, day, day))
			case r.Role == RolePrimary:
				// The branch above the primary manager's unit on the attribution date.
				tree, err := treeOn(day)
				if err != nil {
					return nil, nil, err
				}
				primaryBranch = tree.NearestOfKind(m.UnitID, org.Branch)
			}
		}
		c := &d.Customer
		switch {
		case c.BranchID == 0 && primaryBranch == 0:
			if _, bad := f["managers[0].personId"]; !bad {
				f.Add("branchId", "请指定所属营业部（主办客户经理不在任何营业部下）the branch is required: the primary manager is not under a branch")
			}
		case c.BranchID == 0:
			c.BranchID = primaryBranch
		default:
			u := todayTree.Get(c.BranchID)
			if u == nil || u.Kind != org.Branch || (!writable[c.BranchID] && c.BranchID != primaryBranch) {
				f.Add("branchId", "所属营业部不存在、不是营业部或不在您的管辖范围 branch not found, not a branch, or outside your scope")
			}
		}
	}
	// Duplicates within the batch and against existing customers.
	seen := map[string]int{}
	var numbers []string
	for i, d := range drafts {
		n := d.Customer.IDNumber
		if n == "" {
			continue
		}
		if j, dup := seen[n]; dup {
			zh, en := label(j)
			fields[i].Add("idNumber", fmt.Sprintf("证件号码与%s重复 duplicate of %s", zh, en))
			continue
		}
		seen[n] = i
		numbers = append(numbers, n)
	}
	if len(numbers) > 0 {
		dups, err := s.Store.DuplicateCustomers(ctx, p.Scope, numbers, nil, today, 0)
		if err != nil {
			return nil, nil, fmt.Errorf("duplicate check: %w", err)
		}
		for _, dup := range dups {
			if dup.Field != "idNumber" {
				continue
			}
			if i, ok := seen[dup.Value]; ok {
				fields[i].Add("idNumber", "证件号码已登记为客户，归属 "+dup.OwnerText()+" already a customer of the manager(s) named")
			}
		}
	}
	// Closed periods: one check per month, and only for otherwise valid items.
	months := map[string]error{}
	for i := range drafts {
		if len(fields[i]) > 0 {
			continue
		}
		day := ns[i].EffectiveFrom
		m := MonthOf(day)
		if _, done := months[m]; !done {
			err := s.Periods.EnsureOpen(ctx, p.Institution, day)
			var ce *platform.ConflictError
			if err != nil && !errors.As(err, &ce) {
				return nil, nil, err
			}
			months[m] = err
		}
		var ce *platform.ConflictError
		if errors.As(months[m], &ce) {
			fields[i].Add("effectiveFrom", ce.Message)
		}
	}
	var errs []itemError
	for i, f := range fields {
		if len(f) > 0 {
			errs = append(errs, itemError{index: i, fields: f})
		}
	}
	return drafts, errs, nil
}

func dedupe(ids []int64) []int64 {
	out := slices.Clone(ids)
	slices.Sort(out)
	return slices.Compact(out)
}

// Create adds a customer with its first attribution and confirmation
// form(s), in one transaction with an audit entry.
func (s *Service) Create(ctx context.Context, n NewCustomer) (Detail, error) {
	p := access.FromContext(ctx)
	if !p.Can(access.CustomerWrite) {
		return Detail{}, platform.ErrForbidden
	}
	signed := n.SignedOn
	if signed.IsZero() {
		signed = s.today()
	}
	var d *Draft
	err := s.Store.WithTx(ctx, func(ctx context.Context) error {
		drafts, errs, err := s.prepare(ctx, p, []NewCustomer{n}, itemLabel)
		if err != nil {
			return err
		}
		if len(errs) > 0 {
			return errs[0].fields.Err()
		}
		d = drafts[0]
		ch := &Change{Institution: p.Institution, Kind: ChangeCreate, EffectiveFrom: d.Rows[0].ValidFrom, SignedOn: signed, CreatedBy: p.Username}
		if ch.ToPersonID = primaryOf(d.Rows); ch.ToPersonID == 0 {
			return errors.New("create customer: no primary manager")
		}
		forms, err := s.Store.CreateCustomers(ctx, ch, []*Draft{d})
		if err != nil {
			return err
		}
		return s.auditCreate(ctx, ch, d, forms)
	})
	if err != nil {
		return Detail{}, err
	}
	return s.Get(ctx, d.Customer.ID)
}

func itemLabel(j int) (string, string) {
	return fmt.Sprintf("第 %d 条", j+1), fmt.Sprintf("item %d", j+1)
}

func primaryOf(rows []NewRow) int64 {
	for _, r := range rows {
		if r.Role == RolePrimary {
			return r.PersonID
		}
	}
	return 0
}

func (s *Service) auditCreate(ctx context.Context, ch *Change, d *Draft, forms []SerialRange) error {
	return s.Audit.Record(ctx, createChange(ch, d, forms))
}

func createChange(ch *Change, d *Draft, forms []SerialRange) audit.Change {
	return audit.Change{Action: "customer.create", ObjectType: "customer", ObjectID: fmt.Sprint(d.Customer.ID),
		UnitID: d.Customer.BranchID, After: map[string]any{"customer": profile(d.Customer), "managers": d.Rows, "changeId": ch.ID, "forms": forms}}
}

func profile(c Customer) map[string]any {
	return map[string]any{"kind": c.Kind, "name": c.Name, "idType": c.IDType, "idNumber": c.IDNumber, "phone": c.Phone,
		"address": c.Address, "branchId": c.BranchID, "openedOn": c.OpenedOn}
}

// Patch changes a customer's profile; nil means unchanged.
type Patch struct {
	Kind     *string `json:"kind"`
	Name     *string `json:"name"`
	IDType   *string `json:"idType"`
	IDNumber *string `json:"idNumber"`
	Phone    *string `json:"phone"`
	Address  *string `json:"address"`
	BranchID *int64  `json:"branchId"`
}

// Update changes the profile of a customer in scope, audited.
func (s *Service) Update(ctx context.Context, id int64, pt Patch) (Detail, error) {
	p := access.FromContext(ctx)
	if !p.Can(access.CustomerWrite) {
		return Detail{}, platform.ErrForbidden
	}
	today := s.today()
	err := s.Store.WithTx(ctx, func(ctx context.Context) error {
		before, err := s.Store.Customer(ctx, p.Scope, id, today)
		if err != nil {
			return err
		}
		after := before
		for _, x := range []struct {
			dst *string
			v   *string
		}{{&after.Kind, pt.Kind}, {&after.Name, pt.Name}, {&after.IDType, pt.IDType}, {&after.IDNumber, pt.IDNumber},
			{&after.Phone, pt.Phone}, {&after.Address, pt.Address}} {
			if x.v != nil {
				*x.dst = *x.v
			}
		}
		f := platform.Fields{}
		validateProfile(&after, today, f)
		// Only the fields this patch touches are the caller's fault.
		touched := map[string]bool{"kind": pt.Kind != nil, "name": pt.Name != nil, "idType": pt.IDType != nil || pt.Kind != nil,
			"idNumber": pt.IDNumber != nil || pt.IDType != nil, "phone": pt.Phone != nil, "address": pt.Address != nil}
		for k := range f {
			if !touched[k] {
				delete(f, k)
			}
		}
		if pt.BranchID != nil && *pt.BranchID != before.BranchID {
			tree, err := s.tree(ctx, p.Institution, today)
			if err != nil {
				return err
			}
			writable, _ := tree.Visible(p.Scope, p.UnitID)
			if u := tree.Get(*pt.BranchID); u == nil || u.Kind != org.Branch || !writable[*pt.BranchID] {
				f.Add("branchId", "所属营业部不存在、不是营业部或不在您的管辖范围 branch not found, not a branch, or outside your scope")
			}
			after.BranchID = *pt.BranchID
		}
		if err := f.Err(); err != nil {
			return err
		}
		if after.IDNumber != before.IDNumber {
			dups, err := s.Store.DuplicateCustomers(ctx, p.Scope, []string{after.IDNumber}, nil, today, 0)
			if err != nil {
				return fmt.Errorf("duplicate check: %w", err)
			}
			for _, d := range dups {
				if d.Field == "idNumber" && d.CustomerID != id {
					return platform.Conflict("duplicate", "idNumber", "证件号码已登记为客户，归属 "+d.OwnerText()+" already a customer of the manager(s) named")
				}
			}
		}
		if err := s.Store.UpdateCustomer(ctx, after); err != nil {
			return fmt.Errorf("update customer: %w", err)
		}
		return s.Audit.Record(ctx, audit.Change{Action: "customer.update", ObjectType: "customer", ObjectID: fmt.Sprint(id),
			UnitID: before.BranchID, Before: profile(before), After: profile(after)})
	})
	if err != nil {
		return Detail{}, err
	}
	return s.Get(ctx, id)
}

// Shares is a new set of managers of one customer from a date: add an
// assisting manager, change shares or roles, or drop an assisting manager.
// Managers lists everyone who holds the customer from EffectiveFrom on.
type Shares struct {
	EffectiveFrom platform.Date `json:"effectiveFrom"`
	SignedOn      platform.Date `json:"signedOn"` // default today
	Reason        string        `json:"reason"`
	Managers      []Holder      `json:"managers"`
}

func checkReason(r *string, f platform.Fields) {
	*r = strings.TrimSpace(*r)
	if *r == "" || utf8.RuneCountInString(*r) > 200 {
		f.Add("reason", "原因必填，最多 200 字 a reason is required (at most 200 characters)")
	}
}

// latestChange returns the latest start of any row of a history.
func latestChange(h []Attribution) platform.Date {
	var d platform.Date
	for _, a := range h {
		if a.ValidFrom.After(d) {
			d = a.ValidFrom
		}
	}
	return d
}

// Attribute replaces the customer's managers from a date: rows that change
// or go end the day before, new or changed ones start with a confirmation
// form each; unchanged rows go on. One transaction, audited.
func (s *Service) Attribute(ctx context.Context, id int64, in Shares) (Detail, error) {
	p := access.FromContext(ctx)
	if !p.Can(access.CustomerWrite) {
		return Detail{}, platform.ErrForbidden
	}
	today := s.today()
	f := platform.Fields{}
	if in.EffectiveFrom.IsZero() {
		f.Add("effectiveFrom", "生效日期必填 required")
	}
	if in.SignedOn.IsZero() {
		in.SignedOn = today
	}
	if in.SignedOn.After(today) {
		f.Add("signedOn", "签署日期不能晚于今天 cannot be after today")
	}
	checkReason(&in.Reason, f)
	validateHolders(in.Managers, in.EffectiveFrom, f)
	if err := f.Err(); err != nil {
		return Detail{}, err
	}
	d := in.EffectiveFrom
	err := s.Store.WithTx(ctx, func(ctx context.Context) error {
		c, err := s.Store.Customer(ctx, p.Scope, id, today)
		if err != nil {
			return err
		}
		if d.Before(c.OpenedOn) {
			return platform.Invalid("effectiveFrom", fmt.Sprintf("生效日期 %s 早于客户建档日期 %s the date is before the customer existed (%s)", d, c.OpenedOn, c.OpenedOn))
		}
		hist, err := s.Store.CustomerAttributions(ctx, p.Scope, id, today)
		if err != nil {
			return err
		}
		if last := latestChange(hist); !last.IsZero() && !d.After(last) {
			return platform.Invalid("effectiveFrom", fmt.Sprintf("生效日期须晚于最近一次归属变动 %s must be after the latest attribution change (%s)", last, last))
		}
		if err := s.Periods.EnsureOpen(ctx, p.Institution, d); err != nil {
			return err
		}
		current := map[int64]Attribution{}
		for _, a := range hist {
			if a.InForce(d) {
				current[a.PersonID] = a
			}
		}
		var ended []int64
		var rows []NewRow
		var need []int64
		keep := map[int64]bool{}
		for _, h := range in.Managers {
			if a, ok := current[h.PersonID]; ok && a.Role == h.Role && a.ShareBP == h.ShareBP {
				keep[h.PersonID] = true
				continue
			}
			rows = append(rows, NewRow{PersonID: h.PersonID, Role: h.Role, ShareBP: h.ShareBP, ValidFrom: d})
			need = append(need, h.PersonID)
		}
		for pid, a := range current {
			if !keep[pid] {
				ended = append(ended, a.ID)
			}
		}
		if len(rows) == 0 && len(ended) == 0 {
			return platform.Invalid("managers", "与当前归属相同，没有变化 nothing changes")
		}
		// New and changed managers must be in scope and employed on the date.
		ms, err := s.Store.ScopedManagers(ctx, p.Scope, need, d)
		if err != nil {
			return fmt.Errorf("managers: %w", err)
		}
		for i, h := range in.Managers {
			if keep[h.PersonID] {
				continue
			}
			if m, ok := ms[h.PersonID]; !ok {
				f.Add(fmt.Sprintf("managers[%d].personId", i), fmt.Sprintf("客户经理不存在、不在您的管辖范围或 %s 未在职 manager not found, outside your scope or not employed on %s", d, d))
			} else if m.Status == people.StatusTerminated {
				f.Add(fmt.Sprintf("managers[%d].personId", i), fmt.Sprintf("%s（%s）%s 已离职 has left on %s", m.Name, m.EmpNo, d, d))
			}
		}
		if err := f.Err(); err != nil {
			return err
		}
		sort.Slice(ended, func(i, j int) bool { return ended[i] < ended[j] })
		ch := &Change{Institution: p.Institution, Kind: ChangeAttribute, ToPersonID: primaryOfHolders(in.Managers), EffectiveFrom: d,
			SignedOn: in.SignedOn, Reason: in.Reason, CreatedBy: p.Username}
		forms, err := s.Store.ReplaceAttributions(ctx, ch, id, ended, rows)
		if err != nil {
			return err
		}
		if _, err := s.recredit(ctx, p.Institution, []int64{id}, d); err != nil {
			return err
		}
		before := []Attribution{}
		for _, a := range current {
			before = append(before, a)
		}
		sort.Slice(before, func(i, j int) bool { return before[i].ID < before[j].ID })
		return s.Audit.Record(ctx, audit.Change{Action: "customer.attribute", ObjectType: "customer", ObjectID: fmt.Sprint(id),
			UnitID: c.BranchID, Before: before, After: map[string]any{"effectiveFrom": d, "managers": in.Managers, "changeId": ch.ID, "forms": forms},
			Reason: in.Reason})
	})
	if err != nil {
		return Detail{}, err
	}
	return s.Get(ctx, id)
}

func primaryOfHolders(hs []Holder) int64 {
	for _, h := range hs {
		if h.Role == RolePrimary {
			return h.PersonID
		}
	}
	return 0
}

// Transfer moves customers from one manager to another from a date.
type Transfer struct {
	FromPersonID int64 `json:"fromPersonId"`
	ToPersonID   int64 `json:"toPersonId"`
	// CustomerIDs restricts the transfer to these customers (one or a
	// selection, at most 1000); empty moves every customer FromPersonID
	// holds on EffectiveFrom (a hand-over when someone moves or leaves).
	CustomerIDs   []int64       `json:"customerIds"`
	EffectiveFrom platform.Date `json:"effectiveFrom"`
	SignedOn      platform.Date `json:"signedOn"` // default today
	Reason        string        `json:"reason"`
}

// TransferResult says what a transfer did.
type TransferResult struct {
	ChangeID  int64         `json:"changeId"`
	Customers int           `json:"customers"`
	Forms     []SerialRange `json:"forms"`
	// Recredited counts the imported business records dated on or after
	// the effective date that now credit the new manager.
	Recredited int `json:"recredited"`
}

// maxListed bounds how many customers an error message names.
const maxListed = 5

// Transfer ends the from-manager's rows the day before EffectiveFrom and
// starts the to-manager's (merged with a row the to-manager already has),
// with a confirmation form each, in one transaction with one audit entry.
// It refuses a date before a customer existed or not after a customer's
// latest attribution change, a closed period, and managers outside the
// actor's scope.
func (s *Service) Transfer(ctx context.Context, t Transfer) (TransferResult, error) {
	p := access.FromContext(ctx)
	if !p.Can(access.CustomerWrite) {
		return TransferResult{}, platform.ErrForbidden
	}
	today := s.today()
	f := platform.Fields{}
	if t.FromPersonID <= 0 {
		f.Add("fromPersonId", "转出客户经理必填 required")
	}
	if t.ToPersonID <= 0 {
		f.Add("toPersonId", "转入客户经理必填 required")
	} else if t.ToPersonID == t.FromPersonID {
		f.Add("toPersonId", "转入与转出客户经理相同 the same manager on both sides")
	}
	if t.EffectiveFrom.IsZero() {
		f.Add("effectiveFrom", "生效日期必填 required")
	}
	if t.SignedOn.IsZero() {
		t.SignedOn = today
	}
	if t.SignedOn.After(today) {
		f.Add("signedOn", "签署日期不能晚于今天 cannot be after today")
	}
	checkReason(&t.Reason, f)
	t.CustomerIDs = dedupe(t.CustomerIDs)
	if len(t.CustomerIDs) > 1000 {
		f.Add("customerIds", "一次最多指定 1000 位客户；整体移交请不指定客户 at most 1000 customers; leave empty to hand over all")
	}
	if err := f.Err(); err != nil {
		return TransferResult{}, err
	}
	d := t.EffectiveFrom
	ms, err := s.Store.ScopedManagers(ctx, p.Scope, []int64{t.FromPersonID, t.ToPersonID}, d)
	if err != nil {
		return TransferResult{}, fmt.Errorf("managers: %w", err)
	}
	from, okFrom := ms[t.FromPersonID]
	if !okFrom {
		f.Add("fromPersonId", fmt.Sprintf("转出客户经理不存在、不在您的管辖范围或 %s 未在职 not found, outside your scope or not employed on %s", d, d))
	}
	if to, ok := ms[t.ToPersonID]; !ok {
		f.Add("toPersonId", fmt.Sprintf("转入客户经理不存在、不在您的管辖范围或 %s 未在职 not found, outside your scope or not employed on %s", d, d))
	} else if to.Status == people.StatusTerminated {
		f.Add("toPersonId", fmt.Sprintf("%s（%s）%s 已离职 has left on %s", to.Name, to.EmpNo, d, d))
	}
	if err := f.Err(); err != nil {
		return TransferResult{}, err
	}
	if len(t.CustomerIDs) > 0 {
		cs, err := s.Store.CustomersByID(ctx, p.Scope, t.CustomerIDs, today)
		if err != nil {
			return TransferResult{}, fmt.Errorf("customers: %w", err)
		}
		var early []string
		for _, id := range t.CustomerIDs {
			c, ok := cs[id]
			if !ok {
				if len(t.CustomerIDs) == 1 {
					return TransferResult{}, platform.ErrNotFound
				}
				return TransferResult{}, platform.Invalid("customerIds", fmt.Sprintf("客户 #%d 不存在或无权查看 customer #%d not found", id, id))
			}
			if d.Before(c.OpenedOn) && len(early) < maxListed {
				early = append(early, fmt.Sprintf("%s（%s）", c.Name, c.OpenedOn))
			}
		}
		if len(early) > 0 {
			return TransferResult{}, platform.Invalid("effectiveFrom", fmt.Sprintf("转移日期 %s 早于客户建档日期：%s a transfer cannot be dated before the customer existed",
				d, strings.Join(early, "、")))
		}
	}
	var res TransferResult
	err = s.Store.WithTx(ctx, func(ctx context.Context) error {
		if err := s.Periods.EnsureOpen(ctx, p.Institution, d); err != nil {
			return err
		}
		cands, err := s.Store.TransferCandidates(ctx, p.Institution, t.FromPersonID, t.CustomerIDs, d)
		if err != nil {
			return fmt.Errorf("transfer candidates: %w", err)
		}
		if len(cands) == 0 {
			return platform.Invalid("fromPersonId", fmt.Sprintf("%s（%s）在 %s 没有可转移的客户 holds no customers on %s", from.Name, from.EmpNo, d, d))
		}
		held := map[int64]bool{}
		var late []string
		for _, c := range cands {
			held[c.CustomerID] = true
			if !c.LatestChange.Before(d) && len(late) < maxListed {
				late = append(late, fmt.Sprintf("%s（%s）", c.CustomerName, c.LatestChange))
			}
		}
		if len(late) > 0 {
			return platform.Invalid("effectiveFrom", fmt.Sprintf("转移日期须晚于客户最近一次归属变动：%s the date must be after each customer's latest attribution change", strings.Join(late, "、")))
		}
		var missing []string
		for _, id := range t.CustomerIDs {
			if !held[id] && len(missing) < maxListed {
				missing = append(missing, fmt.Sprintf("#%d", id))
			}
		}
		if len(missing) > 0 {
			return platform.Invalid("customerIds", fmt.Sprintf("客户 %s 在 %s 不归属于 %s（%s） not held by the from-manager on that date",
				strings.Join(missing, "、"), d, from.Name, from.EmpNo))
		}
		ch := &Change{Institution: p.Institution, Kind: ChangeTransfer, FromPersonID: t.FromPersonID, ToPersonID: t.ToPersonID,
			EffectiveFrom: d, SignedOn: t.SignedOn, Reason: t.Reason, CreatedBy: p.Username}
		n, forms, err := s.Store.TransferCustomers(ctx, ch, t.CustomerIDs)
		if err != nil {
			return err
		}
		if n != len(cands) {
			return platform.Conflict("attribution_changed", "", "客户归属已被他人修改，请刷新后重试 the attribution changed meanwhile; reload and retry")
		}
		ids := make([]int64, len(cands))
		for i, c := range cands {
			ids[i] = c.CustomerID
		}
		recredited, err := s.recredit(ctx, p.Institution, ids, d)
		if err != nil {
			return err
		}
		res = TransferResult{ChangeID: ch.ID, Customers: n, Forms: forms, Recredited: recredited}
		after := map[string]any{"fromPersonId": t.FromPersonID, "toPersonId": t.ToPersonID, "effectiveFrom": d,
			"customerIds": ids, "customers": n, "forms": forms, "recredited": recredited}
		c := audit.Change{Action: "customer.transfer", ObjectType: "attribution_change", ObjectID: fmt.Sprint(ch.ID),
			UnitID: from.UnitID, After: after, Reason: t.Reason}
		if len(ids) == 1 {
			c.ObjectType, c.ObjectID = "customer", fmt.Sprint(ids[0])
		}
		return s.Audit.Record(ctx, c)
	})
	if err != nil {
		return TransferResult{}, err
	}
	return res, nil
}

// Forms lists the confirmation forms of a branch and month, for the
// archives clerk. A form is listed when the viewer's scope covers its
// branch or its manager.
func (s *Service) Forms(ctx context.Context, f FormFilter) ([]Form, int, error) {
	p := access.FromContext(ctx)
	if !p.Can(access.CustomerRead) {
		return nil, 0, platform.ErrForbidden
	}
	if err := f.Normalise(); err != nil {
		return nil, 0, err
	}
	return s.Store.ListConfirmationForms(ctx, p.Scope, f)
}

// Archive asks for the forms of a branch and month to be archived.
type Archive struct {
	BranchID int64   `json:"branchId"`
	Month    string  `json:"month"`   // YYYY-MM
	FormIDs  []int64 `json:"formIds"` // empty: every unarchived form of the month
}

// ArchiveResult lists the serial numbers archived.
type ArchiveResult struct {
	Archived int      `json:"archived"`
	Serials  []string `json:"serials"`
}

// ArchiveForms marks a month's confirmation forms of a branch archived
// (每月整理归档), with one audit entry. The branch must lie in the actor's scope.
func (s *Service) ArchiveForms(ctx context.Context, a Archive) (ArchiveResult, error) {
	p := access.FromContext(ctx)
	if !p.Can(access.CustomerWrite) {
		return ArchiveResult{}, platform.ErrForbidden
	}
	ff := FormFilter{BranchID: a.BranchID, Month: a.Month, PageSize: 1}
	if err := ff.Normalise(); err != nil {
		return ArchiveResult{}, err
	}
	tree, err := s.tree(ctx, p.Institution, s.today())
	if err != nil {
		return ArchiveResult{}, err
	}
	full, _ := tree.Visible(p.Scope, p.UnitID)
	if u := tree.Get(a.BranchID); u == nil || u.Kind != org.Branch || !full[a.BranchID] {
		return ArchiveResult{}, platform.ErrNotFound
	}
	var res ArchiveResult
	err = s.Store.WithTx(ctx, func(ctx context.Context) error {
		serials, err := s.Store.ArchiveConfirmationForms(ctx, p.Institution, a.BranchID, ff.Month, dedupe(a.FormIDs), p.Username)
		if err != nil {
			return fmt.Errorf("archive forms: %w", err)
		}
		if len(serials) == 0 {
			return platform.Conflict("nothing_to_archive", "month", fmt.Sprintf("%s 没有待归档的确认单 no unarchived forms in %s", ff.Month, ff.Month))
		}
		res = ArchiveResult{Archived: len(serials), Serials: serials}
		return s.Audit.Record(ctx, audit.Change{Action: "customer.forms.archive", ObjectType: "confirmation_forms",
			ObjectID: fmt.Sprintf("%d/%s", a.BranchID, ff.Month), UnitID: a.BranchID, After: res})
	})
	if err != nil {
		return ArchiveResult{}, err
	}
	return res, nil
}

// DuplicateQuery is a full ID number and/or a full phone number to look up.
type DuplicateQuery struct {
	IDNumber string `json:"idNumber"`
	Phone    string `json:"phone"`
}

// DuplicateCheck tells whether a customer with the ID number or phone
// exists and who owns it — the managers' names, employee numbers and
// units, and the branch — even when the viewer may not open it. Nothing
// else about such a customer is revealed; its id only when the viewer may
// open it. Only whole numbers are looked up, never fragments.
func (s *Service) DuplicateCheck(ctx context.Context, q DuplicateQuery) ([]Duplicate, error) {
	p := access.FromContext(ctx)
	if !p.Can(access.CustomerRead) {
		return nil, platform.ErrForbidden
	}
	q.IDNumber, q.Phone = NormaliseIDNumber(q.IDNumber), normalisePhone(q.Phone)
	f := platform.Fields{}
	if q.IDNumber == "" && q.Phone == "" {
		f.Add("idNumber", "请输入完整的证件号码或电话号码 enter a whole ID number or phone number")
	}
	if q.IDNumber != "" && (len(q.IDNumber) < 5 || len(q.IDNumber) > 32) {
		f.Add("idNumber", "请输入完整的证件号码 enter the whole ID number")
	}
	if q.Phone != "" && (!phoneRe.MatchString(q.Phone) || len(q.Phone) < 7) {
		f.Add("phone", "请输入完整的电话号码 enter the whole phone number")
	}
	if err := f.Err(); err != nil {
		return nil, err
	}
	var ids, phones []string
	if q.IDNumber != "" {
		ids = []string{q.IDNumber}
	}
	if q.Phone != "" {
		phones = []string{q.Phone}
	}
	out, err := s.Store.DuplicateCustomers(ctx, p.Scope, ids, phones, s.today(), 20)
	if err != nil {
		return nil, fmt.Errorf("duplicate check: %w", err)
	}
	for i := range out {
		if !out[i].Visible {
			out[i].CustomerID = 0
		}
	}
	return out, nil
}
