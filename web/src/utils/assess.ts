// Assessment (考核) helpers, unit-tested in tests/unit/assess.test.ts: the
// period picker of the open-cycle dialog, points held exactly in tenths
// (9.5 + 8.5 = 18, never 17.999…), what a rater may do with a sheet, the
// actions of a cycle's state, the grouping of a rater's sheets, weights in
// basis points and the radar chart of a result's items. Scores from the
// server are JSON numbers with at most two decimals; they are turned into
// integers of hundredths before any arithmetic.

import type { EChartsCoreOption } from 'echarts/core'
import type { AssessCycle, AssessItem, AssessSheet, ItemScore } from '@/api/types'
import { escapeHtml } from './stats'

// ---- periods of the open-cycle dialog ----

export type CycleKind = 'quarter' | 'month' | 'year'
export const CYCLE_KINDS: CycleKind[] = ['quarter', 'month', 'year']

export interface PeriodParts {
  kind: CycleKind
  year: number
  /** Quarter 1–4 or month 1–12; 0 for a year. */
  n: number
}

/** The period string of the API: 2026-Q4, 2026-11 or 2026; "" when the parts make none. */
export function periodOf(p: PeriodParts): string {
  if (!Number.isInteger(p.year) || p.year < 1000 || p.year > 9999) return ''
  if (p.kind === 'year') return String(p.year)
  if (p.kind === 'quarter') return Number.isInteger(p.n) && p.n >= 1 && p.n <= 4 ? `${p.year}-Q${p.n}` : ''
  return Number.isInteger(p.n) && p.n >= 1 && p.n <= 12 ? `${p.year}-${String(p.n).padStart(2, '0')}` : ''
}

/** The parts of a period string; null when it is not one (the server says why). */
export function parsePeriod(s: string | null | undefined): PeriodParts | null {
  const v = (s ?? '').trim()
  let m = /^(\d{4})-Q([1-4])$/i.exec(v)
  if (m) return { kind: 'quarter', year: Number(m[1]), n: Number(m[2]) }
  m = /^(\d{4})-(0[1-9]|1[0-2])$/.exec(v)
  if (m) return { kind: 'month', year: Number(m[1]), n: Number(m[2]) }
  m = /^(\d{4})$/.exec(v)
  if (m) return { kind: 'year', year: Number(m[1]), n: 0 }
  return null
}

/** The period of a kind that contains a day (the current quarter by default). */
export function currentPeriod(kind: CycleKind, d: Date = new Date()): PeriodParts {
  const year = d.getFullYear()
  if (kind === 'year') return { kind, year, n: 0 }
  if (kind === 'quarter') return { kind, year, n: Math.floor(d.getMonth() / 3) + 1 }
  return { kind, year, n: d.getMonth() + 1 }
}

/** Parts moved to another kind, keeping the year and the part of it (Q4 → October → Q4). */
export function changeKind(p: PeriodParts, kind: CycleKind): PeriodParts {
  if (kind === p.kind) return p
  let month = 1
  if (p.kind === 'quarter') month = (p.n - 1) * 3 + 1
  else if (p.kind === 'month') month = p.n
  if (kind === 'year') return { kind, year: p.year, n: 0 }
  if (kind === 'quarter') return { kind, year: p.year, n: Math.floor((month - 1) / 3) + 1 }
  return { kind, year: p.year, n: month }
}

/** The years the dialog offers: this year and the few before it (cycles assess what has begun). */
export function yearChoices(d: Date = new Date(), back = 4): number[] {
  const y = d.getFullYear()
  return Array.from({ length: back + 1 }, (_, i) => y - i)
}

// ---- points, exact in tenths ----

/** Points as an integer number of tenths (9.5 → 95); null for none or for a value that has more than one decimal. */
export function toTenths(v: number | null | undefined): number | null {
  if (v === null || v === undefined || !Number.isFinite(v)) return null
  const t = Math.round(v * 10)
  // 9.55 is not 95.5 tenths away from a whole tenth: refuse instead of rounding
  if (Math.abs(v * 10 - t) > 1e-6) return null
  return t
}

/** Tenths written as points: 180 → "18", 95 → "9.5", -5 → "-0.5". */
export function formatTenths(t: number): string {
  const sign = t < 0 ? '-' : ''
  const a = Math.abs(t)
  const whole = Math.floor(a / 10)
  const frac = a % 10
  return frac === 0 ? `${sign}${whole}` : `${sign}${whole}.${frac}`
}

/** The sum of entered points, exactly, in tenths; items without a value count nothing. */
export function sumTenths(values: (number | null | undefined)[]): number {
  let s = 0
  for (const v of values) {
    const t = toTenths(v)
    if (t !== null) s += t
  }
  return s
}

/** The rated items of a template (the ones a rater fills in). */
export function ratedItems(items: AssessItem[]): AssessItem[] {
  return items.filter((i) => i.kind !== 'computed')
}

/** The maximum of the given items, in whole points. */
export function maxOf(items: AssessItem[]): number {
  return items.reduce((s, i) => s + i.max, 0)
}

/** Entered total of a sheet's rated items as shown: "81", "18" (9.5 + 8.5). */
export function enteredTotal(items: AssessItem[], points: Record<string, number | null | undefined>): string {
  return formatTenths(sumTenths(ratedItems(items).map((i) => points[i.key])))
}

/** How many rated items still have no points. */
export function missingItems(items: AssessItem[], points: Record<string, number | null | undefined>): string[] {
  return ratedItems(items)
    .filter((i) => toTenths(points[i.key]) === null)
    .map((i) => i.key)
}

/**
 * What is wrong with one entered value, as a message key of assess.sheet
 * ("" when nothing): negative, above the maximum, more than one decimal.
 */
export function pointsProblem(v: number | null | undefined, max: number): '' | 'negative' | 'aboveMax' | 'oneDecimal' {
  if (v === null || v === undefined) return ''
  if (v < 0) return 'negative'
  const t = toTenths(v)
  if (t === null) return 'oneDecimal'
  if (t > max * 10) return 'aboveMax'
  return ''
}

/** The body of PUT /api/assess/sheets/{id}: every rated item, empty ones as null. */
export function sheetBody(
  items: AssessItem[],
  points: Record<string, number | null | undefined>,
  remark: string,
  submit: boolean,
  version: number,
): { points: Record<string, number | null>; remark: string; submit: boolean; version: number } {
  const out: Record<string, number | null> = {}
  for (const i of ratedItems(items)) {
    const t = toTenths(points[i.key])
    out[i.key] = t === null ? null : t / 10
  }
  return { points: out, remark: remark.trim(), submit, version }
}

/** The item keys of a 400's fields ("points.execution" → execution); other fields are left out. */
export function pointErrors(fields: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {}
  for (const [k, v] of Object.entries(fields)) if (k.startsWith('points.')) out[k.slice('points.'.length)] = v
  return out
}

// ---- sheets and cycles ----

export type TagType = 'primary' | 'success' | 'warning' | 'danger' | 'info'

export const SHEET_TAGS: Record<string, TagType> = { pending: 'info', draft: 'warning', submitted: 'success' }
export const CYCLE_TAGS: Record<string, TagType> = { open: 'info', scoring: 'primary', review: 'warning', closed: 'success' }

export const sheetTag = (state: string): TagType => SHEET_TAGS[state] ?? 'info'
export const cycleTag = (state: string): TagType => CYCLE_TAGS[state] ?? 'info'

/**
 * May the rater change the sheet now? While scoring, until it is
 * submitted; in review only a sheet the marketing department reopened.
 */
export function sheetWritable(cycleState: string, sheet: Pick<AssessSheet, 'state' | 'reopened'>): boolean {
  if (sheet.state === 'submitted') return false
  if (cycleState === 'scoring') return true
  return cycleState === 'review' && sheet.reopened > 0
}

/** Why a sheet is read-only, as a message key of assess.sheet; "" when it is not. */
export function readOnlyReason(cycleState: string, sheet: Pick<AssessSheet, 'state' | 'reopened'>): '' | 'submittedHint' | 'notScoring' | 'closedHint' | 'endedHint' {
  if (sheetWritable(cycleState, sheet)) return ''
  if (sheet.state === 'submitted') return 'submittedHint'
  if (cycleState === 'open') return 'notScoring'
  if (cycleState === 'closed') return 'closedHint'
  return 'endedHint'
}

export type CycleAction = 'start' | 'end' | 'resume' | 'close' | 'compute'

/** The actions a cycle's state allows, in the order the buttons show. */
export function cycleActions(state: string): CycleAction[] {
  switch (state) {
    case 'open':
      return ['start']
    case 'scoring':
      return ['end', 'compute']
    case 'review':
      return ['close', 'resume', 'compute']
    default:
      return []
  }
}

/** Counts of sheets by state. */
export function countStates(sheets: Pick<AssessSheet, 'state'>[]): { total: number; pending: number; draft: number; submitted: number } {
  const c = { total: sheets.length, pending: 0, draft: 0, submitted: 0 }
  for (const s of sheets) {
    if (s.state === 'pending') c.pending++
    else if (s.state === 'draft') c.draft++
    else if (s.state === 'submitted') c.submitted++
  }
  return c
}

/** Percent done, whole (never 100 before every sheet is in). */
export function percentDone(done: number, total: number): number {
  if (total <= 0) return 0
  if (done >= total) return 100
  return Math.min(99, Math.floor((done * 100) / total))
}

export interface SheetGroup {
  /** scheme:group */
  key: string
  scheme: string
  group: string
  sheets: AssessSheet[]
  submitted: number
}

/**
 * A rater's sheets grouped by the scheme and group they rate in (peers,
 * regional manager, …), in the order the server listed them; within a
 * group the sheets still to do come first, then by employee number.
 */
export function groupSheets(sheets: AssessSheet[]): SheetGroup[] {
  const out: SheetGroup[] = []
  const byKey = new Map<string, SheetGroup>()
  for (const s of sheets) {
    const key = `${s.scheme}:${s.group}`
    let g = byKey.get(key)
    if (!g) {
      g = { key, scheme: s.scheme, group: s.group, sheets: [], submitted: 0 }
      byKey.set(key, g)
      out.push(g)
    }
    g.sheets.push(s)
    if (s.state === 'submitted') g.submitted++
  }
  const rank = (s: AssessSheet) => (s.state === 'submitted' ? 1 : 0)
  for (const g of out) {
    g.sheets.sort((a, b) => rank(a) - rank(b) || (a.subjectEmpNo ?? '').localeCompare(b.subjectEmpNo ?? '') || a.subjectName.localeCompare(b.subjectName) || a.id - b.id)
  }
  return out
}

/** The next sheet still to do after the given one (wrapping around), or null. */
export function nextOpenSheet(groups: SheetGroup[], currentId: number | null): AssessSheet | null {
  const all = groups.flatMap((g) => g.sheets)
  const i = all.findIndex((s) => s.id === currentId)
  for (let k = 1; k <= all.length; k++) {
    const s = all[(i + k + all.length) % all.length]
    if (s.state !== 'submitted' && s.id !== currentId) return s
  }
  return null
}

/** The cycle the results page opens on: the newest with results, else the newest. */
export function defaultResultsCycle(cycles: Pick<AssessCycle, 'id' | 'computedAt' | 'asOf'>[]): number | null {
  const sorted = [...cycles].sort((a, b) => b.asOf.localeCompare(a.asOf) || b.id - a.id)
  return (sorted.find((c) => !!c.computedAt) ?? sorted[0])?.id ?? null
}

// ---- scores and weights ----

/** A score (number, two decimals at most) as hundredths, exactly. */
export function toHundredths(v: number): number {
  return Math.round(v * 100)
}

/** A score for display with two decimals: 79.3 → "79.30"; "" for none. */
export function formatScore(v: number | null | undefined): string {
  if (v === null || v === undefined || !Number.isFinite(v)) return ''
  const h = toHundredths(v)
  const sign = h < 0 ? '-' : ''
  const a = Math.abs(h)
  return `${sign}${Math.floor(a / 100)}.${String(a % 100).padStart(2, '0')}`
}

/** Basis points as a percentage: 2000 → "20%", 6667 → "66.67%", 750 → "7.5%". */
export function formatBp(bp: number | null | undefined): string {
  if (bp === null || bp === undefined || !Number.isFinite(bp)) return ''
  const whole = Math.trunc(bp / 100)
  const r = Math.abs(bp % 100)
  if (r === 0) return `${whole}%`
  const frac = String(r).padStart(2, '0').replace(/0$/, '')
  return `${whole}.${frac}%`
}

/** An input ratio (0.1556) as a percentage with two decimals ("15.56%"). */
export function formatRatio(v: number | null | undefined): string {
  if (v === null || v === undefined || !Number.isFinite(v)) return ''
  return `${(Math.round(v * 10000) / 100).toFixed(2)}%`
}

/** A decimal string from the server trimmed of trailing zeros: "1.4000" → "1.4", "9.0000" → "9". */
export function trimDecimal(s: string | null | undefined): string {
  if (!s) return ''
  if (!/^-?\d+\.\d+$/.test(s)) return s
  return s.replace(/0+$/, '').replace(/\.$/, '')
}

/** An item's score as a percentage of its maximum, one decimal: 17.1 of 20 → 85.5; null without a score. */
export function itemPercent(score: number | null | undefined, max: number): number | null {
  if (score === null || score === undefined || !Number.isFinite(score) || max <= 0) return null
  // hundredths × 100 / max, rounded half up to tenths of a percent
  const num = toHundredths(score) * 10
  return Math.round(num / max) / 10
}

export interface RadarLabels {
  /** The series name, e.g. "得分率". */
  series: string
  /** "得分 {score} / 满分 {max}" is built by the caller per item. */
  point: (it: ItemScore) => string
}

/**
 * The radar chart of a result's items: one axis per item, the item's
 * score over its maximum in percent (so a 10-point and a 20-point item
 * compare). Null when no item has a score (a held result).
 */
export function radarOption(items: ItemScore[], name: (it: ItemScore) => string, labels: RadarLabels): EChartsCoreOption | null {
  const values = items.map((it) => itemPercent(it.score, it.max))
  if (!items.length || values.every((v) => v === null)) return null
  const tips = items.map((it, i) => `${escapeHtml(name(it))}: ${values[i] ?? '—'}% (${escapeHtml(labels.point(it))})`)
  return {
    animation: false,
    tooltip: { trigger: 'item', formatter: () => tips.join('<br/>') },
    radar: {
      radius: '62%',
      center: ['50%', '54%'],
      indicator: items.map((it) => ({ name: name(it), max: 100 })),
      axisName: { color: '#606266', fontSize: 11 },
    },
    series: [
      {
        type: 'radar',
        name: labels.series,
        areaStyle: { opacity: 0.15 },
        data: [{ value: values.map((v) => v ?? 0), name: labels.series }],
      },
    ],
  }
}
