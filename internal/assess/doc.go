// Package assess is the pure core of assessment (考核, SPEC §5 and §7): no
// database, no HTTP. It holds
//
//   - scorecard templates (考核评价表, seed 000 附件一、二 and the team
//     form): items with whole maximum points totalling exactly 100, rated
//     by people or computed by an expr formula over declared inputs
//     (completion, attendance.*);
//   - sheets: entered points checked against each item's maximum and
//     totalled exactly;
//   - rater schemes (SPEC §5 table): rater groups with weights in basis
//     points totalling 10000 and a policy for a group without a submitted
//     sheet; composites with their full derivation;
//   - rater resolution for a cycle from an organisation snapshot;
//   - outcome proposals (star CM, standby training, ending a contract, RM
//     conversion, excellent RM, the credit-coop task rule) and grade
//     review proposals, each with its reason and figures;
//   - KPI weight sets (the commercial bank's, seed 003 四).
//
// Rules are data: presets ship them (see FromPreset) and an administrator
// edits them; nothing here is specific to one institution.
//
// Decisions (to be copied into docs/decisions when the capability lands):
//
//   - Points. Seed 000 gives whole maximum points and no rule for entered
//     points. A rater may enter at most one decimal place; more is refused,
//     not rounded. Points are int64 tenths (Points), never floats.
//   - Rounding. Sheet totals are exact tenths. Group means, effective
//     weights and the composite are exact rationals; the composite is
//     rounded once, half away from zero (四舍五入) to hundredths (Score).
//     Rounded group means are shown for reading only and never re-used:
//     rounding them first would turn 75.9448 into 75.95 instead of 75.94.
//   - Computed items. A formula's float result is snapped to a millionth
//     and rounded half away from zero to tenths, then bounded to 0…max
//     (recorded as clamped). The seed gives no formula for task completion;
//     the presets use full × min(completion, 1).
//   - Missing groups. Policy per scheme: renormalise scales the present
//     groups' weights up to 100%; hold gives no composite and names the
//     missing groups. With no submitted sheet at all there is never a
//     composite. The securities preset uses renormalise for the quarterly
//     person schemes (a one-person region has no peers, which must not
//     block the assessment) and hold for single-group schemes.
//   - Raters. A group is the people of some positions in the subject's
//     team, region, branch or institution (the nearest unit of that kind
//     at or above the subject's unit), never the subject. The marketing
//     department is identified by position (marketing_director,
//     marketing_staff from presets/base.json) within the subject's branch,
//     not by unit: unit kinds have no "marketing" kind, and a department
//     unit may be finance as well. People take part when probation, active
//     or standby_training.
//   - Star CM ties. Highest published composite (two decimals), then more
//     points on the rule's tie item (task completion in the securities
//     preset), then the earlier hire date (unknown last), then the smaller
//     employee number.
//   - Excellent RM. Average of all the region's team-quarter scores of the
//     year, exactly; all four quarters must be covered (preset data).
//   - Monthly rule. Below the line → standby training next month; below
//     it in consecutive calendar months (endAfter, 2) → end the contract.
//   - Credit coop. A month is missed when any task with a target is below
//     100%; a month without any target breaks a run. Any task under 30% in
//     a month converts at once.
//   - Grade review. Down is checked before up; a held composite or a
//     period without a target never moves a grade on that figure; the
//     weak-years check looks at the years up to an annual review's year,
//     or before a quarterly review's year. Thresholds are preset data.
package assess
