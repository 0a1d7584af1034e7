import { describe, expect, it } from 'vitest'
import type { AssessOutcome } from '@/api/types'
import zhCN from '@/i18n/zh-CN'
import en from '@/i18n/en'
import {
  addDays,
  decideBody,
  DEFAULT_STANDBY_DAYS,
  effectiveStart,
  FIGURE_KEYS,
  figureMessage,
  figureValue,
  OUTCOME_KINDS,
  OUTCOME_STATES,
  OUTCOME_TAGS,
  outcomeChange,
  outcomeSource,
  outcomesQuery,
  outcomeStateOf,
  outcomeStateTag,
  outcomeTag,
  previousMonth,
  proposalReason,
} from '@/utils/outcomes'

const outcome = (kind: string, effective: string | undefined, figures: { key: string; value: string }[] = []): Pick<AssessOutcome, 'kind' | 'proposal'> => ({
  kind,
  proposal: { kind, period: '2026-10', effective, reasonZh: '理由', reasonEn: 'why', figures },
})

describe('outcome kinds', () => {
  it('every kind of the API has a tag colour and a label in both languages', () => {
    // the enum of AssessOutcome.kind in internal/httpapi/openapi.json
    expect([...OUTCOME_KINDS].sort()).toEqual(
      ['star_cm', 'standby_training', 'end_contract', 'rm_to_sales_cm', 'reorganise_region', 'excellent_rm', 'to_general_marketer', 'may_reapply_cm', 'grade_up', 'grade_down'].sort(),
    )
    for (const k of OUTCOME_KINDS) {
      expect(OUTCOME_TAGS[k], k).toBeTruthy()
      expect(zhCN.assess.outcomes.kinds[k], k).toBeTruthy()
      expect(en.assess.outcomes.kinds[k], k).toBeTruthy()
    }
    expect(zhCN.assess.outcomes.kinds.standby_training).toBe('待岗培训')
    expect(en.assess.outcomes.kinds.standby_training).toBe('Standby training')
  })

  it('honours are green, consequences red or orange, reorganising grey', () => {
    expect(outcomeTag('star_cm')).toBe('success')
    expect(outcomeTag('excellent_rm')).toBe('success')
    expect(outcomeTag('end_contract')).toBe('danger')
    expect(outcomeTag('standby_training')).toBe('warning')
    expect(outcomeTag('rm_to_sales_cm')).toBe('warning')
    expect(outcomeTag('reorganise_region')).toBe('info')
    expect(outcomeTag('something_new')).toBe('info')
  })
})

describe('outcome states', () => {
  it('has a tab per state, to confirm first, with labels in both languages', () => {
    expect(OUTCOME_STATES).toEqual(['proposed', 'confirmed', 'overridden'])
    for (const s of OUTCOME_STATES) {
      expect(zhCN.assess.outcomes.states[s], s).toBeTruthy()
      expect(en.assess.outcomes.states[s], s).toBeTruthy()
      expect(zhCN.assess.outcomes.empty[s], s).toBeTruthy()
    }
    expect(zhCN.assess.outcomes.states.overridden).toBe('未采纳')
    expect(outcomeStateTag('proposed')).toBe('warning')
    expect(outcomeStateTag('confirmed')).toBe('success')
    expect(outcomeStateTag('overridden')).toBe('info')
    expect(outcomeStateTag('?')).toBe('info')
  })

  it('reads the state of a query string, to confirm by default', () => {
    expect(outcomeStateOf('confirmed')).toBe('confirmed')
    expect(outcomeStateOf('overridden')).toBe('overridden')
    expect(outcomeStateOf('proposed')).toBe('proposed')
    expect(outcomeStateOf(undefined)).toBe('proposed')
    expect(outcomeStateOf('closed')).toBe('proposed')
    expect(outcomeStateOf(['confirmed'])).toBe('proposed')
  })

  it('queries by state, and by cycle only when one is chosen', () => {
    expect(outcomesQuery('proposed', null)).toEqual({ state: 'proposed' })
    expect(outcomesQuery('confirmed', 0)).toEqual({ state: 'confirmed' })
    expect(outcomesQuery('overridden', 7)).toEqual({ state: 'overridden', cycle: 7 })
    // a task review's proposals: the review, never both
    expect(outcomesQuery('proposed', null, 4)).toEqual({ state: 'proposed', review: 4 })
    expect(outcomesQuery('proposed', 7, 4)).toEqual({ state: 'proposed', review: 4 })
    expect(outcomesQuery('proposed', 7, null)).toEqual({ state: 'proposed', cycle: 7 })
  })
})

describe('dates of a proposal', () => {
  it('takes effect on the first day of its effective period', () => {
    expect(effectiveStart('2026-11')).toBe('2026-11-01')
    expect(effectiveStart('2027-01')).toBe('2027-01-01')
    expect(effectiveStart('2027-Q2')).toBe('2027-04-01')
    expect(effectiveStart('2027')).toBe('2027-01-01')
    expect(effectiveStart('')).toBe('')
    expect(effectiveStart(undefined)).toBe('')
    expect(effectiveStart('2026-13')).toBe('')
  })

  it('adds days across months and years, whatever the time zone', () => {
    expect(addDays('2026-11-01', 7)).toBe('2026-11-08')
    expect(addDays('2026-12-28', 7)).toBe('2027-01-04')
    expect(addDays('2028-02-25', 7)).toBe('2028-03-03') // a leap year
    expect(addDays('2026-02-25', 7)).toBe('2026-03-04')
    expect(addDays('2026-03-29', 0)).toBe('2026-03-29')
    expect(addDays('not a date', 7)).toBe('')
  })
})

describe('what confirming will change', () => {
  it('standby training: from the first day of the effective month for the proposed days, then active again', () => {
    expect(outcomeChange(outcome('standby_training', '2026-11', [{ key: 'standbyDays', value: '7' }]))).toEqual({
      key: 'standby',
      params: { from: '2026-11-01', days: 7, back: '2026-11-08' },
    })
    expect(outcomeChange(outcome('standby_training', '2027-01', [{ key: 'standbyDays', value: '10' }])).params).toEqual({
      from: '2027-01-01',
      days: 10,
      back: '2027-01-11',
    })
    // no figure (or a nonsense one): the rules' default
    expect(outcomeChange(outcome('standby_training', '2026-12')).params.days).toBe(DEFAULT_STANDBY_DAYS)
    expect(outcomeChange(outcome('standby_training', '2026-12', [{ key: 'standbyDays', value: 'x' }])).params.back).toBe('2026-12-08')
  })

  it('ending a contract and converting an RM start on the first day; other kinds are only recorded', () => {
    expect(outcomeChange(outcome('end_contract', '2026-11'))).toEqual({ key: 'endContract', params: { from: '2026-11-01' } })
    expect(outcomeChange(outcome('rm_to_sales_cm', '2027-01'))).toEqual({ key: 'toSalesCm', params: { from: '2027-01-01' } })
    for (const k of ['star_cm', 'reorganise_region', 'excellent_rm']) {
      expect(outcomeChange(outcome(k, '2026-11')).key, k).toBe('recordOnly')
    }
  })

  it('a task review converts to the position of the task rule in force; may reapply is only recorded', () => {
    expect(outcomeChange(outcome('to_general_marketer', '2026-11'), { convertTo: 'general_marketer' })).toEqual({
      key: 'toGeneralMarketer',
      params: { from: '2026-11-01', position: 'general_marketer' },
    })
    // no rule known: the caller shows no position
    expect(outcomeChange(outcome('to_general_marketer', '2026-11')).params.position).toBe('')
    expect(outcomeChange(outcome('may_reapply_cm', '2027-02'))).toEqual({ key: 'mayReapply', params: { from: '2027-02-01' } })
  })

  it('a grade review moves the grade its figures name from the first day', () => {
    const figs = [
      { key: 'composite', value: '95.00' },
      { key: 'from', value: 'star1' },
      { key: 'to', value: 'star2' },
    ]
    expect(outcomeChange(outcome('grade_up', '2026-10', figs))).toEqual({ key: 'grade', params: { from: '2026-10-01', was: 'star1', to: 'star2' } })
    expect(outcomeChange(outcome('grade_down', '2027-01', figs)).key).toBe('grade')
    for (const k of ['completion', 'exam', 'weakYears', 'from', 'to']) expect(figureMessage(k)?.key, k).toBe(`assess.outcomes.figures.${k}`)
  })

  it('every change has its text in both languages, with the same placeholders', () => {
    expect(zhCN.assess.outcomes.change.toGeneralMarketer).toContain('{position}')
    for (const k of ['standby', 'endContract', 'toSalesCm', 'toGeneralMarketer', 'mayReapply', 'grade', 'recordOnly'] as const) {
      expect(zhCN.assess.outcomes.change[k], k).toBeTruthy()
      expect(en.assess.outcomes.change[k], k).toBeTruthy()
    }
    expect(zhCN.assess.outcomes.change.standby).toContain('{back}')
  })
})

describe('figures of a proposal', () => {
  it('names the known keys and the earlier months, and leaves the others as they are', () => {
    expect(figureMessage('score')).toEqual({ key: 'assess.outcomes.figures.score', params: {} })
    expect(figureMessage('consecutiveMonthsBelow')).toEqual({ key: 'assess.outcomes.figures.consecutiveMonthsBelow', params: {} })
    expect(figureMessage('score2026-09')).toEqual({ key: 'assess.outcomes.figures.scoreOf', params: { period: '2026-09' } })
    expect(figureMessage('score2026-Q3')).toEqual({ key: 'assess.outcomes.figures.scoreOf', params: { period: '2026-Q3' } })
    expect(figureMessage('task_completion')).toBeNull()
    expect(figureMessage('scores')).toBeNull()
    for (const k of FIGURE_KEYS) {
      expect((zhCN.assess.outcomes.figures as Record<string, string>)[k], k).toBeTruthy()
      expect((en.assess.outcomes.figures as Record<string, string>)[k], k).toBeTruthy()
    }
  })

  it('reads a figure by key', () => {
    const p = outcome('standby_training', '2026-11', [
      { key: 'score', value: '25.10' },
      { key: 'below', value: '60.00' },
    ]).proposal
    expect(figureValue(p, 'below')).toBe('60.00')
    expect(figureValue(p, 'standbyDays')).toBe('')
    expect(figureValue({ figures: null as unknown as [] }, 'score')).toBe('')
  })
})

describe('reason and decision', () => {
  it("gives the reason in the reader's language, English falling back to Chinese", () => {
    expect(proposalReason({ reasonZh: '低于 60 分', reasonEn: 'below 60' }, 'zh-CN')).toBe('低于 60 分')
    expect(proposalReason({ reasonZh: '低于 60 分', reasonEn: 'below 60' }, 'en')).toBe('below 60')
    expect(proposalReason({ reasonZh: '低于 60 分', reasonEn: '' }, 'en')).toBe('低于 60 分')
    expect(proposalReason(null, 'en')).toBe('')
  })

  it('sends the decision, the trimmed reason and the version', () => {
    expect(decideBody('confirm', '', 1)).toEqual({ decision: 'confirm', reason: '', version: 1 })
    expect(decideBody('override', '  已面谈，暂缓  ', 3)).toEqual({ decision: 'override', reason: '已面谈，暂缓', version: 3 })
    // whitespace only is no reason: the server answers 400 fields.reason
    expect(decideBody('override', '   ', 1).reason).toBe('')
  })
})

describe('where a proposal came from', () => {
  const cycles = [{ id: 3, period: '2026-Q3' }]
  const reviews = [{ id: 4, period: '2026-10' }]

  it('a cycle or a task review, with its period', () => {
    expect(outcomeSource({ cycleId: 3, period: '2026-Q3' }, cycles, reviews)).toEqual({ kind: 'cycle', id: 3, period: '2026-Q3' })
    expect(outcomeSource({ reviewId: 4, period: '2026-10' }, cycles, reviews)).toEqual({ kind: 'review', id: 4, period: '2026-10' })
    // not listed (yet): the proposal's own period
    expect(outcomeSource({ reviewId: 9, period: '2026-09' }, cycles, reviews)).toEqual({ kind: 'review', id: 9, period: '2026-09' })
    expect(outcomeSource({ period: '2026-09' }, cycles, reviews)).toEqual({ kind: '', id: 0, period: '2026-09' })
  })

  it('a task review looks at last month by default, across the new year', () => {
    expect(previousMonth(new Date(2026, 10, 29))).toBe('2026-10')
    expect(previousMonth(new Date(2027, 0, 1))).toBe('2026-12')
    expect(previousMonth(new Date(2026, 2, 31))).toBe('2026-02')
  })
})
