package org

import (
	"context"
	"fmt"
	"strings"

	"cmhub/internal/access"
	"cmhub/internal/audit"
	"cmhub/internal/platform"
)

// ImportColumns are the columns of the unit import template.
func ImportColumns() []platform.Column {
	return []platform.Column{
		{Key: "code", Header: "单位编码 Code", Required: true, Example: "XZ-R4", Note: "机构内唯一 unique in the institution"},
		{Key: "name", Header: "单位名称 Name", Required: true, Example: "第四区域"},
		{Key: "nameEn", Header: "英文名称 English name", Example: "Region 4"},
		{Key: "kind", Header: "类型 Kind", Required: true, Example: "区域", Note: "营业部/部门/区域/营销团队/小组/营销渠道网点 or branch/department/region/team/group/channel"},
		{Key: "parentCode", Header: "上级编码 Parent code", Required: true, Example: "XZ", Note: "已有单位或本文件中前面的行 an existing unit or an earlier row"},
		{Key: "openedOn", Date: true, Header: "设立日期 Opened on", Example: "2026-01-01", Note: "YYYY-MM-DD，默认今天 default today"},
	}
}

var kindNames = map[string]Kind{
	"营业部": Branch, "支行": Branch, "信用社": Branch, "部门": Department, "区域": Region,
	"营销团队": Team, "团队": Team, "小组": Group, "营销渠道网点": Channel, "渠道": Channel, "网点": Channel,
}

func parseKind(s string) (Kind, bool) {
	if k, ok := kindNames[s]; ok {
		return k, true
	}
	k := Kind(strings.ToLower(s))
	for _, v := range Kinds() {
		if v == k && k != Institution {
			return k, true
		}
	}
	return "", false
}

// Import creates every unit of the file in one transaction, or nothing.
// Parents may be existing units in scope or earlier rows of the file.
func (s *Service) Import(ctx context.Context, rows []platform.ImportRow) (int, []platform.RowError, error) {
	p := access.FromContext(ctx)
	if !p.Can(access.OrgWrite) {
		return 0, nil, platform.ErrForbidden
	}
	today := platform.DateOf(s.Clock.Now())
	units, err := s.Store.Units(ctx, p.Institution, today)
	if err != nil {
		return 0, nil, fmt.Errorf("units: %w", err)
	}
	tree := NewTree(units)
	writable, _ := tree.Visible(p.Scope, p.UnitID)
	byCode := tree.ByCode()
	type pending struct {
		n          NewUnit
		parentCode string
	}
	fileKinds := map[string]Kind{}
	fileRow := map[string]int{}
	var errs []platform.RowError
	var todo []pending
	for _, r := range rows {
		v := r.Values
		add := func(col, msg string) { errs = append(errs, platform.RowError{Row: r.Num, Column: col, Message: msg}) }
		n := NewUnit{Code: v["code"], Name: v["name"], NameEn: v["nameEn"], OpenedOn: today}
		kind, ok := parseKind(strings.TrimSpace(v["kind"]))
		if !ok {
			add("kind", "「"+v["kind"]+"」不是有效的单位类型 not a unit kind")
		}
		n.Kind = kind
		if raw := strings.TrimSpace(v["openedOn"]); raw != "" {
			d, err := platform.ParseDate(raw)
			if err != nil {
				add("openedOn", "「"+raw+"」不是日期 YYYY-MM-DD not a date")
			}
			if d.After(today) {
				add("openedOn", "设立日期不能晚于今天 cannot be in the future")
			}
			n.OpenedOn = d
		}
		for k, msg := range n.Validate() {
			if k != "kind" {
				add(k, msg)
			}
		}
		code := strings.TrimSpace(n.Code)
		if _, exists := byCode[code]; exists {
			add("code", "编码 "+code+" 已存在 code already exists")
		} else if prev, dup := fileRow[code]; dup && code != "" {
			add("code", fmt.Sprintf("编码 %s 与第 %d 行重复 duplicate of row %d", code, prev, prev))
		}
		parentCode := strings.TrimSpace(v["parentCode"])
		var parentKind Kind
		if id, ok := byCode[parentCode]; ok {
			if !writable[id] {
				add("parentCode", "上级单位不在您的管辖范围 parent outside your scope")
			}
			parentKind = tree.Get(id).Kind
		} else if k, ok := fileKinds[parentCode]; ok {
			parentKind = k
		} else {
			add("parentCode", "上级编码「"+parentCode+"」不存在（须为已有单位或前面的行）unknown parent code")
		}
		if kind != "" && parentKind != "" && !CanHang(kind, parentKind) {
			add("kind", fmt.Sprintf("%s 不能设在 %s 之下 a %s cannot sit under a %s", kind, parentKind, kind, parentKind))
		}
		if code != "" {
			fileKinds[code], fileRow[code] = kind, r.Num
		}
		todo = append(todo, pending{n: n, parentCode: parentCode})
	}
	if len(errs) > 0 {
		return 0, errs, nil
	}
	err = s.Store.WithTx(ctx, func(ctx context.Context) error {
		created := map[string]int64{}
		var changes []audit.Change
		for _, t := range todo {
			pid, ok := byCode[t.parentCode]
			if !ok {
				pid = created[t.parentCode]
			}
			u := Unit{Institution: p.Institution, ParentID: pid, Kind: t.n.Kind, Code: t.n.Code, Name: t.n.Name, NameEn: t.n.NameEn, OpenedOn: t.n.OpenedOn}
			if err := s.Store.CreateUnit(ctx, &u); err != nil {
				return fmt.Errorf("create unit %s: %w", u.Code, err)
			}
			created[u.Code] = u.ID
			changes = append(changes, audit.Change{Action: "unit.create", ObjectType: "unit", ObjectID: fmt.Sprint(u.ID), UnitID: u.ID,
				After: u, Reason: "导入 import"})
		}
		return s.Audit.RecordMany(ctx, changes)
	})
	if err != nil {
		return 0, nil, err
	}
	return len(todo), nil, nil
}
