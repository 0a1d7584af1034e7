// Attendance (考勤) helpers, unit-tested in tests/unit/attendance.test.ts:
// the short coloured symbol of a day's status (√ 迟 早 旷 假 外), the
// server's reasons (Chinese, then English) in the reader's language, the
// day-of-month columns of the team table, the working calendar's month
// grids and working-day counts, the pasted lines of the team lead's entry
// (工号,日期,上班,下班,状态,备注) and of the calendar (日期,类型,名称) with
// the bodies of their PUTs and the server's "rows[i].in" / "entries[i].date"
// errors placed on the rows they name, and the rules form's draft and body.

import type { AttendanceDay, AttendanceRules, AttendanceRuleSet, CalendarEntry, LeaveType } from '@/api/types'

export type Lang = 'zh' | 'en'
export const langOf = (locale: string): Lang => (locale === 'en' ? 'en' : 'zh')

const pad2 = (n: number) => String(n).padStart(2, '0')

// ---- statuses ----

/** The statuses of a day, in the order the legend lists them. */
export const DAY_STATUSES = ['present', 'late', 'early_leave', 'absent', 'on_leave', 'on_outing', 'rest'] as const
export type DayStatus = (typeof DAY_STATUSES)[number]

/** What a team lead may record directly; leave goes through a request (the server refuses on_leave). */
export const MANUAL_STATUSES = ['present', 'late', 'early_leave', 'absent', 'on_outing'] as const

/** A colour class of a day: one per status; 'none' for a day not counted (not employed, not yet). */
export type DayTone = 'present' | 'late' | 'early' | 'absent' | 'leave' | 'outing' | 'rest' | 'none'

const SYMBOLS: Record<Lang, Record<string, string>> = {
  zh: { present: '√', late: '迟', early_leave: '早', absent: '旷', on_leave: '假', on_outing: '外', rest: '' },
  en: { present: '√', late: 'L', early_leave: 'E', absent: 'A', on_leave: 'V', on_outing: 'O', rest: '' },
}

const TONES: Record<string, DayTone> = {
  present: 'present',
  late: 'late',
  early_leave: 'early',
  absent: 'absent',
  on_leave: 'leave',
  on_outing: 'outing',
  rest: 'rest',
}

/** The short symbol of a status: 旷 for absent (A in English); '' for a rest day or a day not counted. */
export function statusSymbol(status: string | null | undefined, lang: Lang = 'zh'): string {
  return SYMBOLS[lang][status ?? ''] ?? ''
}

export function statusTone(status: string | null | undefined): DayTone {
  return TONES[status ?? ''] ?? 'none'
}

/** The Element Plus tag type of a status, for lists. */
export function statusTag(status: string | null | undefined): 'success' | 'warning' | 'danger' | 'info' | 'primary' {
  switch (status) {
    case 'present':
      return 'success'
    case 'late':
    case 'early_leave':
      return 'warning'
    case 'absent':
      return 'danger'
    case 'on_leave':
    case 'on_outing':
      return 'primary'
    default:
      return 'info'
  }
}

export interface DayMark {
  symbol: string
  tone: DayTone
  /** half a day of absence: the symbol carries ½ */
  half: boolean
}

/** How a day shows in the team table: its symbol and colour; half a day absent is 旷½. */
export function dayMark(day: Pick<AttendanceDay, 'status' | 'absentDays'> | null | undefined, lang: Lang = 'zh'): DayMark {
  if (!day) return { symbol: '', tone: 'none', half: false }
  const half = day.status === 'absent' && day.absentDays > 0 && day.absentDays < 1
  const symbol = statusSymbol(day.status, lang)
  return { symbol: half ? symbol + '½' : symbol, tone: statusTone(day.status), half }
}

// ---- the server's bilingual texts ----

const CJK = /[\u3400-\u9fff\uff01-\uff5e\u3000-\u303f]/

/**
 * Splits a reason the server writes Chinese first, then English ("上班
 * 09:31，迟到 31 分钟 in 09:31, late by 31 minutes"): the English part
 * starts at the first space followed by a Latin letter after some Chinese.
 * A text that cannot be split is returned whole for both.
 */
export function splitBilingual(text: string | null | undefined): { zh: string; en: string } {
  const s = (text ?? '').trim()
  const re = /\s+(?=[A-Za-z])/g
  for (let m = re.exec(s); m; m = re.exec(s)) {
    const zh = s.slice(0, m.index).trim()
    const en = s.slice(m.index + m[0].length).trim()
    if (CJK.test(zh) && en) return { zh, en }
  }
  return { zh: s, en: s }
}

/** The reason in the reader's language. */
export function reasonIn(text: string | null | undefined, lang: Lang): string {
  const p = splitBilingual(text)
  return lang === 'en' ? p.en : p.zh
}

/** A time of day as shown: "09:31", or "09:31:05" with seconds; '' for none. */
export function formatTime(v: string | null | undefined): string {
  return v ?? ''
}

/** Days in halves as shown: 2, 2.5; the server sends numbers. */
export function formatDays(v: number | null | undefined): string {
  if (v === null || v === undefined || !Number.isFinite(v)) return ''
  const h = Math.round(v * 2)
  return h % 2 === 0 ? String(h / 2) : `${(h - 1) / 2}.5`
}

// ---- months and days ----

/** The month of a date as YYYY-MM (local time). */
export function monthOf(d: Date = new Date()): string {
  return `${d.getFullYear()}-${pad2(d.getMonth() + 1)}`
}

export function isMonth(s: unknown): s is string {
  return typeof s === 'string' && /^\d{4}-(0[1-9]|1[0-2])$/.test(s)
}

/** A YYYY-MM-DD date as a local Date at noon (no time-zone shift of the day), or null. */
export function parseDay(s: string | null | undefined): Date | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(s ?? '')
  if (!m) return null
  const d = new Date(Number(m[1]), Number(m[2]) - 1, Number(m[3]), 12)
  return d.getMonth() === Number(m[2]) - 1 && d.getDate() === Number(m[3]) ? d : null
}

export function dayString(d: Date): string {
  return `${d.getFullYear()}-${pad2(d.getMonth() + 1)}-${pad2(d.getDate())}`
}

/** 0 Sunday … 6 Saturday, or -1 for a bad date. */
export function weekdayOf(date: string): number {
  return parseDay(date)?.getDay() ?? -1
}

const WEEKDAYS: Record<Lang, string[]> = {
  zh: ['日', '一', '二', '三', '四', '五', '六'],
  en: ['Su', 'Mo', 'Tu', 'We', 'Th', 'Fr', 'Sa'],
}

/** The short name of a weekday (0 Sunday): 一 / Mo. */
export function weekdayName(weekday: number, lang: Lang = 'zh'): string {
  return WEEKDAYS[lang][weekday] ?? ''
}

export interface DayColumn {
  date: string
  day: number
  weekday: number
  weekend: boolean
}

/** One column per day of a month (YYYY-MM), for the team table; [] for a bad month. */
export function monthColumns(month: string): DayColumn[] {
  if (!isMonth(month)) return []
  const [y, m] = month.split('-').map(Number)
  const n = new Date(y, m, 0).getDate()
  const out: DayColumn[] = []
  for (let day = 1; day <= n; day++) {
    const weekday = new Date(y, m - 1, day, 12).getDay()
    out.push({ date: `${month}-${pad2(day)}`, day, weekday, weekend: weekday === 0 || weekday === 6 })
  }
  return out
}

/** A person's days by date, for the cells of the table. */
export function daysByDate(days: AttendanceDay[] | null | undefined): Map<string, AttendanceDay> {
  return new Map((days ?? []).map((d) => [d.date, d]))
}

/** Months that have not begun cannot be asked for: true for a month after `today`'s. */
export function monthAfter(month: string, today: Date = new Date()): boolean {
  return isMonth(month) && month > monthOf(today)
}

// ---- the working calendar ----

export const CALENDAR_KINDS = ['holiday', 'makeup_workday', 'rest_day'] as const
export type CalendarKindCode = (typeof CALENDAR_KINDS)[number]

/** A calendar day's kind as shown: a plain workday or weekend, or an entry's kind. */
export type CalendarDayKind = 'workday' | 'weekend' | CalendarKindCode

export interface CalendarCell {
  date: string
  day: number
  weekday: number
  kind: CalendarDayKind
  /** a working day under the calendar */
  work: boolean
  name: string
}

const isKind = (k: string): k is CalendarKindCode => (CALENDAR_KINDS as readonly string[]).includes(k)

/** The valid entries of a draft by date (the first of a repeated date), for the grids. */
function entryMap(entries: Pick<CalendarEntry, 'date' | 'kind' | 'name'>[]): Map<string, { kind: CalendarKindCode; name: string }> {
  const out = new Map<string, { kind: CalendarKindCode; name: string }>()
  for (const e of entries) {
    const date = (e.date ?? '').trim()
    if (!parseDay(date) || !isKind(e.kind) || out.has(date)) continue
    out.set(date, { kind: e.kind, name: (e.name ?? '').trim() })
  }
  return out
}

function cellOf(date: string, entries: Map<string, { kind: CalendarKindCode; name: string }>): CalendarCell {
  const d = parseDay(date)!
  const weekday = d.getDay()
  const weekend = weekday === 0 || weekday === 6
  const e = entries.get(date)
  const kind: CalendarDayKind = e ? e.kind : weekend ? 'weekend' : 'workday'
  return { date, day: d.getDate(), weekday, kind, work: e ? e.kind === 'makeup_workday' : !weekend, name: e?.name ?? '' }
}

/**
 * A month of the calendar as weeks of seven cells, Monday first (the
 * Chinese calendar's week), null outside the month. Holidays and company
 * rest days are days off; a make-up workday is worked.
 */
export function monthGrid(year: number, month: number, entries: Pick<CalendarEntry, 'date' | 'kind' | 'name'>[]): (CalendarCell | null)[][] {
  const map = entryMap(entries)
  const n = new Date(year, month, 0).getDate()
  const lead = (new Date(year, month - 1, 1, 12).getDay() + 6) % 7
  const cells: (CalendarCell | null)[] = Array.from({ length: lead }, () => null)
  for (let day = 1; day <= n; day++) cells.push(cellOf(`${year}-${pad2(month)}-${pad2(day)}`, map))
  while (cells.length % 7) cells.push(null)
  const weeks: (CalendarCell | null)[][] = []
  for (let i = 0; i < cells.length; i += 7) weeks.push(cells.slice(i, i + 7))
  return weeks
}

/** The working days of each month of a year under the entries (January first): what the server counts. */
export function workdaysByMonth(year: number, entries: Pick<CalendarEntry, 'date' | 'kind' | 'name'>[]): number[] {
  const map = entryMap(entries)
  const out: number[] = []
  for (let m = 1; m <= 12; m++) {
    const n = new Date(year, m, 0).getDate()
    let k = 0
    for (let day = 1; day <= n; day++) if (cellOf(`${year}-${pad2(m)}-${pad2(day)}`, map).work) k++
    out.push(k)
  }
  return out
}

/** An entry as edited: the date as typed (YYYY-MM-DD), the kind code ('' before one is chosen), the name. */
export interface CalendarDraft {
  date: string
  kind: string
  name: string
}

const KIND_WORDS: Record<string, CalendarKindCode> = {
  法定节假日: 'holiday',
  节假日: 'holiday',
  假日: 'holiday',
  holiday: 'holiday',
  'public holiday': 'holiday',
  调休上班: 'makeup_workday',
  补班: 'makeup_workday',
  上班: 'makeup_workday',
  makeup_workday: 'makeup_workday',
  makeup: 'makeup_workday',
  workday: 'makeup_workday',
  'make-up workday': 'makeup_workday',
  公司休息日: 'rest_day',
  休息日: 'rest_day',
  休息: 'rest_day',
  rest_day: 'rest_day',
  rest: 'rest_day',
  'rest day': 'rest_day',
}

/** A kind as people write it (节假日, 调休上班, 休息日, or the codes) as its code; '' when unknown. */
export function parseCalendarKind(s: string | null | undefined): CalendarKindCode | '' {
  return KIND_WORDS[(s ?? '').trim().toLowerCase().replace(/\s+/g, ' ')] ?? ''
}

/**
 * A date as people type it (2027-1-1, 2027/01/01, 2027.1.1, 20270101) as
 * YYYY-MM-DD; '' when it is not a real date.
 */
export function normalizeDate(s: string | null | undefined): string {
  const v = (s ?? '').trim()
  const m = /^(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?$/.exec(v) ?? /^(\d{4})(\d{2})(\d{2})$/.exec(v)
  if (!m) return ''
  const date = `${m[1]}-${pad2(Number(m[2]))}-${pad2(Number(m[3]))}`
  return parseDay(date) ? date : ''
}

function splitterOf(line: string): { sep: string | RegExp; join: string } {
  if (line.includes('\t')) return { sep: '\t', join: ' ' }
  if (/[,，]/.test(line)) return { sep: /[,，]/, join: ',' }
  return { sep: /\s+/, join: ' ' }
}

/** A pasted line's cells: tab separated (a block copied from Excel), else by commas (also full-width), else by spaces. */
function cellsOf(line: string): string[] {
  const sep = splitterOf(line)
  const cells = line
    .trim()
    .split(sep.sep)
    .map((c) => c.trim().replace(/^"(.*)"$/, '$1').trim())
  while (cells.length && cells[cells.length - 1] === '') cells.pop()
  return cells
}

export type LineProblem = 'cells' | 'date' | 'kind'

export interface BadLine {
  /** the line number, from 1 */
  line: number
  problem: LineProblem
}

const CAL_HEADER = new Set(['日期', 'date'])

/**
 * Reads pasted calendar lines "日期,类型,名称" (the name may be left out
 * for a make-up workday or a rest day). Blank lines and a heading line are
 * skipped. A line without two or three cells, with a date that is not a
 * date or a kind that is none of 节假日/调休上班/休息日 (or the codes) is
 * listed in `bad` by its number and not read; whether the date is in the
 * year, a make-up day a weekend and a holiday named is the server's to say.
 */
export function parseCalendarLines(text: string): { rows: CalendarDraft[]; bad: BadLine[] } {
  const rows: CalendarDraft[] = []
  const bad: BadLine[] = []
  text.split(/\r\n|\n|\r/).forEach((raw, i) => {
    if (!raw.trim()) return
    const cells = cellsOf(raw)
    if (CAL_HEADER.has(cells[0]?.toLowerCase() ?? '')) return
    if (cells.length < 2 || cells.length > 3) return void bad.push({ line: i + 1, problem: 'cells' })
    const date = normalizeDate(cells[0])
    if (!date) return void bad.push({ line: i + 1, problem: 'date' })
    const kind = parseCalendarKind(cells[1])
    if (!kind) return void bad.push({ line: i + 1, problem: 'kind' })
    rows.push({ date, kind, name: cells[2] ?? '' })
  })
  return { rows, bad }
}

/** Entries as the editor holds them, from the server's. */
export function calendarDrafts(entries: CalendarEntry[] | null | undefined): CalendarDraft[] {
  return (entries ?? []).map((e) => ({ date: e.date, kind: e.kind, name: e.name ?? '' }))
}

/** Has the editor changed the entries? (Order does not matter; the server sorts them.) */
export function calendarChanged(drafts: CalendarDraft[], entries: CalendarEntry[] | null | undefined): boolean {
  const key = (e: CalendarDraft) => `${e.date.trim()}|${e.kind}|${e.name.trim()}`
  const a = drafts.filter((d) => d.date.trim() || d.kind || d.name.trim()).map(key).sort()
  const b = calendarDrafts(entries).map(key).sort()
  return a.length !== b.length || a.some((x, i) => x !== b[i])
}

/** What cannot be sent as typed: the server reads a date that is not YYYY-MM-DD as a broken request, naming no entry. */
export type CalendarProblem = 'date' | 'kind'

/**
 * The body of PUT /api/attendance/calendar/{year}: the entries trimmed,
 * rows left wholly empty not sent; `index[i]` is the draft row the i-th
 * entry came from (the server's "entries[i].date" finds it). `problems`
 * keys the draft rows whose date is not a date or whose kind is not chosen,
 * like the server's fields; nothing is to be sent while there are any.
 */
export function calendarBody(
  drafts: CalendarDraft[],
  version: number,
): { body: { entries: CalendarEntry[]; version: number }; index: number[]; problems: Record<string, CalendarProblem> } {
  const entries: CalendarEntry[] = []
  const index: number[] = []
  const problems: Record<string, CalendarProblem> = {}
  drafts.forEach((d, i) => {
    const e = { date: d.date.trim(), kind: d.kind.trim(), name: d.name.trim() }
    if (!e.date && !e.kind && !e.name) return
    if (!parseDay(e.date)) problems[`entries[${i}].date`] = 'date'
    if (!isKind(e.kind)) problems[`entries[${i}].kind`] = 'kind'
    entries.push(e)
    index.push(i)
  })
  return { body: { entries, version }, index, problems }
}

// ---- the server's errors on the rows they name ----

export interface RowErrors {
  /** draft rows by index: a column's message, or 'row' for the row as a whole (the same person and day twice) */
  rows: Record<number, Record<string, string>>
  /** errors not of one row */
  fields: Record<string, string>
}

/**
 * Splits 400 fields naming rows ("rows[2].in", "rows[3]", "entries[0].date")
 * onto the draft rows they came from (`index[i]` is the draft of the i-th
 * sent row); other fields are kept as they are.
 */
export function rowErrors(fields: Record<string, string>, prefix: 'rows' | 'entries', index: number[] = []): RowErrors {
  const out: RowErrors = { rows: {}, fields: {} }
  const re = new RegExp(`^${prefix}\\[(\\d+)\\](?:\\.(\\w+))?$`)
  for (const [k, msg] of Object.entries(fields)) {
    const m = re.exec(k)
    if (!m) {
      out.fields[k] = msg
      continue
    }
    const sent = Number(m[1])
    const row = index[sent] ?? sent
    out.rows[row] = { ...(out.rows[row] ?? {}), [m[2] ?? 'row']: msg }
  }
  return out
}

// ---- the team lead's entry ----

/** One day as entered: times, or an explicit status, with a note ('' status: derived from the times). */
export interface RecordDraft {
  empNo: string
  date: string
  in: string
  out: string
  status: string
  note: string
}

export const newRecordDraft = (empNo = '', date = ''): RecordDraft => ({ empNo, date, in: '', out: '', status: '', note: '' })

const STATUS_WORDS: Record<string, string> = {
  出勤: 'present',
  正常: 'present',
  present: 'present',
  迟到: 'late',
  late: 'late',
  早退: 'early_leave',
  early_leave: 'early_leave',
  'early leave': 'early_leave',
  旷工: 'absent',
  absent: 'absent',
  外出: 'on_outing',
  外出展业: 'on_outing',
  on_outing: 'on_outing',
  outing: 'on_outing',
  // not a manual status: the server says leave goes through a request
  请假: 'on_leave',
  on_leave: 'on_leave',
}

/** A status as people write it (迟到, 旷工, 外出 or the codes) as its code; anything else as typed, for the server to refuse. */
export function parseStatus(s: string | null | undefined): string {
  const v = (s ?? '').trim()
  return STATUS_WORDS[v.toLowerCase().replace(/\s+/g, ' ')] ?? v
}

const REC_HEADER = new Set(['工号', 'empno', 'emp no', 'employee number', 'employee no'])

/**
 * Reads pasted lines "工号,日期,上班,下班,状态,备注": tab, comma (also
 * full-width) or space separated; the times, status and note may be left
 * out (a note keeps any further commas). Blank lines and a heading line
 * are skipped; dates typed 2026/11/2 become 2026-11-02 and statuses typed
 * 迟到 become their codes. A line without an employee number and a date is
 * listed in `bad`; times and statuses are the server's to check.
 */
export function parseRecordLines(text: string): { rows: RecordDraft[]; bad: BadLine[] } {
  const rows: RecordDraft[] = []
  const bad: BadLine[] = []
  text.split(/\r\n|\n|\r/).forEach((raw, i) => {
    if (!raw.trim()) return
    let cells = cellsOf(raw)
    if (REC_HEADER.has(cells[0]?.toLowerCase() ?? '')) return
    if (cells.length < 2 || !cells[0] || !cells[1]) return void bad.push({ line: i + 1, problem: 'cells' })
    if (cells.length > 6) {
      cells = [...cells.slice(0, 5), cells.slice(5).join(splitterOf(raw).join)]
    }
    const [empNo, date, tin = '', tout = '', status = '', note = ''] = cells
    rows.push({ empNo, date: normalizeDate(date) || date, in: tin, out: tout, status: parseStatus(status), note })
  })
  return { rows, bad }
}

/**
 * The body of PUT /api/attendance/records: the rows trimmed, rows left
 * wholly empty not sent; `index[i]` is the draft row the i-th sent row
 * came from.
 */
export function recordBody(drafts: RecordDraft[]): { body: { rows: RecordDraft[] }; index: number[] } {
  const rows: RecordDraft[] = []
  const index: number[] = []
  drafts.forEach((d, i) => {
    const r: RecordDraft = {
      empNo: d.empNo.trim(),
      date: d.date.trim(),
      in: d.in.trim(),
      out: d.out.trim(),
      status: d.status.trim(),
      note: d.note.trim(),
    }
    if (!Object.values(r).some(Boolean)) return
    rows.push(r)
    index.push(i)
  })
  return { body: { rows }, index }
}

/**
 * A person's day as the entry dialog starts: the times the day shows when
 * they came from punches, the status when the team lead recorded one.
 */
export function draftFromDay(empNo: string, date: string, day: AttendanceDay | null | undefined): RecordDraft {
  const d = newRecordDraft(empNo, date)
  if (!day) return d
  if (day.cause === 'manual') d.status = day.status
  else if (day.cause === 'punches') {
    d.in = day.in ?? ''
    d.out = day.out ?? ''
  }
  return d
}

// ---- the rules ----

export const MISSING_PUNCH = ['absent', 'half_absent', 'late_or_early', 'ignore'] as const

export interface RulesDraft {
  workStart: string
  workEnd: string
  lateGraceMinutes: number | null
  lateHalfDayAfterMinutes: number | null
  lateAbsentAfterMinutes: number | null
  earlyGraceMinutes: number | null
  earlyHalfDayAfterMinutes: number | null
  earlyAbsentAfterMinutes: number | null
  missingIn: string
  missingOut: string
  outingAttended: boolean
  maxLate: number | null
  maxEarlyLeave: number | null
  leaveAllowed: string[]
  wholeMonth: boolean
}

/** The minute fields of the rules, in the form's order. */
export const MINUTE_FIELDS = [
  'lateGraceMinutes',
  'lateHalfDayAfterMinutes',
  'lateAbsentAfterMinutes',
  'earlyGraceMinutes',
  'earlyHalfDayAfterMinutes',
  'earlyAbsentAfterMinutes',
] as const

export function rulesDraft(r: AttendanceRules | null | undefined): RulesDraft {
  return {
    workStart: r?.workStart ?? '',
    workEnd: r?.workEnd ?? '',
    lateGraceMinutes: r?.lateGraceMinutes ?? 0,
    lateHalfDayAfterMinutes: r?.lateHalfDayAfterMinutes ?? 0,
    lateAbsentAfterMinutes: r?.lateAbsentAfterMinutes ?? 0,
    earlyGraceMinutes: r?.earlyGraceMinutes ?? 0,
    earlyHalfDayAfterMinutes: r?.earlyHalfDayAfterMinutes ?? 0,
    earlyAbsentAfterMinutes: r?.earlyAbsentAfterMinutes ?? 0,
    missingIn: r?.missingIn ?? 'absent',
    missingOut: r?.missingOut ?? 'absent',
    outingAttended: r?.outingAttended ?? true,
    maxLate: r?.fullAttendance?.maxLate ?? 0,
    maxEarlyLeave: r?.fullAttendance?.maxEarlyLeave ?? 0,
    leaveAllowed: [...(r?.fullAttendance?.leaveAllowed ?? [])],
    wholeMonth: r?.fullAttendance?.wholeMonth ?? false,
  }
}

export const leaveDrafts = (types: LeaveType[] | null | undefined): LeaveType[] => (types ?? []).map((x) => ({ ...x }))
export const newLeaveType = (): LeaveType => ({ code: '', zh: '', en: '', attended: false, balance: false, annualDays: 0, noticeDays: 0 })

/** A time the server can read: H:MM or HH:MM[:SS] (also with a full-width colon); '' is the server's "required". */
export function timeOk(s: string): boolean {
  const v = s.trim().replace('：', ':')
  if (!v) return true
  const m = /^(\d{1,2}):(\d{2})(?::(\d{2}))?$/.exec(v)
  return !!m && Number(m[1]) <= 23 && Number(m[2]) <= 59 && (m[3] === undefined || Number(m[3]) <= 59)
}

/**
 * The body of PUT /api/attendance/rules. A working time the server could
 * not read would fail the whole request naming nothing, so such a time is
 * a `problems` entry ("rules.workStart": 'time') and nothing is to be sent.
 */
export function rulesBody(
  d: RulesDraft,
  types: LeaveType[],
  note: string,
): { body: { rules: AttendanceRules; leaveTypes: LeaveType[]; note: string }; problems: Record<string, 'time'> } {
  const problems: Record<string, 'time'> = {}
  for (const k of ['workStart', 'workEnd'] as const) if (!timeOk(d[k])) problems[`rules.${k}`] = 'time'
  const n = (v: number | null | undefined) => (typeof v === 'number' && Number.isFinite(v) ? Math.trunc(v) : 0)
  const rules: AttendanceRules = {
    workStart: d.workStart.trim().replace('：', ':'),
    workEnd: d.workEnd.trim().replace('：', ':'),
    lateGraceMinutes: n(d.lateGraceMinutes),
    lateHalfDayAfterMinutes: n(d.lateHalfDayAfterMinutes),
    lateAbsentAfterMinutes: n(d.lateAbsentAfterMinutes),
    earlyGraceMinutes: n(d.earlyGraceMinutes),
    earlyHalfDayAfterMinutes: n(d.earlyHalfDayAfterMinutes),
    earlyAbsentAfterMinutes: n(d.earlyAbsentAfterMinutes),
    missingIn: d.missingIn,
    missingOut: d.missingOut,
    outingAttended: d.outingAttended,
    fullAttendance: { maxLate: n(d.maxLate), maxEarlyLeave: n(d.maxEarlyLeave), leaveAllowed: [...d.leaveAllowed], wholeMonth: d.wholeMonth },
  }
  const leaveTypes = types.map((x) => ({
    code: x.code.trim(),
    zh: x.zh.trim(),
    en: x.en.trim(),
    attended: !!x.attended,
    balance: !!x.balance,
    annualDays: n(x.annualDays),
    noticeDays: n(x.noticeDays),
  }))
  return { body: { rules, leaveTypes, note: note.trim() }, problems }
}

export interface RuleErrors {
  /** by the draft's field: workStart, lateGraceMinutes, maxLate, leaveAllowed, … */
  rules: Record<string, string>
  /** leave types by index and column */
  leaveTypes: Record<number, Record<string, string>>
  /** note and anything else */
  fields: Record<string, string>
}

/**
 * Places the 400 fields of PUT /api/attendance/rules beside their inputs:
 * "rules.workStart", "rules.fullAttendance.maxLate",
 * "rules.fullAttendance.leaveAllowed[1]" (each bad code; joined),
 * "leaveTypes[2].code", "note".
 */
export function ruleErrors(fields: Record<string, string>): RuleErrors {
  const out: RuleErrors = { rules: {}, leaveTypes: {}, fields: {} }
  for (const [k, msg] of Object.entries(fields)) {
    let m = /^rules\.(?:fullAttendance\.)?(\w+)(?:\[\d+\])?$/.exec(k)
    if (m) {
      out.rules[m[1]] = out.rules[m[1]] ? `${out.rules[m[1]]}; ${msg}` : msg
      continue
    }
    m = /^leaveTypes\[(\d+)\](?:\.(\w+))?$/.exec(k)
    if (m) {
      const i = Number(m[1])
      out.leaveTypes[i] = { ...(out.leaveTypes[i] ?? {}), [m[2] ?? 'row']: msg }
      continue
    }
    out.fields[k] = msg
  }
  return out
}

/** The stored rules: version 0 is the defaults, never saved (the server sends no real time for them). */
export function isDefaultRules(rs: Pick<AttendanceRuleSet, 'version'> | null | undefined): boolean {
  return !rs || rs.version === 0
}

// ---- the team table ----

export interface DayHead extends DayColumn {
  /** a working day under the calendar (from the people's days; Monday–Friday without any) */
  workday: boolean
  /** the calendar entry's name (国庆节), if any */
  holiday: string
}

/** The day columns of a month with what the calendar made of each day, read from the people's days. */
export function dayHeads(month: string, people: { days: AttendanceDay[] }[] | null | undefined): DayHead[] {
  const days = daysByDate(people?.[0]?.days)
  return monthColumns(month).map((c) => {
    const d = days.get(c.date)
    return { ...c, workday: d ? d.workday : !c.weekend, holiday: d?.holiday ?? '' }
  })
}

/** The day the entry dialog starts on: the last day counted in a running month (today), else the month's last day. */
export function defaultEntryDate(month: string, through: string | null | undefined): string {
  if (through && through.startsWith(month + '-')) return through
  const cols = monthColumns(month)
  return cols.length ? cols[cols.length - 1].date : ''
}
