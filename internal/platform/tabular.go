package platform

// Column describes one column of an import template or export sheet.
type Column struct {
	Key      string
	Header   string // Chinese first, then English: "工号 EmpNo"
	Required bool
	Example  string
	Note     string
	Date     bool // a YYYY-MM-DD column, formatted as a date in templates
}

// ImportRow is one data row of an uploaded file.
type ImportRow struct {
	Num    int               // row number as the user sees it in the file (header = 1)
	Values map[string]string // by column key
}

// RowError is one problem of one row, by column key.
type RowError struct {
	Row     int    `json:"row"`
	Column  string `json:"column"`
	Message string `json:"message"`
}
