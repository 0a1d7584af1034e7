// Package xlsx reads uploaded spreadsheets (XLSX or CSV) row by row and
// writes exports, import templates and error workbooks.
//
// Every import and export of cmhub goes through here, so the package is
// defensive about its input and strict about its output:
//
//   - The format is detected from the content (zip magic vs text), never
//     from the file name; sizes, row counts and zip expansion are bounded.
//   - CSV may be UTF-8, UTF-8 with BOM or GBK/GB18030 as saved by Chinese
//     Excel; the encoding is sniffed from the bytes.
//   - Date cells read back as YYYY-MM-DD whatever locale format they were
//     typed with, because downstream parsers should see one layout.
//   - Every string written to a cell goes through Neutralise so a spreadsheet
//     program never evaluates user data as a formula.
//
// Values are kept as strings; parsing money, numbers and dates is the job of
// the domain package that owns the column.
package xlsx
