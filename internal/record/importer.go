package record

import (
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"cmhub/internal/access"
	"cmhub/internal/audit"
	"cmhub/internal/customer"
	"cmhub/internal/job"
	"cmhub/internal/org"
	"cmhub/internal/platform"
)

// Source yields the rows of an uploaded file: the values in the order of
// ImportColumns, and the cells as read for the error workbook (both may be
// reused by the next call). A *platform.RowError is a problem of that row
// only (a cell without a header) as *CellError; a problem of the file as a
// whole is *FileError; any other error ends the import as a failure.
// io.EOF ends the file normally.
type Source interface {
	Next() (num int, values, raw []string, err error)
	Header() []string
	Close() error
}

// ReportRow is a rejected row for the error workbook.
type ReportRow struct {
	Num      int
	Raw      []string
	Messages []string
}

// ImportRequest is one uploaded file to import.
type ImportRequest struct {
	Month    string
	Mode     string
	FileName string
	SHA256   string
	Size     int64
	// RowsHint estimates the file's rows (0 when unknown), to size the
	// indexes and show progress.
	RowsHint int64
	// Open opens the file as a Source; it may be called more than once.
	Open func() (Source, error)
	// Report writes the error workbook and returns its id.
	Report func(ctx context.Context, header []string, rows []ReportRow) (string, error)
	// Cleanup removes the uploaded file; nil when there is nothing to remove.
	Cleanup func()
}

func (r ImportRequest) cleanup() {
	if r.Cleanup != nil {
		r.Cleanup()
	}
}

// Row is one stored row as the importer hands it to the store's bulk path.
type Row struct {
	Institution int64
	Month       int
	SourceID    string
	Day         int32 // days since 1970-01-01
	CustomerID  int64
	RecordType  string
	Amount      int64
	Quantity    int64
	Product     string
	PersonID    int64 // 0: credited to nobody
	UnitID      int64
	ShareBP     int
	Explicit    bool
	ContentHash int64
	ImportID    int64
}

// Limits of one import.
const (
	// maxReportRows bounds the rows kept for the error workbook; the count of
	// errors is always exact.
	maxReportRows = 20_000
	progressEvery = 4096
)

// importer is the state of one import run.
type importer struct {
	s       *Service
	p       *access.Principal
	req     ImportRequest
	month   platform.Period
	monthNo int
	first   int32 // day numbers of the month's first and last day
	last    int32

	types     map[string]Type
	ppl       *people
	cust      *customers
	inScope   func(unit int64) bool
	records   *recordTable // source hashes: the month's stored records and this file's rows
	sources   []string     // a small file's source ids (nil: read every record of the month)
	importID  int64
	replaced  []string
	newByID   map[string]Row // the new content of replaced records, for the audit
	res       Result
	errCount  int64
	listed    []platform.RowError
	report    []ReportRow
	rowErrors []string // the current row's messages
	headers   map[string]string
	invalid   bool // an all-or-nothing import has met an error: write nothing more
	readErr   error
	header    []string
}

// FileError is a problem of the uploaded file as a whole (malformed CSV in
// the middle of it, a damaged workbook) with a message for the user; a
// Source returns it and the import is rejected with that message.
type FileError struct{ Message string }

func (e *FileError) Error() string { return e.Message }

// CellError is a problem of one cell that leaves the rest of the file
// readable (a value in a column without a header).
type CellError struct {
	Row     int
	Column  string // as the user sees it: a header or a column letter
	Message string
}

func (e *CellError) Error() string { return e.Column + ": " + e.Message }

// Import runs an import to its end: the month's records are as before (the
// file was rejected, or the job failed) or as after, never in between.
func (s *Service) Import(ctx context.Context, req ImportRequest, pr *job.Progress) (job.Outcome, error) {
	p := access.FromContext(ctx)
	if !p.Can(access.RecordImport) {
		return job.Outcome{}, platform.ErrForbidden
	}
	m, err := parseMonth(req.Month)
	if err != nil {
		return job.Outcome{}, platform.Invalid("month", err.Error())
	}
	im := &importer{s: s, p: p, req: req, month: m, monthNo: MonthNumber(m),
		first: epochDay(m.Start()), last: epochDay(m.End()), headers: map[string]string{}}
	im.res.Month, im.res.FileName = m.String(), req.FileName
	for _, c := range ImportColumns() {
		im.headers[c.Key] = c.Header
	}
	hint := req.RowsHint
	pr.Total(hint)
	pr.Phase("resolving")
	if err := im.prepare(ctx, int(hint)); err != nil {
		return job.Outcome{}, err
	}
	err = s.Store.WithTx(ctx, func(ctx context.Context) error {
		im.reset()
		src, err := req.Open()
		if err != nil {
			return err
		}
		defer func() { _ = src.Close() }()
		im.header = src.Header()
		if err := s.Store.LockRecordMonth(ctx, p.Institution, m.String()); err != nil {
			return err
		}
		if err := s.Periods.EnsureOpen(ctx, p.Institution, m.Start()); err != nil {
			return err
		}
		if err := im.loadExisting(ctx, int(hint)); err != nil {
			return err
		}
		log := &ImportLog{Institution: p.Institution, Month: m.String(), FileName: req.FileName, FileSHA256: req.SHA256,
			Mode: req.Mode, JobID: jobID(ctx), CreatedBy: p.Username, CreatedByID: p.UserID, CreatedAt: s.Clock.Now()}
		if err := s.Store.CreateRecordImport(ctx, log); err != nil {
			return err
		}
		im.importID = log.ID
		pr.Phase("writing")
		next, wait := pipeline(im.rows(src, pr))
		_, err = s.Store.LoadCredits(ctx, next)
		wait() // the reader's state is the importer's again
		if err != nil {
			return err
		}
		if im.readErr != nil {
			return im.readErr
		}
		if im.invalid {
			return errRejected
		}
		pr.Phase("committing")
		if err := im.finish(ctx, log); err != nil {
			return err
		}
		// A close of the month that committed while the file was read must win.
		return s.Periods.EnsureOpen(ctx, p.Institution, m.Start())
	})
	var fe *FileError
	var ce *platform.ConflictError
	switch {
	case errors.Is(err, errRejected):
		return im.outcome(ctx, job.Rejected)
	case errors.As(err, &fe):
		return job.Outcome{Status: job.Rejected, Message: fe.Message + "；未导入任何数据 nothing was imported"}, nil
	case errors.As(err, &ce):
		return job.Outcome{Status: job.Rejected, Message: ce.Message}, nil
	case err != nil:
		return job.Outcome{}, err
	}
	if im.res.Inserted+im.res.Replaced > 0 {
		// The records are in; an index left behind only slows queries
		// down until autovacuum catches up, so its error is not the
		// import's.
		_ = s.Store.SummarizeRecords(ctx)
	}
	return im.outcome(ctx, job.Succeeded)
}

var errRejected = errors.New("import rejected")

type jobIDKey struct{}

// WithJobID tags ctx with the id of the job running an import.
func WithJobID(ctx context.Context, id string) context.Context {
	return context.WithValue(ctx, jobIDKey{}, id)
}

func jobID(ctx context.Context) string {
	id, _ := ctx.Value(jobIDKey{}).(string)
	return id
}

// prepare reads what every row is checked against: record types, the
// importer's scope, people and customers with their attributions.
func (im *importer) prepare(ctx context.Context, hint int) error {
	st, inst := im.s.Store, im.p.Institution
	types, err := st.RecordTypes(ctx, inst)
	if err != nil {
		return fmt.Errorf("record types: %w", err)
	}
	im.types = make(map[string]Type, len(types))
	for _, t := range types {
		im.types[t.Key] = t
	}
	units, err := st.Units(ctx, inst, dayOf(im.last))
	if err != nil {
		return fmt.Errorf("units: %w", err)
	}
	tree := org.NewTree(units)
	scope := im.p.Scope
	visible := map[int64]bool{}
	if !scope.All {
		for _, root := range scope.Units {
			for _, u := range tree.Subtree(root) {
				visible[u] = true
			}
		}
	}
	im.inScope = func(unit int64) bool { return scope.All || visible[unit] }
	spans, err := st.ManagerSpans(ctx, inst, im.month.Start(), im.month.End())
	if err != nil {
		return fmt.Errorf("people: %w", err)
	}
	im.ppl = newPeople(spans, im.month)
	ids, err := im.namedCustomers(ctx, hint)
	if err != nil {
		return err
	}
	size := hint
	if ids != nil {
		size = len(ids)
	}
	im.cust, err = loadCustomers(ctx, st, inst, im.month, im.ppl, ids, size)
	return err
}

// namedCustomers returns, for a small file, the ids of the customers it
// names, read in a first pass over the file, so that only those are
// indexed, and keeps the file's source ids, so that only those of the
// month's records are read; nil (index every customer, read every
// record) for a large or unsized file. Rows the first pass cannot read
// are left to the import to report.
func (im *importer) namedCustomers(ctx context.Context, hint int) ([]int64, error) {
	limit := im.s.SmallFile
	if limit == 0 {
		limit = DefaultSmallFile
	}
	if hint <= 0 || hint > limit {
		return nil, nil
	}
	src, err := im.req.Open()
	if err != nil {
		return nil, nil // the import opens it again and reports
	}
	defer func() { _ = src.Close() }()
	seen := map[string]bool{}
	var numbers, sources []string
	for {
		_, vals, _, err := src.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		var ce *CellError
		if err != nil && !errors.As(err, &ce) {
			break // the import reports it
		}
		if err != nil || len(vals) < 3 {
			continue
		}
		if vals[0] != "" {
			sources = append(sources, strings.Clone(vals[0]))
		}
		n := customer.NormaliseIDNumber(vals[2])
		if n == "" || seen[n] {
			continue
		}
		if len(numbers) == limit {
			return nil, nil // more rows than the hint said: index everyone
		}
		seen[n] = true
		numbers = append(numbers, n)
	}
	ids, err := im.s.Store.CustomerIDsByIDNumber(ctx, im.p.Institution, numbers)
	if err != nil {
		return nil, fmt.Errorf("customers: %w", err)
	}
	slices.Sort(ids)
	if ids == nil {
		ids = []int64{}
	}
	if sources == nil {
		sources = []string{}
	}
	im.sources = sources
	return ids, nil
}

// loadExisting reads the month's records as they stand under the lock.
func (im *importer) loadExisting(ctx context.Context, hint int) error {
	// Sized for the file: a re-import holds the same ids; a month of other
	// records grows the table.
	im.records = newRecordTable(hint)
	imported, err := im.s.Store.MonthImported(ctx, im.p.Institution, im.res.Month)
	if err != nil || !imported {
		return err // a month never imported holds nothing to read
	}
	err = im.s.Store.EachRecordKey(ctx, im.p.Institution, im.monthNo, im.sources, func(id string, h int64) error {
		im.records.store(sourceHash(id), uint64(h))
		return nil
	})
	if err != nil {
		return fmt.Errorf("existing records: %w", err)
	}
	return nil
}

// reset clears what a retried transaction must compute again.
func (im *importer) reset() {
	im.res = Result{Month: im.res.Month, FileName: im.res.FileName}
	im.errCount, im.listed, im.report, im.replaced, im.invalid, im.readErr = 0, nil, nil, nil, false, nil
	im.newByID = map[string]Row{}
}

// rows returns the generator the bulk load pulls from: it reads, checks
// and credits one file row at a time and yields its stored rows. After
// an error in an all-or-nothing import it reads on to report every
// error but yields nothing more.
func (im *importer) rows(src Source, pr *job.Progress) func() (*Row, bool) {
	var buf []Row
	pos := 0
	var owners []attRow
	var row Row
	ahead := &readAhead{src: src}
	return func() (*Row, bool) {
		for pos == len(buf) {
			r := ahead.next(im)
			var re *CellError
			switch {
			case errors.Is(r.err, io.EOF):
				pr.Done(im.res.Rows)
				return nil, false
			case errors.As(r.err, &re):
				im.res.Rows++
				im.rowErrors = append(im.rowErrors[:0], im.cellError(re.Row, re.Column, re.Message))
				im.reject(r.num, r.raw)
				continue
			case r.err != nil:
				im.readErr = r.err
				return nil, false
			}
			im.res.Rows++
			if im.res.Rows%progressEvery == 0 {
				pr.Done(im.res.Rows)
			}
			buf, owners = im.credit(r, buf[:0], owners, &row)
			pos = 0
		}
		pos++
		return &buf[pos-1], true
	}
}

// readAheadRows is how many rows are read before any is credited.
const readAheadRows = 64

// readAhead reads rows a few dozen at a time and, before they are
// credited, touches the table slots their customer and source id hash to.
// At ten million customers every lookup misses the CPU caches; touched
// together, the misses of a batch overlap instead of following one
// another, and crediting then finds the slots in cache.
type readAhead struct {
	src   Source
	rows  []aheadRow
	vals  []string // the rows' values, copied: a Source may reuse its slice
	pos   int
	done  bool
	touch uint64 // keeps the touching loads from being optimised away
}

type aheadRow struct {
	num    int
	vals   []string
	raw    []string
	err    error
	ch, sh uint64 // hashes of the customer ID number and the source id
}

func (a *readAhead) next(im *importer) *aheadRow {
	if a.pos == len(a.rows) {
		a.fill(im)
	}
	a.pos++
	return &a.rows[a.pos-1]
}

func (a *readAhead) fill(im *importer) {
	a.rows, a.pos = a.rows[:0], 0
	n := len(ImportColumns())
	if a.vals == nil {
		a.vals = make([]string, readAheadRows*n)
	}
	for !a.done && len(a.rows) < readAheadRows {
		num, vals, raw, err := a.src.Next()
		r := aheadRow{num: num, raw: raw, err: err}
		if err == nil {
			r.vals = a.vals[len(a.rows)*n : (len(a.rows)+1)*n]
			copy(r.vals, vals)
			r.ch, r.sh = keyHash(r.vals[2]), sourceHash(r.vals[0])
		} else if !errors.As(err, new(*CellError)) {
			a.done = true // the end, or an error that ends the file
		}
		a.rows = append(a.rows, r)
	}
	if len(a.rows) == 0 {
		a.rows = append(a.rows, aheadRow{err: io.EOF}) // asked again after the end
	}
	for i := range a.rows {
		if a.rows[i].err == nil {
			a.touch += im.cust.slot.peek(a.rows[i].ch) + im.records.peek(a.rows[i].sh)
		}
	}
}

// pipelineBatch is how many rows the reading goroutine hands over at once.
const pipelineBatch = 2048

// pipeline runs gen — reading, checking and crediting the file — on its
// own goroutine, a few batches ahead of the writer, so that the two use
// both cores (SQLite writes on the importer's own goroutine; PostgreSQL's
// COPY encoding shares it). next yields gen's rows in order; wait stops
// gen early if the writer gave up, and returns once gen is done, after
// which the importer's state may be read again.
func pipeline(gen func() (*Row, bool)) (next func() (*Row, bool), wait func()) {
	full := make(chan []Row, 2)
	free := make(chan []Row, 4)
	stop := make(chan struct{})
	done := make(chan struct{})
	go func() {
		defer close(done)
		defer close(full)
		for more := true; more; {
			select {
			case <-stop:
				return
			default:
			}
			var b []Row
			select {
			case b = <-free:
				b = b[:0]
			default:
				b = make([]Row, 0, pipelineBatch)
			}
			for len(b) < pipelineBatch {
				r, ok := gen()
				if !ok {
					more = false
					break
				}
				b = append(b, *r)
			}
			if len(b) == 0 {
				return
			}
			select {
			case full <- b:
			case <-stop:
				return
			}
		}
	}()
	var cur []Row
	pos := 0
	next = func() (*Row, bool) {
		for pos == len(cur) {
			if cur != nil {
				select {
				case free <- cur:
				default:
				}
			}
			var ok bool
			if cur, ok = <-full; !ok {
				cur, pos = nil, 0
				return nil, false
			}
			pos = 0
		}
		pos++
		return &cur[pos-1], true
	}
	var once bool
	wait = func() {
		if !once {
			once = true
			close(stop)
		}
		<-done
	}
	return next, wait
}

// fail records a problem of the current row.
func (im *importer) fail(num int, col, msg string) {
	im.rowErrors = append(im.rowErrors, im.cellError(num, col, msg))
}

func (im *importer) cellError(num int, col, msg string) string {
	h := im.headers[col]
	if h == "" {
		h = col
	}
	im.errCount++
	if len(im.listed) < job.MaxListedErrors {
		im.listed = append(im.listed, platform.RowError{Row: num, Column: h, Message: msg})
	}
	return "「" + h + "」" + msg
}

// reject counts a row that will not be written and keeps it for the workbook.
func (im *importer) reject(num int, raw []string) {
	im.res.Rejected++
	if im.req.Mode == ModeAllOrNothing {
		im.invalid = true
	}
	if len(im.report) < maxReportRows {
		im.report = append(im.report, ReportRow{Num: num, Raw: append([]string(nil), raw...), Messages: append([]string(nil), im.rowErrors...)})
	}
}

// credit checks one row and appends its stored rows to out.
func (im *importer) credit(r *aheadRow, out []Row, owners []attRow, row *Row) ([]Row, []attRow) {
	num, v, raw := r.num, r.vals, r.raw
	im.rowErrors = im.rowErrors[:0]
	src := v[0]
	switch {
	case src == "":
		im.fail(num, colSource, "必填 required")
	case utf8.RuneCountInString(src) > maxSourceID || !printable(src):
		im.fail(num, colSource, "最多 64 个字符，不能含控制字符 at most 64 characters, no control characters")
	}
	day, ok := parseDay(v[1])
	switch {
	case v[1] == "":
		im.fail(num, colDate, "必填 required")
	case !ok:
		im.fail(num, colDate, "「"+v[1]+"」不是日期 YYYY-MM-DD not a date")
	case day < im.first || day > im.last:
		im.fail(num, colDate, fmt.Sprintf("%s 不在导入月份 %s 内 is outside the month imported, %s", v[1], im.res.Month, im.res.Month))
	}
	slot := int32(-1)
	ch := r.ch
	switch v[2] {
	case "":
		im.fail(num, colCustomer, "必填 required")
	default:
		if slot = im.cust.lookup(ch); slot < 0 {
			im.fail(num, colCustomer, "没有此证件号码的客户，请先建立客户档案 no customer with this ID number; create the customer first")
		} else if !im.inScope(im.cust.branches[im.cust.branch[slot]]) {
			im.fail(num, colCustomer, "客户不在您的管辖范围 the customer is outside your scope")
			slot = -1
		}
	}
	typ, okType := im.types[v[3]]
	if !okType {
		if v[3] == "" {
			im.fail(num, colType, "必填 required")
		} else {
			im.fail(num, colType, "未知的业务类型「"+v[3]+"」，可用："+im.typeList()+" unknown record type")
		}
	}
	amount, err := ParseFixed(v[4], 2)
	if err != nil {
		im.fail(num, colAmount, "「"+v[4]+"」"+err.Error())
	} else if amount < 0 && okType && typ.AmountSign == SignNonNegative {
		im.fail(num, colAmount, "业务类型 "+typ.Key+" 的金额不能为负 the amount of "+typ.Key+" cannot be negative")
	}
	qty, err := ParseFixed(v[5], 3)
	if err != nil {
		im.fail(num, colQuantity, "「"+v[5]+"」"+err.Error())
	} else if qty < 0 && okType && typ.QuantitySign == SignNonNegative {
		im.fail(num, colQuantity, "业务类型 "+typ.Key+" 的数量不能为负 the quantity of "+typ.Key+" cannot be negative")
	}
	product := v[6]
	if utf8.RuneCountInString(product) > maxProduct || !printable(product) {
		im.fail(num, colProduct, "最多 64 个字符，不能含控制字符 at most 64 characters, no control characters")
	}
	mgr := int32(-1)
	if e := v[7]; e != "" {
		i, found := im.ppl.empNo[e]
		switch {
		case !found:
			im.fail(num, colManager, "工号「"+e+"」不存在或本月不在职 unknown employee number, or not employed this month")
		case ok && im.ppl.unitOn(i, day) == 0:
			im.fail(num, colManager, fmt.Sprintf("工号「%s」在 %s 不在职 not employed on %s", e, v[1], v[1]))
		case ok && !im.inScope(im.ppl.unitOn(i, day)):
			im.fail(num, colManager, "工号「"+e+"」不在您的管辖范围 outside your scope")
		default:
			mgr = i
		}
	}
	var old uint64
	var exists bool
	if len(im.rowErrors) == 0 {
		var first int32
		if first, old, exists = im.records.see(r.sh, int32(num)); first != 0 {
			im.fail(num, colSource, fmt.Sprintf("流水号与第 %d 行重复 the same source id as row %d", first, first))
		}
	}
	if len(im.rowErrors) > 0 {
		im.reject(num, raw)
		return out, owners
	}
	hash := contentHash(day, ch, typ.Key, amount, qty, product, v[7])
	if exists && old == hash {
		im.res.Unchanged++
		return out, owners
	}
	if im.invalid {
		return out, owners // read on for errors, write nothing
	}
	*row = Row{Institution: im.p.Institution, Month: im.monthNo, SourceID: src, Day: day,
		CustomerID: im.cust.id[slot], RecordType: typ.Key, Amount: amount, Quantity: qty, Product: product,
		ContentHash: int64(hash), ImportID: im.importID}
	if exists {
		im.res.Replaced++
		src = strings.Clone(src)
		row.SourceID = src
		im.replaced = append(im.replaced, src)
		im.newByID[src] = *row
	} else {
		im.res.Inserted++
	}
	branch := im.cust.branches[im.cust.branch[slot]]
	if mgr >= 0 {
		r := *row
		r.PersonID, r.UnitID, r.ShareBP, r.Explicit = im.ppl.ids[mgr], im.ppl.unitOn(mgr, day), 10000, true
		return append(out, r), owners
	}
	owners = im.cust.owners(slot, day, owners)
	if len(owners) == 0 {
		r := *row
		r.UnitID, r.ShareBP = branch, 10000
		return append(out, r), owners
	}
	for _, a := range owners {
		r := *row
		r.PersonID, r.ShareBP = im.ppl.ids[a.person], int(a.share)
		if r.UnitID = im.ppl.unitOn(a.person, day); r.UnitID == 0 {
			r.UnitID = branch // the manager had left: the branch keeps their share
		}
		out = append(out, r)
	}
	return out, owners
}

func (im *importer) typeList() string {
	keys := make([]string, 0, len(im.types))
	for k := range im.types {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return strings.Join(keys, ", ")
}

func printable(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < 0x20 || s[i] == 0x7f {
			return false
		}
	}
	return true
}

// finish deletes the old rows of replaced records, completes the import
// log and writes the audit entries.
func (im *importer) finish(ctx context.Context, log *ImportLog) error {
	st := im.s.Store
	olds, err := st.DeleteReplaced(ctx, im.p.Institution, im.monthNo, im.importID, im.replaced)
	if err != nil {
		return fmt.Errorf("replace records: %w", err)
	}
	log.Rows, log.Inserted, log.Replaced, log.Unchanged, log.Rejected = im.res.Rows, im.res.Inserted, im.res.Replaced, im.res.Unchanged, im.res.Rejected
	if err := st.FinishRecordImport(ctx, log); err != nil {
		return err
	}
	im.res.ImportID = log.ID
	changes := make([]audit.Change, 0, 1+len(im.replaced))
	changes = append(changes, audit.Change{Action: "record.import", ObjectType: "record_import", ObjectID: strconv.FormatInt(log.ID, 10),
		After: map[string]any{"month": log.Month, "fileName": log.FileName, "sha256": log.FileSHA256, "mode": log.Mode,
			"rows": log.Rows, "inserted": log.Inserted, "replaced": log.Replaced, "unchanged": log.Unchanged, "rejected": log.Rejected}})
	byID := map[string][]Credit{}
	for _, c := range olds {
		byID[c.SourceID] = append(byID[c.SourceID], c)
	}
	for _, id := range im.replaced {
		n := im.newByID[id]
		before := map[string]any{}
		if cs := byID[id]; len(cs) > 0 {
			c := cs[0]
			credits := make([]map[string]any, len(cs))
			for i, x := range cs {
				credits[i] = map[string]any{"personId": x.PersonID, "shareBp": x.ShareBP, "explicit": x.Explicit}
			}
			before = map[string]any{"date": c.Date, "customerId": c.CustomerID, "recordType": c.RecordType,
				"amount": FormatFixed(c.Amount, 2), "quantity": FormatFixed(c.Quantity, 3), "product": c.Product, "credits": credits}
		}
		changes = append(changes, audit.Change{Action: "record.replace", ObjectType: "business_record",
			ObjectID: log.Month + "/" + id, Reason: fmt.Sprintf("导入 %d 替换 replaced by import %d", log.ID, log.ID), Before: before,
			After: map[string]any{"date": dayOf(n.Day), "customerId": n.CustomerID, "recordType": n.RecordType,
				"amount": FormatFixed(n.Amount, 2), "quantity": FormatFixed(n.Quantity, 3), "product": n.Product}})
	}
	return im.s.Audit.RecordMany(ctx, changes)
}

// outcome reports the import: counts, errors, and the workbook of the
// rejected rows when there are any.
func (im *importer) outcome(ctx context.Context, status string) (job.Outcome, error) {
	out := job.Outcome{Status: status, Result: im.res, Errors: im.listed, ErrorCount: im.errCount}
	if len(im.report) > 0 {
		id, err := im.req.Report(ctx, im.header, im.report)
		if err != nil {
			return job.Outcome{}, fmt.Errorf("error workbook: %w", err)
		}
		out.ReportID = id
	}
	switch {
	case status == job.Rejected:
		out.Message = fmt.Sprintf("文件有 %d 处错误（%d 行），未导入任何数据 %d errors in %d rows; nothing was imported", im.errCount, im.res.Rejected, im.errCount, im.res.Rejected)
	case im.res.Rejected > 0:
		out.Message = fmt.Sprintf("已导入有效行；%d 行有错误未导入，见错误工作簿 valid rows imported; %d rows with errors were not, see the error workbook", im.res.Rejected, im.res.Rejected)
	default:
		out.Message = fmt.Sprintf("导入完成：新增 %d，替换 %d，未变 %d done: %d inserted, %d replaced, %d unchanged",
			im.res.Inserted, im.res.Replaced, im.res.Unchanged, im.res.Inserted, im.res.Replaced, im.res.Unchanged)
	}
	return out, nil
}
