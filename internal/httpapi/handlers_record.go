package httpapi

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"

	"cmhub/internal/access"
	"cmhub/internal/platform"
	"cmhub/internal/record"
	"cmhub/internal/xlsx"
)

// Business-record files are the large uploads: ten million rows of CSV
// are about 700 MB. They are spooled to a temporary file, never held in
// memory, and read by a background job.
const (
	maxRecordUpload = 4 << 30
	maxRecordRows   = 20_000_000
	// maxRecordUnzip bounds the expanded size of an XLSX upload; workbooks
	// are the convenience format (see docs/performance.md), CSV the bulk one.
	maxRecordUnzip = 2 << 30
)

func (a *API) recordTypes(w http.ResponseWriter, r *http.Request) error {
	ts, err := a.Records.Types(r.Context())
	if err != nil {
		return err
	}
	return ok(w, ts)
}

func (a *API) listRecordImports(w http.ResponseWriter, r *http.Request) error {
	pg, size, err := paging(r)
	if err != nil {
		return err
	}
	items, total, err := a.Records.Imports(r.Context(), r.URL.Query().Get("month"), pg, size)
	if err != nil {
		return err
	}
	return ok(w, page[record.ImportLog]{Items: items, Total: total, Page: pg, PageSize: size})
}

func (a *API) listRecords(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	f := record.Filter{Month: q.Get("month"), RecordType: q.Get("recordType")}
	var err error
	if f.PersonID, err = qInt64(r, "personId"); err != nil {
		return err
	}
	if f.UnitID, err = qInt64(r, "unitId"); err != nil {
		return err
	}
	if f.Page, f.PageSize, err = paging(r); err != nil {
		return err
	}
	if key := strings.TrimSpace(q.Get("metric")); key != "" {
		m, err := a.Catalogue.Get(r.Context(), key)
		if errors.Is(err, platform.ErrNotFound) {
			return badRequest("metric", "未知的指标 unknown metric")
		}
		if err != nil {
			return err
		}
		if m.IsFormula() {
			return badRequest("metric", "公式指标没有自己的业务记录，请查看其输入指标 a formula metric has no records of its own; open one of its inputs")
		}
		if f.RecordType != "" && f.RecordType != m.RecordType {
			return badRequest("recordType", "与指标的业务类型不一致 does not match the metric's record type")
		}
		f.RecordType = m.RecordType
	}
	items, total, err := a.Records.List(r.Context(), f)
	if err != nil {
		return err
	}
	return ok(w, page[record.Credit]{Items: items, Total: total, Page: f.Page, PageSize: f.PageSize})
}

func (a *API) getJob(w http.ResponseWriter, r *http.Request) error {
	id := r.PathValue("id")
	if len(id) != 32 || strings.Trim(id, "0123456789abcdef") != "" {
		return platform.ErrNotFound
	}
	j, err := a.Jobs.Get(r.Context(), id)
	if err != nil {
		return err
	}
	return ok(w, j)
}

// startRecordImport spools the uploaded file and starts the import job;
// it answers 202 with the job to poll.
func (a *API) startRecordImport(w http.ResponseWriter, r *http.Request) error {
	if !access.FromContext(r.Context()).Can(access.RecordImport) {
		return platform.ErrForbidden
	}
	r.Body = http.MaxBytesReader(w, r.Body, maxRecordUpload+1<<20)
	mr, err := r.MultipartReader()
	if err != nil {
		return badRequest("file", "请以 multipart/form-data 上传文件（表单字段 file）upload the file as multipart/form-data (form field \"file\")")
	}
	var month, mode string
	var up *spooled
	defer func() {
		if up != nil && up.path != "" {
			_ = os.Remove(up.path) // still set only when the job was not started
		}
	}()
	for {
		part, err := mr.NextPart()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			var mbe *http.MaxBytesError
			if errors.As(err, &mbe) {
				return err
			}
			return badRequest("file", "上传内容不完整 the upload is incomplete")
		}
		switch part.FormName() {
		case "month", "mode":
			b, err := io.ReadAll(io.LimitReader(part, 64))
			if err != nil {
				return badRequest(part.FormName(), "无法读取 unreadable")
			}
			if part.FormName() == "month" {
				month = strings.TrimSpace(string(b))
			} else {
				mode = strings.TrimSpace(string(b))
			}
		case "file":
			if up != nil {
				return badRequest("file", "一次只能上传一个文件 one file at a time")
			}
			if up, err = spool(part, a.TempDir); err != nil {
				var mbe *http.MaxBytesError
				if errors.As(err, &mbe) {
					return err
				}
				return fmt.Errorf("spool upload: %w", err)
			}
		}
		_ = part.Close()
	}
	if up == nil || up.size == 0 {
		return badRequest("file", "请选择要上传的文件（表单字段 file）choose a file to upload (form field \"file\")")
	}
	req := a.recordRequest(up, month, mode)
	j, err := a.Records.StartImport(r.Context(), req)
	if err != nil {
		return err
	}
	up.path = "" // the job owns the file now
	writeJSON(w, http.StatusAccepted, j)
	return nil
}

// spooled is an upload written to a temporary file.
type spooled struct {
	path, name, sha256 string
	size, lines        int64
}

func spool(part io.Reader, dir string) (*spooled, error) {
	name := "upload"
	if p, ok := part.(interface{ FileName() string }); ok && p.FileName() != "" {
		name = filepath.Base(p.FileName())
	}
	f, err := os.CreateTemp(dir, "cmhub-upload-*")
	if err != nil {
		return nil, err
	}
	h := sha256.New()
	lc := &lineCounter{}
	n, err := io.Copy(io.MultiWriter(f, h, lc), part)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		_ = os.Remove(f.Name())
		return nil, err
	}
	return &spooled{path: f.Name(), name: name, sha256: hex.EncodeToString(h.Sum(nil)), size: n, lines: lc.lines()}, nil
}

// lineCounter counts the line breaks of a CSV upload for the progress
// total, and notices a workbook (zip) by its first bytes.
type lineCounter struct {
	n       int64
	started bool
	zip     bool
}

// lines is the line count, or 0 for a workbook, whose line breaks say
// nothing about its rows (progress then shows rows done only).
func (c *lineCounter) lines() int64 {
	if c.zip {
		return 0
	}
	return c.n
}

func (c *lineCounter) Write(p []byte) (int, error) {
	if !c.started && len(p) > 0 {
		c.started, c.zip = true, bytes.HasPrefix(p, []byte("PK"))
	}
	c.n += int64(bytes.Count(p, []byte{'\n'}))
	return len(p), nil
}

// RecordFileRequest is the import of a file already on disk (the command
// line): it is hashed and its lines counted as an upload is while spooled,
// and it is kept when the import ends.
func RecordFileRequest(path, month, mode string, reports Reports) (record.ImportRequest, error) {
	f, err := os.Open(path)
	if err != nil {
		return record.ImportRequest{}, err
	}
	defer func() { _ = f.Close() }()
	h, lc := sha256.New(), &lineCounter{}
	n, err := io.Copy(io.MultiWriter(h, lc), f)
	if err != nil {
		return record.ImportRequest{}, err
	}
	req := RecordImportRequest(path, filepath.Base(path), hex.EncodeToString(h.Sum(nil)), n, lc.lines(), month, mode, reports)
	req.Cleanup = nil
	return req, nil
}

// recordRequest describes a spooled file to the importer.
func (a *API) recordRequest(up *spooled, month, mode string) record.ImportRequest {
	return RecordImportRequest(up.path, up.name, up.sha256, up.size, up.lines, month, mode, a.Reports)
}

// RecordImportRequest is the import of the file at path (the upload
// handler's spooled file, or a file named on the command line): its
// reader, its rows estimate (0 when unknown), and where its error workbook
// goes. Cleanup removes the file when the job ends; a caller that keeps the
// file (the command line) clears it.
func RecordImportRequest(path, name, sum string, size, lines int64, month, mode string, reports Reports) record.ImportRequest {
	cols := xlsxColumns(record.ImportColumns())
	return record.ImportRequest{
		Month: month, Mode: mode, FileName: name, SHA256: sum, Size: size,
		RowsHint: max(lines-1, 0),
		Open: func() (record.Source, error) {
			f, err := os.Open(path)
			if err != nil {
				return nil, err
			}
			rd, err := xlsx.Open(f, size, name, cols, xlsx.Options{MaxBytes: maxRecordUpload, MaxRows: maxRecordRows, MaxUnzipBytes: maxRecordUnzip})
			if err != nil {
				_ = f.Close()
				if msg, ok := fileMessage(err); ok {
					return nil, &record.FileError{Message: msg}
				}
				return nil, err
			}
			return &recordSource{rd: rd, f: f}, nil
		},
		Report: func(ctx context.Context, header []string, rows []record.ReportRow) (string, error) {
			rr := make([]xlsx.ReportRow, len(rows))
			for i, r := range rows {
				rr[i] = xlsx.ReportRow{Num: r.Num, Raw: r.Raw, Messages: r.Messages}
			}
			var buf bytes.Buffer
			if err := xlsx.ErrorReport(&buf, header, rr); err != nil {
				return "", err
			}
			b := make([]byte, 16)
			_, _ = rand.Read(b)
			id := hex.EncodeToString(b)
			p := access.FromContext(ctx)
			err := reports.WithTx(ctx, func(ctx context.Context) error {
				return reports.SaveImportReport(ctx, id, p.Institution, p.UserID, "records", buf.Bytes())
			})
			return id, err
		},
		Cleanup: func() { _ = os.Remove(path) },
	}
}

// fileMessage is the user's message for a file that cannot be read as the
// template: wrong columns, encoding, format or size.
func fileMessage(err error) (string, bool) {
	var he *xlsx.HeaderError
	if errors.As(err, &he) {
		msgs := make([]string, len(he.Problems))
		for i, p := range he.Problems {
			msgs[i] = p.String()
		}
		return "表头与模板不符 the header does not match the template: " + strings.Join(msgs, "; "), true
	}
	return xlsx.UserMessage(err)
}

// recordSource adapts xlsx.Reader to record.Source.
type recordSource struct {
	rd *xlsx.Reader
	f  *os.File
}

func (s *recordSource) Next() (int, []string, []string, error) {
	num, vals, raw, err := s.rd.NextCells()
	if err == nil {
		for _, v := range vals {
			if strings.IndexByte(v, 0) >= 0 {
				return num, vals, raw, &record.CellError{Row: num, Message: "不能包含 NUL 字符 must not contain NUL characters"}
			}
		}
		return num, vals, raw, nil
	}
	var re *xlsx.RowError
	if errors.As(err, &re) {
		return num, vals, raw, &record.CellError{Row: re.Row, Column: re.Column, Message: re.Message}
	}
	if errors.Is(err, io.EOF) {
		return 0, nil, nil, io.EOF
	}
	if msg, ok := fileMessage(err); ok {
		return 0, nil, nil, &record.FileError{Message: msg}
	}
	return 0, nil, nil, err
}

func (s *recordSource) Header() []string { return s.rd.Header() }

func (s *recordSource) Close() error {
	err := s.rd.Close()
	return errors.Join(err, s.f.Close())
}
