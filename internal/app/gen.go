package app

import (
	"context"
	"errors"
	"fmt"
	"io"
	"time"

	"cmhub/internal/access"
	"cmhub/internal/audit"
	"cmhub/internal/customer"
	"cmhub/internal/platform"
	"cmhub/presets"
)

// GenOptions sizes a synthetic institution for benchmarks and load tests.
type GenOptions struct {
	Code      string // institution code, e.g. "GEN"
	Preset    string // default securities-branch
	Managers  int    // sales customer managers
	Customers int    // customers, spread evenly over the managers
	// TeamsPerRegion and GroupsPerTeam shape the regions (defaults 4 and
	// 5: regions of 200 managers in groups of 10). An assessment
	// benchmark wants smaller regions, whose managers all rate each other.
	TeamsPerRegion int
	GroupsPerTeam  int
}

// GenInfo says what Generate made.
type GenInfo struct {
	Institution                      int64
	Branches, Regions, Teams, Groups int
	People, Customers, Forms         int64
	Took                             time.Duration
}

// The synthetic shape: groups of 10 sales CMs (the first is the group lead),
// 5 groups a team (+ a team lead), 4 teams a region (+ RM and assistant),
// 5 regions a branch (+ a general manager): 1 000 CMs a branch.
const (
	genGroupSize      = 10
	genGroupsPerTeam  = 5
	genTeamsPerRegion = 4
	genRegionsPerBr   = 5
)

// Generate creates a synthetic institution — organisation, people,
// customers with their attribution and confirmation forms — through the
// store's bulk path in one transaction, so a failure leaves nothing. It is
// for benchmarks and load tests (`cmhub gen`); the data is obviously fake.
func Generate(ctx context.Context, s *Services, o GenOptions, progress func(stage string)) (*GenInfo, error) {
	start := time.Now()
	if o.Preset == "" {
		o.Preset = "securities-branch"
	}
	if o.Code == "" {
		o.Code = "GEN"
	}
	if o.TeamsPerRegion == 0 {
		o.TeamsPerRegion = genTeamsPerRegion
	}
	if o.GroupsPerTeam == 0 {
		o.GroupsPerTeam = genGroupsPerTeam
	}
	if o.Managers < 1 || o.Customers < 0 || o.TeamsPerRegion < 1 || o.GroupsPerTeam < 1 {
		return nil, errors.New("gen: --managers must be at least 1 and --customers not negative")
	}
	p, err := presets.Load(o.Preset)
	if err != nil {
		return nil, err
	}
	if progress == nil {
		progress = func(string) {}
	}
	today := platform.DateOf(s.Clock.Now())
	founded := platform.NewDate(today.Year()-5, 1, 1)
	opened := platform.NewDate(today.Year()-1, 1, 1)
	in, err := CreateInstitution(ctx, s, p, o.Code, "合成测试机构 "+o.Code, founded, "gen")
	if err != nil {
		return nil, err
	}
	info := &GenInfo{Institution: in.ID}
	db := s.DB
	now := platform.TS(s.Clock.Now())
	err = db.WithTx(ctx, func(ctx context.Context) error {
		ids := map[string]int64{}
		for _, t := range []string{"units", "persons", "customers", "customer_attributions", "attribution_changes"} {
			id, err := db.NextID(ctx, t)
			if err != nil {
				return err
			}
			ids[t] = id
		}
		// Organisation: build it in memory, then load units and their places.
		groups := (o.Managers + genGroupSize - 1) / genGroupSize
		teams := (groups + o.GroupsPerTeam - 1) / o.GroupsPerTeam
		regions := (teams + o.TeamsPerRegion - 1) / o.TeamsPerRegion
		branches := (regions + genRegionsPerBr - 1) / genRegionsPerBr
		info.Branches, info.Regions, info.Teams, info.Groups = branches, regions, teams, groups
		type unit struct {
			id, parent int64
			kind, code string
		}
		var units []unit
		nextUnit := ids["units"]
		add := func(parent int64, kind, code string) int64 {
			units = append(units, unit{nextUnit, parent, kind, code})
			nextUnit++
			return nextUnit - 1
		}
		branchIDs := make([]int64, branches)
		branchCodes := make([]string, branches)
		regionIDs := make([]int64, regions)
		teamIDs := make([]int64, teams)
		groupIDs := make([]int64, groups)
		marketingIDs := make([]int64, branches)
		for b := range branches {
			branchCodes[b] = fmt.Sprintf("%s-B%03d", o.Code, b+1)
			branchIDs[b] = add(in.RootUnit, "branch", branchCodes[b])
			marketingIDs[b] = add(branchIDs[b], "department", branchCodes[b]+"-MKT")
		}
		for r := range regions {
			regionIDs[r] = add(branchIDs[r/genRegionsPerBr], "region", fmt.Sprintf("%s-R%d", branchCodes[r/genRegionsPerBr], r%genRegionsPerBr+1))
		}
		for t := range teams {
			teamIDs[t] = add(regionIDs[t/o.TeamsPerRegion], "team", fmt.Sprintf("%s-T%05d", o.Code, t+1))
		}
		for g := range groups {
			groupIDs[g] = add(teamIDs[g/o.GroupsPerTeam], "group", fmt.Sprintf("%s-G%06d", o.Code, g+1))
		}
		progress(fmt.Sprintf("units: %d", len(units)))
		i := 0
		if _, err := db.BulkInsert(ctx, "units", []string{"id", "institution_id", "kind", "code", "name", "name_en", "opened_on", "created_at", "updated_at"}, func() ([]any, error) {
			if i == len(units) {
				return nil, io.EOF
			}
			u := units[i]
			i++
			return []any{u.id, in.ID, u.kind, u.code, u.code, u.code, founded, now, now}, nil
		}); err != nil {
			return err
		}
		i = 0
		if _, err := db.BulkInsert(ctx, "unit_parents", []string{"unit_id", "parent_id", "valid_from", "valid_to", "reason"}, func() ([]any, error) {
			if i == len(units) {
				return nil, io.EOF
			}
			u := units[i]
			i++
			return []any{u.id, u.parent, founded, platform.EndOfTime(), "生成 generated"}, nil
		}); err != nil {
			return err
		}
		// People: the CMs (group leads first in each group), then the leads above them.
		type person struct {
			unit     int64
			position string
		}
		var staff []person
		for m := range o.Managers {
			pos := "sales_cm"
			if m%genGroupSize == 0 {
				pos = "group_lead"
			}
			staff = append(staff, person{groupIDs[m/genGroupSize], pos})
		}
		for _, t := range teamIDs {
			staff = append(staff, person{t, "team_lead"})
		}
		for _, r := range regionIDs {
			staff = append(staff, person{r, "regional_manager"}, person{r, "rm_assistant"})
		}
		for i, b := range branchIDs {
			m := marketingIDs[i]
			staff = append(staff, person{b, "general_manager"}, person{m, "marketing_director"}, person{m, "marketing_staff"}, person{m, "marketing_staff"})
		}
		firstPerson := ids["persons"]
		hired := platform.NewDate(today.Year()-2, 1, 1)
		i = 0
		if _, err := db.BulkInsert(ctx, "persons", []string{"id", "institution_id", "emp_no", "name", "gender", "employment_type", "hired_on", "created_at", "updated_at"}, func() ([]any, error) {
			if i == len(staff) {
				return nil, io.EOF
			}
			i++
			return []any{firstPerson + int64(i-1), in.ID, fmt.Sprintf("%s%07d", o.Code, i), fmt.Sprintf("员工%d", i), "", "labour_contract", hired, now, now}, nil
		}); err != nil {
			return err
		}
		i = 0
		if _, err := db.BulkInsert(ctx, "person_records", []string{"person_id", "unit_id", "position", "grade", "status", "valid_from", "valid_to", "reason", "created_at"}, func() ([]any, error) {
			if i == len(staff) {
				return nil, io.EOF
			}
			st := staff[i]
			i++
			return []any{firstPerson + int64(i-1), st.unit, st.position, "star1", "active", hired, platform.EndOfTime(), "生成 generated", now}, nil
		}); err != nil {
			return err
		}
		info.People = int64(len(staff))
		progress(fmt.Sprintf("people: %d", len(staff)))
		// Customers: customer c belongs to CM c mod Managers and to that CM's branch.
		branchOfCM := func(m int) int { return m / genGroupSize / o.GroupsPerTeam / o.TeamsPerRegion / genRegionsPerBr }
		firstCustomer := ids["customers"]
		c := 0
		if _, err := db.BulkInsert(ctx, "customers", []string{"id", "institution_id", "kind", "name", "id_type", "id_number", "phone", "address", "branch_id", "opened_on", "created_at", "updated_at"}, func() ([]any, error) {
			if c == o.Customers {
				return nil, io.EOF
			}
			c++
			return []any{firstCustomer + int64(c-1), in.ID, customer.KindPerson, fmt.Sprintf("客户%d", c), customer.IDResident, genResidentID(c),
				fmt.Sprintf("1%010d", c), "", branchIDs[branchOfCM((c-1)%o.Managers)], opened, now, now}, nil
		}); err != nil {
			return err
		}
		change := ids["attribution_changes"]
		if _, err := db.BulkInsert(ctx, "attribution_changes", []string{"id", "institution_id", "kind", "signed_on", "reason", "created_by", "created_at"}, oneRow(
			[]any{change, in.ID, customer.ChangeImport, opened, "生成 generated", "gen", now})); err != nil {
			return err
		}
		firstAttr := ids["customer_attributions"]
		c = 0
		if _, err := db.BulkInsert(ctx, "customer_attributions", []string{"id", "customer_id", "person_id", "role", "share_bp", "valid_from", "valid_to", "change_id", "created_at"}, func() ([]any, error) {
			if c == o.Customers {
				return nil, io.EOF
			}
			c++
			return []any{firstAttr + int64(c-1), firstCustomer + int64(c-1), firstPerson + int64((c-1)%o.Managers), customer.RolePrimary, customer.FullShare,
				opened, platform.EndOfTime(), change, now}, nil
		}); err != nil {
			return err
		}
		month := customer.MonthOf(opened)
		seq := make([]int, branches)
		c = 0
		n, err := db.BulkInsert(ctx, "confirmation_forms", []string{"institution_id", "branch_id", "month", "seq", "serial", "attribution_id", "customer_id", "person_id",
			"role", "share_bp", "effective_from", "kind", "signed_on", "archived", "created_by", "created_at"}, func() ([]any, error) {
			if c == o.Customers {
				return nil, io.EOF
			}
			c++
			b := branchOfCM((c - 1) % o.Managers)
			seq[b]++
			return []any{in.ID, branchIDs[b], month, seq[b], customer.Serial(branchCodes[b], month, seq[b]), firstAttr + int64(c-1), firstCustomer + int64(c-1),
				firstPerson + int64((c-1)%o.Managers), customer.RolePrimary, customer.FullShare, opened, customer.ChangeImport, opened, true, "gen", now}, nil
		})
		if err != nil {
			return err
		}
		b := 0
		if _, err := db.BulkInsert(ctx, "confirmation_form_counters", []string{"branch_id", "month", "last_seq"}, func() ([]any, error) {
			for b < branches && seq[b] == 0 {
				b++
			}
			if b == branches {
				return nil, io.EOF
			}
			b++
			return []any{branchIDs[b-1], month, seq[b-1]}, nil
		}); err != nil {
			return err
		}
		info.Customers, info.Forms = int64(o.Customers), n
		progress(fmt.Sprintf("customers: %d", o.Customers))
		for _, t := range []string{"units", "unit_parents", "persons", "person_records", "customers", "attribution_changes", "customer_attributions", "confirmation_forms"} {
			if err := db.SyncIdentity(ctx, t); err != nil {
				return fmt.Errorf("identity %s: %w", t, err)
			}
		}
		actx := access.WithPrincipal(ctx, access.System(in.ID, "gen"))
		return s.Audit.Record(actx, audit.Change{Action: "institution.generate", ObjectType: "institution", ObjectID: fmt.Sprint(in.ID),
			After: map[string]any{"branches": branches, "regions": regions, "teams": teams, "groups": groups, "people": len(staff), "customers": o.Customers}})
	})
	if err != nil {
		return nil, fmt.Errorf("gen: %w", err)
	}
	if err := db.Analyze(ctx); err != nil {
		return nil, fmt.Errorf("gen: analyze: %w", err)
	}
	info.Took = time.Since(start)
	return info, nil
}

func oneRow(r []any) func() ([]any, error) {
	done := false
	return func() ([]any, error) {
		if done {
			return nil, io.EOF
		}
		done = true
		return r, nil
	}
}

// genResidentID makes the n-th distinct, well-formed resident ID number:
// region 110101, a birth date from 1950-01-01 on (1 000 numbers a day).
func genResidentID(n int) string {
	born := time.Date(1950, 1, 1, 0, 0, 0, 0, time.UTC).AddDate(0, 0, n/1000)
	first17 := fmt.Sprintf("110101%s%03d", born.Format("20060102"), n%1000)
	return first17 + string(customer.ResidentIDCheckChar(first17))
}
