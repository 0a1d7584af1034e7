package people

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"unicode/utf8"

	"cmhub/internal/access"
	"cmhub/internal/audit"
	"cmhub/internal/dict"
	"cmhub/internal/org"
	"cmhub/internal/platform"
)

// Store is the persistence this package needs. Every read of people takes
// the viewer's scope; a person outside it is platform.ErrNotFound.
type Store interface {
	WithTx(ctx context.Context, fn func(ctx context.Context) error) error
	ListPeople(ctx context.Context, scope access.Scope, f Filter) ([]Person, int, error)
	EachPerson(ctx context.Context, scope access.Scope, f Filter, fn func(*Person) error) error
	Person(ctx context.Context, scope access.Scope, id int64, asOf platform.Date) (Person, error)
	// History is the person's whole history, if they are in scope on asOf.
	History(ctx context.Context, scope access.Scope, personID int64, asOf platform.Date) ([]Record, error)
	CreatePerson(ctx context.Context, p *Person, first Record) error
	UpdatePerson(ctx context.Context, p Person) error
	// MovePerson ends the record in force at rec.ValidFrom and starts rec.
	MovePerson(ctx context.Context, personID int64, rec Record) error
	ExistingEmpNos(ctx context.Context, institution int64, empNos []string) (map[string]bool, error)
	Units(ctx context.Context, institution int64, asOf platform.Date) ([]org.Unit, error)
	UnitChain(ctx context.Context, institution int64, asOf platform.Date, ids ...int64) ([]org.Unit, error)
}

// PeriodGuard refuses writes into closed periods.
type PeriodGuard interface {
	EnsureOpen(ctx context.Context, institution int64, d platform.Date) error
}

// Service holds the people use cases.
type Service struct {
	Store   Store
	Dicts   dict.Store
	Audit   audit.Log
	Clock   platform.Clock
	Periods PeriodGuard
}

func (s *Service) today() platform.Date { return platform.DateOf(s.Clock.Now()) }

// List returns one page of the people in the viewer's scope.
func (s *Service) List(ctx context.Context, f Filter) ([]Person, int, error) {
	p := access.FromContext(ctx)
	if !p.Can(access.PeopleRead) {
		return nil, 0, platform.ErrForbidden
	}
	if err := f.Normalise(s.today()); err != nil {
		return nil, 0, err
	}
	items, total, err := s.Store.ListPeople(ctx, p.Scope, f)
	if err != nil {
		return nil, 0, fmt.Errorf("list people: %w", err)
	}
	if err := s.decorate(ctx, p, f.AsOf, items); err != nil {
		return nil, 0, err
	}
	return items, total, nil
}

// Each streams every person matching f in scope, for exports.
func (s *Service) Each(ctx context.Context, f Filter, fn func(*Person) error) error {
	p := access.FromContext(ctx)
	if !p.Can(access.PeopleExport) {
		return platform.ErrForbidden
	}
	f.PageSize = 1 // paging is ignored by EachPerson; keep Normalise happy
	if err := f.Normalise(s.today()); err != nil {
		return err
	}
	tree, err := s.tree(ctx, p.Institution, f.AsOf)
	if err != nil {
		return err
	}
	pii := p.Can(access.PeoplePII)
	return s.Store.EachPerson(ctx, p.Scope, f, func(x *Person) error {
		decorateOne(x, tree, pii)
		return fn(x)
	})
}

// Detail is a person with their whole history.
type Detail struct {
	Person
	History []Record `json:"history"`
}

// Get returns a person in scope with their history.
func (s *Service) Get(ctx context.Context, id int64) (Detail, error) {
	p := access.FromContext(ctx)
	if !p.Can(access.PeopleRead) {
		return Detail{}, platform.ErrForbidden
	}
	x, err := s.Store.Person(ctx, p.Scope, id, s.today())
	if err != nil {
		return Detail{}, err
	}
	items := []Person{x}
	if err := s.decorate(ctx, p, s.today(), items); err != nil {
		return Detail{}, err
	}
	h, err := s.Store.History(ctx, p.Scope, id, s.today())
	if err != nil {
		return Detail{}, fmt.Errorf("history: %w", err)
	}
	return Detail{Person: items[0], History: h}, nil
}

func (s *Service) tree(ctx context.Context, inst int64, asOf platform.Date) (*org.Tree, error) {
	units, err := s.Store.Units(ctx, inst, asOf)
	if err != nil {
		return nil, fmt.Errorf("units: %w", err)
	}
	return org.NewTree(units), nil
}

func (s *Service) decorate(ctx context.Context, p *access.Principal, asOf platform.Date, items []Person) error {
	if len(items) == 0 {
		return nil
	}
	// Paths need only the chains above this page's units.
	ids := make([]int64, 0, len(items))
	for _, x := range items {
		if !slices.Contains(ids, x.UnitID) {
			ids = append(ids, x.UnitID)
		}
	}
	chain, err := s.Store.UnitChain(ctx, p.Institution, asOf, ids...)
	if err != nil {
		return fmt.Errorf("unit paths: %w", err)
	}
	tree := org.NewTree(chain)
	pii := p.Can(access.PeoplePII)
	for i := range items {
		decorateOne(&items[i], tree, pii)
	}
	return nil
}

func decorateOne(x *Person, tree *org.Tree, pii bool) {
	x.UnitPath = tree.Path(x.UnitID)
	if !pii {
		x.IDNumber, x.Phone = MaskID(x.IDNumber), MaskPhone(x.Phone)
	}
}

// NewPerson is the input to Create and each row of an import.
type NewPerson struct {
	EmpNo          string        `json:"empNo"`
	Name           string        `json:"name"`
	Gender         string        `json:"gender"`
	IDNumber       string        `json:"idNumber"`
	Phone          string        `json:"phone"`
	EmploymentType string        `json:"employmentType"`
	HiredOn        platform.Date `json:"hiredOn"`
	ProbationEnd   platform.Date `json:"probationEnd"`
	ContractEnd    platform.Date `json:"contractEnd"`
	UnitID         int64         `json:"unitId"`
	Position       string        `json:"position"`
	Grade          string        `json:"grade"`
	Status         string        `json:"status"`
}

var (
	empNoRe = regexp.MustCompile(`^[A-Za-z0-9_-]{1,32}$`)
	idRe    = regexp.MustCompile(`^[0-9]{17}[0-9Xx]$|^[0-9]{15}$`)
	phoneRe = regexp.MustCompile(`^[0-9+\-() ]{5,20}$`)
)

// validate checks a new person against the dictionaries; it returns field errors.
func (n *NewPerson) validate(d dict.Set) platform.Fields {
	f := platform.Fields{}
	n.EmpNo, n.Name = strings.TrimSpace(n.EmpNo), strings.TrimSpace(n.Name)
	n.IDNumber, n.Phone = strings.ToUpper(strings.TrimSpace(n.IDNumber)), strings.TrimSpace(n.Phone)
	if !empNoRe.MatchString(n.EmpNo) {
		f.Add("empNo", "工号必填，1–32 位字母、数字、- 或 _ required, 1–32 letters, digits, - or _")
	}
	if n.Name == "" || utf8.RuneCountInString(n.Name) > 50 {
		f.Add("name", "姓名必填，最多 50 个字 required, at most 50 characters")
	}
	if n.Gender != "" && !d.Has(dict.Genders, n.Gender) {
		f.Add("gender", "性别须为 male 或 female")
	}
	if n.IDNumber != "" && !idRe.MatchString(n.IDNumber) {
		f.Add("idNumber", "身份证号须为 18 位（或旧 15 位）must be an 18-digit ID number")
	}
	if n.Phone != "" && !phoneRe.MatchString(n.Phone) {
		f.Add("phone", "电话号码格式不正确 not a phone number")
	}
	if n.EmploymentType != "" && !d.Has(dict.EmploymentTypes, n.EmploymentType) {
		f.Add("employmentType", "用工形式不在字典中 unknown employment type")
	}
	if !d.Has(dict.Positions, n.Position) {
		f.Add("position", "岗位不在字典中 unknown position")
	}
	if n.Grade != "" && !d.Has(dict.Grades, n.Grade) {
		f.Add("grade", "职级不在本机构职级序列中 not on this institution's grade ladder")
	}
	if n.Status == "" {
		n.Status = StatusActive
	}
	if !d.Has(dict.Statuses, n.Status) {
		f.Add("status", "状态不在字典中 unknown status")
	}
	if n.HiredOn.IsZero() {
		f.Add("hiredOn", "入职日期必填 required")
	}
	if !n.ProbationEnd.IsZero() && !n.HiredOn.IsZero() && n.ProbationEnd.Before(n.HiredOn) {
		f.Add("probationEnd", "试用期结束不能早于入职日期 cannot be before the hire date")
	}
	if !n.ContractEnd.IsZero() && !n.HiredOn.IsZero() && n.ContractEnd.Before(n.HiredOn) {
		f.Add("contractEnd", "合同到期不能早于入职日期 cannot be before the hire date")
	}
	if n.UnitID == 0 {
		f.Add("unitId", "所属单位必填 required")
	}
	return f
}

func (s *Service) dicts(ctx context.Context, inst int64) (dict.Set, error) {
	d, err := s.Dicts.DictItems(ctx, inst)
	if err != nil {
		return nil, fmt.Errorf("dictionaries: %w", err)
	}
	return dict.Set(d), nil
}

// writableUnits returns the units (as of today) the principal may place people in.
func (s *Service) writableUnits(ctx context.Context, p *access.Principal) (*org.Tree, map[int64]bool, error) {
	tree, err := s.tree(ctx, p.Institution, s.today())
	if err != nil {
		return nil, nil, err
	}
	full, _ := tree.Visible(p.Scope, p.UnitID)
	return tree, full, nil
}

// Create adds a person with their first record, effective from the hire date.
func (s *Service) Create(ctx context.Context, n NewPerson) (Detail, error) {
	p := access.FromContext(ctx)
	if !p.Can(access.PeopleWrite) {
		return Detail{}, platform.ErrForbidden
	}
	d, err := s.dicts(ctx, p.Institution)
	if err != nil {
		return Detail{}, err
	}
	var id int64
	err = s.Store.WithTx(ctx, func(ctx context.Context) error {
		created, err := s.createMany(ctx, p, d, []NewPerson{n})
		var be *BatchError
		if errors.As(err, &be) {
			return &platform.ValidationError{Fields: be.Items[0].Fields}
		}
		if err != nil {
			return err
		}
		id = created[0]
		return nil
	})
	if err != nil {
		return Detail{}, err
	}
	return s.Get(ctx, id)
}

// createMany validates and inserts people in the caller's transaction.
// Field errors come back as *BatchError keyed by index.
func (s *Service) createMany(ctx context.Context, p *access.Principal, d dict.Set, ns []NewPerson) ([]int64, error) {
	_, writable, err := s.writableUnits(ctx, p)
	if err != nil {
		return nil, err
	}
	nos := make([]string, len(ns))
	for i := range ns {
		nos[i] = strings.TrimSpace(ns[i].EmpNo)
	}
	exists, err := s.Store.ExistingEmpNos(ctx, p.Institution, nos)
	if err != nil {
		return nil, fmt.Errorf("check employee numbers: %w", err)
	}
	be := &BatchError{}
	seen := map[string]int{}
	for i := range ns {
		n := &ns[i]
		f := n.validate(d)
		if n.UnitID != 0 && !writable[n.UnitID] {
			f.Add("unitId", "所属单位不存在或不在您的管辖范围 unit not found or outside your scope")
		}
		if exists[n.EmpNo] {
			f.Add("empNo", fmt.Sprintf("工号 %s 已存在 employee number already exists", n.EmpNo))
		} else if j, dup := seen[n.EmpNo]; dup && n.EmpNo != "" {
			f.Add("empNo", fmt.Sprintf("工号 %s 与第 %d 条重复 duplicate of item %d", n.EmpNo, j+1, j+1))
		}
		seen[n.EmpNo] = i
		if len(f) == 0 {
			err := s.Periods.EnsureOpen(ctx, p.Institution, n.HiredOn)
			var ce *platform.ConflictError
			switch {
			case errors.As(err, &ce): // a closed period: the user's problem, with a message for them
				f.Add("hiredOn", ce.Message)
			case err != nil: // the database's problem: a 500, its text stays in the log
				return nil, err
			}
		}
		if len(f) > 0 {
			be.Items = append(be.Items, ItemError{Index: i, Fields: f})
		}
	}
	if len(be.Items) > 0 {
		return nil, be
	}
	ids := make([]int64, len(ns))
	changes := make([]audit.Change, len(ns))
	for i, n := range ns {
		x := Person{Institution: p.Institution, EmpNo: n.EmpNo, Name: n.Name, Gender: n.Gender, IDNumber: n.IDNumber,
			Phone: n.Phone, EmploymentType: n.EmploymentType, HiredOn: n.HiredOn, ProbationEnd: n.ProbationEnd, ContractEnd: n.ContractEnd}
		rec := Record{UnitID: n.UnitID, Position: n.Position, Grade: n.Grade, Status: n.Status, ValidFrom: n.HiredOn, Reason: "入职 hired"}
		if err := s.Store.CreatePerson(ctx, &x, rec); err != nil {
			return nil, fmt.Errorf("create person %s: %w", n.EmpNo, err)
		}
		ids[i] = x.ID
		changes[i] = audit.Change{Action: "person.create", ObjectType: "person", ObjectID: fmt.Sprint(x.ID),
			UnitID: n.UnitID, After: map[string]any{"person": x, "record": rec}}
	}
	return ids, s.Audit.RecordMany(ctx, changes)
}

// ItemError is the field errors of one item of a batch.
type ItemError struct {
	Index  int
	Fields platform.Fields
}

// BatchError reports every invalid item of a batch; nothing was written.
type BatchError struct{ Items []ItemError }

func (e *BatchError) Error() string { return fmt.Sprintf("%d invalid items", len(e.Items)) }

// Patch changes a person's profile fields; nil means unchanged.
type Patch struct {
	Name           *string        `json:"name"`
	Gender         *string        `json:"gender"`
	IDNumber       *string        `json:"idNumber"`
	Phone          *string        `json:"phone"`
	EmploymentType *string        `json:"employmentType"`
	ProbationEnd   *platform.Date `json:"probationEnd"`
	ContractEnd    *platform.Date `json:"contractEnd"`
}

// Update changes profile fields of a person in scope.
func (s *Service) Update(ctx context.Context, id int64, pt Patch) (Detail, error) {
	p := access.FromContext(ctx)
	if !p.Can(access.PeopleWrite) {
		return Detail{}, platform.ErrForbidden
	}
	d, err := s.dicts(ctx, p.Institution)
	if err != nil {
		return Detail{}, err
	}
	err = s.Store.WithTx(ctx, func(ctx context.Context) error {
		before, err := s.Store.Person(ctx, p.Scope, id, s.today())
		if err != nil {
			return err
		}
		after := before
		set := func(dst *string, v *string) {
			if v != nil {
				*dst = *v
			}
		}
		set(&after.Name, pt.Name)
		set(&after.Gender, pt.Gender)
		set(&after.IDNumber, pt.IDNumber)
		set(&after.Phone, pt.Phone)
		set(&after.EmploymentType, pt.EmploymentType)
		if pt.ProbationEnd != nil {
			after.ProbationEnd = *pt.ProbationEnd
		}
		if pt.ContractEnd != nil {
			after.ContractEnd = *pt.ContractEnd
		}
		n := NewPerson{EmpNo: after.EmpNo, Name: after.Name, Gender: after.Gender, IDNumber: after.IDNumber, Phone: after.Phone,
			EmploymentType: after.EmploymentType, HiredOn: after.HiredOn, ProbationEnd: after.ProbationEnd, ContractEnd: after.ContractEnd,
			UnitID: after.UnitID, Position: after.Position, Grade: after.Grade, Status: after.Status}
		f := n.validate(d)
		// Only the fields this patch touches are the caller's fault.
		for k := range f {
			switch k {
			case "name", "gender", "idNumber", "phone", "employmentType", "probationEnd", "contractEnd":
			default:
				delete(f, k)
			}
		}
		if err := f.Err(); err != nil {
			return err
		}
		after.Name, after.IDNumber, after.Phone = n.Name, n.IDNumber, n.Phone
		if err := s.Store.UpdatePerson(ctx, after); err != nil {
			return fmt.Errorf("update person: %w", err)
		}
		return s.Audit.Record(ctx, audit.Change{Action: "person.update", ObjectType: "person", ObjectID: fmt.Sprint(id),
			UnitID: before.UnitID, Before: profile(before), After: profile(after)})
	})
	if err != nil {
		return Detail{}, err
	}
	return s.Get(ctx, id)
}

func profile(x Person) map[string]any {
	return map[string]any{"empNo": x.EmpNo, "name": x.Name, "gender": x.Gender, "idNumber": x.IDNumber, "phone": x.Phone,
		"employmentType": x.EmploymentType, "probationEnd": x.ProbationEnd, "contractEnd": x.ContractEnd}
}

// Move is a change of unit, position, grade or status from a date.
type Move struct {
	EffectiveFrom platform.Date `json:"effectiveFrom"`
	UnitID        *int64        `json:"unitId"`
	Position      *string       `json:"position"`
	Grade         *string       `json:"grade"`
	Status        *string       `json:"status"`
	Reason        string        `json:"reason"`
}

// Move ends the person's current record the day before EffectiveFrom and
// starts a new one, in one transaction, with an audit entry.
func (s *Service) Move(ctx context.Context, id int64, m Move) (Detail, error) {
	p := access.FromContext(ctx)
	if !p.Can(access.PeopleWrite) {
		return Detail{}, platform.ErrForbidden
	}
	f := platform.Fields{}
	if m.EffectiveFrom.IsZero() {
		f.Add("effectiveFrom", "生效日期必填 required")
	}
	m.Reason = strings.TrimSpace(m.Reason)
	if m.Reason == "" || utf8.RuneCountInString(m.Reason) > 200 {
		f.Add("reason", "调动原因必填，最多 200 字 a reason is required (at most 200 characters)")
	}
	if m.UnitID == nil && m.Position == nil && m.Grade == nil && m.Status == nil {
		f.Add("unitId", "至少变更单位、岗位、职级或状态之一 change at least one of unit, position, grade, status")
	}
	if err := f.Err(); err != nil {
		return Detail{}, err
	}
	d, err := s.dicts(ctx, p.Institution)
	if err != nil {
		return Detail{}, err
	}
	_, writable, err := s.writableUnits(ctx, p)
	if err != nil {
		return Detail{}, err
	}
	err = s.Store.WithTx(ctx, func(ctx context.Context) error {
		cur, err := s.Store.Person(ctx, p.Scope, id, s.today())
		if err != nil {
			return err
		}
		hist, err := s.Store.History(ctx, p.Scope, id, s.today())
		if err != nil {
			return err
		}
		last := hist[len(hist)-1]
		if !m.EffectiveFrom.After(last.ValidFrom) {
			return platform.Invalid("effectiveFrom", fmt.Sprintf("生效日期须晚于最近一次变动 %s must be after the latest change (%s)", last.ValidFrom, last.ValidFrom))
		}
		if err := s.Periods.EnsureOpen(ctx, p.Institution, m.EffectiveFrom); err != nil {
			return err
		}
		rec := Record{ValidFrom: m.EffectiveFrom, UnitID: last.UnitID, Position: last.Position, Grade: last.Grade, Status: last.Status, Reason: m.Reason}
		if m.UnitID != nil {
			if !writable[*m.UnitID] {
				f.Add("unitId", "单位不存在或不在您的管辖范围 unit not found or outside your scope")
			}
			rec.UnitID = *m.UnitID
		}
		if m.Position != nil {
			if !d.Has(dict.Positions, *m.Position) {
				f.Add("position", "岗位不在字典中 unknown position")
			}
			rec.Position = *m.Position
		}
		if m.Grade != nil {
			if *m.Grade != "" && !d.Has(dict.Grades, *m.Grade) {
				f.Add("grade", "职级不在本机构职级序列中 not on this institution's grade ladder")
			}
			rec.Grade = *m.Grade
		}
		if m.Status != nil {
			if !d.Has(dict.Statuses, *m.Status) {
				f.Add("status", "状态不在字典中 unknown status")
			}
			rec.Status = *m.Status
		}
		if err := f.Err(); err != nil {
			return err
		}
		if rec.UnitID == last.UnitID && rec.Position == last.Position && rec.Grade == last.Grade && rec.Status == last.Status {
			return platform.Invalid("unitId", "与当前记录相同，没有变化 nothing changes")
		}
		if err := s.Store.MovePerson(ctx, id, rec); err != nil {
			return fmt.Errorf("move person: %w", err)
		}
		return s.Audit.Record(ctx, audit.Change{Action: "person.move", ObjectType: "person", ObjectID: fmt.Sprint(id),
			UnitID: cur.UnitID, Before: last, After: rec, Reason: m.Reason})
	})
	if err != nil {
		return Detail{}, err
	}
	return s.Get(ctx, id)
}
