// Types of the cmhub HTTP API (docs/api.md). Optional/nullable where the
// contract allows a value to be absent.

export interface User {
  id: number
  username: string
  displayName: string
  personId: number | null
}

export interface Scope {
  level: string
  unitId?: number | null
  unitName?: string | null
}

export interface Me {
  user: User
  permissions: string[]
  menus: string[]
  scopes: Scope[]
}

export interface DictItem {
  code: string
  zh: string
  en: string
  rank?: number
}

export interface Dicts {
  unitKinds: DictItem[]
  positions: DictItem[]
  grades: DictItem[]
  statuses: DictItem[]
  employmentTypes: DictItem[]
  dataScopes: DictItem[]
  genders: DictItem[]
}

export interface Page<T> {
  items: T[]
  total: number
  page: number
  pageSize: number
}

export interface Unit {
  id: number
  parentId: number | null
  kind: string
  code: string
  name: string
  nameEn: string | null
  openedOn: string | null
  closedOn: string | null
  headcount: number
}

export interface UnitParentHistory {
  parentId: number | null
  parentName: string | null
  validFrom: string
  validTo: string | null
  reason?: string | null
}

export interface Stationed {
  personId: number
  empNo: string
  name: string
  validFrom: string
  validTo: string | null
}

export interface UnitDetail extends Unit {
  history?: UnitParentHistory[]
  stationed?: Stationed[]
}

export interface Person {
  id: number
  empNo: string
  name: string
  gender: string | null
  idNumber: string | null
  phone: string | null
  employmentType: string | null
  hiredOn: string | null
  probationEnd: string | null
  contractEnd: string | null
  unitId: number
  unitName: string
  unitPath: string | null
  position: string
  grade: string | null
  status: string
  validFrom: string | null
}

export interface PersonRecord {
  id: number
  validFrom: string
  validTo: string | null
  unitId: number
  unitName: string
  position: string
  grade: string | null
  status: string
  reason: string | null
}

export interface PersonDetail extends Person {
  history: PersonRecord[]
}

export interface ImportResult {
  created: number
  updated: number
}

export interface ImportRowError {
  row: number
  column: string
  message: string
}

export interface Period {
  key: string
  kind: string
  status: string
  closedAt: string | null
  closedBy: string | number | null
}

export interface AuditEntry {
  seq: number
  at: string
  actorId: number | null
  actorName: string | null
  action: string
  objectType: string
  objectId: string | number
  before: unknown
  after: unknown
  reason: string | null
  requestId: string | null
}

export interface Role {
  id: number
  code: string
  name: string
  nameEn: string | null
  dataScope: string
  permissions: string[]
}

export interface UserRow {
  id: number
  username: string
  displayName: string
  personId: number | null
  empNo: string | null
  roles: string[]
  disabled: boolean
  lockedUntil: string | null
}

// ---- customers and attribution (营销归属) ----

/** A code with its Chinese and English names (GET /api/customers/options). */
export interface CodeLabel {
  code: string
  zh: string
  en: string
}

export interface IdTypeLabel extends CodeLabel {
  /** The customer kind the document identifies (person | company). */
  kind: string
}

export interface CustomerOptions {
  kinds: CodeLabel[]
  roles: CodeLabel[]
  idTypes: IdTypeLabel[]
}

export interface Customer {
  id: number
  kind: string
  name: string
  idType: string
  /** Masked unless the viewer holds customer:pii. */
  idNumber: string
  /** Masked unless the viewer holds customer:pii. */
  phone: string
  address: string
  branchId: number
  branchName: string
  openedOn: string
  createdAt: string
  updatedAt: string
  /** The primary manager on the requested date; 0 and "" when none. */
  managerId: number
  managerEmpNo: string
  managerName: string
}

export interface Attribution {
  id: number
  customerId: number
  personId: number
  empNo: string
  personName: string
  role: string
  shareBp: number
  validFrom: string
  /** The last day in force; null while current. */
  validTo: string | null
  changeId: number
  changeKind: string
  reason: string
  formId: number
  formSerial: string
}

/** A marketing-customer confirmation form (营销客户确认单). */
export interface ConfirmationForm {
  id: number
  serial: string
  branchId: number
  branchName: string
  month: string
  seq: number
  customerId: number
  customerName: string
  personId: number
  empNo: string
  personName: string
  role: string
  shareBp: number
  effectiveFrom: string
  kind: string
  signedOn: string
  archived: boolean
  archivedAt: string | null
  archivedBy: string
  createdBy: string
  createdAt: string
}

export interface CustomerDetail extends Customer {
  attributions: Attribution[]
  forms: ConfirmationForm[]
}

/** One manager's part in a customer; shareBp in basis points (10000 = 100%). */
export interface Holder {
  personId: number
  role: string
  shareBp: number
}

export interface SerialRange {
  branchId: number
  month: string
  first: string
  last: string
  count: number
}

export interface TransferResult {
  changeId: number
  customers: number
  forms: SerialRange[]
  /** imported business records dated on or after the effective date, now credited to the new manager */
  recredited: number
}

export interface ArchiveResult {
  archived: number
  serials: string[]
}

export interface DuplicateOwner {
  empNo: string
  name: string
  unitName: string
  role: string
}

export interface Duplicate {
  field: 'idNumber' | 'phone' | string
  /** Present only when the viewer may open the customer. */
  customerId?: number
  visible: boolean
  branchName: string
  owners: DuplicateOwner[]
}

// ---- metric catalogue (指标库) ----

export interface Metric {
  id: number
  key: string
  nameZh: string
  nameEn: string
  unit: string
  /** Empty for a formula metric. */
  aggregation: string
  sourceKind: 'record' | 'formula' | string
  recordType?: string
  field?: string
  /** product code → factor ("1", "0.5", "10/3"); "*" for every other product. */
  conversion?: Record<string, string>
  formula?: string
  description: string
  active: boolean
  version: number
  updatedAt: string
}

export interface MetricList {
  items: Metric[]
  units: string[]
  aggregations: string[]
}

/** Body of POST /api/metrics and PUT /api/metrics/{key}. */
export interface MetricInput {
  key: string
  nameZh: string
  nameEn: string
  unit: string
  aggregation: string
  recordType: string
  field: string
  conversion: Record<string, string>
  formula: string
  description: string
  active?: boolean
  version?: number
}

// ---- targets (任务) ----

/** How a metric's targets are decomposed: children at most the parent, exactly the parent, or not summed. */
export type TargetMode = 'at_most' | 'exact' | 'independent'

/** Status of a parent's decomposition; "" (absent) for leaves and independent metrics. */
export type TargetStatus = 'not_decomposed' | 'within' | 'complete' | 'incomplete' | 'exceeded' | 'no_target'

/** One target. `value` is in the metric's minor unit; `amount` is the exact decimal in the natural unit — use it, never `value`, for arithmetic. */
export interface Target {
  id: number
  period: string
  metric: string
  unitId?: number
  personId?: number
  personUnitId?: number
  unit: string
  value: number
  amount: string
  note: string
  version: number
  setBy: string
  setById: number
  setAt: string
}

export interface TargetNode {
  type: 'unit' | 'person'
  unitId?: number
  unitKind?: string
  code?: string
  personId?: number
  empNo?: string
  name: string
  /** An ancestor shown for orientation: its own target only, not editable. */
  context?: boolean
  target: Target | null
  childrenSum?: number
  childrenSumAmount?: string
  remaining?: number
  remainingAmount?: string
  status?: TargetStatus | ''
  children?: TargetNode[]
  /** Has children below the requested depth (load them with root=unitId). */
  more?: boolean
}

/** GET /api/targets/tree */
export interface TargetTree {
  period: string
  /** The period's first day: the organisation and people as then. */
  asOf: string
  metric: string
  metricName: string
  metricNameEn: string
  unit: string
  scale: number
  mode: TargetMode
  /** Absent when there was no organisation on that day. */
  root?: TargetNode | null
}

/** A parent's decomposition after a write. */
export interface TargetCheck {
  unitId: number
  name: string
  target: Target | null
  sum: number
  sumAmount: string
  remaining: number | null
  remainingAmount?: string
  status: TargetStatus | ''
}

/** PUT /api/targets */
export interface TargetSetResult {
  target: Target
  /** null for a target at the top of the tree. */
  parent: TargetCheck | null
}

/** POST /api/targets/decompose: every direct child's target after the (dry) run. */
export interface Decomposition extends TargetCheck {
  children: Target[] | null
  written: number
  dryRun: boolean
}

export interface TargetRule {
  metric: string
  mode: TargetMode
  /** No stored rule: the metric's default mode. */
  default: boolean
  version: number
  updatedBy?: string
  updatedAt?: string
}

// ---- business records (业务记录), their imports and background jobs ----

/** A kind of business record the institution imports (GET /api/record-types). */
export interface RecordType {
  key: string
  nameZh: string
  nameEn: string
  /** "non_negative" refuses negative amounts at import; "any" allows them (a reversal). */
  amountSign: 'non_negative' | 'any' | string
  quantitySign: 'non_negative' | 'any' | string
}

/** all_or_nothing: any invalid row rejects the file; valid_rows: the valid rows go in, the rest are reported. */
export type RecordImportMode = 'all_or_nothing' | 'valid_rows'

export type JobStatus = 'queued' | 'running' | 'succeeded' | 'rejected' | 'failed'

/** Outcome of a record import job. */
export interface RecordImportResult {
  importId: number
  month: string
  fileName: string
  rows: number
  inserted: number
  replaced: number
  unchanged: number
  rejected: number
}

/** A background job (GET /api/jobs/{id}); `result` is the kind's outcome once finished. */
export interface Job<R = RecordImportResult> {
  id: string
  kind: string
  status: JobStatus | string
  /** reading | resolving | writing | committing, or "" */
  phase: string
  total: number
  done: number
  message: string
  result: R | null
  /** The first errors (at most 200); errorCount has them all. */
  errors: ImportRowError[] | null
  errorCount: number
  /** The error workbook (GET /api/import-reports/{reportId}); "" when none. */
  reportId: string
  createdAt: string
  finishedAt: string | null
}

/** One committed import (GET /api/record-imports). */
export interface RecordImport {
  id: number
  month: string
  fileName: string
  rows: number
  inserted: number
  replaced: number
  unchanged: number
  rejected: number
  mode: RecordImportMode | string
  fileSha256?: string
  /** The job that ran the import. */
  jobId?: string
  createdBy: string
  createdAt: string
}

/** One business record as credited to one manager (GET /api/records); amounts are exact decimal strings. */
export interface BusinessRecord {
  sourceId: string
  date: string
  customerId: number
  customerName: string
  recordType: string
  amount: string
  quantity: string
  product: string
  /** 0 and "" for a record credited to nobody (it stays with the customer's branch). */
  personId: number
  personName: string
  empNo: string
  unitId: number
  unitName: string
  shareBp: number
  creditedAmount: string
  creditedQuantity: string
  /** The file named the manager (rather than the customer's attribution). */
  explicit: boolean
}

// ---- statistics (业务统计) ----

export type StatsLevel = 'manager' | 'team' | 'region' | 'branch'

export interface StatsMetric {
  key: string
  nameZh: string
  nameEn: string
  unit: string
  /** record | formula (a formula has no records of its own to drill into). */
  sourceKind?: string
  /** "" for a formula. */
  aggregation?: string
  /** "" for a formula. */
  recordType?: string
}

/** One metric of one subject: exact decimals; completion is a percentage with two decimals. */
export interface StatsValue {
  /** null only for a formula without a value (a division by zero). */
  actual: string | null
  target: string | null
  completion: string | null
  /** By actual among the rows, 1 = best; ties share a rank. null without an actual. */
  rank: number | null
  completionRank: number | null
}

export interface StatsRow {
  subjectType: 'unit' | 'person' | string
  id: number
  name: string
  /** The units above the subject, " / "-separated. */
  path: string
  empNo: string
  values: Record<string, StatsValue>
}

/** GET /api/stats/monthly */
export interface MonthlyStats {
  month: string
  level: StatsLevel | string
  metrics: StatsMetric[]
  rows: StatsRow[]
}

/** One subject's values by month (null where it had none). */
export interface TrendSeries {
  subjectType?: 'unit' | 'person' | string
  id: number
  name: string
  empNo?: string
  actual: (string | null)[]
  completion: (string | null)[]
}

/** GET /api/stats/trend: the best subjects of the last month by actual. */
export interface StatsTrend {
  metric: StatsMetric
  level?: string
  months: string[]
  series: TrendSeries[]
}

// ---- assessment (考核) ----

/** A subject of a cycle: a person or a team (unit). */
export interface AssessSubjectRef {
  personId?: number
  unitId?: number
}

/** A subject's group that has no rater on the cycle's as-of day. */
export interface AssessGap {
  subject: AssessSubjectRef
  scheme: string
  group: string
  reasonZh: string
  reasonEn: string
}

export type CycleState = 'open' | 'scoring' | 'review' | 'closed'

/** GET /api/assess/cycles item. */
export interface AssessCycle {
  id: number
  /** 2026-Q4, 2026-11 or 2026 */
  period: string
  kind: 'month' | 'quarter' | 'year' | string
  asOf: string
  state: CycleState | string
  ruleVersion: number
  gaps: AssessGap[]
  subjects: number
  sheets: number
  note: string
  openedBy: string
  openedAt: string
  computedAt: string | null
  updatedAt: string
  version: number
}

export interface RaterProgress {
  raterId: number
  name: string
  empNo: string
  unitId?: number
  total: number
  pending: number
  draft: number
  submitted: number
}

/** GET /api/assess/cycles/{id}/progress: raters with sheets still to do first. */
export interface CycleProgress {
  cycle: AssessCycle
  total: number
  pending: number
  draft: number
  submitted: number
  raters: RaterProgress[]
}

export type SheetState = 'pending' | 'draft' | 'submitted'

/** One rater's sheet for one subject. Points are exact with one decimal at most. */
export interface AssessSheet {
  id: number
  cycleId: number
  subjectKind: 'person' | 'team' | string
  subjectId: number
  group: string
  raterId: number
  state: SheetState | string
  points: Record<string, number>
  ratedTotal: number
  remark: string
  reopened: number
  savedAt: string | null
  submittedAt: string | null
  version: number
  subjectName: string
  subjectEmpNo?: string
  raterName?: string
  scheme: string
  unitId: number
}

/** An item of a scorecard template. */
export interface AssessItem {
  key: string
  nameZh: string
  nameEn: string
  criteriaZh: string
  criteriaEn?: string
  max: number
  kind: 'rated' | 'computed' | string
  formula?: string
  note?: string
}

export interface AssessTemplate {
  key: string
  nameZh: string
  nameEn: string
  subject?: string
  positions?: string[]
  version: number
  items: AssessItem[]
  comment?: { labelZh: string; labelEn: string; by: string[] } | null
  source?: string
}

/** A rater group of a scheme; weight in basis points (10000 = 100%). */
export interface AssessGroup {
  key: string
  nameZh: string
  nameEn: string
  weight: number
  positions?: string[]
  scope?: string
}

export interface AssessSchemeView {
  key: string
  nameZh: string
  nameEn: string
  groups: AssessGroup[]
  template: AssessTemplate
}

/** GET /api/assess/my-sheets item: one cycle's sheets of the signed-in rater. */
export interface MySheets {
  cycle: AssessCycle
  sheets: AssessSheet[]
  schemes: Record<string, AssessSchemeView>
}

/** A stored result; composite null when held. */
export interface AssessResultRow {
  subjectKind: 'person' | 'team' | string
  subjectId: number
  composite: number | null
  held: boolean
  rankTeam: number | null
  rankRegion: number | null
  rankBranch: number | null
  cycleId: number
  period: string
  scheme: string
  name: string
  empNo?: string
  unitId: number
  position?: string
}

/** GET /api/assess/cycles/{id}/results */
export interface AssessResultPage {
  cycle: AssessCycle
  rows: AssessResultRow[]
  total: number
}

/** One group's part of a composite. */
export interface GroupResult {
  key: string
  nameZh: string
  nameEn: string
  /** basis points */
  weight: number
  /** exact share actually used ("3/4"), "0" when missing */
  effectiveWeight: string
  effectiveBp: number
  /** only for assess:manage */
  raters?: { rater: number; total: number }[] | null
  pending?: number[] | null
  count: number
  sum: number
  meanExact?: string
  mean: number
  missing: boolean
}

export interface CompositeResult {
  scheme: string
  schemeVersion: number
  template: string
  templateVersion: number
  /** renormalise | hold */
  policy: string
  groups: GroupResult[]
  held: boolean
  missing?: string[] | null
  composite: number
  compositeExact?: string
  noteZh?: string
  noteEn?: string
}

export interface ItemScore {
  key: string
  nameZh: string
  nameEn: string
  max: number
  computed: boolean
  /** group key → mean points, two decimals */
  byGroup: Record<string, string>
  score: number | null
}

export interface ComputedItem {
  key: string
  points: number
  computed?: boolean
  formula?: string
  inputs?: Record<string, number>
  clamped?: boolean
}

export interface FigureSource {
  metric: string
  nameZh: string
  actual: string
  target: string
  /** percent, two decimals */
  completion: string
  /** period | months */
  basis: string
}

export interface ResultDetail {
  period: string
  ruleVersion: number
  schemeZh: string
  schemeEn: string
  result: CompositeResult
  items: ItemScore[]
  computed?: ComputedItem[] | null
  inputs?: { values: Record<string, number>; sources: FigureSource[] | null } | null
  noteZh?: string
  noteEn?: string
}

/** GET /api/assess/cycles/{id}/results/{kind}/{subjectId} */
export interface SubjectResult {
  cycle: AssessCycle
  result: AssessResultRow
  detail: ResultDetail
  history: AssessResultRow[]
  /** the detail names raters and their totals (assess:manage) */
  raters: boolean
}

/** A rater scheme: who rates whom with which weights, on which template. */
export interface AssessScheme {
  key: string
  nameZh: string
  nameEn: string
  cycle: string
  subject: string
  template: string
  version: number
  policy: string
  groups: AssessGroup[]
}

/** GET /api/assess/rules */
export interface AssessRuleSet {
  version: number
  rules: {
    templates: AssessTemplate[]
    schemes: AssessScheme[]
    /** Outcome and grade-review rules; absent in rule sets stored before they could be edited. */
    consequences?: AssessConsequences | null
  }
  note: string
  createdBy: string
  createdAt: string
}

// ---- outcome and grade-review rules (PUT /api/assess/consequences) ----
// Scores are numbers 0–100 with at most two decimals; rates are basis
// points (10000 = 100%). An absent outcome rule is not applied.

/** Each team names one star CM a quarter; tieItem breaks equal composites. */
export interface StarCmRule {
  positions: string[]
  tieItem: string
}

/** A monthly score below `below`: standby training for standbyDays; endAfter months in a row: end the contract. */
export interface MonthlyRule {
  positions: string[]
  below: number
  standbyDays: number
  endAfter: number
}

/** An RM's quarterly score below `below`: the RM becomes convertTo. */
export interface RmQuarterlyRule {
  positions: string[]
  below: number
  convertTo: string
}

/** One excellent RM a year per branch, over `quarters` quarters. */
export interface ExcellentRmRule {
  positions: string[]
  quarters: number
}

/** Credit-coop rule 002 第十一条: missed tasks convert a manager to convertTo; recoverMonths good months allow a return. */
export interface CoopTasksRule {
  positions: string[]
  convertTo: string
  missBelowBp: number
  missMonths: number
  floorBp: number
  recoverMonths: number
}

export interface OutcomeRules {
  starCm?: StarCmRule | null
  monthly?: MonthlyRule | null
  rmQuarterly?: RmQuarterlyRule | null
  excellentRm?: ExcellentRmRule | null
  coopTasks?: CoopTasksRule | null
}

/** A grade review of a cycle kind: up, down or stay. */
export interface GradeRule {
  cycle: 'month' | 'quarter' | 'year' | string
  upMinScore: number
  upMinCompletionBp: number
  downBelowScore: number
  downBelowCompletionBp: number
  weakYears: number
  weakBelowBp: number
  /** 0 or absent: no exam required */
  upMinExam?: number
}

export interface AssessConsequences {
  outcomeRules: OutcomeRules
  gradeReview: GradeRule[]
}

/** One run of the monthly task review (POST/GET /api/assess/task-reviews). */
export interface TaskReview {
  id: number
  period: string
  asOf: string
  cases: number
  proposals: number
  runs: number
  runBy: string
  runAt: string
}

/** One person's score in one exam of a period (GET/PUT /api/assess/exams). */
export interface ExamScore {
  personId: number
  empNo: string
  name: string
  exam: string
  score: number
  recordedBy: string
  recordedAt: string
}

// ---- outcomes of a closed cycle (考核结果待确认) ----

/** A figure behind a proposal (a score, the line it fell below, …), as text. */
export interface OutcomeFigure {
  key: string
  value: string
}

/** What the rules propose for a subject when a cycle closes. */
export interface AssessProposal {
  kind: string
  personId?: number
  unitId?: number
  /** the assessed period */
  period: string
  /** the period the consequence starts in (2026-11); absent for honours */
  effective?: string
  reasonZh: string
  reasonEn: string
  figures: OutcomeFigure[]
}

export type OutcomeDecision = 'confirm' | 'override'

/** GET /api/assess/outcomes item: a proposal and what became of it. */
export interface AssessOutcome {
  id: number
  /** the cycle whose closing proposed it, or … */
  cycleId?: number
  /** … the monthly task review that did */
  reviewId?: number
  period: string
  kind: 'star_cm' | 'standby_training' | 'end_contract' | 'rm_to_sales_cm' | 'reorganise_region' | 'excellent_rm' | 'to_general_marketer' | 'may_reapply_cm' | 'grade_up' | 'grade_down' | string
  personId?: number
  unitId?: number
  name: string
  empNo?: string
  proposal: AssessProposal
  state: 'proposed' | 'confirmed' | 'overridden' | string
  decidedBy?: string
  decidedAt: string | null
  /** the confirmer's note or the reason for overriding */
  reason?: string
  /** what confirming changed (or that nothing did), as the server describes it */
  effect?: string
  version: number
}

// ---- attendance (考勤) ----

export type CalendarKind = 'holiday' | 'makeup_workday' | 'rest_day'

/** A day that differs from Monday–Friday (GET/PUT /api/attendance/calendar/{year}). */
export interface CalendarEntry {
  date: string
  kind: CalendarKind | string
  /** required for a public holiday (国庆节), optional otherwise */
  name: string
}

/** A year's working calendar; a year nobody set up has defined false (and nothing is computed for it). */
export interface WorkCalendar {
  year: number
  defined: boolean
  entries: CalendarEntry[]
  /** working days of each month, January first; empty without a calendar */
  workdays: number[]
  /** 0 for a year never saved */
  version: number
  updatedBy?: string
  updatedAt: string | null
}

export type MissingPunch = 'absent' | 'half_absent' | 'late_or_early' | 'ignore'

export interface FullAttendanceRule {
  maxLate: number
  maxEarlyLeave: number
  leaveAllowed: string[] | null
  wholeMonth: boolean
}

/** The attendance rules: hours, grace, when lateness becomes absence, missing punches, outings, full attendance. */
export interface AttendanceRules {
  workStart: string | null
  workEnd: string | null
  lateGraceMinutes: number
  lateHalfDayAfterMinutes: number
  lateAbsentAfterMinutes: number
  earlyGraceMinutes: number
  earlyHalfDayAfterMinutes: number
  earlyAbsentAfterMinutes: number
  missingIn: MissingPunch | string
  missingOut: MissingPunch | string
  outingAttended: boolean
  fullAttendance: FullAttendanceRule
}

export interface LeaveType {
  code: string
  zh: string
  en: string
  attended: boolean
  balance: boolean
  annualDays: number
  noticeDays: number
}

/** GET/PUT /api/attendance/rules: the rules in force (version 0: the defaults, never saved). */
export interface AttendanceRuleSet {
  version: number
  rules: AttendanceRules
  leaveTypes: LeaveType[]
  note: string
  createdBy: string
  createdAt: string | null
}

export type AttendanceStatus = 'present' | 'late' | 'early_leave' | 'absent' | 'on_leave' | 'on_outing' | 'rest' | ''

/** One source's account of a person's day (a phone check-in answers with it). */
export interface AttendanceRecord {
  personId: number
  date: string
  source: 'clock' | 'phone' | 'manual' | string
  in: string | null
  out: string | null
  status?: AttendanceStatus
  note?: string
}

/** One derived day of a person's month, with the reason (Chinese, then English). */
export interface AttendanceDay {
  date: string
  workday: boolean
  /** empty on days not counted (not employed, not yet) */
  status: AttendanceStatus | string
  cause: string
  in: string | null
  out: string | null
  lateMinutes: number
  earlyMinutes: number
  late: boolean
  earlyLeave: boolean
  absentDays: number
  attendedDays: number
  leave?: string
  holiday?: string
  reason: string
}

export interface AttendanceSummary {
  personId?: number
  month?: string
  requiredDays: number
  presentDays: number
  late: number
  earlyLeave: number
  absentDays: number
  leaveDays: number
  leaveByType?: Record<string, number>
  outingDays: number
  pendingDays: number
  full: boolean
  notFull?: string
}

export interface AttendancePersonMonth {
  personId: number
  empNo: string
  name: string
  unitId: number
  position: string
  hiredOn: string | null
  leftOn: string | null
  days: AttendanceDay[]
  summary: AttendanceSummary
}

/** GET /api/attendance/month: the people in scope, a page at a time; a running month counts through today. */
export interface AttendanceMonth {
  month: string
  workdays: number
  through: string | null
  people: AttendancePersonMonth[]
  total: number
}

// ---- pay (薪酬) ----

/** An exact number as the server writes it: integer, decimal or fraction ("20/3"). */
export type PayNum = string

export interface PayParam {
  key: string
  nameZh: string
  nameEn: string
  value: number | string
  /** An example value the institution should set (示例). */
  example?: boolean
  source?: string
}

export interface PayBracket {
  below?: number | string
  rate?: number | string
  amount?: number | string
  example?: boolean
}

export interface PayTiers {
  by: string
  of?: string
  mode: 'whole' | 'marginal' | string
  brackets: PayBracket[]
}

export interface PayComponent {
  key: string
  nameZh: string
  nameEn: string
  kind: PayKind | string
  when?: string
  formula?: string
  tiers?: PayTiers | null
  source?: string
}

export type PayKind = 'earning' | 'deduction' | 'adjustment' | 'info'

export interface PayPlan {
  key: string
  nameZh: string
  nameEn: string
  version: number
  effectiveFrom: string
  positions: string[]
  note?: string
  source?: string
  params?: PayParam[]
  components: PayComponent[]
}

/** GET /api/pay/plans: every stored version. */
export interface PayStoredPlan {
  plan: PayPlan
  note: string
  createdBy: string
  createdAt: string
}

export interface PayTierUse {
  mode: string
  by: PayNum
  of: PayNum
  index: number
  bracket: PayBracket
  slices?: { index: number; size: PayNum; rate: PayNum; value: PayNum }[]
  value: PayNum
}

export interface PayLine {
  key: string
  nameZh: string
  nameEn: string
  kind: PayKind | string
  when?: string
  applied: boolean
  formula?: string
  inputs?: { name: string; value: string }[]
  tier?: PayTierUse | null
  exact: PayNum
  fen: number
  ref?: string
  note?: string
  source?: string
}

export interface PayStatement {
  plan: string
  version: number
  lines: PayLine[]
  earningsFen: number
  deductionsFen: number
  adjustmentsFen: number
  netFen: number
}

export interface PayFacts {
  person: { grade: string; position: string; status: string; monthsInService: number }
  metrics: Record<string, string>
  attendance?: Record<string, string> | null
  history?: Record<string, string> | null
}

/** POST /api/pay/trial */
export interface PayTrial {
  personId: number
  empNo: string
  name: string
  month: string
  facts: PayFacts
  statement: PayStatement
}

export type PayMonthState = 'open' | 'calculated' | 'submitted' | 'approved_accountant' | 'approved_deputy' | 'locked'

export interface PaySignoff {
  step: string
  by: string
  name: string
  at: string
}

export interface PayMonth {
  month: string
  state: PayMonthState | string
  people: number
  netFen: number
  calculatedBy: string
  calculatedAt: string | null
  signoffs: PaySignoff[]
  version: number
  updatedAt: string | null
}

export interface PayStatementRow {
  personId: number
  empNo: string
  name: string
  unitId: number
  plan: string
  planVersion: number
  netFen: number
  statement?: PayStatement
  facts?: PayFacts
}

export interface PayStatementPage {
  month: PayMonth
  items: PayStatementRow[]
  total: number
}
