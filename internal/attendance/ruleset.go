package attendance

import (
	"fmt"
	"slices"

	"cmhub/internal/platform"
)

// Ruleset is a validated set of attendance rules and leave types: built
// once per institution (or outlet) and rule version, then used for every
// person and day. It is immutable and safe for concurrent use.
type Ruleset struct {
	rules  Rules
	types  []LeaveType
	byCode map[string]int
	// fullOK[i] says whether leave of types[i] keeps full attendance.
	fullOK []bool
}

// NewRuleset validates rules and leave types together. Problems come back
// as a *platform.ValidationError with fields "rules.<field>" and
// "leaveTypes[i].<field>".
func NewRuleset(rules Rules, types []LeaveType) (*Ruleset, error) {
	fs := platform.Fields{}
	for k, msg := range rules.Validate() {
		fs.Add("rules."+k, msg)
	}
	rs := &Ruleset{types: slices.Clone(types), byCode: make(map[string]int, len(types)), fullOK: make([]bool, len(types))}
	for i := range rs.types {
		t := &rs.types[i]
		for k, msg := range t.Validate() {
			fs.Add(fmt.Sprintf("leaveTypes[%d].%s", i, k), msg)
		}
		if j, dup := rs.byCode[t.Code]; dup {
			fs.Add(fmt.Sprintf("leaveTypes[%d].code", i), fmt.Sprintf("编码 %s 与第 %d 个假别重复 code %s repeats leave type %d", t.Code, j+1, t.Code, j+1))
		} else {
			rs.byCode[t.Code] = i
		}
	}
	for i, code := range rules.Full.LeaveAllowed {
		j, ok := rs.byCode[code]
		if !ok {
			fs.Add(fmt.Sprintf("rules.fullAttendance.leaveAllowed[%d]", i), "「"+code+"」不是已设置的假别 not a configured leave type")
			continue
		}
		rs.fullOK[j] = true
	}
	if err := fs.Err(); err != nil {
		return nil, err
	}
	rs.rules = rules
	rs.rules.Full.LeaveAllowed = slices.Clone(rules.Full.LeaveAllowed)
	return rs, nil
}

// Rules returns a copy of the rules.
func (rs *Ruleset) Rules() Rules {
	r := rs.rules
	r.Full.LeaveAllowed = slices.Clone(r.Full.LeaveAllowed)
	return r
}

// LeaveTypes returns a copy of the leave types, in the order given.
func (rs *Ruleset) LeaveTypes() []LeaveType { return slices.Clone(rs.types) }

// LeaveType finds a leave type by code.
func (rs *Ruleset) LeaveType(code string) (LeaveType, bool) {
	i, ok := rs.byCode[code]
	if !ok {
		return LeaveType{}, false
	}
	return rs.types[i], true
}
