package people

import (
	"context"
	"errors"
	"strings"

	"cmhub/internal/access"
	"cmhub/internal/dict"
	"cmhub/internal/platform"
)

// ImportColumns are the columns of the people import template, in order.
func ImportColumns() []platform.Column {
	return []platform.Column{
		{Key: "empNo", Header: "工号 EmpNo", Required: true, Example: "XZ0101", Note: "1–32 位字母数字，机构内唯一 unique in the institution"},
		{Key: "name", Header: "姓名 Name", Required: true, Example: "张三"},
		{Key: "gender", Header: "性别 Gender", Example: "男", Note: "男/女 or male/female"},
		{Key: "idNumber", Header: "身份证号 ID number", Example: "130502199001011234"},
		{Key: "phone", Header: "手机 Phone", Example: "13800138000"},
		{Key: "employmentType", Header: "用工形式 Employment type", Example: "劳动合同", Note: "劳动合同 / 营销合作协议"},
		{Key: "hiredOn", Date: true, Header: "入职日期 Hired on", Required: true, Example: "2026-01-05", Note: "YYYY-MM-DD"},
		{Key: "probationEnd", Date: true, Header: "试用期结束 Probation end", Example: "2026-03-04", Note: "YYYY-MM-DD"},
		{Key: "contractEnd", Date: true, Header: "合同到期 Contract end", Example: "2027-01-04", Note: "YYYY-MM-DD"},
		{Key: "unitCode", Header: "单位编码 Unit code", Required: true, Example: "XZ-R1-T1-G1", Note: "组织架构中的单位编码 code of an existing unit"},
		{Key: "position", Header: "岗位 Position", Required: true, Example: "销售类客户经理", Note: "岗位名称或代码 name or code"},
		{Key: "grade", Header: "职级 Grade", Example: "一星客户经理", Note: "本机构职级序列 on the institution's ladder"},
		{Key: "status", Header: "状态 Status", Example: "试用期", Note: "默认在岗 default active"},
	}
}

// Import creates every person of the file in one transaction, or nothing:
// when any row is invalid it returns all row errors and writes nothing.
func (s *Service) Import(ctx context.Context, rows []platform.ImportRow) (int, []platform.RowError, error) {
	p := access.FromContext(ctx)
	if !p.Can(access.PeopleImport) || !p.Can(access.PeopleWrite) {
		return 0, nil, platform.ErrForbidden
	}
	d, err := s.dicts(ctx, p.Institution)
	if err != nil {
		return 0, nil, err
	}
	tree, _, err := s.writableUnits(ctx, p)
	if err != nil {
		return 0, nil, err
	}
	byCode := tree.ByCode()
	var errs []platform.RowError
	ns := make([]NewPerson, len(rows))
	for i, r := range rows {
		v := r.Values
		add := func(col, msg string) { errs = append(errs, platform.RowError{Row: r.Num, Column: col, Message: msg}) }
		n := NewPerson{EmpNo: v["empNo"], Name: v["name"], IDNumber: v["idNumber"], Phone: v["phone"]}
		for _, c := range []struct {
			key, dict string
			dst       *string
		}{
			{"gender", dict.Genders, &n.Gender}, {"employmentType", dict.EmploymentTypes, &n.EmploymentType},
			{"position", dict.Positions, &n.Position}, {"grade", dict.Grades, &n.Grade}, {"status", dict.Statuses, &n.Status},
		} {
			raw := strings.TrimSpace(v[c.key])
			if raw == "" {
				continue
			}
			code, ok := d.Lookup(c.dict, raw)
			if !ok {
				add(c.key, "「"+raw+"」不在字典中 not a known value")
				continue
			}
			*c.dst = code
		}
		for _, c := range []struct {
			key string
			dst *platform.Date
		}{{"hiredOn", &n.HiredOn}, {"probationEnd", &n.ProbationEnd}, {"contractEnd", &n.ContractEnd}} {
			raw := strings.TrimSpace(v[c.key])
			if raw == "" {
				continue
			}
			dt, err := platform.ParseDate(raw)
			if err != nil {
				add(c.key, "「"+raw+"」不是日期 YYYY-MM-DD not a date")
				continue
			}
			*c.dst = dt
		}
		if code := strings.TrimSpace(v["unitCode"]); code != "" {
			if u, ok := byCode[code]; ok {
				n.UnitID = u
			} else {
				add("unitCode", "单位编码「"+code+"」不存在 unknown unit code")
			}
		}
		ns[i] = n
	}
	if len(errs) > 0 {
		// Also report the field checks, so the user sees every problem at once.
		for i := range ns {
			for k, msg := range ns[i].validate(d) {
				col := columnOf(k)
				unitCodeGiven := col == "unitCode" && rows[i].Values["unitCode"] != ""
				if !unitCodeGiven && !hasError(errs, rows[i].Num, col) {
					errs = append(errs, platform.RowError{Row: rows[i].Num, Column: col, Message: msg})
				}
			}
		}
		return 0, errs, nil
	}
	var created int
	err = s.Store.WithTx(ctx, func(ctx context.Context) error {
		ids, err := s.createMany(ctx, p, d, ns)
		created = len(ids)
		return err
	})
	var be *BatchError
	if errors.As(err, &be) {
		for _, it := range be.Items {
			for k, msg := range it.Fields {
				errs = append(errs, platform.RowError{Row: rows[it.Index].Num, Column: columnOf(k), Message: msg})
			}
		}
		return 0, errs, nil
	}
	if err != nil {
		return 0, nil, err
	}
	return created, nil, nil
}

// columnOf maps a NewPerson field to its import column.
func columnOf(field string) string {
	if field == "unitId" {
		return "unitCode"
	}
	return field
}

func hasError(errs []platform.RowError, row int, col string) bool {
	for _, e := range errs {
		if e.Row == row && e.Column == col {
			return true
		}
	}
	return false
}
