//go:build !unix

package pay_test

import "time"

// cpuTime is not measured here; the benchmark reports wall time only.
func cpuTime() (time.Duration, bool) { return 0, false }
