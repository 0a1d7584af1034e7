// Pay (薪酬) helpers, unit-tested in tests/unit/pay.test.ts: money in fen
// shown as yuan with integer arithmetic only (no floating division, so
// ¥0.29 never shows as ¥0.28), where a month stands in its sign-off chain,
// who signs next, which buttons make sense, and the parts of a statement
// line (its tier, its inputs, the facts it was computed from).

import type { PayBracket, PayFacts, PayLine, PayPlan, PaySignoff, PayStatement, PayTierUse } from '@/api/types'

/**
 * Fen (an integer) as yuan with two decimals and thousands separators:
 * 123456 → "¥1,234.56", -5 → "-¥0.05", 0 → "¥0.00". Exact for every
 * integer (a bigint or a decimal string of any size too); '' for a value
 * that is not an integer.
 */
export function formatFen(fen: number | bigint | string | null | undefined, symbol = '¥'): string {
  let digits: string
  let negative = false
  if (typeof fen === 'bigint') {
    negative = fen < 0n
    digits = (negative ? -fen : fen).toString()
  } else if (typeof fen === 'number') {
    if (!Number.isInteger(fen)) return ''
    negative = fen < 0
    // BigInt keeps every digit of a large integral number (no exponent form)
    digits = BigInt(Math.abs(fen)).toString()
  } else if (typeof fen === 'string' && /^[-+]?\d+$/.test(fen.trim())) {
    const s = fen.trim()
    negative = s.startsWith('-')
    digits = s.replace(/^[-+]/, '').replace(/^0+(?=\d)/, '')
  } else {
    return ''
  }
  digits = digits.padStart(3, '0')
  const yuan = digits.slice(0, -2)
  const cents = digits.slice(-2)
  const grouped = yuan.replace(/\B(?=(\d{3})+(?!\d))/g, ',')
  if (negative && /[1-9]/.test(digits)) return `-${symbol}${grouped}.${cents}`
  return `${symbol}${grouped}.${cents}`
}

/** Fen as yuan without the symbol ("1,234.56"), for amount columns. */
export function formatYuan(fen: number | bigint | string | null | undefined): string {
  return formatFen(fen, '')
}

// ---- the month's sign-off chain (001 第十五条) ----

export const PAY_STATES = ['open', 'calculated', 'submitted', 'approved_accountant', 'approved_deputy', 'locked'] as const

/** The steps of the bar, in order: each is the state the step leads to. */
export const PAY_STEPS = ['calculated', 'submitted', 'approved_accountant', 'approved_deputy', 'locked'] as const
export type PayStep = (typeof PAY_STEPS)[number]

/** How many steps of the bar are done in a state (open 0 … locked 5); unknown states 0. */
export function payStepIndex(state: string | null | undefined): number {
  const i = (PAY_STATES as readonly string[]).indexOf(state ?? '')
  return i < 0 ? 0 : i
}

/** The position that signs next in a state, or '' when no signature is due (the server decides; this is only shown). */
export function nextSigner(state: string | null | undefined): '' | 'chief_accountant' | 'deputy_gm' | 'general_manager' {
  switch (state) {
    case 'submitted':
      return 'chief_accountant'
    case 'approved_accountant':
      return 'deputy_gm'
    case 'approved_deputy':
      return 'general_manager'
  }
  return ''
}

/** The last signature of a step (a rejected chain starts over, so there is at most one). */
export function signoffOf(signoffs: PaySignoff[] | null | undefined, step: string): PaySignoff | null {
  const all = (signoffs ?? []).filter((s) => s.step === step)
  return all.length ? all[all.length - 1] : null
}

export interface PayActions {
  /** 计算 / 重新计算: pay:manage, never once locked. */
  calculate: boolean
  /** Calculated before: the button says 重新计算. */
  recalculate: boolean
  /** 提交: pay:manage, when calculated. */
  submit: boolean
  /** 签字 / 退回: anyone may try when a signature is due; the server checks the signer. */
  sign: boolean
}

/** The buttons to show for a month's state and the reader's permissions. */
export function payActions(state: string | null | undefined, canManage: boolean, canRead = true): PayActions {
  const s = state ?? 'open'
  return {
    calculate: canManage && s !== 'locked',
    recalculate: s !== 'open' && s !== 'locked',
    submit: canManage && s === 'calculated',
    sign: canRead && nextSigner(s) !== '',
  }
}

/** el-tag type of a month's state. */
export function payStateTag(state: string | null | undefined): 'info' | 'warning' | 'primary' | 'success' {
  switch (state) {
    case 'calculated':
      return 'warning'
    case 'submitted':
    case 'approved_accountant':
    case 'approved_deputy':
      return 'primary'
    case 'locked':
      return 'success'
  }
  return 'info'
}

/** The body of POST /api/pay/months/{month}/sign. */
export function signBody(action: 'submit' | 'approve' | 'reject', version: number, reason = ''): { action: string; reason: string; version: number } {
  return { action, reason: action === 'reject' ? reason.trim() : '', version }
}

// ---- a statement ----

export const PAY_KINDS = ['earning', 'deduction', 'adjustment', 'info'] as const

/** el-tag type of a line's kind. */
export function kindTag(kind: string): 'success' | 'danger' | 'warning' | 'info' {
  switch (kind) {
    case 'earning':
      return 'success'
    case 'deduction':
      return 'danger'
    case 'adjustment':
      return 'warning'
  }
  return 'info'
}

/** A line's name in the reader's language. */
export function lineName(x: { nameZh: string; nameEn: string }, lang: 'zh' | 'en'): string {
  return lang === 'en' ? x.nameEn || x.nameZh : x.nameZh || x.nameEn
}

/**
 * An exact number as shown: trailing zeros of a decimal dropped
 * ("110616.6000" → "110616.6", "18.000" → "18"); integers, fractions
 * ("20/3") and words ("true") as they are.
 */
export function trimNum(v: string | number | null | undefined): string {
  if (v === null || v === undefined) return ''
  const s = String(v).trim()
  if (!/^-?\d+\.\d+$/.test(s)) return s
  return s.replace(/0+$/, '').replace(/\.$/, '')
}

/** A bracket's terms: its upper bound ("< 50"), and a rate ("× 0.1") or an amount ("= 2500"). */
export function bracketTerms(b: PayBracket | null | undefined): { below: string; rate: string; amount: string } {
  const has = (v: unknown) => v !== undefined && v !== null && v !== ''
  return {
    below: has(b?.below) ? trimNum(b!.below as string) : '',
    rate: has(b?.rate) ? trimNum(b!.rate as string) : '',
    amount: has(b?.amount) ? trimNum(b!.amount as string) : '',
  }
}

/** The tier a line used, in short: bracket number (1-based), terms, what chose it and what it applied to. */
export function tierSummary(t: PayTierUse | null | undefined): { bracket: number; below: string; rate: string; amount: string; by: string; of: string; mode: string; value: string } | null {
  if (!t) return null
  return { bracket: t.index + 1, ...bracketTerms(t.bracket), by: trimNum(t.by), of: trimNum(t.of), mode: t.mode, value: trimNum(t.value) }
}

/** A line's inputs as "name = value", in the server's order. */
export function inputsText(line: Pick<PayLine, 'inputs'>): string[] {
  return (line.inputs ?? []).map((i) => `${i.name} = ${trimNum(i.value)}`)
}

/** Sums of a statement's paid lines by kind, in fen (to check the server's totals). */
export function sumByKind(st: Pick<PayStatement, 'lines'>): { earning: number; deduction: number; adjustment: number } {
  const out = { earning: 0, deduction: 0, adjustment: 0 }
  for (const l of st.lines ?? []) {
    if (!l.applied) continue
    if (l.kind === 'earning' || l.kind === 'deduction' || l.kind === 'adjustment') out[l.kind] += l.fen
  }
  return out
}

export interface FactGroup {
  key: 'person' | 'metrics' | 'attendance' | 'history'
  entries: { name: string; value: string }[]
}

/** The facts a statement was computed from, grouped and sorted by name; empty groups left out. */
export function factGroups(f: PayFacts | null | undefined): FactGroup[] {
  if (!f) return []
  const sorted = (o: Record<string, string | number> | null | undefined) =>
    Object.entries(o ?? {})
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([name, value]) => ({ name, value: trimNum(value) }))
  const person = f.person
    ? [
        { name: 'grade', value: f.person.grade ?? '' },
        { name: 'position', value: f.person.position ?? '' },
        { name: 'status', value: f.person.status ?? '' },
        { name: 'monthsInService', value: String(f.person.monthsInService ?? '') },
      ]
    : []
  const groups: FactGroup[] = [
    { key: 'person', entries: person },
    { key: 'metrics', entries: sorted(f.metrics) },
    { key: 'attendance', entries: sorted(f.attendance) },
    { key: 'history', entries: sorted(f.history) },
  ]
  return groups.filter((g) => g.entries.length > 0)
}

// ---- trial ----

/**
 * The body of POST /api/pay/trial. With a draft, its JSON is parsed: a plan,
 * or a stored version ({plan, note, …}) whose plan is taken. A draft that is
 * not a JSON object gives an error instead of a body.
 */
export function trialBody(
  empNo: string,
  month: string,
  draft?: string | null,
): { body: { empNo: string; month: string; plan?: PayPlan }; error: '' } | { body: null; error: 'json' } {
  const base = { empNo: empNo.trim(), month }
  if (draft === undefined || draft === null) return { body: base, error: '' }
  let v: unknown
  try {
    v = JSON.parse(draft)
  } catch {
    return { body: null, error: 'json' }
  }
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return { body: null, error: 'json' }
  const o = v as Record<string, unknown>
  const plan = (typeof o.plan === 'object' && o.plan !== null && !Array.isArray(o.plan) ? o.plan : o) as PayPlan
  return { body: { ...base, plan }, error: '' }
}

/** The plan versions in force for a month: the latest version of each key effective by then. */
export function plansInForce<T extends { plan: Pick<PayPlan, 'key' | 'version' | 'effectiveFrom'> }>(stored: T[], month: string): T[] {
  const best = new Map<string, T>()
  for (const s of stored) {
    if (s.plan.effectiveFrom > month) continue
    const cur = best.get(s.plan.key)
    if (!cur || s.plan.effectiveFrom > cur.plan.effectiveFrom || (s.plan.effectiveFrom === cur.plan.effectiveFrom && s.plan.version > cur.plan.version)) best.set(s.plan.key, s)
  }
  return [...best.values()]
}

/** Plan versions grouped by key, newest version first; keys in the order they first appear. */
export function plansByKey<T extends { plan: Pick<PayPlan, 'key' | 'version'> }>(stored: T[]): { key: string; versions: T[] }[] {
  const out = new Map<string, T[]>()
  for (const s of stored) {
    const list = out.get(s.plan.key) ?? []
    list.push(s)
    out.set(s.plan.key, list)
  }
  return [...out.entries()].map(([key, versions]) => ({ key, versions: [...versions].sort((a, b) => b.plan.version - a.plan.version) }))
}
