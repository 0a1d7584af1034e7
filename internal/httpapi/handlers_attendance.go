package httpapi

import (
	"net/http"
	"strconv"

	"cmhub/internal/attendance"
	"cmhub/internal/platform"
)

func pathYear(r *http.Request) (int, error) {
	y, err := strconv.Atoi(r.PathValue("year"))
	if err != nil {
		return 0, platform.Invalid("year", "年份须为四位数字 the year must be four digits")
	}
	return y, nil
}

func (a *API) getCalendar(w http.ResponseWriter, r *http.Request) error {
	y, err := pathYear(r)
	if err != nil {
		return err
	}
	v, err := a.Attendance.Calendar(r.Context(), y)
	if err != nil {
		return err
	}
	return ok(w, v)
}

func (a *API) saveCalendar(w http.ResponseWriter, r *http.Request) error {
	y, err := pathYear(r)
	if err != nil {
		return err
	}
	var in attendance.CalendarInput
	if err := decode(w, r, &in); err != nil {
		return err
	}
	v, err := a.Attendance.SaveCalendar(r.Context(), y, in)
	if err != nil {
		return err
	}
	return ok(w, v)
}

func (a *API) attendanceRules(w http.ResponseWriter, r *http.Request) error {
	v, err := a.Attendance.Rules(r.Context())
	if err != nil {
		return err
	}
	return ok(w, v)
}

func (a *API) saveAttendanceRules(w http.ResponseWriter, r *http.Request) error {
	var in attendance.RulesInput
	if err := decode(w, r, &in); err != nil {
		return err
	}
	v, err := a.Attendance.SaveRules(r.Context(), in)
	if err != nil {
		return err
	}
	return ok(w, v)
}

type attendanceRowsInput struct {
	Rows []attendance.RecordRow `json:"rows"`
}

func (a *API) saveAttendanceRecords(w http.ResponseWriter, r *http.Request) error {
	var in attendanceRowsInput
	if err := decode(w, r, &in); err != nil {
		return err
	}
	rs, err := a.Attendance.SaveRecords(r.Context(), in.Rows)
	if err != nil {
		return err
	}
	return ok(w, page[attendance.Record]{Items: rs, Total: len(rs), Page: 1, PageSize: max(len(rs), 1)})
}

func (a *API) checkIn(w http.ResponseWriter, r *http.Request) error {
	rec, err := a.Attendance.CheckIn(r.Context())
	if err != nil {
		return err
	}
	return ok(w, rec)
}

func (a *API) attendanceMonth(w http.ResponseWriter, r *http.Request) error {
	unit, err := qInt64(r, "unitId")
	if err != nil {
		return err
	}
	person, err := qInt64(r, "personId")
	if err != nil {
		return err
	}
	pg, size, err := paging(r)
	if err != nil {
		return err
	}
	v, err := a.Attendance.Month(r.Context(), attendance.MonthQuery{Month: r.URL.Query().Get("month"), UnitID: unit, PersonID: person, Page: pg, PageSize: size})
	if err != nil {
		return err
	}
	return ok(w, v)
}
