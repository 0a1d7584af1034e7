// Outcome inbox (考核结果待确认) helpers, unit-tested in
// tests/unit/outcomes.test.ts: the kinds and states with their tag
// colours, the first day a proposal takes effect, what confirming will
// change (the server makes the change; the dialog says beforehand what it
// will be), the names of a proposal's figures, its reason in the reader's
// language and the body of POST /api/assess/outcomes/{id}/decide.

import type { AssessCycle, AssessOutcome, AssessProposal, OutcomeDecision, TaskReview } from '@/api/types'
import { parsePeriod, type TagType } from './assess'

/** Every kind of proposal the server makes, in the order the rules list them. */
export const OUTCOME_KINDS = [
  'star_cm',
  'standby_training',
  'end_contract',
  'rm_to_sales_cm',
  'reorganise_region',
  'excellent_rm',
  'to_general_marketer',
  'may_reapply_cm',
  'grade_up',
  'grade_down',
] as const

export type OutcomeKind = (typeof OUTCOME_KINDS)[number]

/**
 * The tag colour of a kind: honours green; consequences for the person
 * red (ending the contract) or orange (standby training, conversions,
 * losing the base salary); a task for the organisation grey.
 */
export const OUTCOME_TAGS: Record<OutcomeKind, TagType> = {
  star_cm: 'success',
  excellent_rm: 'success',
  may_reapply_cm: 'success',
  grade_up: 'success',
  grade_down: 'warning',
  standby_training: 'warning',
  rm_to_sales_cm: 'warning',
  to_general_marketer: 'warning',
  end_contract: 'danger',
  reorganise_region: 'info',
}

export const outcomeTag = (kind: string): TagType => OUTCOME_TAGS[kind as OutcomeKind] ?? 'info'

/** The states of the inbox's tabs: to confirm, confirmed, overridden (不采纳). */
export const OUTCOME_STATES = ['proposed', 'confirmed', 'overridden'] as const
export type OutcomeState = (typeof OUTCOME_STATES)[number]

export const OUTCOME_STATE_TAGS: Record<OutcomeState, TagType> = { proposed: 'warning', confirmed: 'success', overridden: 'info' }
export const outcomeStateTag = (state: string): TagType => OUTCOME_STATE_TAGS[state as OutcomeState] ?? 'info'

/** The state a query string names, or the inbox's default (to confirm). */
export function outcomeStateOf(v: unknown): OutcomeState {
  return typeof v === 'string' && (OUTCOME_STATES as readonly string[]).includes(v) ? (v as OutcomeState) : 'proposed'
}

const pad = (n: number) => String(n).padStart(2, '0')

/** The first day of an effective period ("2026-11" → "2026-11-01", "2027-Q1" → "2027-01-01"); "" for none. */
export function effectiveStart(effective: string | null | undefined): string {
  const p = parsePeriod(effective)
  if (!p) return ''
  const month = p.kind === 'quarter' ? (p.n - 1) * 3 + 1 : p.kind === 'month' ? p.n : 1
  return `${p.year}-${pad(month)}-01`
}

/** A calendar date (YYYY-MM-DD) moved by whole days, without time zones: "2026-11-01" + 7 → "2026-11-08". */
export function addDays(date: string, days: number): string {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(date)
  if (!m) return ''
  const d = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]) + days))
  return `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}`
}

/** The value of one of a proposal's figures, or "" when it has none. */
export function figureValue(p: Pick<AssessProposal, 'figures'>, key: string): string {
  return (p.figures ?? []).find((f) => f.key === key)?.value ?? ''
}

/** Standby training lasts this many days unless the proposal says otherwise (the preset's standbyDays). */
export const DEFAULT_STANDBY_DAYS = 7

/**
 * What confirming a proposal will change, as a message key of
 * assess.outcomes.change and its parameters: standby training from the
 * first day of the effective month for some days (then active again),
 * the contract ended, an RM becoming a sales CM, a manager who missed
 * their tasks converted to the position the task rule names (base pay
 * stopped), a grade moved up or down, each through the person's
 * effective-dated records; may
 * reapply as a CM and any other kind are only recorded. `convertTo` is the
 * position code of the task rule in force (coopTasks.convertTo), which a
 * task review's proposals are confirmed under.
 */
export function outcomeChange(
  o: Pick<AssessOutcome, 'kind' | 'proposal'>,
  opts: { convertTo?: string } = {},
): { key: 'standby' | 'endContract' | 'toSalesCm' | 'toGeneralMarketer' | 'mayReapply' | 'grade' | 'recordOnly'; params: Record<string, string | number> } {
  const from = effectiveStart(o.proposal?.effective)
  switch (o.kind) {
    case 'standby_training': {
      const n = Number(figureValue(o.proposal, 'standbyDays'))
      const days = Number.isInteger(n) && n > 0 ? n : DEFAULT_STANDBY_DAYS
      return { key: 'standby', params: { from, days, back: addDays(from, days) } }
    }
    case 'end_contract':
      return { key: 'endContract', params: { from } }
    case 'rm_to_sales_cm':
      return { key: 'toSalesCm', params: { from } }
    case 'to_general_marketer':
      return { key: 'toGeneralMarketer', params: { from, position: opts.convertTo ?? '' } }
    case 'may_reapply_cm':
      return { key: 'mayReapply', params: { from } }
    case 'grade_up':
    case 'grade_down':
      return { key: 'grade', params: { from, was: figureValue(o.proposal, 'from'), to: figureValue(o.proposal, 'to') } }
    default:
      return { key: 'recordOnly', params: {} }
  }
}

/** Figures the UI names (assess.outcomes.figures.*); the tie item of a star CM is named by the caller (an item key). */
export const FIGURE_KEYS = [
  'score',
  'below',
  'consecutiveMonthsBelow',
  'standbyDays',
  'composite',
  'runnerUpComposite',
  'average',
  'averageExact',
  'teamQuarters',
  'floor',
  'tasksUnderFloor',
  'consecutiveMonthsMissed',
  'consecutiveMonthsMet',
  'standard',
  'candidates',
  'decidedBy',
  'quarters',
  'completion',
  'exam',
  'weakYears',
  'from',
  'to',
] as const

/**
 * The message of a figure's name: a known key (score → …figures.score),
 * an earlier month's score ("score2026-09" → …figures.scoreOf with the
 * period), or null for a key the UI does not know (shown as it is).
 */
export function figureMessage(key: string): { key: string; params: Record<string, string> } | null {
  if ((FIGURE_KEYS as readonly string[]).includes(key)) return { key: `assess.outcomes.figures.${key}`, params: {} }
  const m = /^score(\d{4}(?:-\d{2}|-Q[1-4])?)$/.exec(key)
  if (m) return { key: 'assess.outcomes.figures.scoreOf', params: { period: m[1] } }
  return null
}

/** The proposal's reason in the reader's language (English falls back to Chinese). */
export function proposalReason(p: Pick<AssessProposal, 'reasonZh' | 'reasonEn'> | null | undefined, locale: string): string {
  if (!p) return ''
  return locale === 'en' ? p.reasonEn || p.reasonZh : p.reasonZh || p.reasonEn
}

/** The body of POST /api/assess/outcomes/{id}/decide; the reason trimmed (the server requires one to override). */
export function decideBody(decision: OutcomeDecision, reason: string, version: number): { decision: OutcomeDecision; reason: string; version: number } {
  return { decision, reason: reason.trim(), version }
}

/**
 * The query of GET /api/assess/outcomes: the state of the tab and the
 * cycle or the task review, when one is chosen (a proposal comes from one
 * or the other, so a review filter wins over a cycle).
 */
export function outcomesQuery(state: OutcomeState, cycle: number | null | undefined, review?: number | null): { state: OutcomeState; cycle?: number; review?: number } {
  if (review) return { state, review }
  return cycle ? { state, cycle } : { state }
}

/** Where a proposal came from: the closing of a cycle or a monthly task review, with that one's period. */
export interface OutcomeSource {
  kind: 'cycle' | 'review' | ''
  id: number
  period: string
}

/** The source of a proposal; the period is the cycle's or the review's when listed, else the proposal's own. */
export function outcomeSource(
  o: Pick<AssessOutcome, 'cycleId' | 'reviewId' | 'period'>,
  cycles: Pick<AssessCycle, 'id' | 'period'>[],
  reviews: Pick<TaskReview, 'id' | 'period'>[],
): OutcomeSource {
  if (o.reviewId) return { kind: 'review', id: o.reviewId, period: reviews.find((r) => r.id === o.reviewId)?.period ?? o.period }
  if (o.cycleId) return { kind: 'cycle', id: o.cycleId, period: cycles.find((c) => c.id === o.cycleId)?.period ?? o.period }
  return { kind: '', id: 0, period: o.period }
}

/** The month before the one of a day, as YYYY-MM: the month a task review looks at by default. */
export function previousMonth(d: Date = new Date()): string {
  const p = new Date(d.getFullYear(), d.getMonth() - 1, 1)
  return `${p.getFullYear()}-${pad(p.getMonth() + 1)}`
}
