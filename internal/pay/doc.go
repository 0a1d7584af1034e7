// Package pay is the pure core of compensation (薪酬, SPEC §6): pay plans
// as versioned data, evaluated exactly. No database, no HTTP.
//
//   - A Plan (薪酬方案) applies to some positions from an effective month;
//     a change is a new version. It has named parameters and ordered
//     components — earnings, deductions and info figures — each a formula
//     in expr's syntax, an optional condition and an optional tier table
//     (whole 全额 or marginal 超额累进).
//   - Compile checks a plan and compiles every formula once: unknown names,
//     references to the component itself or to later ones, and anything
//     outside the small formula language are field errors
//     ("components.commission.formula") with the position, Chinese first.
//   - Formulas read the month's metrics, the attendance summary, the
//     person (grade, position, status, months in service), history
//     (history.months_without_<metric>), parameters and earlier components.
//   - Numbers are exact (Num: int64 fractions, big.Rat beyond). Each paid
//     component is rounded once, to the fen, half away from zero; totals
//     are sums of those fen. A float64 never decides a yuan.
//   - An Evaluator turns Facts into a Statement that explains every yuan:
//     each line's formula, condition, inputs with their values, the tier
//     bracket used, exact and rounded amounts, and the plan key and
//     version. Evaluation is deterministic; a division by zero or a
//     missing input stops it and names the component.
//   - Select finds the version in effect for a position and month;
//     Compare gives the per-line differences of two statements (what-if).
//
// The presets ship plans ("payPlans"); FromPreset compiles them. See
// docs/decisions/0016-pay-plans.md for the choices and their reasons.
package pay
