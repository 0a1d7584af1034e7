// Package platform is the small shared kernel: clock, calendar dates, periods.
// It has no dependencies on other cmhub packages.
package platform

import "time"

// Clock tells the time. Services take one so tests can pin "now".
type Clock interface{ Now() time.Time }

// SystemClock is the real clock, always in UTC.
type SystemClock struct{}

// Now returns the current UTC time.
func (SystemClock) Now() time.Time { return time.Now().UTC() }

// FixedClock always returns T; for tests and reproducible demos.
type FixedClock struct{ T time.Time }

// Now returns the fixed instant.
func (c FixedClock) Now() time.Time { return c.T }
