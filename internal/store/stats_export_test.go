package store

import "context"

// BareMonthForBench is the bare GROUP BY of one month's records by person
// and type, read to the end: the baseline of BenchmarkMonthlyStats.
func (db *DB) BareMonthForBench(ctx context.Context, institution int64, month int) (int, error) {
	rows, err := db.query(ctx, `SELECT person_id, record_type, SUM(amount), SUM(quantity), COUNT(*) FROM business_records
		WHERE institution_id = ? AND month = ? GROUP BY person_id, record_type`, institution, month)
	if err != nil {
		return 0, err
	}
	defer rows.Close()
	n := 0
	var person *int64
	var typ string
	var amount, quantity any
	var count int64
	for rows.Next() {
		if err := rows.Scan(&person, &typ, &amount, &quantity, &count); err != nil {
			return 0, err
		}
		n++
	}
	return n, rows.Err()
}
