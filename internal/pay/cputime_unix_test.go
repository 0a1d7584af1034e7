//go:build unix

package pay_test

import (
	"syscall"
	"time"
)

// cpuTime is the CPU time the process has used. Benchmarks report their
// rate per CPU-second as well as per wall-second: on a shared machine the
// wall clock also counts the time other processes had the core.
func cpuTime() (time.Duration, bool) {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0, false
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano()), true
}
