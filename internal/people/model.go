// Package people keeps the people of an institution: their profile and
// the effective-dated history of their unit, position, grade and status.
// A move, promotion or status change ends the current record and starts a
// new one in one transaction. Every read takes the viewer's data scope.
package people

import (
	"strings"

	"cmhub/internal/platform"
)

// Statuses a person can be in (SPEC §1).
const (
	StatusCandidate  = "candidate"
	StatusProbation  = "probation"
	StatusActive     = "active"
	StatusStandby    = "standby_training"
	StatusSuspended  = "suspended"
	StatusConverted  = "converted"
	StatusTerminated = "terminated"
)

// Person is a person with their record as of some date.
type Person struct {
	ID             int64         `json:"id"`
	Institution    int64         `json:"-"`
	EmpNo          string        `json:"empNo"`
	Name           string        `json:"name"`
	Gender         string        `json:"gender"`
	IDNumber       string        `json:"idNumber"`
	Phone          string        `json:"phone"`
	EmploymentType string        `json:"employmentType"`
	HiredOn        platform.Date `json:"hiredOn"`
	ProbationEnd   platform.Date `json:"probationEnd"`
	ContractEnd    platform.Date `json:"contractEnd"`
	// The record in force on the requested date.
	UnitID    int64         `json:"unitId"`
	UnitName  string        `json:"unitName"`
	UnitPath  string        `json:"unitPath"`
	Position  string        `json:"position"`
	Grade     string        `json:"grade"`
	Status    string        `json:"status"`
	ValidFrom platform.Date `json:"validFrom"`
}

// Record is one effective-dated row of a person's history.
type Record struct {
	ID        int64          `json:"id"`
	PersonID  int64          `json:"-"`
	ValidFrom platform.Date  `json:"validFrom"`
	ValidTo   *platform.Date `json:"validTo"` // nil while current
	UnitID    int64          `json:"unitId"`
	UnitName  string         `json:"unitName"`
	Position  string         `json:"position"`
	Grade     string         `json:"grade"`
	Status    string         `json:"status"`
	Reason    string         `json:"reason"`
}

// Filter selects people for lists and exports.
type Filter struct {
	Q        string
	UnitID   int64 // the unit and everything below it
	Position string
	Status   string
	Grade    string
	AsOf     platform.Date
	Page     int
	PageSize int
	Sort     string // empNo, name, hiredOn; "-" prefix for descending
}

// SortColumns are the sort keys a list accepts.
var SortColumns = []string{"empNo", "name", "hiredOn", "position", "status"}

// Normalise fills defaults and bounds paging.
func (f *Filter) Normalise(today platform.Date) error {
	fs := platform.Fields{}
	platform.CheckListing(fs, &f.Q, &f.AsOf, today, &f.Page, &f.PageSize, f.Sort, SortColumns)
	return fs.Err()
}

// MaskID hides the middle of an ID number: 130102********1234 keeps the
// region code and the last four.
func MaskID(s string) string {
	r := []rune(s)
	if len(r) <= 10 {
		return maskMiddle(r, 1, 1)
	}
	return string(r[:6]) + strings.Repeat("*", len(r)-10) + string(r[len(r)-4:])
}

// MaskPhone hides the middle four digits of a mobile number: 138****5678.
func MaskPhone(s string) string {
	r := []rune(s)
	if len(r) < 8 {
		return maskMiddle(r, 1, 1)
	}
	return string(r[:3]) + strings.Repeat("*", len(r)-7) + string(r[len(r)-4:])
}

func maskMiddle(r []rune, head, tail int) string {
	if len(r) <= head+tail {
		return strings.Repeat("*", len(r))
	}
	return string(r[:head]) + strings.Repeat("*", len(r)-head-tail) + string(r[len(r)-tail:])
}
