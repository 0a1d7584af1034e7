package httpapi

import (
	"fmt"
	"net/http"

	"cmhub/internal/customer"
	"cmhub/internal/xlsx"
)

func customerFilter(r *http.Request) (customer.Filter, error) {
	q := r.URL.Query()
	f := customer.Filter{Q: q.Get("q"), Kind: q.Get("kind"), Sort: q.Get("sort")}
	var err error
	if f.ManagerID, err = qInt64(r, "managerId"); err != nil {
		return f, err
	}
	if f.UnitID, err = qInt64(r, "unitId"); err != nil {
		return f, err
	}
	if f.AsOf, err = qDate(r, "asOf"); err != nil {
		return f, err
	}
	f.Page, f.PageSize, err = paging(r)
	return f, err
}

func (a *API) listCustomers(w http.ResponseWriter, r *http.Request) error {
	f, err := customerFilter(r)
	if err != nil {
		return err
	}
	items, total, err := a.Customers.List(r.Context(), f)
	if err != nil {
		return err
	}
	return ok(w, page[customer.Customer]{Items: items, Total: total, Page: f.Page, PageSize: f.PageSize})
}

var customerExportColumns = []xlsx.Column{
	{Key: "name", Header: "客户名称 Name"}, {Key: "kind", Header: "类型 Kind"}, {Key: "idType", Header: "证件类型 ID type"},
	{Key: "idNumber", Header: "证件号码 ID number"}, {Key: "phone", Header: "电话 Phone"}, {Key: "address", Header: "地址 Address"},
	{Key: "branch", Header: "所属营业部 Branch"}, {Key: "openedOn", Header: "建档日期 Opened on"},
	{Key: "managerEmpNo", Header: "主办客户经理工号 Manager emp no"}, {Key: "managerName", Header: "主办客户经理 Manager"},
}

func (a *API) exportCustomers(w http.ResponseWriter, r *http.Request) error {
	f, err := customerFilter(r)
	if err != nil {
		return err
	}
	xw, err := xlsx.NewWriter(w, "客户 Customers", customerExportColumns)
	if err != nil {
		return err
	}
	labels := map[string]string{}
	for _, l := range customer.KindLabels() {
		labels["kind:"+l.Code] = l.Zh
	}
	for _, t := range customer.IDTypes() {
		labels["id:"+t.Code] = t.Zh
	}
	err = a.Customers.Each(r.Context(), f, func(c *customer.Customer) error {
		return xw.Write(c.Name, labels["kind:"+c.Kind], labels["id:"+c.IDType], c.IDNumber, c.Phone, c.Address, c.BranchName,
			c.OpenedOn.String(), c.ManagerEmpNo, c.ManagerName)
	})
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", xlsxType)
	w.Header().Set("Content-Disposition", fmt.Sprintf(`attachment; filename="customers-%s.xlsx"`, a.Clock.Now().Format("20060102-150405")))
	return xw.Close()
}

func (a *API) customerOptions(w http.ResponseWriter, r *http.Request) error {
	return ok(w, map[string]any{"kinds": customer.KindLabels(), "roles": customer.RoleLabels(), "idTypes": customer.IDTypes()})
}

func (a *API) getCustomer(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	d, err := a.Customers.Get(r.Context(), id)
	if err != nil {
		return err
	}
	return ok(w, d)
}

func (a *API) createCustomer(w http.ResponseWriter, r *http.Request) error {
	var in customer.NewCustomer
	if err := decode(w, r, &in); err != nil {
		return err
	}
	d, err := a.Customers.Create(r.Context(), in)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, d)
	return nil
}

func (a *API) updateCustomer(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	var in customer.Patch
	if err := decode(w, r, &in); err != nil {
		return err
	}
	d, err := a.Customers.Update(r.Context(), id, in)
	if err != nil {
		return err
	}
	return ok(w, d)
}

func (a *API) attributeCustomer(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	var in customer.Shares
	if err := decode(w, r, &in); err != nil {
		return err
	}
	d, err := a.Customers.Attribute(r.Context(), id, in)
	if err != nil {
		return err
	}
	return ok(w, d)
}

func (a *API) transferCustomers(w http.ResponseWriter, r *http.Request) error {
	var in customer.Transfer
	if err := decode(w, r, &in); err != nil {
		return err
	}
	res, err := a.Customers.Transfer(r.Context(), in)
	if err != nil {
		return err
	}
	return ok(w, res)
}

// customerDuplicates is a POST so that ID numbers stay out of URLs and access logs.
func (a *API) customerDuplicates(w http.ResponseWriter, r *http.Request) error {
	var in customer.DuplicateQuery
	if err := decode(w, r, &in); err != nil {
		return err
	}
	items, err := a.Customers.DuplicateCheck(r.Context(), in)
	if err != nil {
		return err
	}
	if items == nil {
		items = []customer.Duplicate{}
	}
	return ok(w, map[string]any{"items": items})
}

func (a *API) listCustomerForms(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	f := customer.FormFilter{Month: q.Get("month")}
	var err error
	if f.BranchID, err = qInt64(r, "branchId"); err != nil {
		return err
	}
	switch q.Get("archived") {
	case "":
	case "true":
		t := true
		f.Archived = &t
	case "false":
		v := false
		f.Archived = &v
	default:
		return badRequest("archived", "须为 true 或 false must be true or false")
	}
	if f.Page, f.PageSize, err = paging(r); err != nil {
		return err
	}
	items, total, err := a.Customers.Forms(r.Context(), f)
	if err != nil {
		return err
	}
	return ok(w, page[customer.Form]{Items: items, Total: total, Page: f.Page, PageSize: f.PageSize})
}

func (a *API) archiveCustomerForms(w http.ResponseWriter, r *http.Request) error {
	var in customer.Archive
	if err := decode(w, r, &in); err != nil {
		return err
	}
	res, err := a.Customers.ArchiveForms(r.Context(), in)
	if err != nil {
		return err
	}
	return ok(w, res)
}
