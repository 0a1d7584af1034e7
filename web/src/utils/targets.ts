// Target (任务) helpers, unit-tested in tests/unit/targets.test.ts: exact
// decimal arithmetic on the API's amount strings (BigInt, never floats),
// amounts as typed and shown (percent metrics in percent), status → tag,
// period keys (2026-11, 2026-Q4, 2026), the rows of the target tree and who
// may act on them, and the decomposition dialog's running total.

import type { TargetMode, TargetNode, TargetStatus } from '@/api/types'
import { periodKind } from './format'

// ---- exact decimals ----

interface Dec {
  /** The digits as an integer: 12.50 → 1250n with places 2. */
  n: bigint
  places: number
}

const DECIMAL_RE = /^([+-])?(\d+)(?:\.(\d+))?$/

function parse(s: string | number | null | undefined): Dec | null {
  if (s === null || s === undefined) return null
  const m = DECIMAL_RE.exec(String(s).trim())
  if (!m) return null
  const frac = m[3] ?? ''
  const n = BigInt(m[2] + frac)
  return { n: m[1] === '-' ? -n : n, places: frac.length }
}

function must(s: string | number): Dec {
  const d = parse(s)
  if (!d) throw new RangeError(`not a decimal: ${JSON.stringify(s)}`)
  return d
}

function scaleUp(d: Dec, places: number): bigint {
  return d.n * 10n ** BigInt(places - d.places)
}

function text(n: bigint, places: number): string {
  const neg = n < 0n
  let digits = (neg ? -n : n).toString()
  if (places > 0) {
    digits = digits.padStart(places + 1, '0')
    const int = digits.slice(0, digits.length - places)
    const frac = digits.slice(digits.length - places).replace(/0+$/, '')
    digits = frac ? `${int}.${frac}` : int
  }
  return neg && digits !== '0' ? '-' + digits : digits
}

/** Is s a decimal such as "300", "-1.5", "0.8550"? */
export function isDecimal(s: string | number | null | undefined): boolean {
  return parse(s) !== null
}

/** The shortest form of a decimal ("012.50" → "12.5", "-0" → "0"); "" when it is not one. */
export function normalizeDecimal(s: string | number | null | undefined): string {
  const d = parse(s)
  return d ? text(d.n, d.places) : ''
}

/** a + b, exactly ("0.1" + "0.2" = "0.3"). Throws on a non-decimal. */
export function addDecimals(a: string | number, b: string | number): string {
  const x = must(a)
  const y = must(b)
  const p = Math.max(x.places, y.places)
  return text(scaleUp(x, p) + scaleUp(y, p), p)
}

/** a − b, exactly. Throws on a non-decimal. */
export function subDecimals(a: string | number, b: string | number): string {
  const x = must(a)
  const y = must(b)
  const p = Math.max(x.places, y.places)
  return text(scaleUp(x, p) - scaleUp(y, p), p)
}

/** The sum of the decimals, blanks (null, undefined, "") left out. Throws on a non-decimal. */
export function sumDecimals(xs: (string | number | null | undefined)[]): string {
  let total = '0'
  for (const x of xs) {
    if (x === null || x === undefined || String(x).trim() === '') continue
    total = addDecimals(total, x)
  }
  return total
}

/** −1, 0 or 1 as a < b, a = b, a > b ("1.10" = "1.1"). Throws on a non-decimal. */
export function compareDecimals(a: string | number, b: string | number): -1 | 0 | 1 {
  const x = must(a)
  const y = must(b)
  const p = Math.max(x.places, y.places)
  const d = scaleUp(x, p) - scaleUp(y, p)
  return d < 0n ? -1 : d > 0n ? 1 : 0
}

/** s × 10^k, exactly ("0.855", 2 → "85.5"; "85.5", −2 → "0.855"). "" when s is not a decimal. */
export function shiftDecimal(s: string | number, k: number): string {
  const d = parse(s)
  if (!d) return ''
  const places = d.places - k
  if (places >= 0) return text(d.n, places)
  return text(d.n * 10n ** BigInt(-places), 0)
}

/** A decimal written with at least `places` decimals, as the server writes amounts ("12.5", 2 → "12.50"). */
export function fixedDecimal(s: string | number, places: number): string {
  const n = normalizeDecimal(s)
  if (!n || places <= 0) return n
  const [int, frac = ''] = n.split('.')
  return `${int}.${frac.padEnd(places, '0')}`
}

/** Thousands separators in the integer part ("1234567.50" → "1,234,567.50"). */
export function groupThousands(s: string): string {
  const m = /^(-?)(\d+)(\.\d+)?$/.exec(s)
  if (!m) return s
  return m[1] + m[2].replace(/\B(?=(\d{3})+(?!\d))/g, ',') + (m[3] ?? '')
}

// ---- amounts of a metric ----

export const PERCENT_UNIT = 'percent'

/** Decimal places of a metric's minor unit: scale 100 → 2, 1 → 0, 1000 → 3, 10000 → 4. */
export function placesOf(scale: number | null | undefined): number {
  let n = 0
  for (let s = Number(scale) || 1; s >= 10 && Number.isInteger(s); s /= 10) n++
  return n
}

/** Decimal places a user may type: percent metrics are typed in percent (basis points → 2). */
export function inputPlaces(scale: number, unit: string): number {
  return Math.max(0, placesOf(scale) - (unit === PERCENT_UNIT ? 2 : 0))
}

/**
 * Is this what a user may type as a target: a non-negative decimal with at
 * most the unit's places (trailing zeros do not count, as on the server).
 */
export function validInput(input: string | null | undefined, scale: number, unit: string): boolean {
  const m = /^(\d+)(?:\.(\d+))?$/.exec((input ?? '').trim())
  if (!m) return false
  return (m[2] ?? '').replace(/0+$/, '').length <= inputPlaces(scale, unit)
}

/** An amount of the API as the user types it: a percent metric's ratio in percent ("0.8550" → "85.50"). */
export function amountToInput(amount: string | null | undefined, scale: number, unit: string): string {
  if (!amount || !isDecimal(amount)) return ''
  if (unit === PERCENT_UNIT) return fixedDecimal(shiftDecimal(amount, 2), inputPlaces(scale, unit))
  return fixedDecimal(amount, placesOf(scale))
}

/** What the user typed as the API takes it: percent back to the ratio ("85.5" → "0.855"). "" when invalid. */
export function inputToAmount(input: string | null | undefined, unit: string): string {
  const s = (input ?? '').trim()
  if (!/^\d+(\.\d+)?$/.test(s)) return ''
  return unit === PERCENT_UNIT ? shiftDecimal(s, -2) : normalizeDecimal(s)
}

/** An amount for display: the unit's places, thousands grouped, a percent metric as "85.50%". "" for none. */
export function displayAmount(amount: string | null | undefined, scale: number, unit: string): string {
  if (amount === null || amount === undefined || amount === '' || !isDecimal(amount)) return amount ?? ''
  if (unit === PERCENT_UNIT) return groupThousands(fixedDecimal(shiftDecimal(amount, 2), inputPlaces(scale, unit))) + '%'
  return groupThousands(fixedDecimal(amount, placesOf(scale)))
}

// ---- statuses ----

export type TagType = 'primary' | 'success' | 'warning' | 'danger' | 'info'

/** Element Plus tag colour of each decomposition status. */
export const STATUS_TAGS: Record<TargetStatus, TagType> = {
  within: 'primary',
  complete: 'success',
  incomplete: 'warning',
  exceeded: 'danger',
  not_decomposed: 'info',
  no_target: 'warning',
}

/** Tag colour of a status; null for none (leaves, independent metrics), info for one the UI does not know. */
export function statusTag(status: string | null | undefined): TagType | null {
  if (!status) return null
  return STATUS_TAGS[status as TargetStatus] ?? 'info'
}

export const MODES: TargetMode[] = ['at_most', 'exact', 'independent']

/** Where a running total stands against the parent, in the server's status words. */
export type TotalState = 'within' | 'complete' | 'incomplete' | 'exceeded' | 'independent' | 'no_target'

/**
 * Checks the children's total against the parent's target under a rule, as
 * the server will: over the parent is refused (except independent); under
 * it is fine for at_most and a draft (incomplete) for exact. diff is
 * |parent − total| (0 when there is nothing to compare).
 */
export function checkTotal(mode: string, parent: string | null | undefined, total: string): { state: TotalState; diff: string } {
  if (mode === 'independent') return { state: 'independent', diff: '0' }
  if (parent === null || parent === undefined || parent === '') return { state: 'no_target', diff: '0' }
  const c = compareDecimals(total, parent)
  if (c > 0) return { state: 'exceeded', diff: subDecimals(total, parent) }
  if (c === 0) return { state: 'complete', diff: '0' }
  return { state: mode === 'exact' ? 'incomplete' : 'within', diff: subDecimals(parent, total) }
}

// ---- periods ----

export type PeriodKind = 'month' | 'quarter' | 'year'

const pad2 = (n: number) => String(n).padStart(2, '0')

/** The key of the period of a kind containing day d (local calendar): 2026-11, 2026-Q4, 2026. */
export function periodKey(kind: PeriodKind, d: Date = new Date()): string {
  const y = d.getFullYear()
  if (kind === 'year') return String(y)
  if (kind === 'quarter') return `${y}-Q${Math.floor(d.getMonth() / 3) + 1}`
  return `${y}-${pad2(d.getMonth() + 1)}`
}

export function isPeriodKey(key: string | null | undefined): boolean {
  return !!key && periodKind(key) !== ''
}

/** The first day of a period (local midnight), or null for a bad key. */
export function periodStart(key: string): Date | null {
  switch (periodKind(key)) {
    case 'month':
      return new Date(Number(key.slice(0, 4)), Number(key.slice(5, 7)) - 1, 1)
    case 'quarter':
      return new Date(Number(key.slice(0, 4)), (Number(key.slice(6)) - 1) * 3, 1)
    case 'year':
      return new Date(Number(key), 0, 1)
  }
  return null
}

/** The last day of a period (local midnight), or null for a bad key. */
export function periodEnd(key: string): Date | null {
  const s = periodStart(key)
  if (!s) return null
  const months = { month: 1, quarter: 3, year: 12 }[periodKind(key) as PeriodKind]
  return new Date(s.getFullYear(), s.getMonth() + months, 0)
}

/**
 * The period of another kind for a key: the one containing `today` when
 * today lies in the period, else the one containing its first day
 * (2026-11 → 2026-Q4 → 2026; 2026-Q2 → 2026-04 unless today is in Q2).
 */
export function convertPeriod(key: string, kind: PeriodKind, today: Date = new Date()): string {
  const s = periodStart(key)
  const e = periodEnd(key)
  if (!s || !e) return periodKey(kind, today)
  const t = new Date(today.getFullYear(), today.getMonth(), today.getDate())
  return periodKey(kind, t >= s && t <= e ? t : s)
}

/** The period n periods of the same kind later (earlier for n < 0). The key itself when bad. */
export function shiftPeriod(key: string, n: number): string {
  const kind = periodKind(key)
  const s = periodStart(key)
  if (!kind || !s) return key
  const months = { month: 1, quarter: 3, year: 12 }[kind] * n
  return periodKey(kind, new Date(s.getFullYear(), s.getMonth() + months, 1))
}

// ---- tree rows ----

/** A node of the target tree as a row of the tree table. */
export interface TargetRow extends Omit<TargetNode, 'children'> {
  /** unit:7 or person:13 (row-key). */
  key: string
  level: number
  parentKey: string | null
  /** The unit this row hangs under is shown for context only (the viewer may not decompose it). */
  parentContext: boolean
  parentUnitId: number | null
  children?: TargetRow[]
  /** Stands for children not loaded yet (the node has `more`). */
  placeholder?: boolean
}

export function nodeKey(n: Pick<TargetNode, 'type' | 'unitId' | 'personId'>): string {
  return n.type === 'person' ? `person:${n.personId}` : `unit:${n.unitId}`
}

/** The subject of a write: { unitId } or { personId }. */
export function subjectOf(n: Pick<TargetNode, 'type' | 'unitId' | 'personId'>): { unitId: number } | { personId: number } {
  return n.type === 'person' ? { personId: n.personId ?? 0 } : { unitId: n.unitId ?? 0 }
}

/**
 * Rows of a node and its loaded children. A node whose children lie below
 * the requested depth gets one placeholder child, so that the table offers
 * to expand it; expanding loads the real ones.
 */
export function toRows(node: TargetNode, parent: TargetRow | null = null, level = parent ? parent.level + 1 : 0): TargetRow {
  const { children, ...rest } = node
  const row: TargetRow = {
    ...rest,
    key: nodeKey(node),
    level,
    parentKey: parent?.key ?? null,
    parentContext: !!parent?.context,
    parentUnitId: parent?.unitId ?? null,
  }
  if (children?.length) row.children = children.map((c) => toRows(c, row, level + 1))
  else if (node.more) row.children = [placeholderRow(row)]
  return row
}

export function placeholderRow(parent: TargetRow): TargetRow {
  return {
    type: 'unit',
    name: '',
    target: null,
    key: parent.key + '#more',
    level: parent.level + 1,
    parentKey: parent.key,
    parentContext: !!parent.context,
    parentUnitId: parent.unitId ?? null,
    placeholder: true,
  }
}

/** Does the row still wait for its children to be loaded? */
export function needsLoad(row: TargetRow): boolean {
  return !!row.more && row.type === 'unit' && (!row.children?.length || row.children.every((c) => c.placeholder))
}

/**
 * What the table renders: copies of the rows in which only expanded rows
 * carry their children; a collapsed row with children gets one placeholder,
 * so that it can still be expanded. The table then holds the visible rows
 * only, not every loaded one (el-table renders collapsed rows hidden, which
 * is slow with thousands of people).
 */
export function visibleRows(rows: TargetRow[], expanded: ReadonlySet<string>): TargetRow[] {
  return rows.map((r) => {
    if (!r.children?.length) return r
    const children = expanded.has(r.key) ? visibleRows(r.children, expanded) : [placeholderRow(r)]
    return { ...r, children }
  })
}

/** Every row of a tree, depth first. */
export function flattenRows(rows: TargetRow[]): TargetRow[] {
  const out: TargetRow[] = []
  const walk = (rs: TargetRow[]) => {
    for (const r of rs) {
      out.push(r)
      if (r.children) walk(r.children)
    }
  }
  walk(rows)
  return out
}

const OWN_TARGET_KINDS = ['branch', 'institution']

/**
 * May the viewer (with target:manage) set this row's target? As the server
 * decides (target.place): never on context rows; a person's target is set
 * by whoever may decompose their unit; a unit's by whoever may decompose
 * its parent — except a branch's or the top's own target, which whoever
 * sees the unit in full sets.
 */
export function canSetRow(row: TargetRow, canManage: boolean): boolean {
  if (!canManage || row.placeholder || row.context) return false
  if (row.type === 'person') return row.parentKey !== null && !row.parentContext
  if (row.parentKey === null || OWN_TARGET_KINDS.includes(row.unitKind ?? '')) return true
  return !row.parentContext
}

/** May the viewer decompose this row's target to its direct children? */
export function canDecomposeRow(row: TargetRow, canManage: boolean): boolean {
  if (!canManage || row.placeholder || row.context || row.type !== 'unit') return false
  // a placeholder child stands for children not loaded or not shown: they exist
  return !!row.more || (row.children?.length ?? 0) > 0
}

/** May the viewer remove this row's target? */
export function canDeleteRow(row: TargetRow, canManage: boolean): boolean {
  return canSetRow(row, canManage) && !!row.target
}

/**
 * Which direct children an even split goes to by default: the child units
 * when there are any (a region splits over its teams, not over the manager
 * placed in it), else the people.
 */
export function defaultSplitSelection(children: Pick<TargetNode, 'type'>[]): boolean[] {
  const units = children.some((c) => c.type === 'unit')
  return children.map((c) => (units ? c.type === 'unit' : c.type === 'person'))
}

// ---- decomposition dialog ----

/** One child in the decomposition dialog: what is typed, and its target now. */
export interface DraftChild {
  type: 'unit' | 'person'
  unitId?: number
  personId?: number
  /** As typed (percent for percent metrics); blank keeps the current target. */
  value: string
  note: string
  /** The current amount, or null. */
  current: string | null
  /** The current target's version; 0 for none. */
  version: number
}

/**
 * The children's total after a save: typed values, and for blank rows the
 * current target (the server keeps children a request does not list).
 * Rows whose value is not valid are listed and count as their current target.
 */
export function draftTotal(rows: DraftChild[], scale: number, unit: string): { total: string; invalid: number[] } {
  const parts: (string | null)[] = []
  const invalid: number[] = []
  rows.forEach((r, i) => {
    const v = r.value.trim()
    if (v === '') parts.push(r.current)
    else if (validInput(v, scale, unit)) parts.push(inputToAmount(v, unit))
    else {
      invalid.push(i)
      parts.push(r.current)
    }
  })
  return { total: sumDecimals(parts), invalid }
}

export interface ChildValueBody {
  unitId?: number
  personId?: number
  value: string
  note: string
  version: number
}

/**
 * The children of a decompose request: every row with a value (as the API
 * takes it), with the version it started from. Also the row index of each
 * item, to put the server's children[i] errors back on the rows.
 */
export function decomposeBody(rows: DraftChild[], unit: string): { children: ChildValueBody[]; rowOf: number[] } {
  const children: ChildValueBody[] = []
  const rowOf: number[] = []
  rows.forEach((r, i) => {
    if (r.value.trim() === '') return
    const subject = r.type === 'person' ? { personId: r.personId } : { unitId: r.unitId }
    children.push({ ...subject, value: inputToAmount(r.value, unit), note: r.note.trim(), version: r.version })
    rowOf.push(i)
  })
  return { children, rowOf }
}
