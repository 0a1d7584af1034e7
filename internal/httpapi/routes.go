package httpapi

import (
	"net/http"

	"cmhub/internal/access"
)

// route is one endpoint. Every route is listed here and nowhere else; the
// OpenAPI and data-scope tests walk this table.
type route struct {
	method, path string
	h            handlerFunc
	public       bool              // no sign-in needed
	perm         access.Permission // required of the caller, enforced before the handler runs
}

// Route is the exported view of a route, for tests and docs.
type Route struct {
	Method, Path string
	Public       bool
	Permission   access.Permission
}

// Routes lists every API route.
func (a *API) Routes() []Route {
	var out []Route
	for _, r := range a.routes() {
		out = append(out, Route{Method: r.method, Path: r.path, Public: r.public, Permission: r.perm})
	}
	return out
}

func (a *API) routes() []route {
	return []route{
		{method: "GET", path: "/api/openapi.json", h: a.openAPI, public: true},
		{method: "POST", path: "/api/auth/login", h: a.login, public: true},
		{method: "POST", path: "/api/auth/logout", h: a.logout},
		{method: "POST", path: "/api/auth/logout-all", h: a.logoutAll},
		{method: "GET", path: "/api/me", h: a.me},
		{method: "PUT", path: "/api/me/password", h: a.changePassword},
		{method: "GET", path: "/api/me/tokens", h: a.listTokens},
		{method: "POST", path: "/api/me/tokens", h: a.createToken},
		{method: "DELETE", path: "/api/me/tokens/{id}", h: a.revokeToken},
		{method: "GET", path: "/api/dicts", h: a.dicts},

		{method: "GET", path: "/api/org/units", h: a.listUnits, perm: access.OrgRead},
		{method: "GET", path: "/api/org/units/{id}", h: a.getUnit, perm: access.OrgRead},
		{method: "POST", path: "/api/org/units", h: a.createUnit, perm: access.OrgWrite},
		{method: "PATCH", path: "/api/org/units/{id}", h: a.renameUnit, perm: access.OrgWrite},
		{method: "POST", path: "/api/org/units/{id}/move", h: a.moveUnit, perm: access.OrgWrite},
		{method: "POST", path: "/api/org/units/{id}/stations", h: a.stationManager, perm: access.OrgWrite},

		{method: "GET", path: "/api/people", h: a.listPeople, perm: access.PeopleRead},
		{method: "GET", path: "/api/people/export.xlsx", h: a.exportPeople, perm: access.PeopleExport},
		{method: "GET", path: "/api/people/{id}", h: a.getPerson, perm: access.PeopleRead},
		{method: "POST", path: "/api/people", h: a.createPerson, perm: access.PeopleWrite},
		{method: "PATCH", path: "/api/people/{id}", h: a.updatePerson, perm: access.PeopleWrite},
		{method: "POST", path: "/api/people/{id}/moves", h: a.movePerson, perm: access.PeopleWrite},

		{method: "GET", path: "/api/import/{kind}/template", h: a.importTemplate},
		{method: "POST", path: "/api/import/{kind}", h: a.importFile},
		{method: "GET", path: "/api/import-reports/{id}", h: a.importReport},

		{method: "GET", path: "/api/customers", h: a.listCustomers, perm: access.CustomerRead},
		{method: "GET", path: "/api/customers/export.xlsx", h: a.exportCustomers, perm: access.CustomerExport},
		{method: "GET", path: "/api/customers/options", h: a.customerOptions, perm: access.CustomerRead},
		{method: "POST", path: "/api/customers/duplicates", h: a.customerDuplicates, perm: access.CustomerRead},
		{method: "POST", path: "/api/customers/transfers", h: a.transferCustomers, perm: access.CustomerWrite},
		{method: "GET", path: "/api/customers/{id}", h: a.getCustomer, perm: access.CustomerRead},
		{method: "POST", path: "/api/customers", h: a.createCustomer, perm: access.CustomerWrite},
		{method: "PATCH", path: "/api/customers/{id}", h: a.updateCustomer, perm: access.CustomerWrite},
		{method: "POST", path: "/api/customers/{id}/attribution", h: a.attributeCustomer, perm: access.CustomerWrite},
		{method: "GET", path: "/api/customer-forms", h: a.listCustomerForms, perm: access.CustomerRead},
		{method: "POST", path: "/api/customer-forms/archive", h: a.archiveCustomerForms, perm: access.CustomerWrite},

		{method: "GET", path: "/api/metrics", h: a.listMetrics, perm: access.MetricRead},
		{method: "GET", path: "/api/metrics/{key}", h: a.getMetric, perm: access.MetricRead},
		{method: "POST", path: "/api/metrics", h: a.createMetric, perm: access.MetricManage},
		{method: "PUT", path: "/api/metrics/{key}", h: a.updateMetric, perm: access.MetricManage},
		{method: "POST", path: "/api/metrics/{key}/deactivate", h: a.deactivateMetric, perm: access.MetricManage},

		{method: "GET", path: "/api/targets/tree", h: a.targetTree, perm: access.TargetRead},
		{method: "PUT", path: "/api/targets", h: a.setTarget, perm: access.TargetManage},
		{method: "POST", path: "/api/targets/decompose", h: a.decomposeTarget, perm: access.TargetManage},
		{method: "DELETE", path: "/api/targets", h: a.deleteTarget, perm: access.TargetManage},
		{method: "GET", path: "/api/target-rules", h: a.targetRules, perm: access.TargetRead},
		{method: "PUT", path: "/api/target-rules/{metric}", h: a.setTargetRule, perm: access.TargetManage},

		{method: "GET", path: "/api/record-types", h: a.recordTypes},
		{method: "GET", path: "/api/record-imports", h: a.listRecordImports, perm: access.RecordRead},
		{method: "POST", path: "/api/record-imports", h: a.startRecordImport, perm: access.RecordImport},
		{method: "GET", path: "/api/records", h: a.listRecords, perm: access.RecordRead},
		{method: "GET", path: "/api/jobs/{id}", h: a.getJob},

		{method: "GET", path: "/api/stats/monthly", h: a.monthlyStats, perm: access.StatsRead},
		{method: "GET", path: "/api/stats/monthly/export.xlsx", h: a.exportMonthlyStats, perm: access.StatsExport},
		{method: "GET", path: "/api/stats/trend", h: a.statsTrend, perm: access.StatsRead},

		{method: "GET", path: "/api/assess/rules", h: a.assessRules},
		{method: "PUT", path: "/api/assess/templates/{key}", h: a.saveAssessTemplate, perm: access.AssessManage},
		{method: "PUT", path: "/api/assess/consequences", h: a.saveConsequences, perm: access.AssessManage},
		{method: "GET", path: "/api/assess/task-reviews", h: a.listTaskReviews, perm: access.AssessManage},
		{method: "POST", path: "/api/assess/task-reviews", h: a.runTaskReview, perm: access.AssessManage},
		{method: "GET", path: "/api/assess/exams", h: a.listExams, perm: access.AssessManage},
		{method: "PUT", path: "/api/assess/exams", h: a.saveExams, perm: access.AssessManage},
		{method: "GET", path: "/api/assess/cycles", h: a.listCycles},
		{method: "POST", path: "/api/assess/cycles", h: a.openCycle, perm: access.AssessManage},
		{method: "GET", path: "/api/assess/cycles/{id}", h: a.getCycle},
		{method: "POST", path: "/api/assess/cycles/{id}/transition", h: a.transitionCycle, perm: access.AssessManage},
		{method: "POST", path: "/api/assess/cycles/{id}/compute", h: a.computeCycle, perm: access.AssessManage},
		{method: "GET", path: "/api/assess/cycles/{id}/progress", h: a.cycleProgress, perm: access.AssessManage},
		{method: "GET", path: "/api/assess/cycles/{id}/outstanding/{rater}", h: a.cycleOutstanding, perm: access.AssessManage},
		{method: "GET", path: "/api/assess/cycles/{id}/results", h: a.cycleResults, perm: access.AssessRead},
		{method: "GET", path: "/api/assess/cycles/{id}/results/export.xlsx", h: a.exportResults, perm: access.AssessRead},
		{method: "GET", path: "/api/assess/cycles/{id}/forms.xlsx", h: a.cycleForms, perm: access.AssessRead},
		{method: "GET", path: "/api/assess/cycles/{id}/results/{kind}/{subject}", h: a.cycleResult, perm: access.AssessRead},
		{method: "GET", path: "/api/assess/cycles/{id}/sheets/{kind}/{subject}", h: a.subjectSheets, perm: access.AssessManage},
		{method: "GET", path: "/api/assess/outcomes", h: a.listOutcomes, perm: access.AssessManage},
		{method: "POST", path: "/api/assess/outcomes/{id}/decide", h: a.decideOutcome, perm: access.AssessManage},
		{method: "GET", path: "/api/attendance/calendar/{year}", h: a.getCalendar, perm: access.AttendanceRead},
		{method: "PUT", path: "/api/attendance/calendar/{year}", h: a.saveCalendar, perm: access.CalendarManage},
		{method: "GET", path: "/api/attendance/rules", h: a.attendanceRules, perm: access.AttendanceRead},
		{method: "PUT", path: "/api/attendance/rules", h: a.saveAttendanceRules, perm: access.CalendarManage},
		{method: "PUT", path: "/api/attendance/records", h: a.saveAttendanceRecords, perm: access.AttendanceManage},
		{method: "POST", path: "/api/attendance/check-in", h: a.checkIn},
		{method: "GET", path: "/api/attendance/month", h: a.attendanceMonth, perm: access.AttendanceRead},
		{method: "GET", path: "/api/pay/plans", h: a.payPlans, perm: access.PayRead},
		{method: "PUT", path: "/api/pay/plans/{key}", h: a.savePayPlan, perm: access.PayManage},
		{method: "POST", path: "/api/pay/trial", h: a.payTrial, perm: access.PayRead},
		{method: "GET", path: "/api/pay/months/{month}", h: a.payMonth, perm: access.PayRead},
		{method: "POST", path: "/api/pay/months/{month}/calculate", h: a.calculatePayMonth, perm: access.PayManage},
		{method: "POST", path: "/api/pay/months/{month}/sign", h: a.signPayMonth, perm: access.PayRead},
		{method: "GET", path: "/api/pay/months/{month}/statements", h: a.payStatements, perm: access.PayRead},
		{method: "GET", path: "/api/pay/months/{month}/statement", h: a.payStatement},
		{method: "GET", path: "/api/assess/my-sheets", h: a.mySheets},
		{method: "PUT", path: "/api/assess/sheets/{id}", h: a.saveSheet},
		{method: "POST", path: "/api/assess/sheets/{id}/reopen", h: a.reopenSheet, perm: access.AssessManage},

		{method: "GET", path: "/api/periods", h: a.listPeriods, perm: access.PeriodRead},
		{method: "POST", path: "/api/periods/{key}/close", h: a.closePeriod, perm: access.PeriodManage},
		{method: "POST", path: "/api/periods/{key}/reopen", h: a.reopenPeriod, perm: access.PeriodManage},

		{method: "GET", path: "/api/audit", h: a.listAudit, perm: access.AuditRead},

		{method: "GET", path: "/api/roles", h: a.listRoles, perm: access.UserManage},
		{method: "GET", path: "/api/users", h: a.listUsers, perm: access.UserManage},
		{method: "POST", path: "/api/users", h: a.createUser, perm: access.UserManage},
		{method: "PATCH", path: "/api/users/{id}", h: a.updateUser, perm: access.UserManage},
	}
}

// page is the list envelope.
type page[T any] struct {
	Items    []T `json:"items"`
	Total    int `json:"total"`
	Page     int `json:"page"`
	PageSize int `json:"pageSize"`
}

func ok(w http.ResponseWriter, v any) error {
	writeJSON(w, http.StatusOK, v)
	return nil
}
