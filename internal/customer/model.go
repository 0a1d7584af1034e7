// Package customer keeps an institution's customers and their attribution
// (营销归属) to customer managers: effective-dated rows customer → manager
// with a share and a role, each backed by a marketing-customer confirmation
// form (营销客户确认单) whose serial number (流水号) is unique and gap-free
// per branch and month. Transfers between managers end the current rows the
// day before and start new ones in one transaction. Every read of customers
// takes the viewer's data scope (see docs/decisions/0009).
package customer

import (
	"errors"
	"fmt"
	"strconv"
	"strings"

	"cmhub/internal/platform"
)

// Kinds of customer.
const (
	KindPerson  = "person"  // 个人
	KindCompany = "company" // 机构
)

// Roles of a manager in an attribution.
const (
	RolePrimary   = "primary"   // 主办
	RoleAssisting = "assisting" // 协办
)

// FullShare is 100% in basis points.
const FullShare = 10000

// Kinds of attribution change; each form records the kind that issued it.
const (
	ChangeCreate    = "create"
	ChangeImport    = "import"
	ChangeAttribute = "attribute"
	ChangeTransfer  = "transfer"
)

// Label is a code with its Chinese and English names, for dictionaries the
// UI shows (kinds, roles, ID types).
type Label struct {
	Code string `json:"code"`
	Zh   string `json:"zh"`
	En   string `json:"en"`
}

// KindLabels lists the customer kinds.
func KindLabels() []Label {
	return []Label{{KindPerson, "个人", "Person"}, {KindCompany, "机构", "Company"}}
}

// RoleLabels lists the attribution roles.
func RoleLabels() []Label {
	return []Label{{RolePrimary, "主办", "Primary"}, {RoleAssisting, "协办", "Assisting"}}
}

func lookupLabel(ls []Label, v string) (string, bool) {
	v = strings.TrimSpace(v)
	for _, l := range ls {
		if v == l.Code || v == l.Zh || strings.EqualFold(v, l.En) {
			return l.Code, true
		}
	}
	return "", false
}

// Customer is a customer with its primary manager as of some date.
type Customer struct {
	ID          int64              `json:"id"`
	Institution int64              `json:"-"`
	Kind        string             `json:"kind"`
	Name        string             `json:"name"`
	IDType      string             `json:"idType"`
	IDNumber    string             `json:"idNumber"` // masked unless the viewer holds customer:pii
	Phone       string             `json:"phone"`    // masked unless the viewer holds customer:pii
	Address     string             `json:"address"`
	BranchID    int64              `json:"branchId"`
	BranchName  string             `json:"branchName"`
	OpenedOn    platform.Date      `json:"openedOn"`
	CreatedAt   platform.Timestamp `json:"createdAt"`
	UpdatedAt   platform.Timestamp `json:"updatedAt"`
	// The primary manager on the requested date; 0 and "" when none.
	ManagerID    int64  `json:"managerId"`
	ManagerEmpNo string `json:"managerEmpNo"`
	ManagerName  string `json:"managerName"`
}

// Attribution is one effective-dated row customer → manager.
type Attribution struct {
	ID         int64          `json:"id"`
	CustomerID int64          `json:"customerId"`
	PersonID   int64          `json:"personId"`
	EmpNo      string         `json:"empNo"`
	PersonName string         `json:"personName"`
	Role       string         `json:"role"`
	ShareBP    int            `json:"shareBp"`
	ValidFrom  platform.Date  `json:"validFrom"`
	ValidTo    *platform.Date `json:"validTo"` // the last day in force; nil while current
	ChangeID   int64          `json:"changeId"`
	ChangeKind string         `json:"changeKind"`
	Reason     string         `json:"reason"`
	FormID     int64          `json:"formId"`
	FormSerial string         `json:"formSerial"`
}

// InForce reports whether the row is in force on d.
func (a Attribution) InForce(d platform.Date) bool {
	return !a.ValidFrom.After(d) && (a.ValidTo == nil || !d.After(*a.ValidTo))
}

// Form is a marketing-customer confirmation form (营销客户确认单).
type Form struct {
	ID            int64               `json:"id"`
	Serial        string              `json:"serial"`
	BranchID      int64               `json:"branchId"`
	BranchName    string              `json:"branchName"`
	Month         string              `json:"month"` // YYYY-MM of the signed date
	Seq           int                 `json:"seq"`
	CustomerID    int64               `json:"customerId"`
	CustomerName  string              `json:"customerName"`
	PersonID      int64               `json:"personId"`
	EmpNo         string              `json:"empNo"`
	PersonName    string              `json:"personName"`
	Role          string              `json:"role"`
	ShareBP       int                 `json:"shareBp"`
	EffectiveFrom platform.Date       `json:"effectiveFrom"`
	Kind          string              `json:"kind"`
	SignedOn      platform.Date       `json:"signedOn"`
	Archived      bool                `json:"archived"`
	ArchivedAt    *platform.Timestamp `json:"archivedAt"`
	ArchivedBy    string              `json:"archivedBy"`
	CreatedBy     string              `json:"createdBy"`
	CreatedAt     platform.Timestamp  `json:"createdAt"`
}

// SerialRange is the serial numbers one act issued in one branch and month.
type SerialRange struct {
	BranchID int64  `json:"branchId"`
	Month    string `json:"month"`
	First    string `json:"first"`
	Last     string `json:"last"`
	Count    int    `json:"count"`
}

// Serial formats a serial number: branch code, YYYYMM of the signed month,
// and the sequence within that branch and month, at least four digits.
func Serial(branchCode, month string, seq int) string {
	return fmt.Sprintf("%s-%s-%04d", branchCode, strings.ReplaceAll(month, "-", ""), seq)
}

// MonthOf returns the YYYY-MM key of d.
func MonthOf(d platform.Date) string { return fmt.Sprintf("%04d-%02d", d.Year(), int(d.Month())) }

// Holder is one manager's part in a customer: who, as what, how much.
type Holder struct {
	PersonID int64  `json:"personId"`
	Role     string `json:"role"`    // primary | assisting
	ShareBP  int    `json:"shareBp"` // basis points, 10000 = 100%
}

// FormatShare writes basis points as a percentage: 6000 → "60%", 3333 → "33.33%".
func FormatShare(bp int) string {
	s := strconv.Itoa(bp / 100)
	if r := bp % 100; r != 0 {
		s += fmt.Sprintf(".%02d", r)
		s = strings.TrimRight(s, "0")
	}
	return s + "%"
}

// ParseShare reads a percentage as typed in a spreadsheet ("60", "60%",
// "33.33") into basis points. At most two decimals; 0 < share ≤ 100.
func ParseShare(s string) (int, error) {
	s = strings.TrimSpace(s)
	s = strings.TrimSpace(strings.TrimSuffix(strings.TrimSuffix(s, "%"), "％"))
	whole, frac, hasFrac := strings.Cut(s, ".")
	bad := errors.New("份额须为大于 0、不超过 100 的百分数，最多两位小数 must be a percentage above 0 and at most 100, two decimals at most")
	if whole == "" || len(whole) > 3 || (hasFrac && (frac == "" || len(frac) > 2)) {
		return 0, bad
	}
	for _, c := range whole + frac {
		if c < '0' || c > '9' {
			return 0, bad
		}
	}
	w, _ := strconv.Atoi(whole)
	f := 0
	if hasFrac {
		f, _ = strconv.Atoi((frac + "0")[:2])
	}
	bp := w*100 + f
	if bp <= 0 || bp > FullShare {
		return 0, bad
	}
	return bp, nil
}

// ShareSumMessage is the error shown when shares sum to more than 100%.
func ShareSumMessage(sum int, from platform.Date) string {
	return fmt.Sprintf("份额合计 %s（%s 起）超过 100%% shares sum to %s on %s, over 100%%", FormatShare(sum), from, FormatShare(sum), from)
}

// ShareSumError is the store's last-line refusal of a write that would make
// a customer's shares sum to more than 100% on a day.
func ShareSumError(customerID int64, sum int, on platform.Date) error {
	return platform.Invalid("managers", fmt.Sprintf("客户 #%d 的归属份额合计 %s（%s）超过 100%% shares of customer #%d sum to %s on %s, over 100%%",
		customerID, FormatShare(sum), on, customerID, FormatShare(sum), on))
}

// validateHolders checks one customer's set of managers from date from:
// at least one, exactly one primary, distinct people, shares in (0, 100%]
// summing to at most 100%. Keys are "managers" and "managers[i].field".
func validateHolders(hs []Holder, from platform.Date, f platform.Fields) {
	if len(hs) == 0 {
		f.Add("managers", "至少指定一位主办客户经理 at least the primary manager is required")
		return
	}
	if len(hs) > 20 {
		f.Add("managers", "最多 20 位客户经理 at most 20 managers")
		return
	}
	primaries, sum := 0, 0
	seen := map[int64]int{}
	for i, h := range hs {
		key := fmt.Sprintf("managers[%d]", i)
		if h.PersonID <= 0 {
			f.Add(key+".personId", "客户经理必填 required")
		} else if j, dup := seen[h.PersonID]; dup {
			f.Add(key+".personId", fmt.Sprintf("与第 %d 位客户经理重复 same manager as entry %d", j+1, j+1))
		}
		seen[h.PersonID] = i
		switch h.Role {
		case RolePrimary:
			primaries++
		case RoleAssisting:
		default:
			f.Add(key+".role", "角色须为 primary（主办）或 assisting（协办） role must be primary or assisting")
		}
		if h.ShareBP <= 0 || h.ShareBP > FullShare {
			f.Add(key+".shareBp", "份额须大于 0 且不超过 10000 个基点（100%） share must be 1–10000 basis points")
		} else {
			sum += h.ShareBP
		}
	}
	if primaries != 1 {
		f.Add("managers", "须有且仅有一位主办客户经理 exactly one primary manager is required")
	}
	if sum > FullShare {
		f.Add("managers", ShareSumMessage(sum, from))
	}
}

// Filter selects customers for lists and exports.
type Filter struct {
	Q         string // name, ID number or phone
	ManagerID int64  // customers this person holds on AsOf
	UnitID    int64  // the unit's subtree: its branch's customers and its managers' customers
	Kind      string
	AsOf      platform.Date
	Page      int
	PageSize  int
	Sort      string // name, openedOn, createdAt; "-" prefix for descending
	// ExactIdentifiers makes Q match ID numbers and phones only in full, so
	// a viewer who sees them masked cannot uncover digits by searching.
	// The service sets it from the viewer's permissions.
	ExactIdentifiers bool
}

// SortColumns are the sort keys a list accepts.
var SortColumns = []string{"name", "openedOn", "createdAt"}

// Normalise fills defaults and bounds paging.
func (f *Filter) Normalise(today platform.Date) error {
	fs := platform.Fields{}
	platform.CheckListing(fs, &f.Q, &f.AsOf, today, &f.Page, &f.PageSize, f.Sort, SortColumns)
	if f.Kind != "" && f.Kind != KindPerson && f.Kind != KindCompany {
		fs.Add("kind", "客户类型须为 person 或 company")
	}
	return fs.Err()
}

// FormFilter selects confirmation forms for the archives clerk.
type FormFilter struct {
	BranchID int64
	Month    string // YYYY-MM, required
	Archived *bool  // nil: both
	Page     int
	PageSize int
}

// Normalise validates the filter and bounds paging.
func (f *FormFilter) Normalise() error {
	fs := platform.Fields{}
	if f.BranchID <= 0 {
		fs.Add("branchId", "营业部必填 required")
	}
	if p, err := platform.ParsePeriod(f.Month); err != nil || p.Kind != platform.Month {
		fs.Add("month", "月份须为 YYYY-MM must be a month YYYY-MM")
	} else {
		f.Month = p.String()
	}
	if f.Page < 1 {
		f.Page = 1
	}
	switch {
	case f.PageSize == 0:
		f.PageSize = 100
	case f.PageSize < 1 || f.PageSize > 500:
		fs.Add("pageSize", "每页 1–500 条 must be 1–500")
	}
	return fs.Err()
}

// Manager is a person as the attribution rules need them: who, where, and
// in what status on some date.
type Manager struct {
	ID       int64  `json:"id"`
	EmpNo    string `json:"empNo"`
	Name     string `json:"name"`
	UnitID   int64  `json:"unitId"`
	UnitName string `json:"unitName"`
	Status   string `json:"status"`
}

// Change is one attribution act as the store records it.
type Change struct {
	ID            int64
	Institution   int64
	Kind          string
	FromPersonID  int64
	ToPersonID    int64
	EffectiveFrom platform.Date // zero when rows carry their own dates
	SignedOn      platform.Date
	Reason        string
	CreatedBy     string
}

// NewRow is one attribution row to start.
type NewRow struct {
	PersonID  int64
	Role      string
	ShareBP   int
	ValidFrom platform.Date
}

// Draft is a customer to insert with its first attribution rows.
type Draft struct {
	Customer Customer // ID is set by the store
	Rows     []NewRow
}

// Candidate is one row of a manager that a transfer would move.
type Candidate struct {
	CustomerID   int64
	CustomerName string
	OpenedOn     platform.Date
	Role         string
	ShareBP      int
	ValidFrom    platform.Date
	LatestChange platform.Date // the latest valid_from among all the customer's rows
}

// Owner is what a duplicate check reveals about a manager holding a customer.
type Owner struct {
	EmpNo    string `json:"empNo"`
	Name     string `json:"name"`
	UnitName string `json:"unitName"`
	Role     string `json:"role"`
}

// Duplicate is an existing customer that matches an ID number or phone.
// Only the owners are revealed; CustomerID is set only when the viewer may
// open the customer.
type Duplicate struct {
	Field      string  `json:"field"` // idNumber | phone
	Value      string  `json:"-"`     // the matched input, for the caller's bookkeeping
	CustomerID int64   `json:"customerId,omitempty"`
	Visible    bool    `json:"visible"`
	BranchName string  `json:"branchName"`
	Owners     []Owner `json:"owners"`
}

// OwnerText describes the owners for an error message: "张三（XZ0101，第一区域）".
func (d Duplicate) OwnerText() string {
	if len(d.Owners) == 0 {
		return d.BranchName + "（暂无客户经理 no manager）"
	}
	parts := make([]string, len(d.Owners))
	for i, o := range d.Owners {
		parts[i] = fmt.Sprintf("%s（%s，%s）", o.Name, o.EmpNo, o.UnitName)
	}
	return strings.Join(parts, "、")
}
