package customer

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"cmhub/internal/access"
	"cmhub/internal/audit"
	"cmhub/internal/org"
	"cmhub/internal/platform"
)

// ImportColumns are the columns of the customer import template, in order.
func ImportColumns() []platform.Column {
	return []platform.Column{
		{Key: "kind", Header: "客户类型 Kind", Required: true, Example: "个人", Note: "个人/机构 or person/company"},
		{Key: "name", Header: "客户名称 Name", Required: true, Example: "王五"},
		{Key: "idType", Header: "证件类型 ID type", Required: true, Example: "居民身份证", Note: "居民身份证、港澳居民来往内地通行证、台湾居民来往大陆通行证、护照、统一社会信用代码"},
		{Key: "idNumber", Header: "证件号码 ID number", Required: true, Example: "11010519491231002X", Note: "机构内唯一，身份证校验末位 unique; resident IDs are checked"},
		{Key: "phone", Header: "联系电话 Phone", Example: "13800138000"},
		{Key: "address", Header: "地址 Address", Example: "石家庄市长安区中山东路 1 号"},
		{Key: "branchCode", Header: "营业部编码 Branch code", Example: "XZ", Note: "默认为主办客户经理所在营业部 default: the primary manager's branch"},
		{Key: "openedOn", Date: true, Header: "建档日期 Customer since", Example: "2026-11-02", Note: "YYYY-MM-DD，默认今天 default today"},
		{Key: "managerEmpNo", Header: "主办客户经理工号 Primary manager", Required: true, Example: "XZ0101"},
		{Key: "share", Header: "主办份额% Primary share %", Example: "70", Note: "百分数，默认 100 a percentage, default 100"},
		{Key: "assistEmpNo", Header: "协办客户经理工号 Assisting manager", Example: "XZ0102"},
		{Key: "assistShare", Header: "协办份额% Assisting share %", Example: "30", Note: "有协办时必填 required with an assisting manager"},
		{Key: "effectiveFrom", Date: true, Header: "归属生效日期 Attributed from", Example: "2026-11-02", Note: "YYYY-MM-DD，默认建档日期；不得在已关账期间 default: customer since; not in a closed period"},
	}
}

// columnOf maps a NewCustomer field error key to its import column.
func columnOf(field string) string {
	switch {
	case field == "branchId":
		return "branchCode"
	case field == "managers", field == "managers[0].shareBp":
		return "share"
	case field == "managers[1].shareBp":
		return "assistShare"
	case strings.HasPrefix(field, "managers[0]"):
		return "managerEmpNo"
	case strings.HasPrefix(field, "managers[1]"):
		return "assistEmpNo"
	case field == "signedOn":
		return "effectiveFrom"
	}
	return field
}

// Import creates every customer of the file with its attribution and
// confirmation forms in one transaction, or nothing: when any row is
// invalid it returns all row errors and writes nothing.
func (s *Service) Import(ctx context.Context, rows []platform.ImportRow) (int, []platform.RowError, error) {
	p := access.FromContext(ctx)
	if !p.Can(access.CustomerImport) || !p.Can(access.CustomerWrite) {
		return 0, nil, platform.ErrForbidden
	}
	today := s.today()
	tree, err := s.tree(ctx, p.Institution, today)
	if err != nil {
		return 0, nil, err
	}
	byCode := tree.ByCode()
	var errs []platform.RowError
	has := map[[2]string]bool{} // row number and column already reported
	add := func(row int, col, msg string) {
		k := [2]string{fmt.Sprint(row), col}
		if !has[k] {
			has[k] = true
			errs = append(errs, platform.RowError{Row: row, Column: col, Message: msg})
		}
	}
	ns := make([]NewCustomer, len(rows))
	empNos := make([][2]string, len(rows))
	byDate := map[platform.Date][]string{}
	for i, r := range rows {
		v := r.Values
		n := NewCustomer{Name: v["name"], IDNumber: v["idNumber"], Phone: v["phone"], Address: v["address"]}
		if raw := strings.TrimSpace(v["kind"]); raw != "" {
			if code, ok := lookupLabel(KindLabels(), raw); ok {
				n.Kind = code
			} else {
				add(r.Num, "kind", "「"+raw+"」须为 个人 或 机构 must be person or company")
			}
		}
		if raw := strings.TrimSpace(v["idType"]); raw != "" {
			if code, ok := lookupLabel(idTypeLabels(), raw); ok {
				n.IDType = code
			} else {
				add(r.Num, "idType", "「"+raw+"」不是支持的证件类型 not a supported ID type")
			}
		}
		for _, c := range []struct {
			key string
			dst *platform.Date
		}{{"openedOn", &n.OpenedOn}, {"effectiveFrom", &n.EffectiveFrom}} {
			raw := strings.TrimSpace(v[c.key])
			if raw == "" {
				continue
			}
			dt, err := platform.ParseDate(raw)
			if err != nil {
				add(r.Num, c.key, "「"+raw+"」不是日期 YYYY-MM-DD not a date")
				continue
			}
			*c.dst = dt
		}
		if code := strings.TrimSpace(v["branchCode"]); code != "" {
			if id, ok := byCode[code]; ok && tree.Get(id).Kind == org.Branch {
				n.BranchID = id
			} else {
				add(r.Num, "branchCode", "营业部编码「"+code+"」不存在或不是营业部 unknown branch code")
			}
		}
		share := FullShare
		if raw := strings.TrimSpace(v["share"]); raw != "" {
			if bp, err := ParseShare(raw); err == nil {
				share = bp
			} else {
				add(r.Num, "share", err.Error())
			}
		}
		n.Managers = []Holder{{Role: RolePrimary, ShareBP: share}}
		main, assist := strings.TrimSpace(v["managerEmpNo"]), strings.TrimSpace(v["assistEmpNo"])
		if main == "" {
			add(r.Num, "managerEmpNo", "主办客户经理工号必填 required")
		}
		if assist != "" {
			raw := strings.TrimSpace(v["assistShare"])
			bp, err := ParseShare(raw)
			if raw == "" {
				add(r.Num, "assistShare", "有协办客户经理时必填 required with an assisting manager")
			} else if err != nil {
				add(r.Num, "assistShare", err.Error())
			}
			n.Managers = append(n.Managers, Holder{Role: RoleAssisting, ShareBP: bp})
			if assist == main {
				add(r.Num, "assistEmpNo", "协办与主办客户经理相同 the same person as the primary manager")
			}
		} else if strings.TrimSpace(v["assistShare"]) != "" {
			add(r.Num, "assistEmpNo", "填写了协办份额但没有协办客户经理 a share without an assisting manager")
		}
		// Attribution dates default as prepare does; managers are looked up on them.
		day := n.EffectiveFrom
		if day.IsZero() {
			day = n.OpenedOn
		}
		if day.IsZero() {
			day = today
		}
		empNos[i] = [2]string{main, assist}
		for _, e := range empNos[i] {
			if e != "" {
				byDate[day] = append(byDate[day], e)
			}
		}
		ns[i] = n
	}
	// Managers by employee number, in scope and employed on the row's date:
	// one query per distinct date.
	found := map[platform.Date]map[string]Manager{}
	for day, nos := range byDate {
		if found[day], err = s.Store.ScopedManagersByEmpNo(ctx, p.Scope, dedupeStrings(nos), day); err != nil {
			return 0, nil, fmt.Errorf("managers: %w", err)
		}
	}
	for i, r := range rows {
		day := ns[i].EffectiveFrom
		if day.IsZero() {
			day = ns[i].OpenedOn
		}
		if day.IsZero() {
			day = today
		}
		for k, e := range empNos[i] {
			if e == "" || k >= len(ns[i].Managers) {
				continue
			}
			m, ok := found[day][e]
			if !ok {
				col := [2]string{"managerEmpNo", "assistEmpNo"}[k]
				add(r.Num, col, fmt.Sprintf("工号「%s」不存在、不在您的管辖范围或 %s 未在职 unknown manager, outside your scope or not employed on %s", e, day, day))
				continue
			}
			ns[i].Managers[k].PersonID = m.ID
		}
	}
	// The shared checks: ID numbers, duplicates in the file and the
	// database, share sums, branches, closed periods.
	var created int
	err = s.Store.WithTx(ctx, func(ctx context.Context) error {
		drafts, itemErrs, err := s.prepare(ctx, p, ns, func(j int) (string, string) {
			return fmt.Sprintf("第 %d 行", rows[j].Num), fmt.Sprintf("row %d", rows[j].Num)
		})
		if err != nil {
			return err
		}
		for _, it := range itemErrs {
			r := rows[it.index]
			for k, msg := range it.fields {
				col := columnOf(k)
				// An unknown manager was reported above; prepare only sees the missing id.
				if (col == "managerEmpNo" || col == "assistEmpNo") && has[[2]string{fmt.Sprint(r.Num), col}] {
					continue
				}
				add(r.Num, col, msg)
			}
		}
		if len(errs) > 0 {
			return errImportInvalid
		}
		ch := &Change{Institution: p.Institution, Kind: ChangeImport, SignedOn: today, Reason: "导入 import", CreatedBy: p.Username}
		if _, err := s.Store.CreateCustomers(ctx, ch, drafts); err != nil {
			return err
		}
		changes := make([]audit.Change, len(drafts))
		for i, d := range drafts {
			changes[i] = createChange(ch, d, nil)
		}
		if err := s.Audit.RecordMany(ctx, changes); err != nil {
			return err
		}
		created = len(drafts)
		return nil
	})
	if errors.Is(err, errImportInvalid) {
		return 0, errs, nil
	}
	if err != nil {
		return 0, nil, err
	}
	return created, nil, nil
}

var errImportInvalid = errors.New("import invalid")

func dedupeStrings(ss []string) []string {
	seen := map[string]bool{}
	out := ss[:0:0]
	for _, s := range ss {
		if !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	return out
}
