import { describe, expect, it } from 'vitest'
import zhCN from '@/i18n/zh-CN'
import en from '@/i18n/en'
import type { OutcomeRules } from '@/api/types'
import {
  bpToPercent,
  consequenceErrors,
  consequencesBody,
  defaultDrafts,
  examBody,
  examErrors,
  GRADE_COLUMNS,
  gradeDrafts,
  newGradeDraft,
  nextGradeCycle,
  OUTCOME_RULE_KEYS,
  parseExamLines,
  parseScore,
  percentToBp,
  ruleDrafts,
  scoreHundredths,
  scoreToInput,
} from '@/utils/rules'

describe('percentages and basis points', () => {
  it('converts exactly both ways', () => {
    const pairs: [string, number][] = [
      ['30', 3000],
      ['99.99', 9999],
      ['100', 10000],
      ['120', 12000],
      ['7.5', 750],
      ['0.01', 1],
      ['0', 0],
      ['1000', 100000],
      ['33.33', 3333],
    ]
    for (const [p, bp] of pairs) {
      expect(percentToBp(p), p).toBe(bp)
      expect(bpToPercent(bp), String(bp)).toBe(p)
    }
    // every two-decimal percentage survives the round trip (no 9998.999…)
    for (let bp = 0; bp <= 20000; bp += 7) expect(percentToBp(bpToPercent(bp))).toBe(bp)
  })

  it('reads what people type: a percent sign, spaces, a trailing zero', () => {
    expect(percentToBp(' 30% ')).toBe(3000)
    expect(percentToBp('30％')).toBe(3000)
    expect(percentToBp('99.90')).toBe(9990)
    expect(percentToBp('7.50')).toBe(750)
    expect(percentToBp(30)).toBe(3000)
  })

  it('refuses more than two decimals, negatives and non-numbers instead of rounding', () => {
    for (const v of ['1.234', '99.999', '-5', '', '  ', 'abc', '1e2', '.5', '5.', '1,5', null, undefined]) expect(percentToBp(v as string), String(v)).toBeNull()
  })

  it('shows no value as empty and drops a trailing zero of the decimals', () => {
    expect(bpToPercent(null)).toBe('')
    expect(bpToPercent(undefined)).toBe('')
    expect(bpToPercent(NaN)).toBe('')
    expect(bpToPercent(3010)).toBe('30.1')
    expect(bpToPercent(3001)).toBe('30.01')
  })
})

describe('scores with two decimals', () => {
  it('reads 0–100 with at most two decimals, exactly', () => {
    expect(scoreHundredths('85.5')).toBe(8550)
    expect(scoreHundredths('60')).toBe(6000)
    expect(scoreHundredths('59.99')).toBe(5999)
    expect(parseScore('85.50')).toBe(85.5)
    expect(parseScore('0.07')).toBe(0.07)
    expect(parseScore(' 90 ')).toBe(90)
    for (const v of ['85.555', '-1', '', 'x', '1e1']) expect(parseScore(v), v).toBeNull()
  })

  it('writes a score for its input with two decimals', () => {
    expect(scoreToInput(60)).toBe('60.00')
    expect(scoreToInput(85.5)).toBe('85.50')
    expect(scoreToInput(79.93)).toBe('79.93')
    expect(scoreToInput(null)).toBe('')
  })
})

const stored: OutcomeRules = {
  starCm: { positions: ['sales_cm', 'group_lead'], tieItem: 'task_completion' },
  monthly: { positions: ['sales_cm'], below: 60, standbyDays: 7, endAfter: 2 },
  coopTasks: { positions: ['sales_cm'], convertTo: 'marketing_staff', missBelowBp: 10000, missMonths: 3, floorBp: 3000, recoverMonths: 3 },
}

describe('drafts of the outcome rules', () => {
  it('switches on the stored rules with their figures and leaves the others off with defaults', () => {
    const d = ruleDrafts(stored)
    expect(d.starCm).toEqual({ enabled: true, positions: ['sales_cm', 'group_lead'], tieItem: 'task_completion' })
    expect(d.monthly).toEqual({ enabled: true, positions: ['sales_cm'], below: '60.00', standbyDays: 7, endAfter: 2 })
    expect(d.coopTasks).toMatchObject({ enabled: true, convertTo: 'marketing_staff', missBelowBp: '100', floorBp: '30', missMonths: 3, recoverMonths: 3 })
    expect(d.rmQuarterly.enabled).toBe(false)
    expect(d.excellentRm).toEqual({ ...defaultDrafts().excellentRm })
    expect(Object.keys(ruleDrafts(null))).toEqual([...OUTCOME_RULE_KEYS])
    for (const k of OUTCOME_RULE_KEYS) expect(ruleDrafts(undefined)[k].enabled, k).toBe(false)
  })

  it('does not share the stored positions (editing a draft leaves the rule set alone)', () => {
    const d = ruleDrafts(stored)
    d.starCm.positions.push('team_lead')
    expect(stored.starCm!.positions).toEqual(['sales_cm', 'group_lead'])
  })

  it('the body sends only the rules switched on, rates as basis points and scores as numbers', () => {
    const d = ruleDrafts(stored)
    d.monthly.enabled = false
    d.coopTasks.floorBp = '29.5'
    const { body, problems } = consequencesBody(d, gradeDrafts([]), '  e2e  ')
    expect(problems).toEqual({})
    expect(body).toEqual({
      outcomeRules: {
        starCm: { positions: ['sales_cm', 'group_lead'], tieItem: 'task_completion' },
        coopTasks: { positions: ['sales_cm'], convertTo: 'marketing_staff', missBelowBp: 10000, missMonths: 3, floorBp: 2950, recoverMonths: 3 },
      },
      gradeReview: [],
      note: 'e2e',
    })
    // what was stored comes back the same
    expect(consequencesBody(ruleDrafts(stored), [], '').body.outcomeRules).toEqual(stored)
  })

  it('leaves the rules to the server (a floor above the standard is sent) but refuses what cannot be sent as typed', () => {
    const d = ruleDrafts(stored)
    d.coopTasks.floorBp = '120'
    expect(consequencesBody(d, [], '').problems).toEqual({})
    expect(consequencesBody(d, [], '').body.outcomeRules.coopTasks?.floorBp).toBe(12000)
    d.coopTasks.floorBp = '30.123'
    d.coopTasks.missBelowBp = ''
    d.coopTasks.missMonths = null
    d.monthly.below = '60.001'
    expect(consequencesBody(d, [], '').problems).toEqual({
      'outcomeRules.coopTasks.floorBp': 'percent',
      'outcomeRules.coopTasks.missBelowBp': 'required',
      'outcomeRules.coopTasks.missMonths': 'required',
      'outcomeRules.monthly.below': 'score',
    })
  })
})

describe('grade-review rules', () => {
  const rule = { cycle: 'quarter', upMinScore: 90, upMinCompletionBp: 10000, downBelowScore: 60, downBelowCompletionBp: 5000, weakYears: 2, weakBelowBp: 10000 }

  it('round-trips a stored rule; an exam threshold only when one is set', () => {
    const g = gradeDrafts([rule, { ...rule, cycle: 'year', upMinExam: 80 }])
    expect(g[0]).toEqual({ cycle: 'quarter', upMinScore: '90.00', upMinCompletionBp: '100', downBelowScore: '60.00', downBelowCompletionBp: '50', weakYears: 2, weakBelowBp: '100', upMinExam: '' })
    expect(g[1].upMinExam).toBe('80.00')
    const { body, problems } = consequencesBody(defaultDrafts(), g, '')
    expect(problems).toEqual({})
    expect(body.gradeReview).toEqual([rule, { ...rule, cycle: 'year', upMinExam: 80 }])
  })

  it('a new row takes the first cycle not listed and the preset thresholds', () => {
    expect(nextGradeCycle([])).toBe('month')
    expect(nextGradeCycle([{ cycle: 'month' }, { cycle: 'quarter' }])).toBe('year')
    expect(nextGradeCycle([{ cycle: 'month' }, { cycle: 'quarter' }, { cycle: 'year' }])).toBe('quarter')
    expect(newGradeDraft('year')).toMatchObject({ cycle: 'year', upMinScore: '90.00', upMinCompletionBp: '100', upMinExam: '' })
  })

  it('names a row that cannot be sent by its index; no weak years needs no weak line', () => {
    const g = [newGradeDraft('quarter'), { ...newGradeDraft('year'), upMinCompletionBp: '99.999', upMinExam: 'x' }]
    g[0].weakYears = 0
    g[0].weakBelowBp = ''
    const { body, problems } = consequencesBody(defaultDrafts(), g, '')
    expect(problems).toEqual({ 'gradeReview[1].upMinCompletionBp': 'percent', 'gradeReview[1].upMinExam': 'score' })
    expect(body.gradeReview[0]).toMatchObject({ weakYears: 0, weakBelowBp: 0 })
    expect(body.gradeReview[0]).not.toHaveProperty('upMinExam')
  })
})

describe('field errors beside their inputs', () => {
  const rows = [{ cycle: 'quarter' }, { cycle: 'year' }, { cycle: 'quarter' }]

  it('puts the server errors of the outcome rules on their fields', () => {
    const e = consequenceErrors(
      {
        'outcomeRules.coopTasks.floorBp': '单项下限不能高于完成标准 the floor cannot be above the completion standard',
        'outcomeRules.starCm.positions': 'name the positions',
        note: 'too long',
      },
      rows,
    )
    expect(e.rules).toEqual({ 'coopTasks.floorBp': '单项下限不能高于完成标准 the floor cannot be above the completion standard', 'starCm.positions': 'name the positions' })
    expect(e.note).toBe('too long')
    expect(e.other).toEqual([])
  })

  it('finds a grade rule the server names by its cycle, and a local problem by its row', () => {
    const e = consequenceErrors(
      {
        'gradeReview.year.score': 'score thresholds',
        'gradeReview.quarter.completion': 'completion thresholds',
        'gradeReview.quarter': 'listed twice',
        'gradeReview.year.weakYears': 'weak years',
        'gradeReview.year.upMinExam': 'exam',
        'gradeReview[1].weakBelowBp': 'required',
      },
      rows,
    )
    expect(e.grades).toEqual({
      0: { upMinCompletionBp: 'completion thresholds', cycle: 'listed twice' },
      1: { upMinScore: 'score thresholds', weakYears: 'weak years', upMinExam: 'exam', weakBelowBp: 'required' },
      2: { upMinCompletionBp: 'completion thresholds', cycle: 'listed twice' },
    })
    expect(e.other).toEqual([])
  })

  it('keeps what no input shows for the summary', () => {
    const e = consequenceErrors({ gradeReview: 'needs a grades dictionary', 'gradeReview.month.score': 'no month row', weird: 'x' }, rows)
    expect(e.other).toEqual(['needs a grades dictionary', 'no month row', 'x'])
    expect(e.grades).toEqual({})
  })

  it('every grade column and rule field has a label in both languages', () => {
    for (const c of GRADE_COLUMNS) {
      expect(zhCN.assess.rules.grade[c], c).toBeTruthy()
      expect(en.assess.rules.grade[c], c).toBeTruthy()
    }
    for (const k of OUTCOME_RULE_KEYS) {
      expect(zhCN.assess.rules.names[k], k).toBeTruthy()
      expect(en.assess.rules.hints[k], k).toBeTruthy()
      for (const f of Object.keys(defaultDrafts()[k]).filter((f) => f !== 'enabled')) expect(zhCN.assess.rules.fields, `${k}.${f}`).toHaveProperty(f)
    }
  })
})

describe('pasted exam scores', () => {
  it('reads comma, full-width comma and tab separated lines, trimmed', () => {
    const { rows, bad } = parseExamLines('XZ0013,合规知识考试,85.5\r\n XZ0014 ， 业务考试 ， 101 \n\nXZ0016\t产品知识\t90\n')
    expect(bad).toEqual([])
    expect(rows).toEqual([
      { empNo: 'XZ0013', exam: '合规知识考试', score: '85.5' },
      { empNo: 'XZ0014', exam: '业务考试', score: '101' },
      { empNo: 'XZ0016', exam: '产品知识', score: '90' },
    ])
  })

  it('keeps the score as typed for the server to check (101, 1.234)', () => {
    expect(parseExamLines('A,b,101\nA,c,1.234').rows.map((r) => r.score)).toEqual(['101', '1.234'])
  })

  it('skips a heading line and blank lines, and the empty cells Excel leaves after the third', () => {
    const { rows, bad } = parseExamLines('工号,考试名称,成绩\nempNo\texam\tscore\nXZ0013\t考试\t80\t\t\n   \n')
    expect(bad).toEqual([])
    expect(rows).toEqual([{ empNo: 'XZ0013', exam: '考试', score: '80' }])
  })

  it('lists lines without three cells by their number', () => {
    const { rows, bad } = parseExamLines('XZ0013,考试\nXZ0014,考试,80\n\nXZ0015,a,b,c')
    expect(bad).toEqual([1, 4])
    expect(rows).toEqual([{ empNo: 'XZ0014', exam: '考试', score: '80' }])
  })

  it('unquotes cells a spreadsheet quoted', () => {
    expect(parseExamLines('"XZ0013","合规 考试","85"').rows).toEqual([{ empNo: 'XZ0013', exam: '合规 考试', score: '85' }])
  })
})

describe('the body and the row errors of PUT /api/assess/exams', () => {
  it('sends trimmed rows, leaving out empty ones, and remembers which draft each came from', () => {
    const { body, index } = examBody(' 2026-Q3 ', [
      { empNo: ' XZ0013 ', exam: ' 合规 ', score: ' 85.5 ' },
      { empNo: '', exam: ' ', score: '' },
      { empNo: 'XZ0014', exam: '合规', score: '101' },
    ])
    expect(body).toEqual({
      period: '2026-Q3',
      rows: [
        { empNo: 'XZ0013', exam: '合规', score: '85.5' },
        { empNo: 'XZ0014', exam: '合规', score: '101' },
      ],
    })
    expect(index).toEqual([0, 2])
  })

  it('puts "rows[i].field" and "rows[i]" on the draft row they came from', () => {
    const e = examErrors(
      {
        'rows[1].score': 'row 2: the score "101" must be within 0–100',
        'rows[0].empNo': 'row 1: unknown',
        'rows[0].exam': 'row 1: exam name',
        'rows[1]': 'row 2 repeats row 1',
        period: 'the period must be …',
        rows: 'enter 1–10000 rows',
      },
      [0, 2],
    )
    expect(e.rows).toEqual({
      0: { empNo: 'row 1: unknown', exam: 'row 1: exam name' },
      2: { score: 'row 2: the score "101" must be within 0–100', row: 'row 2 repeats row 1' },
    })
    expect(e.fields).toEqual({ period: 'the period must be …', rows: 'enter 1–10000 rows' })
    // without an index the rows are the sent ones
    expect(examErrors({ 'rows[3].score': 'x' }).rows).toEqual({ 3: { score: 'x' } })
  })
})
