// Pure formatting helpers (unit-tested in tests/unit/format.test.ts).

import type { DictItem, Unit } from '@/api/types'

const pad = (n: number) => String(n).padStart(2, '0')

/** Local calendar date of `d` as YYYY-MM-DD. */
export function toDateString(d: Date): string {
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`
}

export function today(): string {
  return toDateString(new Date())
}

/**
 * Formats a date for display as YYYY-MM-DD. A plain date string is returned
 * as is (no time-zone shift); a timestamp is shown as the local date.
 */
export function formatDate(v: string | Date | null | undefined): string {
  if (v === null || v === undefined || v === '') return ''
  if (v instanceof Date) return isNaN(v.getTime()) ? '' : toDateString(v)
  if (/^\d{4}-\d{2}-\d{2}$/.test(v)) return v
  const d = new Date(v)
  if (isNaN(d.getTime())) return v
  return toDateString(d)
}

/** Formats an RFC 3339 timestamp as local YYYY-MM-DD HH:mm:ss. */
export function formatDateTime(v: string | null | undefined): string {
  if (!v) return ''
  const d = new Date(v)
  if (isNaN(d.getTime())) return v
  return `${toDateString(d)} ${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`
}

export function isMasked(v: string | null | undefined): boolean {
  return !!v && v.includes('*')
}

/** 130102199001011234 → 1301**********1234 (first 4 and last 4 kept). */
export function maskIdNumber(v: string | null | undefined): string {
  if (!v) return ''
  if (isMasked(v)) return v
  if (v.length <= 8) return '*'.repeat(v.length)
  return v.slice(0, 4) + '*'.repeat(v.length - 8) + v.slice(-4)
}

/** 13812345678 → 138****5678 (first 3 and last 4 kept). */
export function maskPhone(v: string | null | undefined): string {
  if (!v) return ''
  if (isMasked(v)) return v
  if (v.length <= 7) return '*'.repeat(v.length)
  return v.slice(0, 3) + '*'.repeat(v.length - 7) + v.slice(-4)
}

/**
 * What to show for personal data. The server masks unless the viewer has
 * people:pii; the UI masks again when it must, so an unmasked value can never
 * reach the screen of a viewer without the permission.
 */
export function displayPii(v: string | null | undefined, kind: 'idNumber' | 'phone', canSeePii: boolean): string {
  if (!v) return ''
  if (canSeePii) return v
  return kind === 'idNumber' ? maskIdNumber(v) : maskPhone(v)
}

/** Label of a dictionary code in the current language; the code itself when unknown. */
export function dictLabel(items: DictItem[] | undefined, code: string | null | undefined, locale: string): string {
  if (code === null || code === undefined || code === '') return ''
  const it = items?.find((i) => i.code === code)
  if (!it) return code
  return locale.startsWith('zh') ? it.zh : it.en || it.zh
}

export interface UnitNode extends Unit {
  children: UnitNode[]
  depth: number
}

/**
 * Builds the organisation tree from the flat list of /api/org/units. A unit
 * whose parent is not in the list (outside the viewer's scope) becomes a root.
 * Children keep the order of the list. A cycle in bad data cannot loop.
 */
export function buildUnitTree(units: Unit[]): UnitNode[] {
  const byId = new Map<number, UnitNode>()
  for (const u of units) byId.set(u.id, { ...u, children: [], depth: 0 })
  const roots: UnitNode[] = []
  for (const u of units) {
    const node = byId.get(u.id)!
    const parent = u.parentId != null ? byId.get(u.parentId) : undefined
    if (parent && parent !== node && !isAncestor(node, parent, byId)) parent.children.push(node)
    else roots.push(node)
  }
  const setDepth = (nodes: UnitNode[], d: number) => {
    for (const n of nodes) {
      n.depth = d
      setDepth(n.children, d + 1)
    }
  }
  setDepth(roots, 0)
  return roots
}

function isAncestor(node: UnitNode, candidate: UnitNode, byId: Map<number, UnitNode>): boolean {
  // true when `node` is already an ancestor of `candidate` (adding would make a cycle)
  let cur: UnitNode | undefined = candidate
  const seen = new Set<number>()
  while (cur && cur.parentId != null && !seen.has(cur.id)) {
    seen.add(cur.id)
    if (cur.parentId === node.id) return true
    cur = byId.get(cur.parentId)
  }
  return false
}

/** Names from the root to the unit, e.g. "营业部 / 第一区域 / 一团队". */
export function unitPathOf(units: Unit[], id: number | null | undefined, sep = ' / '): string {
  const byId = new Map(units.map((u) => [u.id, u]))
  const names: string[] = []
  const seen = new Set<number>()
  let cur = id != null ? byId.get(id) : undefined
  while (cur && !seen.has(cur.id)) {
    seen.add(cur.id)
    names.unshift(cur.name)
    cur = cur.parentId != null ? byId.get(cur.parentId) : undefined
  }
  return names.join(sep)
}

/** Top-level keys whose values differ between two JSON objects (audit diff). */
export function changedKeys(before: unknown, after: unknown): string[] {
  const b = isPlainObject(before) ? before : {}
  const a = isPlainObject(after) ? after : {}
  const keys = new Set([...Object.keys(b), ...Object.keys(a)])
  return [...keys].filter((k) => JSON.stringify(b[k]) !== JSON.stringify(a[k])).sort()
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v)
}

export function prettyJson(v: unknown): string {
  if (v === null || v === undefined) return '—'
  return JSON.stringify(v, null, 2)
}

/** Period keys: YYYY-MM, YYYY-Qn, YYYY. */
export function periodKind(key: string): 'month' | 'quarter' | 'year' | '' {
  if (/^\d{4}-(0[1-9]|1[0-2])$/.test(key)) return 'month'
  if (/^\d{4}-Q[1-4]$/.test(key)) return 'quarter'
  if (/^\d{4}$/.test(key)) return 'year'
  return ''
}
