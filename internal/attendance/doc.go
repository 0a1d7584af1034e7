// Package attendance is the pure core of work discipline's attendance part
// (考勤, SPEC §2 and seed 001 第八条): no database, no HTTP. It holds
//
//   - the working calendar of an institution and year: Monday to Friday by
//     default, with entries for public holidays (法定节假日), make-up
//     workdays (调休上班) and company rest days, and the parser of the
//     calendar import;
//   - attendance rules as data: working hours, grace, the thresholds after
//     which lateness or leaving early counts as half a day or a whole day of
//     absence (旷工, seed 002 客户经理管理制度 一), what a missing punch
//     counts as, whether an outing (外出) counts as attended, and the rule
//     for full attendance (全勤);
//   - daily records from the punch clock, the phone or the team lead's
//     manual entry, each kept with its source, and the derivation of one
//     day's status with its reason;
//   - the punch-clock import parser (untrusted input, fuzzed);
//   - leave types as data and the pure check of a leave request;
//   - the monthly summary that pay and the labour-discipline scorecard item
//     read, as figures named like the assessment inputs.
//
// Calendars and rulesets are validated once and immutable afterwards, so one
// value serves every person of a month, concurrently if the caller wishes.
// Decisions are recorded in docs/decisions/0018-calendar-and-attendance.md.
package attendance
