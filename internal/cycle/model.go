// Package cycle runs assessment cycles (考核周期, SPEC §5): opening a
// month, quarter or year with the raters resolved from the organisation,
// scoring sheets (draft, submit, reopen), the progress of who has not yet
// rated whom, and results — composites with their derivation, item
// breakdown and ranks. The rules themselves (templates, schemes,
// composites) are the pure core in package assess.
package cycle

import (
	"encoding/json"
	"time"

	"cmhub/internal/access"
	"cmhub/internal/assess"
	"cmhub/internal/platform"
)

// Cycle states, in order. Raters score in scoring; in review the results
// stand and only reopened sheets may change; closed is final.
const (
	StateOpen    = "open"
	StateScoring = "scoring"
	StateReview  = "review"
	StateClosed  = "closed"
)

// Sheet states.
const (
	SheetPending   = "pending"
	SheetDraft     = "draft"
	SheetSubmitted = "submitted"
)

// Subject kinds as stored.
const (
	KindPerson = "person"
	KindTeam   = "team"
)

// Rules are the templates and rater schemes of an institution, stored as
// one versioned document; a cycle keeps a copy of the version it was
// opened with.
type Rules struct {
	Templates []assess.Template `json:"templates"`
	Schemes   []assess.Scheme   `json:"schemes"`
	// Consequences are the outcome and grade-review rules; nil in rule
	// sets stored before they could be edited, which use the preset's.
	Consequences *Consequences `json:"consequences,omitempty"`
}

// Consequences are what follows from scores and task completion (SPEC §5
// outcomes, §7 grade reviews), as data.
type Consequences struct {
	Outcomes    assess.OutcomeRules `json:"outcomeRules"`
	GradeReview []assess.GradeRule  `json:"gradeReview"`
}

// RuleSet is a stored version of an institution's rules.
type RuleSet struct {
	Version   int       `json:"version"`
	Rules     Rules     `json:"rules"`
	Note      string    `json:"note"`
	CreatedBy string    `json:"createdBy"`
	CreatedAt time.Time `json:"createdAt"`
}

// Cycle is one assessment period of an institution.
type Cycle struct {
	ID          int64               `json:"id"`
	Institution int64               `json:"-"`
	Period      string              `json:"period"`
	Kind        platform.PeriodKind `json:"kind"`
	AsOf        platform.Date       `json:"asOf"`
	State       string              `json:"state"`
	RuleVersion int                 `json:"ruleVersion"`
	Rules       json.RawMessage     `json:"-"`
	Gaps        []assess.Gap        `json:"gaps"`
	Subjects    int64               `json:"subjects"`
	Sheets      int64               `json:"sheets"`
	Note        string              `json:"note"`
	OpenedBy    string              `json:"openedBy"`
	OpenedAt    time.Time           `json:"openedAt"`
	ComputedAt  *time.Time          `json:"computedAt"`
	UpdatedAt   time.Time           `json:"updatedAt"`
	Version     int                 `json:"version"`
}

// SubjectRow is a subject of a cycle placed in the organisation of the
// cycle's as-of day.
type SubjectRow struct {
	Kind     string `json:"kind"`
	ID       int64  `json:"id"`
	Scheme   string `json:"scheme"`
	UnitID   int64  `json:"unitId"`
	TeamID   int64  `json:"teamId"`
	RegionID int64  `json:"regionId"`
	BranchID int64  `json:"branchId"`
	Position string `json:"position"`
}

// Subject returns the core's subject.
func (s SubjectRow) Subject() assess.Subject {
	if s.Kind == KindTeam {
		return assess.Subject{UnitID: s.ID}
	}
	return assess.Subject{PersonID: s.ID}
}

// Sheet is one rater's sheet for one subject.
type Sheet struct {
	ID          int64                    `json:"id"`
	CycleID     int64                    `json:"cycleId"`
	SubjectKind string                   `json:"subjectKind"`
	SubjectID   int64                    `json:"subjectId"`
	Group       string                   `json:"group"`
	RaterID     int64                    `json:"raterId"`
	State       string                   `json:"state"`
	Points      map[string]assess.Points `json:"points"`
	RatedTotal  assess.Points            `json:"ratedTotal"`
	Remark      string                   `json:"remark"`
	Reopened    int                      `json:"reopened"`
	SavedAt     *time.Time               `json:"savedAt"`
	SubmittedAt *time.Time               `json:"submittedAt"`
	Version     int                      `json:"version"`

	// Read with the sheet for display.
	SubjectName  string `json:"subjectName"`
	SubjectEmpNo string `json:"subjectEmpNo,omitempty"`
	RaterName    string `json:"raterName,omitempty"`
	Scheme       string `json:"scheme"`
	UnitID       int64  `json:"unitId"`
}

// SheetQuery selects sheets. Cycle or Rater (or both) is required.
type SheetQuery struct {
	Institution int64
	// Scope, when set, keeps the sheets whose subject lies in it on AsOf.
	Scope       *access.Scope
	AsOf        platform.Date
	Cycle       int64
	Rater       int64
	SubjectKind string
	SubjectID   int64
	States      []string
	Limit       int
}

// SheetLite is what a composite needs of a sheet.
type SheetLite struct {
	ID         int64
	Group      string
	Rater      int64
	State      string
	Points     string // the stored JSON
	RatedTotal assess.Points
}

// RaterProgress counts one rater's sheets of a cycle by state.
type RaterProgress struct {
	RaterID   int64  `json:"raterId"`
	Name      string `json:"name"`
	EmpNo     string `json:"empNo"`
	UnitID    int64  `json:"unitId"`
	Total     int64  `json:"total"`
	Pending   int64  `json:"pending"`
	Draft     int64  `json:"draft"`
	Submitted int64  `json:"submitted"`
}

// ResultRow is a stored result.
type ResultRow struct {
	SubjectKind string          `json:"subjectKind"`
	SubjectID   int64           `json:"subjectId"`
	Composite   *assess.Score   `json:"composite"`
	Held        bool            `json:"held"`
	RankTeam    *int            `json:"rankTeam"`
	RankRegion  *int            `json:"rankRegion"`
	RankBranch  *int            `json:"rankBranch"`
	Detail      json.RawMessage `json:"detail,omitempty"`

	// Read with the result.
	CycleID  int64  `json:"cycleId"`
	Period   string `json:"period"`
	Scheme   string `json:"scheme"`
	Name     string `json:"name"`
	EmpNo    string `json:"empNo,omitempty"`
	UnitID   int64  `json:"unitId"`
	TeamID   int64  `json:"-"`
	RegionID int64  `json:"-"`
	Position string `json:"position,omitempty"`
}

// ResultQuery selects results of a cycle, or one subject's across cycles.
type ResultQuery struct {
	Institution int64
	Cycle       int64
	Scheme      string
	Unit        int64 // subjects placed in this unit or with it as their team, region or branch
	SubjectKind string
	SubjectID   int64
	WithDetail  bool
	Limit       int
	Offset      int
}

// Outcome states.
const (
	OutcomeProposed   = "proposed"
	OutcomeConfirmed  = "confirmed"
	OutcomeOverridden = "overridden"
)

// Outcome is a proposal of a cycle and what became of it.
type Outcome struct {
	ID        int64           `json:"id"`
	CycleID   int64           `json:"cycleId,omitempty"`
	ReviewID  int64           `json:"reviewId,omitempty"`
	Period    string          `json:"period"`
	Kind      string          `json:"kind"`
	PersonID  int64           `json:"personId,omitempty"`
	UnitID    int64           `json:"unitId,omitempty"`
	Name      string          `json:"name"`
	EmpNo     string          `json:"empNo,omitempty"`
	Proposal  assess.Proposal `json:"proposal"`
	State     string          `json:"state"`
	DecidedBy string          `json:"decidedBy,omitempty"`
	DecidedAt *time.Time      `json:"decidedAt"`
	Reason    string          `json:"reason,omitempty"`
	Effect    string          `json:"effect,omitempty"`
	Version   int             `json:"version"`
}

// OutcomeQuery selects outcomes.
type OutcomeQuery struct {
	Institution int64
	ID          int64 // one outcome
	Cycle       int64
	Review      int64
	State       string
	Limit       int
	Offset      int
}
