package assessform

import (
	"bytes"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"unicode/utf16"

	"github.com/xuri/excelize/v2"
)

// TestMain registers -update here rather than in a package variable:
// go test ./internal/assessform -run Golden -update rewrites testdata.
func TestMain(m *testing.M) {
	flag.Bool("update", false, "rewrite the golden files in testdata")
	m.Run()
}

func updating() bool { return flag.Lookup("update").Value.String() == "true" }

const footer = "cmhub 2026-11-29 导出 · 周期 2026-Q3 · 模板 cm_form v1"

func cmItems() []Item {
	return []Item{
		{"本岗位职责履职情况", "Performance of the post's duties", 20},
		{"专业技能", "Professional skill", 10},
		{"执行力", "Execution", 10},
		{"沟通协调能力", "Communication and coordination", 10},
		{"服务意识", "Service awareness", 10},
		{"任务完成率", "Task completion rate", 10},
		{"工作效率", "Work efficiency", 10},
		{"劳动纪律", "Labour discipline", 20},
	}
}

// cmForm is 附件一 with three managers: one with a half point, one with a
// remark, one not scored yet.
func cmForm() Form {
	return Form{
		Sheet:     "附件一 客户经理",
		Title:     "附件一：客户经理考核评价表",
		TitleEn:   "Customer manager assessment form",
		UnitLabel: "证券营业部",
		Unit:      "邢台市邢州北路证券营业部",
		Period:    "2026年第三季度 2026-Q3",
		Date:      "2026-10-08",
		Items:     cmItems(),
		Rows: []Row{
			{Subject: "张三（XZ0012）", Points: []string{"18", "9.5", "9", "8", "10", "10", "9", "20"}, Total: "93.5"},
			{Subject: "李四（XZ0013）", Points: []string{"15", "8", "7", "8", "9", "6", "8", "18"}, Total: "79", Remark: "任务完成率未达标，待岗培训一周"},
			{Subject: "王五（XZ0021）", Points: make([]string, 8), Remark: "未评分"},
		},
		Footer: footer,
	}
}

func rmForm() Form {
	return Form{
		Sheet:     "附件二 区域经理",
		Title:     "附件二：区域经理（区域经理助理）考核评价表",
		TitleEn:   "Regional manager (assistant) assessment form",
		UnitLabel: "营业部",
		Unit:      "邢台市邢州北路证券营业部",
		Period:    "2026年第三季度 2026-Q3",
		Date:      "2026-10-09",
		Items: []Item{
			{"本岗位职责履职情况", "Performance of the post's duties", 20},
			{"责任心及全局观", "Responsibility and overall view", 10},
			{"任务完成情况", "Task completion", 30},
			{"沟通协调能力", "Communication and coordination", 10},
			{"营销活动组织与拓展", "Organising and expanding marketing", 20},
			{"劳动纪律", "Labour discipline", 10},
		},
		Rows: []Row{
			{Subject: "赵六（XZ0003）", Points: []string{"19", "9", "27", "9", "18", "10"}, Total: "92"},
			{Subject: "钱七（XZ0004）", Points: []string{"16", "8", "21.5", "7", "15", "9"}, Total: "76.5", Remark: "区域经理助理"},
		},
		Footer: "cmhub 2026-11-29 导出 · 周期 2026-Q3 · 模板 rm_form v1",
	}
}

func teamForm() Form {
	return Form{
		Sheet:     "团队考核",
		Title:     "2026年第三季度财富一队团队考核评价表",
		TitleEn:   "Team assessment form",
		UnitLabel: "团队",
		Unit:      "财富一队",
		Period:    "2026年第三季度 2026-Q3",
		Date:      "2026-10-10",
		Items: []Item{
			{"任务完成率", "Task completion rate", 50},
			{"日常工作", "Daily work", 10},
			{"营销活动组织", "Organising marketing activities", 20},
			{"产品销售", "Product sales", 20},
		},
		Rows: []Row{
			{Subject: "财富一队", Points: []string{"45", "9", "18", "17.5"}, Total: "89.5"},
		},
		CommentLabel: "总经理评语",
		Comment:      "本季度任务完成较好，产品销售仍需加强。",
		Footer:       "cmhub 2026-11-29 导出 · 周期 2026-Q3 · 模板 team_form v1",
	}
}

// blankForm is 附件一 printed to fill in by hand: no subjects, no date.
func blankForm() Form {
	return Form{
		Sheet:        "附件一 空白",
		Title:        "附件一：客户经理考核评价表",
		TitleEn:      "Customer manager assessment form",
		UnitLabel:    "证券营业部",
		Items:        cmItems(),
		CommentLabel: "总经理评语",
	}
}

func write(t *testing.T, forms ...Form) *excelize.File {
	t.Helper()
	var buf bytes.Buffer
	if err := Write(&buf, forms); err != nil {
		t.Fatal(err)
	}
	f, err := excelize.OpenReader(&buf)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = f.Close() })
	return f
}

func TestGolden(t *testing.T) {
	for name, fm := range map[string]Form{
		"cm_form":    cmForm(),
		"rm_form":    rmForm(),
		"team_form":  teamForm(),
		"blank_form": blankForm(),
	} {
		t.Run(name, func(t *testing.T) {
			got := dump(t, write(t, fm))
			path := filepath.Join("testdata", name+".golden")
			if updating() {
				if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("%v (run with -update to create it)", err)
			}
			if got != string(want) {
				t.Errorf("%s differs from the workbook written (run with -update if the change is meant):\n%s",
					path, lineDiff(string(want), got))
			}
		})
	}
}

// TestWorkbook checks that several forms go to one workbook, one sheet
// each in order, laid out as when written alone.
func TestWorkbook(t *testing.T) {
	forms := []Form{cmForm(), rmForm(), teamForm(), blankForm()}
	f := write(t, forms...)
	var names []string
	for _, fm := range forms {
		names = append(names, fm.Sheet)
	}
	if got := f.GetSheetList(); !slices.Equal(got, names) {
		t.Fatalf("sheets %q, want %q", got, names)
	}
	for _, fm := range forms {
		var alone, together strings.Builder
		dumpSheet(t, &alone, write(t, fm), fm.Sheet, &legend{})
		dumpSheet(t, &together, f, fm.Sheet, &legend{})
		if alone.String() != together.String() {
			t.Errorf("sheet %q differs in the workbook:\n%s", fm.Sheet, lineDiff(alone.String(), together.String()))
		}
	}
}

// TestMaxTotal checks the 满分 total is the sum of the items, whatever
// the scorecard.
func TestMaxTotal(t *testing.T) {
	f := write(t, Form{Sheet: "x", Items: []Item{{"甲", "", 3}, {"乙", "", 4}}})
	for cell, want := range map[string]string{"B5": "3", "C5": "4", "D5": "7", "A4": "考核对象\nSubject", "B4": "甲", "D4": "总分\nTotal"} {
		if got, _ := f.GetCellValue("x", cell); got != want {
			t.Errorf("%s = %q, want %q", cell, got, want)
		}
	}
}

func TestNeutralised(t *testing.T) {
	fm := Form{
		Sheet: "x", Title: "=HYPERLINK(\"http://evil\")", UnitLabel: "", Unit: "@SUM(1)", Period: "-1",
		Items: []Item{{"-得分", "=en", 10}, {"项", "", 10}, {"项", "", 10}},
		Rows: []Row{{
			Subject: "=cmd|'/c calc'!A1",
			Points:  []string{"-1", "+2", "9.555"},
			Total:   "=1+1",
			Remark:  "+1",
		}},
		CommentLabel: "=X", Footer: "\t=y",
	}
	f := write(t, fm)
	for cell, want := range map[string]string{
		"A1":  "'=HYPERLINK(\"http://evil\")",
		"A3":  "'@SUM(1)",
		"B4":  "'-得分\n=en",
		"A6":  "'=cmd|'/c calc'!A1",
		"B6":  "'-1",
		"C6":  "'+2",
		"D6":  "9.555", // three decimals: text, but harmless
		"E6":  "'=1+1",
		"F6":  "'+1",
		"A7":  "'=X：",
		"A11": "'\t=y",
	} {
		got, err := f.GetCellValue("x", cell)
		if err != nil {
			t.Fatal(err)
		}
		if got != want {
			t.Errorf("%s = %q, want %q", cell, got, want)
		}
		if typ, _ := f.GetCellType("x", cell); typ != excelize.CellTypeSharedString {
			t.Errorf("%s has type %v, want a string", cell, typ)
		}
		if fx, _ := f.GetCellFormula("x", cell); fx != "" {
			t.Errorf("%s has formula %q", cell, fx)
		}
	}
	// The period starts the date cell, so that whole cell is neutralised.
	if got, _ := f.GetCellValue("x", "D3"); !strings.HasPrefix(got, "'-1") {
		t.Errorf("D3 = %q, want it neutralised", got)
	}
}

func TestDecimal(t *testing.T) {
	for in, want := range map[string]bool{
		"18": true, "9.5": true, "0": true, "100.0": true, "007": true, "999999999999999": true,
		"9.55": true, "": false, "9.": false, ".5": false, "9.555": false, "1e3": false, " 18": false, "18 ": false,
		"-1": false, "+1": false, "1,5": false, "１８": false, "٣": false, "0x10": false, "NaN": false,
		"Inf": false, "1000000000000000": false, "9.5.1": false,
	} {
		n, ok := decimal(in)
		if ok != want {
			t.Errorf("decimal(%q) = %v, want %v", in, ok, want)
		}
		if v, _ := strconv.ParseFloat(in, 64); ok && n != v {
			t.Errorf("decimal(%q) = %v, want %v", in, n, v)
		}
	}
}

func TestErrors(t *testing.T) {
	bad := rmForm()
	bad.Rows[1].Points = bad.Rows[1].Points[:5]
	for _, c := range []struct {
		name  string
		forms []Form
		want  []string
	}{
		{"nil", nil, []string{"no forms"}},
		{"empty", []Form{}, []string{"no forms"}},
		{"points", []Form{cmForm(), bad}, []string{"forms[1]", `"附件二 区域经理"`, "rows[1]", `"钱七（XZ0004）"`, "5 points for 6 items"}},
		{"points of a blank item list", []Form{{Sheet: "s", Rows: []Row{{Subject: "甲", Points: []string{"1"}}}}},
			[]string{"forms[0]", `"s"`, "rows[0]", "1 points for 0 items"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			var buf bytes.Buffer
			err := Write(&buf, c.forms)
			if err == nil {
				t.Fatal("no error")
			}
			for _, w := range c.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not name %s", err, w)
				}
			}
			if buf.Len() != 0 {
				t.Errorf("%d bytes written despite the error", buf.Len())
			}
		})
	}
}

func TestSheetNames(t *testing.T) {
	long := strings.Repeat("考核", 20)
	emoji := strings.Repeat("😀", 20) // two UTF-16 units each
	wanted := []string{
		"Q3", "q3", "Q3", "", "a/b:c*d?e[f]g\\h", "'quoted'", "History",
		long, long, emoji, "  ", "x'", "Sheet4", "tab\there",
	}
	want := []string{
		"Q3", "q3 (2)", "Q3 (3)", "Sheet4", "a_b_c_d_e_f_g_h", "quoted", "History (2)",
		strings.Repeat("考核", 15) + "考", strings.Repeat("考核", 13) + "考 (2)", strings.Repeat("😀", 15), "Sheet11", "x", "Sheet4 (2)", "tab here",
	}
	forms := make([]Form, len(wanted))
	for i, s := range wanted {
		forms[i] = Form{Sheet: s, Items: []Item{{"项", "", 10}}}
	}
	got := write(t, forms...).GetSheetList()
	if !slices.Equal(got, want) {
		t.Errorf("sheets\n%q\nwant\n%q", got, want)
	}
	seen := map[string]bool{}
	for _, n := range got {
		if len(utf16.Encode([]rune(n))) > 31 || strings.ContainsAny(n, `[]:*?/\`) ||
			strings.HasPrefix(n, "'") || strings.HasSuffix(n, "'") || seen[strings.ToLower(n)] {
			t.Errorf("sheet name %q is invalid or repeated", n)
		}
		seen[strings.ToLower(n)] = true
	}
}

// legend numbers the cell styles of a dump in order of appearance, so the
// golden files name formats rather than excelize's style indexes.
type legend struct{ sigs []string }

func (l *legend) id(sig string) string {
	i := slices.Index(l.sigs, sig)
	if i < 0 {
		l.sigs = append(l.sigs, sig)
		i = len(l.sigs) - 1
	}
	return "s" + strconv.Itoa(i+1)
}

// dump describes the workbook as the tests compare it: what a reader of
// the printed form sees, not the bytes of the file.
func dump(t *testing.T, f *excelize.File) string {
	t.Helper()
	var b strings.Builder
	l := &legend{}
	for _, name := range f.GetSheetList() {
		dumpSheet(t, &b, f, name, l)
	}
	b.WriteString("styles:\n")
	for i, s := range l.sigs {
		fmt.Fprintf(&b, "  s%d: %s\n", i+1, s)
	}
	return b.String()
}

func dumpSheet(t *testing.T, b *strings.Builder, f *excelize.File, name string, l *legend) {
	t.Helper()
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatalf("sheet %q: %v", name, err)
		}
	}
	fmt.Fprintf(b, "sheet %q\n", name)
	dim, err := f.GetSheetDimension(name)
	must(err)
	fmt.Fprintf(b, "  dimension: %s\n", dim)
	// The extent is taken from the values and merges as well, so a wrong
	// dimension cannot hide cells from the dump.
	lastCol, lastRow := 0, 0
	extend := func(ref string) {
		c, r, err := excelize.CellNameToCoordinates(ref)
		must(err)
		lastCol, lastRow = max(lastCol, c), max(lastRow, r)
	}
	if _, end, ok := strings.Cut(dim, ":"); ok {
		extend(end)
	}
	rows, err := f.GetRows(name)
	must(err)
	for r, cells := range rows {
		lastRow = max(lastRow, r+1)
		lastCol = max(lastCol, len(cells))
	}
	merged, err := f.GetMergeCells(name)
	must(err)
	for _, m := range merged {
		extend(m.GetEndAxis())
	}

	b.WriteString("  column widths:")
	for c := 1; c <= lastCol; c++ {
		col, _ := excelize.ColumnNumberToName(c)
		w, err := f.GetColWidth(name, col)
		must(err)
		fmt.Fprintf(b, " %s=%g", col, w)
	}
	b.WriteString("\n  row heights:")
	for r := 1; r <= lastRow; r++ {
		h, err := f.GetRowHeight(name, r)
		must(err)
		fmt.Fprintf(b, " %d=%g", r, h)
	}
	// A merged range reads as its first cell's value everywhere; the
	// others are listed as empty so the dump shows what is printed.
	covered := map[[2]int]bool{}
	for _, m := range merged {
		c1, r1, err := excelize.CellNameToCoordinates(m.GetStartAxis())
		must(err)
		c2, r2, err := excelize.CellNameToCoordinates(m.GetEndAxis())
		must(err)
		for r := r1; r <= r2; r++ {
			for c := c1; c <= c2; c++ {
				covered[[2]int{c, r}] = c != c1 || r != r1
			}
		}
	}
	b.WriteString("\n  cells:\n")
	for r := 1; r <= lastRow; r++ {
		// Empty styled cells are listed as runs: borders drawn for handwriting matter too.
		runStart, runStyle := 0, ""
		flush := func(c int) {
			if runStart == 0 {
				return
			}
			ref, _ := excelize.CoordinatesToCellName(runStart, r)
			if c-1 > runStart {
				to, _ := excelize.CoordinatesToCellName(c-1, r)
				ref += ":" + to
			}
			fmt.Fprintf(b, "    %s empty {%s}\n", ref, runStyle)
			runStart = 0
		}
		for c := 1; c <= lastCol; c++ {
			ref, _ := excelize.CoordinatesToCellName(c, r)
			v, err := f.GetCellValue(name, ref)
			must(err)
			if covered[[2]int{c, r}] {
				v = ""
			}
			sid, err := f.GetCellStyle(name, ref)
			must(err)
			style := ""
			if sid != 0 {
				st, err := f.GetStyle(sid)
				must(err)
				style = l.id(styleSig(st))
			}
			if v == "" {
				if style != runStyle || style == "" {
					flush(c)
				}
				if style != "" && runStart == 0 {
					runStart, runStyle = c, style
				}
				continue
			}
			flush(c)
			typ, err := f.GetCellType(name, ref)
			must(err)
			kind := "text"
			switch typ {
			case excelize.CellTypeUnset, excelize.CellTypeNumber:
				kind = "number"
			case excelize.CellTypeSharedString, excelize.CellTypeInlineString:
			default:
				kind = fmt.Sprintf("type %d", typ)
			}
			fmt.Fprintf(b, "    %s = %s %s {%s}\n", ref, strconv.Quote(v), kind, style)
			runs, err := f.GetCellRichText(name, ref)
			must(err)
			if len(runs) > 1 {
				for _, run := range runs {
					fmt.Fprintf(b, "      run %q %s\n", run.Text, fontSig(run.Font))
				}
			}
		}
		flush(lastCol + 1)
	}

	b.WriteString("  merged:")
	for _, m := range merged {
		fmt.Fprintf(b, " %s:%s", m.GetStartAxis(), m.GetEndAxis())
	}
	b.WriteString("\n")
	for _, d := range f.GetDefinedName() {
		if d.Scope == name {
			fmt.Fprintf(b, "  defined %s = %s\n", d.Name, d.RefersTo)
		}
	}
	pl, err := f.GetPageLayout(name)
	must(err)
	props, err := f.GetSheetProps(name)
	must(err)
	fmt.Fprintf(b, "  page: size=%s orientation=%s fitToWidth=%s fitToHeight=%s fitToPage=%s\n",
		ptr(pl.Size), ptr(pl.Orientation), ptr(pl.FitToWidth), ptr(pl.FitToHeight), ptr(props.FitToPage))
	margins, err := f.GetPageMargins(name)
	must(err)
	fmt.Fprintf(b, "  centred horizontally: %s\n", ptr(margins.Horizontally))
	hf, err := f.GetHeaderFooter(name)
	must(err)
	if hf != nil {
		fmt.Fprintf(b, "  page header %q footer %q\n", hf.OddHeader, hf.OddFooter)
	}
	p, err := f.GetPanes(name)
	must(err)
	fmt.Fprintf(b, "  panes: freeze=%v xSplit=%d ySplit=%d topLeft=%s active=%s\n",
		p.Freeze, p.XSplit, p.YSplit, p.TopLeftCell, p.ActivePane)
}

func ptr[T any](p *T) string {
	if p == nil {
		return "unset"
	}
	return fmt.Sprint(*p)
}

// styleSig describes a cell format by what shows on paper.
func styleSig(s *excelize.Style) string {
	var parts []string
	if f := fontSig(s.Font); f != "" {
		parts = append(parts, f)
	}
	if a := s.Alignment; a != nil {
		al := a.Horizontal + "/" + a.Vertical
		if a.WrapText {
			al += " wrap"
		}
		parts = append(parts, "align("+al+")")
	}
	if len(s.Border) > 0 {
		var bs []string
		for _, bd := range s.Border {
			bs = append(bs, fmt.Sprintf("%s:%d", bd.Type, bd.Style))
		}
		slices.Sort(bs)
		parts = append(parts, "border("+strings.Join(bs, " ")+")")
	}
	if len(s.Fill.Color) > 0 {
		parts = append(parts, "fill("+strings.Join(s.Fill.Color, " ")+")")
	}
	if s.NumFmt != 0 {
		parts = append(parts, fmt.Sprintf("numfmt(%d)", s.NumFmt))
	}
	if len(parts) == 0 {
		return "default"
	}
	return strings.Join(parts, " ")
}

func fontSig(ft *excelize.Font) string {
	if ft == nil {
		return ""
	}
	var f []string
	if ft.Bold {
		f = append(f, "bold")
	}
	if ft.Size != 0 {
		f = append(f, fmt.Sprintf("%gpt", ft.Size))
	}
	if ft.Color != "" {
		f = append(f, ft.Color)
	}
	if len(f) == 0 {
		return ""
	}
	return "font(" + strings.Join(f, " ") + ")"
}

// lineDiff lists the lines that differ, enough to see what moved.
func lineDiff(want, got string) string {
	w, g := strings.Split(want, "\n"), strings.Split(got, "\n")
	var b strings.Builder
	for i := range max(len(w), len(g)) {
		var a, c string
		if i < len(w) {
			a = w[i]
		}
		if i < len(g) {
			c = g[i]
		}
		if a != c {
			fmt.Fprintf(&b, "line %d:\n  want %s\n  got  %s\n", i+1, a, c)
		}
	}
	return b.String()
}
