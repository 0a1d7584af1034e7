package payroll

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"math/big"
	"slices"
	"strconv"
	"strings"
	"time"

	"cmhub/internal/access"
	"cmhub/internal/assess"
	"cmhub/internal/audit"
	"cmhub/internal/job"
	"cmhub/internal/pay"
	"cmhub/internal/platform"
	"cmhub/internal/stats"
)

// States of a pay month (SPEC §6, 001 第十五条): calculated by finance,
// submitted, signed by the chief accountant, the deputy manager and the
// manager in turn; the manager's signature locks it.
const (
	StateOpen       = "open"
	StateCalculated = "calculated"
	StateSubmitted  = "submitted"
	StateAccountant = "approved_accountant"
	StateDeputy     = "approved_deputy"
	StateLocked     = "locked"
)

// CloseStore is the persistence of the monthly close.
type CloseStore interface {
	PayMonth(ctx context.Context, institution int64, month string, lock bool) (Month, error)
	SavePayMonth(ctx context.Context, institution int64, m *Month) error
	ReplacePayStatements(ctx context.Context, institution int64, month string, rows []StatementRow) error
	PayStatements(ctx context.Context, sc access.Scope, asOf platform.Date, institution int64, month string, person int64, limit, offset int) ([]StatementRow, int, error)
}

// Month is a pay month and where it stands.
type Month struct {
	Month        string     `json:"month"`
	State        string     `json:"state"`
	People       int64      `json:"people"`
	NetFen       int64      `json:"netFen"`
	CalculatedBy string     `json:"calculatedBy"`
	CalculatedAt *time.Time `json:"calculatedAt"`
	Signoffs     []Signoff  `json:"signoffs"`
	Version      int        `json:"version"`
	UpdatedAt    *time.Time `json:"updatedAt"` // nil while never calculated
}

// Signoff is one signature of the chain, or a submission.
type Signoff struct {
	Step string    `json:"step"` // submitted, approved_accountant, approved_deputy, locked
	By   string    `json:"by"`
	Name string    `json:"name"`
	At   time.Time `json:"at"`
}

// StatementRow is one person's stored statement of a month.
type StatementRow struct {
	PersonID int64  `json:"personId"`
	EmpNo    string `json:"empNo"`
	Name     string `json:"name"`
	UnitID   int64  `json:"unitId"`
	Plan     string `json:"plan"`
	Version  int    `json:"planVersion"`
	NetFen   int64  `json:"netFen"`
	// Statement and Facts are stored as calculated (pay.Statement and
	// FactsView as JSON) and shown as they are.
	Statement json.RawMessage `json:"statement,omitempty"`
	Facts     json.RawMessage `json:"facts,omitempty"`
}

// signStep is who signs a month in a state: the position that signs, and
// the state the signature leads to (001 第十五条: the chief accountant, the
// deputy manager, the manager).
func signStep(state string) (position, next string, ok bool) {
	switch state {
	case StateSubmitted:
		return "chief_accountant", StateAccountant, true
	case StateAccountant:
		return "deputy_gm", StateDeputy, true
	case StateDeputy:
		return "general_manager", StateLocked, true
	}
	return "", "", false
}

func checkMonth(month string) (platform.Period, error) {
	per, err := platform.ParsePeriod(strings.TrimSpace(month))
	if err != nil || per.Kind != platform.Month {
		return platform.Period{}, platform.Invalid("month", "月份须为 YYYY-MM the month must be YYYY-MM")
	}
	return per, nil
}

// GetMonth returns a pay month; a month never calculated is open.
func (s *Service) GetMonth(ctx context.Context, month string) (Month, error) {
	p, err := principal(ctx, access.PayRead)
	if err != nil {
		return Month{}, err
	}
	per, err := checkMonth(month)
	if err != nil {
		return Month{}, err
	}
	m, err := s.Close.PayMonth(ctx, p.Institution, per.String(), false)
	if errors.Is(err, platform.ErrNotFound) {
		return Month{Month: per.String(), State: StateOpen, Signoffs: []Signoff{}}, nil
	}
	return m, err
}

// Calculate starts the calculation of a month's pay as a background job:
// every person a plan applies to, from the month's statistics, attendance
// and history. It writes the statements and the month's state in one
// transaction at the end, so a crash leaves the month as it was; it clears
// the signatures of an earlier calculation; a locked month is refused.
func (s *Service) Calculate(ctx context.Context, month string) (job.Job, error) {
	p, err := principal(ctx, access.PayManage)
	if err != nil {
		return job.Job{}, err
	}
	per, err := checkMonth(month)
	if err != nil {
		return job.Job{}, err
	}
	if per.Start().After(platform.DateOf(s.Clock.Now())) {
		return job.Job{}, platform.Invalid("month", fmt.Sprintf("%s 尚未开始 %s has not begun", per, per))
	}
	if m, err := s.Close.PayMonth(ctx, p.Institution, per.String(), false); err == nil && m.State == StateLocked {
		return job.Job{}, platform.Conflict("locked", "month", fmt.Sprintf("%s 的工资已锁定，更正须作为下月调整 the pay of %s is locked; a correction is an adjustment in the next open month", per, per))
	} else if err != nil && !errors.Is(err, platform.ErrNotFound) {
		return job.Job{}, err
	}
	return s.Jobs.Start(ctx, "pay_close", func(ctx context.Context, pr *job.Progress) (job.Outcome, error) {
		m, err := s.calculate(ctx, p, per, pr)
		if err != nil {
			// Refusals carry messages written for users; anything else is a
			// server error the runner reports without its text.
			var ve *platform.ValidationError
			if errors.As(err, &ve) {
				msgs := make([]string, 0, len(ve.Fields))
				for _, k := range slices.Sorted(maps.Keys(ve.Fields)) {
					msgs = append(msgs, ve.Fields[k])
				}
				return job.Outcome{Status: job.Rejected, Message: strings.Join(msgs, "；")}, nil
			}
			var ce *platform.ConflictError
			if errors.As(err, &ce) {
				return job.Outcome{Status: job.Rejected, Message: ce.Message}, nil
			}
			return job.Outcome{}, err
		}
		return job.Outcome{Status: job.Succeeded, Message: fmt.Sprintf("已计算 %d 人 %d people calculated", m.People, m.People), Result: m}, nil
	})
}

// calculate does the work of Calculate.
func (s *Service) calculate(ctx context.Context, p *access.Principal, per platform.Period, pr *job.Progress) (Month, error) {
	pr.Phase("reading")
	plans, err := s.compiled(ctx, p.Institution)
	if err != nil {
		return Month{}, err
	}
	asOf := per.End()
	if today := platform.DateOf(s.Clock.Now()); asOf.After(today) {
		asOf = today
	}
	ppl, err := s.Store.AssessPeople(ctx, p.Institution, asOf)
	if err != nil {
		return Month{}, err
	}
	type paid struct {
		person assess.Person
		plan   *pay.Compiled
	}
	var who []paid
	needs := pay.Needs{}
	for _, q := range ppl {
		if q.Status == "terminated" || q.Status == "candidate" {
			continue
		}
		c, err := pay.Select(plans, q.Position, per.String())
		if errors.Is(err, pay.ErrNoPlan) {
			continue
		}
		if err != nil {
			return Month{}, err
		}
		who = append(who, paid{q, c})
		n := c.Needs()
		needs.Metrics = union(needs.Metrics, n.Metrics)
		needs.History = union(needs.History, n.History)
		needs.Attendance = needs.Attendance || n.Attendance
	}
	pr.Total(int64(len(who)))
	ids := make([]int64, len(who))
	for i, w := range who {
		ids[i] = w.person.ID
	}
	bulk, err := s.bulkFacts(ctx, p.Institution, per, ids, needs, 0)
	if err != nil {
		return Month{}, err
	}
	pr.Phase("calculating")
	rows := make([]StatementRow, 0, len(who))
	var net int64
	for i, w := range who {
		f, view := bulk.of(w.person, per, w.plan.Needs())
		st, err := w.plan.Evaluate(f)
		if err != nil {
			var ee *pay.EvalError
			if errors.As(err, &ee) {
				return Month{}, platform.Invalid("facts", fmt.Sprintf("%s %s：%s", w.person.EmpNo, w.person.Name, ee.Error()))
			}
			return Month{}, err
		}
		stJSON, err := json.Marshal(st)
		if err != nil {
			return Month{}, err
		}
		factsJSON, err := json.Marshal(view)
		if err != nil {
			return Month{}, err
		}
		rows = append(rows, StatementRow{PersonID: w.person.ID, EmpNo: w.person.EmpNo, Name: w.person.Name, UnitID: w.person.UnitID,
			Plan: st.Plan, Version: st.Version, NetFen: st.NetFen, Statement: stJSON, Facts: factsJSON})
		net += st.NetFen
		if i%1000 == 0 {
			pr.Done(int64(i))
		}
	}
	pr.Done(int64(len(rows)))
	pr.Phase("writing")
	var out Month
	err = s.Store.WithTx(ctx, func(ctx context.Context) error {
		m, err := s.Close.PayMonth(ctx, p.Institution, per.String(), true)
		switch {
		case errors.Is(err, platform.ErrNotFound):
			m = Month{Month: per.String()}
		case err != nil:
			return err
		case m.State == StateLocked:
			return platform.Conflict("locked", "month", fmt.Sprintf("%s 的工资已锁定 the pay of %s is locked", per, per))
		}
		before := m.State
		now := s.Clock.Now()
		m.State, m.People, m.NetFen, m.CalculatedBy, m.CalculatedAt, m.Signoffs = StateCalculated, int64(len(rows)), net, p.Username, &now, []Signoff{}
		if err := s.Close.ReplacePayStatements(ctx, p.Institution, per.String(), rows); err != nil {
			return err
		}
		if err := s.Close.SavePayMonth(ctx, p.Institution, &m); err != nil {
			return err
		}
		out = m
		return s.Audit.Record(ctx, audit.Change{Action: "pay.month.calculate", ObjectType: "pay_month", ObjectID: per.String(),
			Before: map[string]any{"state": before}, After: map[string]any{"state": m.State, "people": m.People, "netFen": m.NetFen}})
	})
	return out, err
}

func union(a, b []string) []string {
	for _, x := range b {
		if !slices.Contains(a, x) {
			a = append(a, x)
		}
	}
	slices.Sort(a)
	return a
}

// SignInput moves a month along its sign-off chain.
type SignInput struct {
	Action  string `json:"action"` // submit | approve | reject
	Reason  string `json:"reason"`
	Version int    `json:"version"`
}

// Sign submits a calculated month (finance), or signs it at the step the
// signer's position holds — the chief accountant, then the deputy manager,
// then the manager, whose signature locks the month — or rejects it back
// to calculated with a reason. Nobody signs a step that is not theirs.
// Audited.
func (s *Service) Sign(ctx context.Context, month string, in SignInput) (Month, error) {
	p, err := principal(ctx, access.PayRead)
	if err != nil {
		return Month{}, err
	}
	per, err := checkMonth(month)
	if err != nil {
		return Month{}, err
	}
	var out Month
	err = s.Store.WithTx(ctx, func(ctx context.Context) error {
		m, err := s.Close.PayMonth(ctx, p.Institution, per.String(), true)
		if errors.Is(err, platform.ErrNotFound) {
			return platform.Conflict("not_calculated", "month", fmt.Sprintf("%s 尚未计算 %s has not been calculated", per, per))
		}
		if err != nil {
			return err
		}
		if in.Version != 0 && in.Version != m.Version {
			return platform.Conflict("stale", "version", "该月工资已被他人处理，请刷新 the month changed meanwhile; reload")
		}
		position, name, err := s.positionOf(ctx, p)
		if err != nil {
			return err
		}
		before := m.State
		now := s.Clock.Now()
		switch in.Action {
		case "submit":
			if !p.Can(access.PayManage) {
				return platform.ErrForbidden
			}
			if m.State != StateCalculated {
				return platform.Conflict("bad_state", "action", fmt.Sprintf("只能提交已计算的月份，现为 %s only a calculated month can be submitted; it is %s", m.State, m.State))
			}
			m.State = StateSubmitted
			m.Signoffs = append(m.Signoffs, Signoff{Step: StateSubmitted, By: p.Username, Name: name, At: now})
		case "approve", "reject":
			position0, next, ok := signStep(m.State)
			if !ok {
				return platform.Conflict("bad_state", "action", fmt.Sprintf("该月现为 %s，没有待签字的步骤 the month is %s: no signature is due", m.State, m.State))
			}
			if position != position0 {
				zh, en := s.positionLabel(ctx, p.Institution, position0)
				return platform.Denied(fmt.Sprintf("该步骤须由%s签字 this step is signed by the %s", zh, en))
			}
			if in.Action == "reject" {
				if strings.TrimSpace(in.Reason) == "" {
					return platform.Invalid("reason", "退回须说明理由 a rejection needs a reason")
				}
				m.State, m.Signoffs = StateCalculated, []Signoff{}
			} else {
				m.State = next
				m.Signoffs = append(m.Signoffs, Signoff{Step: next, By: p.Username, Name: name, At: now})
			}
		default:
			return platform.Invalid("action", "操作须为 submit、approve 或 reject the action must be submit, approve or reject")
		}
		if err := s.Close.SavePayMonth(ctx, p.Institution, &m); err != nil {
			return err
		}
		out = m
		return s.Audit.Record(ctx, audit.Change{Action: "pay.month." + in.Action, ObjectType: "pay_month", ObjectID: per.String(),
			Before: map[string]any{"state": before}, After: map[string]any{"state": m.State}, Reason: strings.TrimSpace(in.Reason)})
	})
	return out, err
}

// positionLabel names a position in both languages from the
// institution's dictionary (the code when it has none).
func (s *Service) positionLabel(ctx context.Context, institution int64, code string) (string, string) {
	ds, err := s.Store.DictItems(ctx, institution)
	if err == nil {
		for _, it := range ds["positions"] {
			if it.Code == code {
				return it.Zh, strings.ToLower(it.En)
			}
		}
	}
	return code, code
}

// positionOf is the signer's position and name today.
func (s *Service) positionOf(ctx context.Context, p *access.Principal) (string, string, error) {
	if p.PersonID == 0 {
		return "", p.DisplayName, nil
	}
	ppl, err := s.Store.AssessPeople(ctx, p.Institution, platform.DateOf(s.Clock.Now()))
	if err != nil {
		return "", "", err
	}
	for _, q := range ppl {
		if q.ID == p.PersonID {
			return q.Position, q.Name, nil
		}
	}
	return "", p.DisplayName, nil
}

// StatementPage is a page of a month's statements.
type StatementPage struct {
	Month Month          `json:"month"`
	Items []StatementRow `json:"items"`
	Total int            `json:"total"`
}

// Statements lists a month's statements of the people in scope (without
// their lines), by employee number.
func (s *Service) Statements(ctx context.Context, month string, page, size int) (StatementPage, error) {
	p, err := principal(ctx, access.PayRead)
	if err != nil {
		return StatementPage{}, err
	}
	m, err := s.GetMonth(ctx, month)
	if err != nil {
		return StatementPage{}, err
	}
	size = min(max(size, 1), 500)
	rows, total, err := s.Close.PayStatements(ctx, p.Scope, platform.DateOf(s.Clock.Now()), p.Institution, m.Month, 0, size, (max(page, 1)-1)*size)
	if err != nil {
		return StatementPage{}, err
	}
	for i := range rows {
		rows[i].Statement, rows[i].Facts = nil, nil
	}
	return StatementPage{Month: m, Items: rows, Total: total}, nil
}

// Statement returns one person's statement of a month with every line
// and the facts read: for pay:read holders, of people in scope; for
// anyone, their own (person 0 means oneself).
func (s *Service) Statement(ctx context.Context, month string, person int64) (StatementRow, error) {
	p := access.FromContext(ctx)
	if p == nil {
		return StatementRow{}, platform.ErrUnauthorized
	}
	per, err := checkMonth(month)
	if err != nil {
		return StatementRow{}, err
	}
	if person == 0 || person == p.PersonID {
		person = p.PersonID
		if person == 0 {
			return StatementRow{}, platform.ErrNotFound
		}
	} else if !p.Can(access.PayRead) {
		return StatementRow{}, platform.ErrForbidden
	}
	sc := p.Scope
	if person == p.PersonID {
		sc = access.Scope{Institution: p.Institution, All: true}
	}
	rows, _, err := s.Close.PayStatements(ctx, sc, platform.DateOf(s.Clock.Now()), p.Institution, per.String(), person, 1, 0)
	if err != nil {
		return StatementRow{}, err
	}
	if len(rows) == 0 {
		return StatementRow{}, platform.ErrNotFound
	}
	return rows[0], nil
}

// bulk holds the facts of a month for many people, read once.
type bulk struct {
	metrics    map[int64]map[string]*big.Rat
	attendance map[int64]map[string]float64
	history    map[int64]map[string]int
}

// bulkFacts reads the month's statistics once (for everyone, or for the
// people of one unit when unit is set — a trial reads its person's unit),
// the attendance figures, and the history runs of months without a value
// (from the months before, read once per month back). The close and the
// trial read the same facts this way.
func (s *Service) bulkFacts(ctx context.Context, institution int64, per platform.Period, ids []int64, needs pay.Needs, unit int64) (*bulk, error) {
	b := &bulk{metrics: map[int64]map[string]*big.Rat{}, history: map[int64]map[string]int{}}
	sysCtx := access.WithPrincipal(ctx, access.System(institution, "payroll"))
	read := func(m platform.Period, keys []string) (map[int64]map[string]*big.Rat, error) {
		out := map[int64]map[string]*big.Rat{}
		if len(keys) == 0 {
			return out, nil
		}
		tab, err := s.Stats.Monthly(sysCtx, stats.MonthlyQuery{Month: m.String(), Level: stats.LevelManager, UnitID: unit, Metrics: keys})
		if err != nil {
			return nil, fmt.Errorf("statistics %s: %w", m, err)
		}
		for _, row := range tab.Rows {
			if row.SubjectType != stats.SubjectPerson {
				continue
			}
			vals := map[string]*big.Rat{}
			for _, k := range keys {
				if c := row.Values[k]; c.Actual != nil {
					if v, ok := new(big.Rat).SetString(*c.Actual); ok {
						vals[k] = v
					}
				}
			}
			out[row.ID] = vals
		}
		return out, nil
	}
	var err error
	if b.metrics, err = read(per, needs.Metrics); err != nil {
		return nil, err
	}
	if needs.Attendance && s.Attendance != nil {
		if b.attendance, err = s.Attendance.Figures(ctx, institution, per, ids); err != nil {
			return nil, err
		}
	}
	if len(needs.History) > 0 {
		open := map[int64][]string{}
		for _, id := range ids {
			open[id] = slices.Clone(needs.History)
			b.history[id] = map[string]int{}
		}
		m := per
		for n := 0; n < maxHistory && len(open) > 0; n++ {
			m = m.MonthBefore()
			vals, err := read(m, needs.History)
			if err != nil {
				return nil, err
			}
			for id, keys := range open {
				var still []string
				for _, k := range keys {
					if v, ok := vals[id][k]; ok && v.Sign() > 0 {
						continue
					}
					b.history[id][k]++
					still = append(still, k)
				}
				if len(still) == 0 {
					delete(open, id)
				} else {
					open[id] = still
				}
			}
		}
	}
	return b, nil
}

// of is one person's facts from the bulk read, for a plan's needs.
func (b *bulk) of(person assess.Person, per platform.Period, needs pay.Needs) (*pay.Facts, FactsView) {
	f := &pay.Facts{Metrics: map[string]pay.Num{}, History: map[string]pay.Num{}}
	view := FactsView{Metrics: map[string]string{}}
	months := 0
	if !person.HiredOn.IsZero() {
		end := per.End()
		months = (end.Year()-person.HiredOn.Year())*12 + int(end.Month()) - int(person.HiredOn.Month())
	}
	f.Person = pay.Person{Grade: person.Grade, Position: person.Position, Status: person.Status, MonthsInService: max(months, 0)}
	view.Person = PersonFacts{Grade: person.Grade, Position: person.Position, Status: person.Status, MonthsInService: f.Person.MonthsInService}
	for _, k := range needs.Metrics {
		v, ok := b.metrics[person.ID][k]
		if !ok {
			v = new(big.Rat)
		}
		f.Metrics[k] = pay.FromRat(v)
		view.Metrics[k] = v.FloatString(4)
	}
	if a, ok := b.attendance[person.ID]; ok && needs.Attendance {
		f.Attendance, view.Attendance = attendanceOf(a)
	}
	if len(needs.History) > 0 {
		view.History = map[string]string{}
		for _, k := range needs.History {
			name := "months_without_" + k
			run := b.history[person.ID][k]
			// Before hire there are no months to count.
			if !person.HiredOn.IsZero() {
				run = min(run, months)
			}
			f.History[name] = pay.Int(int64(run))
			view.History[name] = strconv.Itoa(run)
		}
	}
	return f, view
}

// attendanceOf turns attendance figures into the pay package's summary.
func attendanceOf(a map[string]float64) (*pay.Attendance, map[string]string) {
	num := func(k string) pay.Num {
		n, _ := pay.ParseNum(strconv.FormatFloat(a[k], 'f', -1, 64))
		return n
	}
	view := map[string]string{}
	for k, v := range a {
		view[k] = strconv.FormatFloat(v, 'f', -1, 64)
	}
	return &pay.Attendance{RequiredDays: num("attendance.required_days"), PresentDays: num("attendance.present_days"),
		AbsentDays: num("attendance.absent_days"), LeaveDays: num("attendance.leave_days"),
		Late: int(a["attendance.late"]), EarlyLeave: int(a["attendance.early_leave"]), Full: a["attendance.full"] == 1}, view
}
