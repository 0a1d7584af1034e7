import { describe, expect, it } from 'vitest'
import type { PayLine, PayStoredPlan } from '@/api/types'
import zhCN from '@/i18n/zh-CN'
import en from '@/i18n/en'
import {
  bracketTerms,
  factGroups,
  formatFen,
  formatYuan,
  inputsText,
  kindTag,
  lineName,
  nextSigner,
  PAY_STATES,
  PAY_STEPS,
  payActions,
  payStateTag,
  payStepIndex,
  plansByKey,
  plansInForce,
  signBody,
  signoffOf,
  sumByKind,
  tierSummary,
  trialBody,
  trimNum,
} from '@/utils/pay'

describe('formatFen: fen as yuan, exactly', () => {
  it('shows two decimals and thousands separators', () => {
    expect(formatFen(123456)).toBe('¥1,234.56')
    expect(formatFen(0)).toBe('¥0.00')
    expect(formatFen(5)).toBe('¥0.05')
    expect(formatFen(29)).toBe('¥0.29') // 0.29 * 100 is 28.999… in floating point
    expect(formatFen(100)).toBe('¥1.00')
    expect(formatFen(99999)).toBe('¥999.99')
    expect(formatFen(100000)).toBe('¥1,000.00')
    expect(formatFen(3417000)).toBe('¥34,170.00')
    expect(formatFen(126400)).toBe('¥1,264.00')
  })
  it('puts the minus before the symbol and never shows -¥0.00', () => {
    expect(formatFen(-5)).toBe('-¥0.05')
    expect(formatFen(-123456)).toBe('-¥1,234.56')
    expect(formatFen(-100000000)).toBe('-¥1,000,000.00')
    expect(formatFen(-0)).toBe('¥0.00')
    expect(formatFen('-000')).toBe('¥0.00')
  })
  it('is exact for large values: safe integers, bigints and decimal strings', () => {
    expect(formatFen(Number.MAX_SAFE_INTEGER)).toBe('¥90,071,992,547,409.91')
    expect(formatFen(-Number.MAX_SAFE_INTEGER)).toBe('-¥90,071,992,547,409.91')
    expect(formatFen(9223372036854775807n)).toBe('¥92,233,720,368,547,758.07')
    expect(formatFen(-9223372036854775808n)).toBe('-¥92,233,720,368,547,758.08')
    expect(formatFen('9223372036854775807')).toBe('¥92,233,720,368,547,758.07')
    expect(formatFen('+1234')).toBe('¥12.34')
    expect(formatFen('007')).toBe('¥0.07')
  })
  it('refuses what is not an integer', () => {
    expect(formatFen(1.5)).toBe('')
    expect(formatFen(NaN)).toBe('')
    expect(formatFen(Infinity)).toBe('')
    expect(formatFen(null)).toBe('')
    expect(formatFen(undefined)).toBe('')
    expect(formatFen('12.3')).toBe('')
    expect(formatFen('abc')).toBe('')
  })
  it('formatYuan leaves the symbol out', () => {
    expect(formatYuan(123456)).toBe('1,234.56')
    expect(formatYuan(-1)).toBe('-0.01')
  })
})

describe('the sign-off chain', () => {
  it('counts the steps done: open 0 … locked 5', () => {
    expect(PAY_STATES.map(payStepIndex)).toEqual([0, 1, 2, 3, 4, 5])
    expect(payStepIndex('bogus')).toBe(0)
    expect(payStepIndex(undefined)).toBe(0)
    expect(PAY_STEPS.length).toBe(5)
  })
  it('names who signs next', () => {
    expect(nextSigner('open')).toBe('')
    expect(nextSigner('calculated')).toBe('')
    expect(nextSigner('submitted')).toBe('chief_accountant')
    expect(nextSigner('approved_accountant')).toBe('deputy_gm')
    expect(nextSigner('approved_deputy')).toBe('general_manager')
    expect(nextSigner('locked')).toBe('')
  })
  it('offers the buttons the state allows', () => {
    expect(payActions('open', true)).toEqual({ calculate: true, recalculate: false, submit: false, sign: false })
    expect(payActions('calculated', true)).toEqual({ calculate: true, recalculate: true, submit: true, sign: false })
    expect(payActions('calculated', false)).toEqual({ calculate: false, recalculate: true, submit: false, sign: false })
    expect(payActions('submitted', false).sign).toBe(true)
    expect(payActions('submitted', true).submit).toBe(false)
    expect(payActions('approved_deputy', false).sign).toBe(true)
    expect(payActions('locked', true)).toEqual({ calculate: false, recalculate: false, submit: false, sign: false })
  })
  it('finds the signature of a step, the last one when signed again', () => {
    const s = [
      { step: 'submitted', by: 'finance', name: '蒋静怡', at: '2026-11-29T01:00:00Z' },
      { step: 'approved_accountant', by: 'finance', name: '蒋静怡', at: '2026-11-29T02:00:00Z' },
      { step: 'submitted', by: 'finance', name: '蒋静怡', at: '2026-11-29T03:00:00Z' },
    ]
    expect(signoffOf(s, 'submitted')?.at).toBe('2026-11-29T03:00:00Z')
    expect(signoffOf(s, 'locked')).toBeNull()
    expect(signoffOf(null, 'submitted')).toBeNull()
  })
  it('builds the sign body: a reason only for a rejection', () => {
    expect(signBody('submit', 3, 'x')).toEqual({ action: 'submit', reason: '', version: 3 })
    expect(signBody('reject', 4, '  数字有误 ')).toEqual({ action: 'reject', reason: '数字有误', version: 4 })
  })
  it('has a label for every state, step and signer in both languages', () => {
    for (const m of [zhCN, en]) {
      for (const s of PAY_STATES) expect(m.pay.states[s]).toBeTruthy()
      for (const s of PAY_STEPS) expect(m.pay.steps[s]).toBeTruthy()
      for (const s of ['chief_accountant', 'deputy_gm', 'general_manager'] as const) expect(m.pay.signers[s]).toBeTruthy()
    }
    expect(zhCN.pay.steps.approved_accountant).toBe('主办会计')
    expect(zhCN.pay.steps.locked).toBe('总经理 / 已锁定')
    expect(payStateTag('locked')).toBe('success')
    expect(payStateTag('open')).toBe('info')
  })
})

const line = (x: Partial<PayLine>): PayLine => ({ key: 'k', nameZh: '项', nameEn: 'Item', kind: 'earning', applied: true, exact: '0', fen: 0, ...x })

describe('statement lines', () => {
  it('trims exact numbers for display', () => {
    expect(trimNum('110616.6000')).toBe('110616.6')
    expect(trimNum('18.000')).toBe('18')
    expect(trimNum('-0.50')).toBe('-0.5')
    expect(trimNum('20/3')).toBe('20/3')
    expect(trimNum('100')).toBe('100')
    expect(trimNum('true')).toBe('true')
    expect(trimNum(2500)).toBe('2500')
    expect(trimNum(null)).toBe('')
  })
  it('summarises the tier used', () => {
    expect(tierSummary({ mode: 'whole', by: '110616.6', of: '110616.6', index: 1, bracket: { amount: 2500 }, value: '2500' })).toEqual({
      bracket: 2,
      below: '',
      rate: '',
      amount: '2500',
      by: '110616.6',
      of: '110616.6',
      mode: 'whole',
      value: '2500',
    })
    expect(tierSummary({ mode: 'whole', by: '10', of: '2221.61', index: 0, bracket: { below: 20, rate: 0 }, value: '0' })).toMatchObject({ bracket: 1, below: '20', rate: '0', amount: '' })
    expect(tierSummary(null)).toBeNull()
    expect(bracketTerms({ below: '50', rate: '0.10' })).toEqual({ below: '50', rate: '0.1', amount: '' })
  })
  it('lists inputs as name = value and names lines in the reader language', () => {
    expect(inputsText(line({ inputs: [{ name: 'deposits_in', value: '110616.6000' }, { name: 'attendance.full', value: 'false' }] }))).toEqual(['deposits_in = 110616.6', 'attendance.full = false'])
    expect(inputsText(line({}))).toEqual([])
    expect(lineName({ nameZh: '底薪', nameEn: 'Base pay' }, 'zh')).toBe('底薪')
    expect(lineName({ nameZh: '底薪', nameEn: 'Base pay' }, 'en')).toBe('Base pay')
    expect(lineName({ nameZh: '底薪', nameEn: '' }, 'en')).toBe('底薪')
    expect(kindTag('earning')).toBe('success')
    expect(kindTag('deduction')).toBe('danger')
    expect(kindTag('adjustment')).toBe('warning')
    expect(kindTag('info')).toBe('info')
  })
  it('sums the applied lines by kind', () => {
    const st = {
      lines: [
        line({ kind: 'earning', fen: 125000 }),
        line({ kind: 'earning', fen: 1400 }),
        line({ kind: 'earning', fen: 20000, applied: false }),
        line({ kind: 'deduction', fen: 5000 }),
        line({ kind: 'adjustment', fen: -300 }),
        line({ kind: 'info', fen: 0 }),
      ],
    }
    expect(sumByKind(st)).toEqual({ earning: 126400, deduction: 5000, adjustment: -300 })
  })
  it('groups the facts, sorted, without empty groups', () => {
    const g = factGroups({
      person: { grade: 'star3', position: 'sales_cm', status: 'active', monthsInService: 13 },
      metrics: { standard_lots: '10.0000', deposits_in: '110616.6000' },
      attendance: {},
      history: { months_without_new_valid_accounts: '1' },
    })
    expect(g.map((x) => x.key)).toEqual(['person', 'metrics', 'history'])
    expect(g[0].entries).toContainEqual({ name: 'monthsInService', value: '13' })
    expect(g[1].entries).toEqual([
      { name: 'deposits_in', value: '110616.6' },
      { name: 'standard_lots', value: '10' },
    ])
    expect(factGroups(null)).toEqual([])
  })
})

describe('trial and plans', () => {
  it('builds the trial body, with a draft plan when given', () => {
    expect(trialBody(' XZ0013 ', '2026-10')).toEqual({ body: { empNo: 'XZ0013', month: '2026-10' }, error: '' })
    expect(trialBody('XZ0013', '2026-10', '{"key":"cm_pay","components":[]}').body?.plan).toEqual({ key: 'cm_pay', components: [] })
    // a stored version: its plan is taken
    expect(trialBody('XZ0013', '2026-10', '{"plan":{"key":"cm_pay"},"note":"x"}').body?.plan).toEqual({ key: 'cm_pay' })
    expect(trialBody('XZ0013', '2026-10', '{bad')).toEqual({ body: null, error: 'json' })
    expect(trialBody('XZ0013', '2026-10', '[1]')).toEqual({ body: null, error: 'json' })
    expect(trialBody('XZ0013', '2026-10', 'null')).toEqual({ body: null, error: 'json' })
  })
  const sp = (key: string, version: number, effectiveFrom: string) => ({ plan: { key, version, effectiveFrom } }) as unknown as PayStoredPlan
  it('picks the version in force for a month and groups versions by plan', () => {
    const all = [sp('cm_pay', 1, '2025-01'), sp('cm_pay', 2, '2026-12'), sp('cm_pay', 3, '2026-06'), sp('tl_pay', 1, '2025-01')]
    expect(plansInForce(all, '2026-10').map((s) => `${s.plan.key}:${s.plan.version}`)).toEqual(['cm_pay:3', 'tl_pay:1'])
    expect(plansInForce(all, '2026-12').map((s) => `${s.plan.key}:${s.plan.version}`)).toEqual(['cm_pay:2', 'tl_pay:1'])
    expect(plansInForce(all, '2024-12')).toEqual([])
    expect(plansByKey(all).map((g) => [g.key, g.versions.map((v) => v.plan.version)])).toEqual([
      ['cm_pay', [3, 2, 1]],
      ['tl_pay', [1]],
    ])
  })
})
