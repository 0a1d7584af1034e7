package httpapi

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/http"
	"sort"
	"strings"

	"cmhub/internal/access"
	"cmhub/internal/attendance"
	"cmhub/internal/customer"
	"cmhub/internal/org"
	"cmhub/internal/people"
	"cmhub/internal/platform"
	"cmhub/internal/record"
	"cmhub/internal/xlsx"
)

const maxUpload = 20 << 20

// importKind describes one importable kind: its columns, who may import
// it, and the service call that validates and writes the rows.
type importKind struct {
	columns []platform.Column
	perm    access.Permission
	run     func(a *API, r *http.Request, rows []platform.ImportRow) (int, []platform.RowError, error)
}

var importKinds = map[string]importKind{
	"people": {columns: people.ImportColumns(), perm: access.PeopleImport,
		run: func(a *API, r *http.Request, rows []platform.ImportRow) (int, []platform.RowError, error) {
			return a.People.Import(r.Context(), rows)
		}},
	"customers": {columns: customer.ImportColumns(), perm: access.CustomerImport,
		run: func(a *API, r *http.Request, rows []platform.ImportRow) (int, []platform.RowError, error) {
			return a.Customers.Import(r.Context(), rows)
		}},
	"units": {columns: org.ImportColumns(), perm: access.OrgWrite,
		run: func(a *API, r *http.Request, rows []platform.ImportRow) (int, []platform.RowError, error) {
			return a.Org.Import(r.Context(), rows)
		}},
	"punches": {columns: attendance.PunchColumns(), perm: access.AttendanceManage,
		run: func(a *API, r *http.Request, rows []platform.ImportRow) (int, []platform.RowError, error) {
			return a.Attendance.ImportPunches(r.Context(), rows)
		}},
	"calendar": {columns: attendance.CalendarColumns(), perm: access.CalendarManage,
		run: func(a *API, r *http.Request, rows []platform.ImportRow) (int, []platform.RowError, error) {
			return a.Attendance.ImportCalendar(r.Context(), rows)
		}},
	// Business records only have a template here: they are imported as a
	// background job through POST /api/record-imports.
	"records": {columns: record.ImportColumns(), perm: access.RecordImport},
}

func xlsxColumns(cols []platform.Column) []xlsx.Column {
	out := make([]xlsx.Column, len(cols))
	for i, c := range cols {
		out[i] = xlsx.Column{Key: c.Key, Header: c.Header, Required: c.Required, Example: c.Example, Note: c.Note}
		if c.Date {
			out[i].Kind = xlsx.KindDate
		}
	}
	return out
}

func (a *API) kind(r *http.Request) (importKind, error) {
	k, found := importKinds[r.PathValue("kind")]
	if !found {
		return k, platform.ErrNotFound
	}
	if !access.FromContext(r.Context()).Can(k.perm) {
		return k, platform.ErrForbidden
	}
	return k, nil
}

func (a *API) importTemplate(w http.ResponseWriter, r *http.Request) error {
	k, err := a.kind(r)
	if err != nil {
		return err
	}
	format := r.URL.Query().Get("format")
	if format == "" {
		format = "xlsx"
	}
	if format != "xlsx" && format != "csv" {
		return badRequest("format", "须为 xlsx 或 csv must be xlsx or csv")
	}
	var buf bytes.Buffer
	if err := xlsx.Template(&buf, format, xlsxColumns(k.columns)); err != nil {
		return err
	}
	ct := xlsxType
	if format == "csv" {
		ct = "text/csv; charset=utf-8"
	}
	w.Header().Set("Content-Type", ct)
	w.Header().Set("Content-Disposition", fmt.Sprintf(`attachment; filename="%s-template.%s"`, r.PathValue("kind"), format))
	_, err = w.Write(buf.Bytes())
	return err
}

type importResult struct {
	Created int `json:"created"`
	Updated int `json:"updated"`
}

type importFailure struct {
	Code     string              `json:"code"`
	Message  string              `json:"message"`
	Errors   []platform.RowError `json:"errors"`
	ReportID string              `json:"reportId,omitempty"`
}

// importFile reads the upload, has the service validate and write every
// row in one transaction, and on any error answers 422 with all row errors
// and an error workbook to download; nothing is written then.
func (a *API) importFile(w http.ResponseWriter, r *http.Request) error {
	k, err := a.kind(r)
	if err != nil {
		return err
	}
	if k.run == nil {
		return platform.ErrNotFound
	}
	r.Body = http.MaxBytesReader(w, r.Body, maxUpload+1<<20)
	file, hdr, err := r.FormFile("file")
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return err
		}
		return badRequest("file", "请选择要上传的文件（表单字段 file）choose a file to upload (form field \"file\")")
	}
	defer func() { _ = file.Close() }() // an upload held in memory or a temp file; nothing to report
	cols := xlsxColumns(k.columns)
	rd, err := xlsx.Open(file, hdr.Size, hdr.Filename, cols, xlsx.Options{MaxBytes: maxUpload})
	if err != nil {
		return a.fileProblem(w, err)
	}
	defer func() { _ = rd.Close() }()
	var rows []platform.ImportRow
	var raws = map[int][]string{}
	var readErrs []platform.RowError // row-level problems of the file itself (a stray cell)
	for {
		row, err := rd.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		var re *xlsx.RowError
		if errors.As(err, &re) {
			readErrs = append(readErrs, platform.RowError{Row: re.Row, Column: re.Column, Message: re.Message})
		} else if err != nil {
			return a.fileProblem(w, err)
		}
		for key, v := range row.Values {
			if strings.ContainsRune(v, 0) {
				readErrs = append(readErrs, platform.RowError{Row: row.Num, Column: key, Message: "不能包含 NUL 字符 must not contain NUL characters"})
			}
		}
		rows = append(rows, platform.ImportRow{Num: row.Num, Values: row.Values})
		raws[row.Num] = row.Raw
	}
	if len(rows) == 0 {
		writeJSON(w, http.StatusUnprocessableEntity, importFailure{Code: "import_invalid", Message: "文件中没有数据行，未导入任何数据 the file has no data rows; nothing was imported",
			Errors: []platform.RowError{}})
		return nil
	}
	created, rowErrs := 0, readErrs
	if len(readErrs) == 0 {
		if created, rowErrs, err = k.run(a, r, rows); err != nil {
			return err
		}
	}
	if len(rowErrs) == 0 {
		return ok(w, importResult{Created: created})
	}
	headers := map[string]string{}
	for _, c := range k.columns {
		headers[c.Key] = c.Header
	}
	sort.SliceStable(rowErrs, func(i, j int) bool { return rowErrs[i].Row < rowErrs[j].Row })
	byRow := map[int][]string{}
	for i := range rowErrs {
		if h, ok := headers[rowErrs[i].Column]; ok {
			rowErrs[i].Column = h
		}
		byRow[rowErrs[i].Row] = append(byRow[rowErrs[i].Row], fmt.Sprintf("「%s」%s", rowErrs[i].Column, rowErrs[i].Message))
	}
	var report []xlsx.ReportRow
	for _, row := range rows {
		if msgs, bad := byRow[row.Num]; bad {
			report = append(report, xlsx.ReportRow{Num: row.Num, Raw: raws[row.Num], Messages: msgs})
		}
	}
	// Raw cells are in the file's column order, so the report uses the file's header.
	header := rd.Header()
	id, err := a.saveReport(r, r.PathValue("kind"), header, report)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusUnprocessableEntity, importFailure{Code: "import_invalid",
		Message: fmt.Sprintf("文件有 %d 处错误，未导入任何数据 %d errors; nothing was imported", len(rowErrs), len(rowErrs)),
		Errors:  rowErrs, ReportID: id})
	return nil
}

// fileProblem answers 422 for a file that cannot be read as the template
// (wrong columns, encoding, format, size), naming what is wrong.
func (a *API) fileProblem(w http.ResponseWriter, err error) error {
	var mbe *http.MaxBytesError
	if errors.As(err, &mbe) {
		return err
	}
	var he *xlsx.HeaderError
	var errs []platform.RowError
	if errors.As(err, &he) {
		for _, p := range he.Problems {
			errs = append(errs, platform.RowError{Row: 1, Column: p.Column, Message: p.String()})
		}
	} else if msg, ok := xlsx.UserMessage(err); ok {
		errs = []platform.RowError{{Row: 0, Column: "", Message: msg}}
	} else {
		return fmt.Errorf("read upload: %w", err) // not the file's fault: a 500, logged with its cause
	}
	writeJSON(w, http.StatusUnprocessableEntity, importFailure{Code: "import_invalid",
		Message: "文件无法按模板读取，未导入任何数据 the file does not match the template; nothing was imported", Errors: errs})
	return nil
}

func (a *API) saveReport(r *http.Request, kind string, header []string, rows []xlsx.ReportRow) (string, error) {
	var buf bytes.Buffer
	if err := xlsx.ErrorReport(&buf, header, rows); err != nil {
		return "", fmt.Errorf("error report: %w", err)
	}
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	id := hex.EncodeToString(b)
	p := access.FromContext(r.Context())
	err := a.Reports.WithTx(r.Context(), func(ctx context.Context) error {
		return a.Reports.SaveImportReport(ctx, id, p.Institution, p.UserID, kind, buf.Bytes())
	})
	return id, err
}

func (a *API) importReport(w http.ResponseWriter, r *http.Request) error {
	id := r.PathValue("id")
	if len(id) != 32 || strings.Trim(id, "0123456789abcdef") != "" {
		return platform.ErrNotFound
	}
	b, err := a.Reports.ImportReport(r.Context(), id, access.FromContext(r.Context()).UserID)
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", xlsxType)
	w.Header().Set("Content-Disposition", `attachment; filename="import-errors.xlsx"`)
	_, err = w.Write(b)
	return err
}
