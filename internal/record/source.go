package record

import "io"

// MemorySource is a Source over rows held in memory, in the order of
// ImportColumns: for the demo loader and tests. Row numbers start at 2,
// below a header row, as in a spreadsheet.
type MemorySource struct {
	Rows [][]string
	i    int
}

// Next implements Source.
func (m *MemorySource) Next() (int, []string, []string, error) {
	if m.i == len(m.Rows) {
		return 0, nil, nil, io.EOF
	}
	m.i++
	r := m.Rows[m.i-1]
	vals := make([]string, len(ImportColumns()))
	copy(vals, r)
	return m.i + 1, vals, r, nil
}

// Header implements Source.
func (m *MemorySource) Header() []string {
	cols := ImportColumns()
	h := make([]string, len(cols))
	for i, c := range cols {
		h[i] = c.Header
	}
	return h
}

// Close implements Source.
func (m *MemorySource) Close() error { return nil }
