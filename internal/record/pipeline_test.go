package record

import (
	"sync/atomic"
	"testing"
)

func countingGen(n int, calls *atomic.Int64) func() (*Row, bool) {
	var r Row
	return func() (*Row, bool) {
		if int(calls.Add(1)) > n {
			return nil, false
		}
		r.Amount++
		return &r, true
	}
}

func TestPipelineYieldsEveryRowInOrder(t *testing.T) {
	for _, n := range []int{0, 1, pipelineBatch - 1, pipelineBatch, 3*pipelineBatch + 7} {
		var calls atomic.Int64
		next, wait := pipeline(countingGen(n, &calls))
		var got int64
		for r, ok := next(); ok; r, ok = next() {
			got++
			if r.Amount != got {
				t.Fatalf("n=%d: row %d carries %d", n, got, r.Amount)
			}
		}
		wait()
		if got != int64(n) {
			t.Fatalf("n=%d: %d rows", n, got)
		}
		if _, ok := next(); ok {
			t.Fatalf("n=%d: a row after the end", n)
		}
	}
}

// A writer that gives up (COPY failed) must not leave the reader running
// through the rest of the file, and wait must return.
func TestPipelineStopsWhenTheWriterGivesUp(t *testing.T) {
	var calls atomic.Int64
	const n = 1_000_000
	next, wait := pipeline(countingGen(n, &calls))
	for range 10 {
		if _, ok := next(); !ok {
			t.Fatal("ended early")
		}
	}
	wait()
	if c := calls.Load(); c > 8*pipelineBatch {
		t.Fatalf("the reader went on for %d rows after the writer stopped", c)
	}
}
