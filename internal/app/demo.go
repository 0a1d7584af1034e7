package app

import (
	"context"
	"fmt"
	"time"

	"cmhub/internal/access"
	"cmhub/internal/auth"
	"cmhub/internal/customer"
	"cmhub/internal/job"
	"cmhub/internal/org"
	"cmhub/internal/people"
	"cmhub/internal/platform"
	"cmhub/internal/record"
	"cmhub/internal/target"
	"cmhub/presets"
)

// DemoLogin is one sign-in printed at demo start.
type DemoLogin struct {
	Role     string
	Username string
	Name     string
}

// DemoInfo describes what LoadDemo created.
type DemoInfo struct {
	Institution int64
	Logins      []DemoLogin
	People      int
}

// LoadDemo builds a securities branch like the one in seed 000 — marketing,
// finance, GM office, archives, three regions with a regional manager and
// an assistant, two teams of two groups each (30 sales customer managers),
// channels with stationed managers, and some history (a promotion, a move
// between regions) — through the services, so every change is audited.
// Every demo account gets password; they are marked as demo accounts.
func LoadDemo(ctx context.Context, s *Services, password string) (*DemoInfo, error) {
	p, err := presets.Load("securities-branch")
	if err != nil {
		return nil, err
	}
	today := platform.DateOf(s.Clock.Now())
	monthStart := func(back int) platform.Date {
		t := time.Date(today.Year(), today.Month(), 1, 0, 0, 0, 0, time.UTC).AddDate(0, -back, 0)
		return platform.DateOf(t)
	}
	founded := monthStart(48)
	in, err := CreateInstitution(ctx, s, p, "DEMO", "示例证券股份有限公司", founded, "demo")
	if err != nil {
		return nil, fmt.Errorf("demo institution: %w", err)
	}
	inst, root := in.ID, in.RootUnit
	ctx = access.WithPrincipal(ctx, access.System(inst, "demo"))
	info := &DemoInfo{Institution: inst}

	unit := func(parent int64, kind org.Kind, code, name, nameEn string) (int64, error) {
		u, err := s.Org.Create(ctx, org.NewUnit{ParentID: parent, Kind: kind, Code: code, Name: name, NameEn: nameEn, OpenedOn: founded})
		return u.ID, err
	}
	type node struct {
		parent             int64
		kind               org.Kind
		code, name, nameEn string
		id                 *int64
	}
	var branch, gmo, mkt, fin, trd int64
	for _, n := range []node{
		{root, org.Branch, "XZ", "邢州北路证券营业部", "Xingzhou North Road Branch", &branch},
		{0, org.Department, "XZ-GMO", "总经理室", "General manager's office", &gmo},
		{0, org.Department, "XZ-MKT", "市场营销部", "Marketing department", &mkt},
		{0, org.Department, "XZ-FIN", "财务部", "Finance department", &fin},
		{0, org.Department, "XZ-TRD", "交易管理部", "Trading management", &trd},
	} {
		if n.parent == 0 {
			n.parent = branch
		}
		if *n.id, err = unit(n.parent, n.kind, n.code, n.name, n.nameEn); err != nil {
			return nil, fmt.Errorf("demo unit %s: %w", n.code, err)
		}
	}

	names := newNamer()
	empSeq := 0
	hire := func(unitID int64, position, grade, status string, hired platform.Date) (int64, string, string, error) {
		empSeq++
		no := fmt.Sprintf("XZ%04d", empSeq)
		name := names.next()
		d, err := s.People.Create(ctx, people.NewPerson{EmpNo: no, Name: name, Gender: []string{"male", "female"}[empSeq%2],
			IDNumber: idNumber(empSeq), Phone: fmt.Sprintf("138%08d", 31000000+empSeq*7919%1000000),
			EmploymentType: "labour_contract", HiredOn: hired, ProbationEnd: hired.AddDays(60), ContractEnd: platform.NewDate(today.Year()+1, 12, 31),
			UnitID: unitID, Position: position, Grade: grade, Status: status})
		return d.ID, no, name, err
	}
	user := func(username, role string, personID int64, name string, roles ...string) error {
		_, err := s.Auth.CreateDemoUser(ctx, auth.NewUser{Username: username, DisplayName: name, Password: password, PersonID: personID, Roles: roles})
		if err != nil {
			return fmt.Errorf("demo user %s: %w", username, err)
		}
		if role != "" {
			info.Logins = append(info.Logins, DemoLogin{Role: role, Username: username, Name: name})
		}
		return nil
	}
	staff := []struct {
		unit               int64
		position, grade    string
		username, role, rl string
	}{
		{gmo, "general_manager", "", "gm", "总经理 general manager", "gm"},
		{gmo, "deputy_gm", "", "deputy", "副总经理 deputy general manager", "gm"},
		{mkt, "marketing_director", "", "mktdir", "市场营销部总监 marketing director", "marketing_director"},
		{mkt, "marketing_staff", "", "mkt1", "市场营销部团队管理岗 marketing staff", "marketing_staff"},
		{mkt, "marketing_staff", "", "mkt2", "", "marketing_staff"},
		{fin, "chief_accountant", "", "finance", "主办会计 chief accountant", "finance"},
		{fin, "finance_staff", "", "fin1", "", "finance"},
		{trd, "archives_clerk", "", "archivist", "档案管理 archives clerk", "archives"},
	}
	for _, st := range staff {
		id, _, name, err := hire(st.unit, st.position, st.grade, "active", monthStart(40))
		if err != nil {
			return nil, fmt.Errorf("demo staff %s: %w", st.username, err)
		}
		if err := user(st.username, st.role, id, name, st.rl); err != nil {
			return nil, err
		}
	}

	regionNames := []string{"第一区域", "第二区域", "第三区域"}
	banks := [][2]string{{"工商银行邢台分行营业室", "ICBC Xingtai"}, {"建设银行桥东支行", "CCB Qiaodong"}, {"农业银行中兴路支行", "ABC Zhongxing Rd"},
		{"中国银行新华路支行", "BOC Xinhua Rd"}, {"交通银行邢台分行", "BoCom Xingtai"}, {"邮储银行襄都支行", "PSBC Xiangdu"}}
	tree := demoTree{teams: map[int64][]int64{}, groups: map[int64][]int64{}}
	cmNo := 0
	cms := map[int]int64{}  // cm number → person
	leadOf := map[int]int{} // cm number → their group lead's cm number
	var groupOne int64      // region 1's first group, where the moved manager started
	var moved int64
	var movedTo int64
	for r := 1; r <= 3; r++ {
		region, err := unit(branch, org.Region, fmt.Sprintf("XZ-R%d", r), regionNames[r-1], fmt.Sprintf("Region %d", r))
		if err != nil {
			return nil, err
		}
		tree.regions = append(tree.regions, region)
		var channels []int64
		for c := 0; c < 2; c++ {
			b := banks[(r-1)*2+c]
			ch, err := unit(region, org.Channel, fmt.Sprintf("XZ-R%d-C%d", r, c+1), b[0]+"驻点", b[1]+" outlet")
			if err != nil {
				return nil, err
			}
			channels = append(channels, ch)
		}
		id, _, name, err := hire(region, "regional_manager", "star4", "active", monthStart(36))
		if err != nil {
			return nil, err
		}
		if err := user(fmt.Sprintf("rm%d", r), roleIf(r == 1, "区域经理 regional manager"), id, name, "regional_manager"); err != nil {
			return nil, err
		}
		id, _, name, err = hire(region, "rm_assistant", "star3", "active", monthStart(30))
		if err != nil {
			return nil, err
		}
		if err := user(fmt.Sprintf("rma%d", r), roleIf(r == 1, "区域经理助理 RM assistant"), id, name, "rm_assistant"); err != nil {
			return nil, err
		}
		stationed := 0
		for t := 1; t <= 2; t++ {
			team, err := unit(region, org.Team, fmt.Sprintf("XZ-R%d-T%d", r, t), fmt.Sprintf("%s营销%s队", regionNames[r-1], []string{"", "一", "二"}[t]), fmt.Sprintf("Region %d team %d", r, t))
			if err != nil {
				return nil, err
			}
			tree.teams[region] = append(tree.teams[region], team)
			id, _, name, err := hire(team, "team_lead", "star3", "active", monthStart(30))
			if err != nil {
				return nil, err
			}
			if err := user(fmt.Sprintf("tl%d%d", r, t), roleIf(r == 1 && t == 1, "团队负责人 team lead"), id, name, "team_lead"); err != nil {
				return nil, err
			}
			for g := 1; g <= 2; g++ {
				group, err := unit(team, org.Group, fmt.Sprintf("XZ-R%d-T%d-G%d", r, t, g), fmt.Sprintf("%s区%s队第%d小组", []string{"一", "二", "三"}[r-1], []string{"", "一", "二"}[t], g), fmt.Sprintf("R%d team %d group %d", r, t, g))
				if err != nil {
					return nil, err
				}
				if groupOne == 0 {
					groupOne = group
				}
				tree.groups[team] = append(tree.groups[team], group)
				size := 3 - (g - 1) // 3 in the first group, 2 in the second
				var lead int
				for m := 0; m < size; m++ {
					cmNo++
					username := fmt.Sprintf("cm%02d", cmNo)
					position, grade, status := "sales_cm", []string{"star1", "star2", "star3"}[cmNo%3], "active"
					roles := []string{"sales_cm"}
					if m == 0 {
						position, roles = "group_lead", []string{"sales_cm", "group_lead"}
					}
					hired := monthStart(12 + cmNo%12)
					if cmNo%10 == 9 { // a trainee still on probation
						grade, status, hired = "trainee", "probation", monthStart(1)
					}
					home := group
					special := cmNo == 1 || cmNo == 15
					if special {
						// cm01 starts as a sales CM and is promoted; cm15 starts in region 1 and moves.
						if cmNo == 15 {
							home = groupOne
						}
						if cmNo == 1 {
							position, grade = "sales_cm", "star1"
						}
					}
					id, _, name, err := hire(home, position, grade, status, hired)
					if err != nil {
						return nil, fmt.Errorf("demo %s: %w", username, err)
					}
					if cmNo == 1 {
						gl, star2 := "group_lead", "star2"
						if _, err := s.People.Move(ctx, id, people.Move{EffectiveFrom: monthStart(7), Position: &gl, Grade: &star2,
							Reason: "季度考核优秀，晋升小组长 promoted to group lead after an excellent quarter"}); err != nil {
							return nil, fmt.Errorf("demo promotion: %w", err)
						}
					}
					if cmNo == 15 {
						moved, movedTo = id, group
					}
					cms[cmNo] = id
					if m == 0 {
						lead = cmNo
					}
					leadOf[cmNo] = lead
					if stationed < 2 && m == 1 {
						if err := s.DB.WithTx(ctx, func(ctx context.Context) error {
							return s.DB.AddStation(ctx, channels[stationed], id, hired)
						}); err != nil {
							return nil, err
						}
						stationed++
					}
					if err := user(username, roleIf(cmNo == 2, "销售类客户经理 sales customer manager")+roleIf(cmNo == 1, "小组长 group lead"), id, name, roles...); err != nil {
						return nil, err
					}
				}
			}
		}
	}
	if err := demoCustomers(ctx, s, branch, cms, leadOf, monthStart); err != nil {
		return nil, err
	}
	if err := demoTargets(ctx, s, branch, tree, cms, today); err != nil {
		return nil, err
	}
	if _, err := s.People.Move(ctx, moved, people.Move{EffectiveFrom: monthStart(4), UnitID: &movedTo,
		Reason: "区域调整：由第一区域调往第二区域 moved from region 1 to region 2"}); err != nil {
		return nil, fmt.Errorf("demo move: %w", err)
	}
	if err := demoRecords(ctx, s, today); err != nil {
		return nil, err
	}
	if err := demoCalendars(ctx, s); err != nil {
		return nil, err
	}
	if err := user("admin", "系统管理员 administrator", 0, "系统管理员", "admin"); err != nil {
		return nil, err
	}
	info.People = empSeq
	return info, nil
}

func roleIf(ok bool, label string) string {
	if ok {
		return label
	}
	return ""
}

// idNumber makes a well-formed, obviously fake ID number (region 130502, Xingtai).
func idNumber(n int) string {
	return fmt.Sprintf("130502%04d%02d%02d%03d%d", 1980+n%20, 1+n%12, 1+n%28, n%1000, n%10)
}

type namer struct{ i int }

func newNamer() *namer { return &namer{} }

var (
	surnames = []rune("王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕苏卢蒋蔡贾丁魏薛叶阎余潘杜戴夏钟汪田任姜范方石姚谭廖邹熊金陆郝孔白崔康毛邱秦江史顾侯邵孟龙万段雷钱汤尹黎易常武乔贺赖龚文")
	given    = []string{"建国", "志强", "秀英", "丽娟", "海涛", "晓明", "静怡", "文博", "雪梅", "国华", "子涵", "俊杰", "玉兰", "振宇", "佳琪", "宏伟", "欣然", "德胜", "美玲", "浩然", "淑珍", "立新", "慧敏", "永刚", "思远", "红霞", "鹏飞", "婷婷", "明辉", "凤英"}
)

func (n *namer) next() string {
	n.i++
	return string(surnames[(n.i*7)%len(surnames)]) + given[(n.i*11)%len(given)]
}

// demoCustomers gives every sales CM three customers, a third of them
// shared 70/30 with the group lead, all confirmed by forms in one month
// that the archives clerk has archived; cm15's customers are handed over
// to cm03 when cm15 leaves region 1.
func demoCustomers(ctx context.Context, s *Services, branch int64, cms map[int]int64, leadOf map[int]int, monthStart func(int) platform.Date) error {
	opened := monthStart(10)
	n := 0
	for no := 1; no <= 30; no++ {
		opened := opened
		if no%10 == 9 { // the trainees joined last month
			opened = monthStart(0)
		}
		for k := 0; k < 3; k++ {
			n++
			managers := []customer.Holder{{PersonID: cms[no], Role: customer.RolePrimary, ShareBP: customer.FullShare}}
			// Share with the group lead, unless that is the CM or a trainee who joined after the customer.
			if lead := leadOf[no]; n%3 == 0 && lead != no && lead%10 != 9 {
				managers = []customer.Holder{{PersonID: cms[no], Role: customer.RolePrimary, ShareBP: 7000},
					{PersonID: cms[lead], Role: customer.RoleAssisting, ShareBP: 3000}}
			}
			first17 := fmt.Sprintf("130503%04d%02d%02d%03d", 1960+n%40, 1+n%12, 1+n%28, n%1000)
			_, err := s.Customers.Create(ctx, customer.NewCustomer{Kind: customer.KindPerson, Name: customerName(n),
				IDType: customer.IDResident, IDNumber: first17 + string(customer.ResidentIDCheckChar(first17)),
				Phone: fmt.Sprintf("139%08d", 20000000+n*7717%10000000), Address: fmt.Sprintf("邢台市襄都区中兴西大街%d号", 10+n),
				OpenedOn: opened, EffectiveFrom: opened, SignedOn: opened, Managers: managers})
			if err != nil {
				return fmt.Errorf("demo customer %d: %w", n, err)
			}
		}
	}
	handover := monthStart(4)
	if _, err := s.Customers.Transfer(ctx, customer.Transfer{FromPersonID: cms[15], ToPersonID: cms[3], EffectiveFrom: handover, SignedOn: handover,
		Reason: "调往第二区域，客户移交 hand-over on moving to region 2"}); err != nil {
		return fmt.Errorf("demo hand-over: %w", err)
	}
	if _, err := s.Customers.ArchiveForms(ctx, customer.Archive{BranchID: branch, Month: customer.MonthOf(opened)}); err != nil {
		return fmt.Errorf("demo archive: %w", err)
	}
	return nil
}

func customerName(n int) string {
	return string(surnames[(n*13+5)%len(surnames)]) + given[(n*17+3)%len(given)]
}

// demoTree remembers the demo's regions, teams and groups for its targets.
type demoTree struct {
	regions []int64
	teams   map[int64][]int64 // region → teams
	groups  map[int64][]int64 // team → groups
}

// demoTargets sets this month's branch target for new accounts and
// decomposes it: evenly over the regions, region 1 over its teams, the
// first team over its groups and the first group over its people.
func demoTargets(ctx context.Context, s *Services, branch int64, tree demoTree, cms map[int]int64, today platform.Date) error {
	period := platform.Period{Kind: platform.Month, Year: today.Year(), N: int(today.Month())}.String()
	const metric = "new_accounts"
	if _, err := s.Targets.Set(ctx, target.SetInput{Period: period, Metric: metric, UnitID: branch, Value: "300", Note: "本月开户任务"}); err != nil {
		return fmt.Errorf("demo branch target: %w", err)
	}
	split := func(parent int64, children []target.ChildValue) error {
		_, err := s.Targets.Decompose(ctx, target.DecomposeInput{Period: period, Metric: metric, ParentUnitID: parent, Children: children})
		return err
	}
	var regions []target.ChildValue
	for _, r := range tree.regions {
		regions = append(regions, target.ChildValue{UnitID: r, Value: "100"})
	}
	r1 := tree.regions[0]
	t1 := tree.teams[r1][0]
	g1 := tree.groups[t1][0]
	steps := []struct {
		parent   int64
		children []target.ChildValue
	}{
		{branch, regions},
		{r1, []target.ChildValue{{UnitID: t1, Value: "50"}, {UnitID: tree.teams[r1][1], Value: "50"}}},
		{t1, []target.ChildValue{{UnitID: g1, Value: "30"}, {UnitID: tree.groups[t1][1], Value: "20"}}},
		{g1, []target.ChildValue{{PersonID: cms[1], Value: "12"}, {PersonID: cms[2], Value: "9"}, {PersonID: cms[3], Value: "9"}}},
	}
	for _, st := range steps {
		if err := split(st.parent, st.children); err != nil {
			return fmt.Errorf("demo targets under %d: %w", st.parent, err)
		}
	}
	return nil
}

// demoRecords imports six months of business records for the demo
// customers, up to today, through the importer itself: account openings,
// deposits, net revenue, futures trades in three contract sizes, asset
// snapshots, appointments and newly valid accounts.
func demoRecords(ctx context.Context, s *Services, today platform.Date) error {
	cs, _, err := s.Customers.List(ctx, customer.Filter{PageSize: 500, Sort: "createdAt"})
	if err != nil {
		return fmt.Errorf("demo records: %w", err)
	}
	products := []string{"bitumen_15t", "bitumen_50t", "bitumen_150t"}
	for back := 5; back >= 0; back-- {
		first := time.Date(today.Year(), today.Month(), 1, 0, 0, 0, 0, time.UTC).AddDate(0, -back, 0)
		month := platform.Period{Kind: platform.Month, Year: first.Year(), N: int(first.Month())}
		last := month.End()
		if back == 0 {
			last = today
		}
		days := last.Day()
		var rows [][]string
		add := func(n, k int, typ, amount, qty, product string) {
			day := platform.DateOf(first.AddDate(0, 0, (n*7+k*3+back)%days))
			rows = append(rows, []string{fmt.Sprintf("DEMO-%s-%03d-%d", month, n, k), day.String(), cs[n].IDNumber, typ, amount, qty, product, ""})
		}
		for n := range cs {
			seed := n*31 + back*17
			add(n, 0, "valid_appointment", "", "", "")
			if seed%4 == 0 {
				add(n, 1, "account_opened", "", "", "")
			}
			if seed%6 == 0 {
				add(n, 2, "account_validated", "", "", "")
			}
			add(n, 3, "deposit_in", fmt.Sprintf("%d.00", 5000+(seed*7919)%60000), "", "")
			add(n, 4, "net_revenue", fmt.Sprintf("%d.%02d", 100+(seed*104729)%3000, seed%100), "", "")
			if seed%3 == 0 {
				add(n, 5, "futures_trade", "", fmt.Sprint(1+seed%12), products[seed%3])
			}
			add(n, 6, "asset_snapshot", fmt.Sprintf("%d.00", 100000+(seed*7907)%900000), "", "")
		}
		rep := rows
		req := record.ImportRequest{Month: month.String(), Mode: record.ModeAllOrNothing, FileName: "demo-" + month.String() + ".csv",
			Open:     func() (record.Source, error) { return &record.MemorySource{Rows: rep}, nil },
			Report:   func(context.Context, []string, []record.ReportRow) (string, error) { return "", nil },
			RowsHint: int64(len(rows))}
		out, err := s.Records.Import(ctx, req, &job.Progress{})
		if err != nil {
			return fmt.Errorf("demo records %s: %w", month, err)
		}
		if out.Status != job.Succeeded {
			return fmt.Errorf("demo records %s: %s %v", month, out.Message, out.Errors)
		}
	}
	return nil
}
