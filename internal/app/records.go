package app

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"time"

	"cmhub/internal/access"
	"cmhub/internal/httpapi"
	"cmhub/internal/job"
	"cmhub/internal/platform"
	"cmhub/internal/record"
)

// ImportRecordsFile imports a business-record file for an institution from
// the command line, synchronously, as the system actor: what operators run
// for a month's bulk file, and what the whole-command benchmark times.
func ImportRecordsFile(ctx context.Context, s *Services, code, path, month, mode string) (job.Outcome, error) {
	inst, err := institutionID(ctx, s, code)
	if err != nil {
		return job.Outcome{}, err
	}
	req, err := httpapi.RecordFileRequest(path, month, mode, s.DB)
	if err != nil {
		return job.Outcome{}, err
	}
	ctx = access.WithPrincipal(ctx, access.System(inst, "cli"))
	return s.Records.Import(ctx, req, &job.Progress{})
}

func institutionID(ctx context.Context, s *Services, code string) (int64, error) {
	insts, err := s.DB.Institutions(ctx)
	if err != nil {
		return 0, err
	}
	for _, in := range insts {
		if in.Code == code {
			return in.ID, nil
		}
	}
	return 0, fmt.Errorf("no institution with code %q", code)
}

// GenRecordsCSV writes n synthetic business records for month over the
// customers Generate made (customers 1 … customers), as the
// CRM would export them, for benchmarks: mostly deposits and net revenue,
// with account openings, futures trades and asset snapshots among them.
func GenRecordsCSV(w io.Writer, month string, n, customers int) error {
	p, err := platform.ParsePeriod(month)
	if err != nil || p.Kind != platform.Month || customers < 1 {
		return errors.New("gen records: a month YYYY-MM and at least one customer are needed")
	}
	days := p.End().Day()
	bw := bufio.NewWriterSize(w, 1<<20)
	if _, err := bw.WriteString("流水号,业务日期,客户证件号码,业务类型,金额（元）,数量,产品/合约代码,指定客户经理工号\n"); err != nil {
		return err
	}
	types := []string{"deposit_in", "net_revenue", "deposit_in", "net_revenue", "account_opened", "futures_trade", "asset_snapshot", "valid_appointment"}
	products := []string{"bitumen_15t", "bitumen_50t", "bitumen_150t"}
	ids := map[int]string{}
	for i := range n {
		c := 1 + int((uint64(i)*2654435761)%uint64(customers))
		id, ok := ids[c]
		if !ok {
			id = genResidentID(c)
			if len(ids) < 1<<16 {
				ids[c] = id
			}
		}
		t := types[i%len(types)]
		amount, qty, product := "", "", ""
		switch t {
		case "deposit_in", "asset_snapshot":
			amount = fmt.Sprintf("%d.%02d", 1000+i%90000, i%100)
		case "net_revenue":
			amount = fmt.Sprintf("%d.%02d", i%500, i%100)
		case "futures_trade":
			qty, product = fmt.Sprint(1+i%20), products[i%3]
		}
		if _, err := fmt.Fprintf(bw, "G%s-%09d,%s-%02d,%s,%s,%s,%s,%s,\n", month, i, month, 1+i%days, id, t, amount, qty, product); err != nil {
			return err
		}
	}
	return bw.Flush()
}

// ImportBench is what BenchImport measured.
type ImportBench struct {
	Outcome job.Outcome
	Import  time.Duration // the whole import: describe the file, read, check, credit, load, commit
	Stored  int64         // rows the import stored (a record credited to two managers is two)
	Raw     time.Duration // the engine's bare bulk load of the same stored rows
}

// Ratio is the import's speed as a share of the raw load's.
func (b ImportBench) Ratio() float64 {
	if b.Import <= 0 {
		return 0
	}
	return b.Raw.Seconds() / b.Import.Seconds()
}

// BenchImport imports a file into a month that holds no records yet and
// then times the engine's raw bulk load of the rows it stored, in the
// same run on the same machine: the comparison docs/performance.md
// reports (`cmhub bench-import`).
func BenchImport(ctx context.Context, s *Services, code, path, month string) (ImportBench, error) {
	var b ImportBench
	start := time.Now()
	out, err := ImportRecordsFile(ctx, s, code, path, month, record.ModeAllOrNothing)
	b.Import, b.Outcome = time.Since(start), out
	if err != nil {
		return b, err
	}
	res, ok := out.Result.(record.Result)
	if out.Status != job.Succeeded || !ok {
		return b, fmt.Errorf("bench import: %s", out.Message)
	}
	if res.Inserted != res.Rows {
		return b, fmt.Errorf("bench import: month %s already held %d of the file's records; use a month without records", month, res.Rows-res.Inserted)
	}
	m, err := platform.ParsePeriod(month)
	if err != nil {
		return b, err
	}
	inst, err := institutionID(ctx, s, code)
	if err != nil {
		return b, err
	}
	b.Stored, b.Raw, err = s.DB.RawLoadBaseline(ctx, inst, record.MonthNumber(m))
	return b, err
}
