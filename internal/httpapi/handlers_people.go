package httpapi

import (
	"fmt"
	"net/http"

	"cmhub/internal/access"
	"cmhub/internal/dict"
	"cmhub/internal/people"
	"cmhub/internal/platform"
	"cmhub/internal/xlsx"
)

func peopleFilter(r *http.Request) (people.Filter, error) {
	q := r.URL.Query()
	f := people.Filter{Q: q.Get("q"), Position: q.Get("position"), Status: q.Get("status"), Grade: q.Get("grade"), Sort: q.Get("sort")}
	var err error
	if f.UnitID, err = qInt64(r, "unitId"); err != nil {
		return f, err
	}
	if f.AsOf, err = qDate(r, "asOf"); err != nil {
		return f, err
	}
	f.Page, f.PageSize, err = paging(r)
	return f, err
}

func (a *API) listPeople(w http.ResponseWriter, r *http.Request) error {
	f, err := peopleFilter(r)
	if err != nil {
		return err
	}
	items, total, err := a.People.List(r.Context(), f)
	if err != nil {
		return err
	}
	return ok(w, page[people.Person]{Items: items, Total: total, Page: f.Page, PageSize: f.PageSize})
}

func (a *API) getPerson(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	d, err := a.People.Get(r.Context(), id)
	if err != nil {
		return err
	}
	return ok(w, d)
}

func (a *API) createPerson(w http.ResponseWriter, r *http.Request) error {
	var in people.NewPerson
	if err := decode(w, r, &in); err != nil {
		return err
	}
	d, err := a.People.Create(r.Context(), in)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, d)
	return nil
}

func (a *API) updatePerson(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	var in people.Patch
	if err := decode(w, r, &in); err != nil {
		return err
	}
	d, err := a.People.Update(r.Context(), id, in)
	if err != nil {
		return err
	}
	return ok(w, d)
}

func (a *API) movePerson(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	var in people.Move
	if err := decode(w, r, &in); err != nil {
		return err
	}
	d, err := a.People.Move(r.Context(), id, in)
	if err != nil {
		return err
	}
	return ok(w, d)
}

// exportColumns is the layout of the people export.
var exportColumns = []xlsx.Column{
	{Key: "empNo", Header: "工号 EmpNo"}, {Key: "name", Header: "姓名 Name"}, {Key: "gender", Header: "性别 Gender"},
	{Key: "idNumber", Header: "身份证号 ID number"}, {Key: "phone", Header: "手机 Phone"},
	{Key: "unitPath", Header: "所属单位 Unit"}, {Key: "position", Header: "岗位 Position"}, {Key: "grade", Header: "职级 Grade"},
	{Key: "status", Header: "状态 Status"}, {Key: "employmentType", Header: "用工形式 Employment type"},
	{Key: "hiredOn", Header: "入职日期 Hired on"}, {Key: "probationEnd", Header: "试用期结束 Probation end"},
	{Key: "contractEnd", Header: "合同到期 Contract end"}, {Key: "validFrom", Header: "本岗起始 In post since"},
}

func (a *API) exportPeople(w http.ResponseWriter, r *http.Request) error {
	p := access.FromContext(r.Context())
	f, err := peopleFilter(r)
	if err != nil {
		return err
	}
	ds, err := a.Dicts.DictItems(r.Context(), p.Institution)
	if err != nil {
		return err
	}
	d := dict.Set(ds)
	// Validate the filter before any byte of the file is sent.
	if err := f.Normalise(platform.DateOf(a.Clock.Now())); err != nil {
		return err
	}
	xw, err := xlsx.NewWriter(w, "人员 People", exportColumns)
	if err != nil {
		return err
	}
	err = a.People.Each(r.Context(), f, func(x *people.Person) error {
		return xw.Write(x.EmpNo, x.Name, d.Name(dict.Genders, x.Gender), x.IDNumber, x.Phone, x.UnitPath,
			d.Name(dict.Positions, x.Position), d.Name(dict.Grades, x.Grade), d.Name(dict.Statuses, x.Status),
			d.Name(dict.EmploymentTypes, x.EmploymentType), x.HiredOn.String(), x.ProbationEnd.String(), x.ContractEnd.String(), x.ValidFrom.String())
	})
	if err != nil {
		return err
	}
	// The workbook is assembled in memory and written by Close, so an
	// error above still gets a proper JSON answer.
	name := fmt.Sprintf("people-%s.xlsx", a.Clock.Now().Format("20060102-150405"))
	w.Header().Set("Content-Type", xlsxType)
	w.Header().Set("Content-Disposition", `attachment; filename="`+name+`"`)
	return xw.Close()
}

const xlsxType = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
