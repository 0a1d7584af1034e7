// Customer attribution helpers (unit-tested in tests/unit/customers.test.ts):
// shares as the user types them (percent) ↔ as the API takes them (basis
// points), the client-side check of a set of managers, the server's
// "managers[i].field" errors by row, serial ranges and month keys.

import type { Holder, SerialRange } from '@/api/types'
import { toDateString } from './format'

/** 100% in basis points. */
export const FULL_SHARE_BP = 10000

export const ROLE_PRIMARY = 'primary'
export const ROLE_ASSISTING = 'assisting'

/**
 * A percentage (70, "70", "33.33", "60%") in basis points, exactly: at most
 * two decimals, above 0 and at most 100. null when it is not such a number.
 */
export function percentToBp(v: number | string | null | undefined): number | null {
  if (v === null || v === undefined) return null
  if (typeof v === 'number') {
    if (!Number.isFinite(v)) return null
    const bp = Math.round(v * 100)
    // more than two decimals (beyond float noise) is not a share
    if (Math.abs(bp - v * 100) > 1e-6) return null
    return bp > 0 && bp <= FULL_SHARE_BP ? bp : null
  }
  const s = v.trim().replace(/[%％]$/, '').trim()
  const m = /^(\d{1,3})(?:\.(\d{1,2}))?$/.exec(s)
  if (!m) return null
  const bp = Number(m[1]) * 100 + Number((m[2] ?? '').padEnd(2, '0'))
  return bp > 0 && bp <= FULL_SHARE_BP ? bp : null
}

/** Basis points as a number of percent: 7000 → 70, 3333 → 33.33. */
export function bpToPercent(bp: number): number {
  return Math.round(bp) / 100
}

/** Basis points as the server writes them: 6000 → "60%", 3333 → "33.33%", 3330 → "33.3%". */
export function formatShare(bp: number | null | undefined): string {
  if (bp === null || bp === undefined || !Number.isFinite(bp)) return ''
  const whole = Math.trunc(bp / 100)
  const rest = Math.abs(bp % 100)
  if (rest === 0) return `${whole}%`
  return `${whole}.${String(rest).padStart(2, '0').replace(/0+$/, '')}%`
}

/** Sum of the valid shares, in basis points. */
export function shareSum(holders: Pick<Holder, 'shareBp'>[]): number {
  return holders.reduce((s, h) => s + (Number.isInteger(h.shareBp) && h.shareBp > 0 ? h.shareBp : 0), 0)
}

/** One row of the managers editor: a share still as typed (percent). */
export interface HolderDraft {
  personId: number | null | undefined
  role: string
  sharePercent: number | string | null | undefined
  /** Stable key of the row in a list (rows can be removed from the middle). */
  uid?: number
}

let nextUid = 1

/** A new row of the managers editor. */
export function newHolderDraft(role = ROLE_PRIMARY, sharePercent: number | null = null, personId: number | null = null): HolderDraft {
  return { personId, role, sharePercent, uid: nextUid++ }
}

/** Rows of the editor for an existing set of managers (shares back to percent). */
export function holderDrafts(holders: Holder[]): HolderDraft[] {
  return holders.map((h) => newHolderDraft(h.role, bpToPercent(h.shareBp), h.personId))
}

export type HolderProblem = 'required' | 'noManagers' | 'tooMany' | 'primaryCount' | 'sumOver' | 'duplicate' | 'share' | 'role'

export interface HolderCheck {
  /** The holders as the API takes them (only meaningful when ok). */
  holders: Holder[]
  /** Sum of the valid shares, basis points. */
  sumBp: number
  /** Problems of the whole set. */
  problems: HolderProblem[]
  /** Problems by row index and field (personId, role, shareBp). */
  rows: Record<number, Partial<Record<'personId' | 'role' | 'shareBp', HolderProblem>>>
  ok: boolean
}

/**
 * Checks a set of managers as the server will (validateHolders in
 * internal/customer/model.go): at least one, at most 20, a person on every
 * row and no one twice, exactly one primary, every share in (0, 100%] with
 * two decimals at most, the sum at most 100%. The server checks again and
 * its field errors are shown too.
 */
export function checkHolders(rows: HolderDraft[]): HolderCheck {
  const out: HolderCheck = { holders: [], sumBp: 0, problems: [], rows: {}, ok: false }
  const rowProblem = (i: number, field: 'personId' | 'role' | 'shareBp', p: HolderProblem) => {
    out.rows[i] = { ...(out.rows[i] ?? {}), [field]: p }
  }
  if (rows.length === 0) out.problems.push('noManagers')
  if (rows.length > 20) out.problems.push('tooMany')
  const seen = new Set<number>()
  let primaries = 0
  rows.forEach((r, i) => {
    const pid = r.personId ?? 0
    if (!pid || pid <= 0) rowProblem(i, 'personId', 'required')
    else if (seen.has(pid)) rowProblem(i, 'personId', 'duplicate')
    else seen.add(pid)
    if (r.role === ROLE_PRIMARY) primaries++
    else if (r.role !== ROLE_ASSISTING) rowProblem(i, 'role', 'role')
    const bp = percentToBp(r.sharePercent ?? null)
    if (bp === null) rowProblem(i, 'shareBp', r.sharePercent === null || r.sharePercent === undefined || r.sharePercent === '' ? 'required' : 'share')
    else out.sumBp += bp
    out.holders.push({ personId: pid || 0, role: r.role, shareBp: bp ?? 0 })
  })
  if (rows.length > 0 && primaries !== 1) out.problems.push('primaryCount')
  if (out.sumBp > FULL_SHARE_BP) out.problems.push('sumOver')
  out.ok = out.problems.length === 0 && Object.keys(out.rows).length === 0
  return out
}

export interface SplitFieldErrors {
  /** Errors of other fields (name, idNumber, effectiveFrom …) and of the list as a whole ("managers"). */
  fields: Record<string, string>
  /** "managers[2].shareBp" → rows[2].shareBp */
  rows: Record<number, Record<string, string>>
}

/** Splits the server's field errors into plain fields and the rows of a list ("managers[i].field"). */
export function splitRowErrors(fields: Record<string, string>, list = 'managers'): SplitFieldErrors {
  const out: SplitFieldErrors = { fields: {}, rows: {} }
  const re = new RegExp(`^${list}\\[(\\d+)\\]\\.(\\w+)$`)
  for (const [k, v] of Object.entries(fields)) {
    const m = re.exec(k)
    if (m) {
      const i = Number(m[1])
      out.rows[i] = { ...(out.rows[i] ?? {}), [m[2]]: v }
    } else {
      out.fields[k] = v
    }
  }
  return out
}

/** A range of serial numbers: "XZ-202601-0001" alone, or "XZ-202601-0001 – XZ-202601-0003". */
export function formatSerialRange(r: Pick<SerialRange, 'first' | 'last' | 'count'>): string {
  if (!r.first) return ''
  if (r.count <= 1 || !r.last || r.last === r.first) return r.first
  return `${r.first} – ${r.last}`
}

/** Total number of forms of some ranges. */
export function formsCount(ranges: Pick<SerialRange, 'count'>[] | null | undefined): number {
  return (ranges ?? []).reduce((s, r) => s + (r.count || 0), 0)
}

/** The YYYY-MM key of a date (local calendar) or of a YYYY-MM-DD string. */
export function monthKey(d: Date | string = new Date()): string {
  if (typeof d === 'string') return /^\d{4}-\d{2}/.test(d) ? d.slice(0, 7) : ''
  return toDateString(d).slice(0, 7)
}

export function isMonthKey(s: string | null | undefined): boolean {
  return !!s && /^\d{4}-(0[1-9]|1[0-2])$/.test(s)
}

/** Current managers of an attribution history: rows without an end. */
export function currentHolders<T extends { validTo: string | null }>(rows: T[]): T[] {
  return rows.filter((r) => !r.validTo)
}
