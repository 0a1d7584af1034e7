// Assessment rules (考核规则) helpers, unit-tested in tests/unit/rules.test.ts:
// rates in basis points shown and edited as percentages with at most two
// decimals (exactly: "99.99" ↔ 9999, never 9998.999…), scores 0–100 with
// at most two decimals, the editable drafts of the outcome and
// grade-review rules and the body of PUT /api/assess/consequences, the
// server's field errors placed beside their inputs, and the pasted lines
// of exam scores (工号,考试名称,成绩) with the body of PUT /api/assess/exams.

import type { AssessConsequences, GradeRule, OutcomeRules } from '@/api/types'

// ---- percent ↔ basis points, exactly ----

/** Basis points as an editable percentage: 3000 → "30", 9999 → "99.99", 750 → "7.5", 12000 → "120"; "" for none. */
export function bpToPercent(bp: number | null | undefined): string {
  if (bp === null || bp === undefined || !Number.isFinite(bp)) return ''
  const v = Math.round(bp)
  const sign = v < 0 ? '-' : ''
  const a = Math.abs(v)
  const frac = a % 100
  if (frac === 0) return `${sign}${Math.floor(a / 100)}`
  return `${sign}${Math.floor(a / 100)}.${String(frac).padStart(2, '0').replace(/0$/, '')}`
}

/**
 * An entered percentage as basis points: "30" → 3000, "99.99" → 9999,
 * "7.5" → 750, "30%" → 3000. Null for anything else: empty, negative, not
 * a number, or more than two decimals ("1.234" is refused, not rounded).
 * The range is the server's to check (a floor of 120% is its field error).
 */
export function percentToBp(s: string | number | null | undefined): number | null {
  if (s === null || s === undefined) return null
  const v = String(s).trim().replace(/[%％]$/, '').trim()
  const m = /^(\d{1,7})(?:\.(\d{1,2}))?$/.exec(v)
  if (!m) return null
  return Number(m[1]) * 100 + Number((m[2] ?? '').padEnd(2, '0'))
}

// ---- scores, 0–100 with two decimals ----

/** A score as hundredths, or null: empty, negative, not a number, more than two decimals. */
export function scoreHundredths(s: string | number | null | undefined): number | null {
  if (s === null || s === undefined) return null
  const m = /^(\d{1,4})(?:\.(\d{1,2}))?$/.exec(String(s).trim())
  if (!m) return null
  return Number(m[1]) * 100 + Number((m[2] ?? '').padEnd(2, '0'))
}

/** An entered score as the number the API takes ("85.50" → 85.5), or null (see scoreHundredths). */
export function parseScore(s: string | number | null | undefined): number | null {
  const h = scoreHundredths(s)
  return h === null ? null : h / 100
}

/** A score for an input, always with two decimals: 60 → "60.00", 85.5 → "85.50"; "" for none. */
export function scoreToInput(v: number | null | undefined): string {
  if (v === null || v === undefined || !Number.isFinite(v)) return ''
  const h = Math.round(v * 100)
  const sign = h < 0 ? '-' : ''
  const a = Math.abs(h)
  return `${sign}${Math.floor(a / 100)}.${String(a % 100).padStart(2, '0')}`
}

// ---- the drafts of the outcome rules ----

export const OUTCOME_RULE_KEYS = ['starCm', 'monthly', 'rmQuarterly', 'excellentRm', 'coopTasks'] as const
export type OutcomeRuleKey = (typeof OUTCOME_RULE_KEYS)[number]

/** What a local check found wrong with an input, as a message key of assess.rules.problems. */
export type Problem = 'required' | 'percent' | 'score' | 'integer'

interface Enabled {
  enabled: boolean
  positions: string[]
}

/** The editable form of the outcome rules: scores and percentages as typed text, counts as numbers. */
export interface RuleDrafts {
  starCm: Enabled & { tieItem: string }
  monthly: Enabled & { below: string; standbyDays: number | null; endAfter: number | null }
  rmQuarterly: Enabled & { below: string; convertTo: string }
  excellentRm: Enabled & { quarters: number | null }
  /** missBelowBp and floorBp hold percentages ("100", "30"), named as the API's fields so that its errors find them. */
  coopTasks: Enabled & { convertTo: string; missBelowBp: string; missMonths: number | null; floorBp: string; recoverMonths: number | null }
}

/**
 * What a rule starts with when it is switched on without having been set:
 * the figures of the institutions' rules (000 §二.3: below 60, seven days'
 * standby training, two months; 002 第十一条: 100% standard, three months,
 * 30% floor, three months to return). Positions are the user's to choose.
 */
export function defaultDrafts(): RuleDrafts {
  return {
    starCm: { enabled: false, positions: [], tieItem: 'task_completion' },
    monthly: { enabled: false, positions: [], below: '60.00', standbyDays: 7, endAfter: 2 },
    rmQuarterly: { enabled: false, positions: [], below: '60.00', convertTo: '' },
    excellentRm: { enabled: false, positions: [], quarters: 4 },
    coopTasks: { enabled: false, positions: [], convertTo: '', missBelowBp: '100', missMonths: 3, floorBp: '30', recoverMonths: 3 },
  }
}

/** The drafts of stored outcome rules: a rule present is switched on with its figures; an absent one is off with the defaults. */
export function ruleDrafts(o: OutcomeRules | null | undefined): RuleDrafts {
  const d = defaultDrafts()
  const r = o ?? {}
  if (r.starCm) d.starCm = { enabled: true, positions: [...(r.starCm.positions ?? [])], tieItem: r.starCm.tieItem ?? '' }
  if (r.monthly)
    d.monthly = {
      enabled: true,
      positions: [...(r.monthly.positions ?? [])],
      below: scoreToInput(r.monthly.below),
      standbyDays: r.monthly.standbyDays ?? null,
      endAfter: r.monthly.endAfter ?? null,
    }
  if (r.rmQuarterly)
    d.rmQuarterly = { enabled: true, positions: [...(r.rmQuarterly.positions ?? [])], below: scoreToInput(r.rmQuarterly.below), convertTo: r.rmQuarterly.convertTo ?? '' }
  if (r.excellentRm) d.excellentRm = { enabled: true, positions: [...(r.excellentRm.positions ?? [])], quarters: r.excellentRm.quarters ?? null }
  if (r.coopTasks)
    d.coopTasks = {
      enabled: true,
      positions: [...(r.coopTasks.positions ?? [])],
      convertTo: r.coopTasks.convertTo ?? '',
      missBelowBp: bpToPercent(r.coopTasks.missBelowBp),
      missMonths: r.coopTasks.missMonths ?? null,
      floorBp: bpToPercent(r.coopTasks.floorBp),
      recoverMonths: r.coopTasks.recoverMonths ?? null,
    }
  return d
}

// ---- the drafts of the grade-review rules ----

export const GRADE_CYCLES = ['month', 'quarter', 'year'] as const

/** One grade-review rule as edited: scores and percentages as text, upMinExam "" for none. */
export interface GradeDraft {
  cycle: string
  upMinScore: string
  upMinCompletionBp: string
  downBelowScore: string
  downBelowCompletionBp: string
  weakYears: number | null
  weakBelowBp: string
  upMinExam: string
}

/** The columns of a grade rule, in the order the table shows them. */
export const GRADE_COLUMNS = ['cycle', 'upMinScore', 'upMinCompletionBp', 'downBelowScore', 'downBelowCompletionBp', 'weakYears', 'weakBelowBp', 'upMinExam'] as const
export type GradeColumn = (typeof GRADE_COLUMNS)[number]

/** A new grade rule for a cycle, with the preset's thresholds (90 and 100% up; below 60 or 50% down; two weak years below 100%). */
export function newGradeDraft(cycle = 'quarter'): GradeDraft {
  return { cycle, upMinScore: '90.00', upMinCompletionBp: '100', downBelowScore: '60.00', downBelowCompletionBp: '50', weakYears: 2, weakBelowBp: '100', upMinExam: '' }
}

/** The cycle a new row should take: the first not yet listed (else quarter). */
export function nextGradeCycle(rows: Pick<GradeDraft, 'cycle'>[]): string {
  return GRADE_CYCLES.find((c) => !rows.some((r) => r.cycle === c)) ?? 'quarter'
}

export function gradeDrafts(g: GradeRule[] | null | undefined): GradeDraft[] {
  return (g ?? []).map((r) => ({
    cycle: r.cycle,
    upMinScore: scoreToInput(r.upMinScore),
    upMinCompletionBp: bpToPercent(r.upMinCompletionBp),
    downBelowScore: scoreToInput(r.downBelowScore),
    downBelowCompletionBp: bpToPercent(r.downBelowCompletionBp),
    weakYears: r.weakYears ?? 0,
    weakBelowBp: bpToPercent(r.weakBelowBp),
    upMinExam: r.upMinExam ? scoreToInput(r.upMinExam) : '',
  }))
}

// ---- the body of PUT /api/assess/consequences ----

export interface ConsequencesBody extends AssessConsequences {
  note: string
}

/**
 * The body of PUT /api/assess/consequences from the drafts: only the
 * switched-on rules, percentages as basis points and scores as numbers.
 * Problems are what cannot be sent as typed (a percentage with three
 * decimals, an empty score), keyed like the server's fields
 * ("outcomeRules.coopTasks.floorBp"; a grade row by its index,
 * "gradeReview[1].upMinExam"); nothing is sent while there are any. The
 * rules themselves (a floor above the standard, a position not in the
 * dictionary, …) are the server's to check.
 */
export function consequencesBody(d: RuleDrafts, grades: GradeDraft[], note: string): { body: ConsequencesBody; problems: Record<string, Problem> } {
  const problems: Record<string, Problem> = {}
  const score = (field: string, s: string): number => {
    const v = parseScore(s)
    if (v === null) problems[field] = s.trim() ? 'score' : 'required'
    return v ?? 0
  }
  const percent = (field: string, s: string): number => {
    const v = percentToBp(s)
    if (v === null) problems[field] = s.trim() ? 'percent' : 'required'
    return v ?? 0
  }
  const count = (field: string, n: number | null | undefined): number => {
    if (n === null || n === undefined || Number.isNaN(n)) {
      problems[field] = 'required'
      return 0
    }
    if (!Number.isInteger(n)) problems[field] = 'integer'
    return n
  }
  const o: OutcomeRules = {}
  if (d.starCm.enabled) o.starCm = { positions: [...d.starCm.positions], tieItem: d.starCm.tieItem }
  if (d.monthly.enabled) {
    const f = 'outcomeRules.monthly.'
    o.monthly = {
      positions: [...d.monthly.positions],
      below: score(f + 'below', d.monthly.below),
      standbyDays: count(f + 'standbyDays', d.monthly.standbyDays),
      endAfter: count(f + 'endAfter', d.monthly.endAfter),
    }
  }
  if (d.rmQuarterly.enabled)
    o.rmQuarterly = { positions: [...d.rmQuarterly.positions], below: score('outcomeRules.rmQuarterly.below', d.rmQuarterly.below), convertTo: d.rmQuarterly.convertTo }
  if (d.excellentRm.enabled) o.excellentRm = { positions: [...d.excellentRm.positions], quarters: count('outcomeRules.excellentRm.quarters', d.excellentRm.quarters) }
  if (d.coopTasks.enabled) {
    const f = 'outcomeRules.coopTasks.'
    const c = d.coopTasks
    o.coopTasks = {
      positions: [...c.positions],
      convertTo: c.convertTo,
      missBelowBp: percent(f + 'missBelowBp', c.missBelowBp),
      missMonths: count(f + 'missMonths', c.missMonths),
      floorBp: percent(f + 'floorBp', c.floorBp),
      recoverMonths: count(f + 'recoverMonths', c.recoverMonths),
    }
  }
  const gradeReview: GradeRule[] = grades.map((g, i) => {
    const f = `gradeReview[${i}].`
    const r: GradeRule = {
      cycle: g.cycle,
      upMinScore: score(f + 'upMinScore', g.upMinScore),
      upMinCompletionBp: percent(f + 'upMinCompletionBp', g.upMinCompletionBp),
      downBelowScore: score(f + 'downBelowScore', g.downBelowScore),
      downBelowCompletionBp: percent(f + 'downBelowCompletionBp', g.downBelowCompletionBp),
      weakYears: count(f + 'weakYears', g.weakYears ?? 0),
      // no weak years: no threshold needed
      weakBelowBp: g.weakBelowBp.trim() || g.weakYears ? percent(f + 'weakBelowBp', g.weakBelowBp) : 0,
    }
    if (g.upMinExam.trim()) {
      const exam = score(f + 'upMinExam', g.upMinExam)
      if (exam > 0) r.upMinExam = exam
    }
    return r
  })
  return { body: { outcomeRules: o, gradeReview, note: note.trim() }, problems }
}

// ---- the server's field errors, beside their inputs ----

/** The server's groups of a grade rule's errors ("gradeReview.quarter.score") and the input each is shown beside. */
const GRADE_GROUPS: Record<string, GradeColumn> = {
  cycle: 'cycle',
  score: 'upMinScore',
  completion: 'upMinCompletionBp',
  upMinExam: 'upMinExam',
  weakYears: 'weakYears',
}

export interface ConsequenceErrors {
  /** Outcome-rule fields: "coopTasks.floorBp" → message. */
  rules: Record<string, string>
  /** Grade rows by index, column → message. */
  grades: Record<number, Partial<Record<GradeColumn, string>>>
  note: string
  /** Errors of no input (the grade review as a whole, anything unknown). */
  other: string[]
}

/**
 * Places field errors — the server's 400 fields or the local problems'
 * texts — beside their inputs: "outcomeRules.coopTasks.floorBp" by the
 * floor; "gradeReview.quarter.score" (the server names a grade rule by its
 * cycle) beside the score of every row of that cycle;
 * "gradeReview.quarter" (listed twice) beside those rows' cycles;
 * "gradeReview[1].upMinExam" (a local problem) beside row 1's exam.
 */
export function consequenceErrors(fields: Record<string, string>, grades: Pick<GradeDraft, 'cycle'>[]): ConsequenceErrors {
  const out: ConsequenceErrors = { rules: {}, grades: {}, note: '', other: [] }
  const put = (row: number, col: GradeColumn, msg: string) => {
    const cur = out.grades[row] ?? {}
    cur[col] = cur[col] ? `${cur[col]}; ${msg}` : msg
    out.grades[row] = cur
  }
  for (const [k, msg] of Object.entries(fields)) {
    if (k === 'note') {
      out.note = msg
      continue
    }
    if (k.startsWith('outcomeRules.')) {
      out.rules[k.slice('outcomeRules.'.length)] = msg
      continue
    }
    let m = /^gradeReview\[(\d+)\]\.(\w+)$/.exec(k)
    if (m && (GRADE_COLUMNS as readonly string[]).includes(m[2])) {
      put(Number(m[1]), m[2] as GradeColumn, msg)
      continue
    }
    m = /^gradeReview\.(\w+)(?:\.(\w+))?$/.exec(k)
    if (m) {
      const col = m[2] === undefined ? 'cycle' : GRADE_GROUPS[m[2]]
      const rows = grades.map((g, i) => (g.cycle === m![1] ? i : -1)).filter((i) => i >= 0)
      if (col && rows.length) {
        for (const i of rows) put(i, col, msg)
        continue
      }
    }
    out.other.push(msg)
  }
  return out
}

// ---- exam scores: pasted lines, the body, the row errors ----

/** One exam score as entered: the employee number, the exam and the score as typed (the server checks 0–100, two decimals). */
export interface ExamDraft {
  empNo: string
  exam: string
  score: string
}

const HEADER_FIRST = new Set(['工号', 'empno', 'emp no', 'employee number', 'employee no'])

/**
 * Reads pasted lines "工号,考试名称,成绩" (comma, full-width comma or tab
 * separated — a block copied from Excel has tabs). Blank lines and a
 * heading line are skipped; the cells are trimmed (and unquoted), empty
 * cells after the third are ignored. Lines without exactly three cells
 * are listed in `bad` by their line number (from 1) and not read.
 */
export function parseExamLines(text: string): { rows: ExamDraft[]; bad: number[] } {
  const rows: ExamDraft[] = []
  const bad: number[] = []
  const lines = text.split(/\r\n|\n|\r/)
  lines.forEach((line, i) => {
    if (!line.trim()) return
    const sep = line.includes('\t') ? '\t' : /[,，]/
    const cells = line.split(sep).map((c) => c.trim().replace(/^"(.*)"$/, '$1').trim())
    while (cells.length > 3 && cells[cells.length - 1] === '') cells.pop()
    if (cells.length !== 3) {
      bad.push(i + 1)
      return
    }
    if (HEADER_FIRST.has(cells[0].toLowerCase())) return
    rows.push({ empNo: cells[0], exam: cells[1], score: cells[2] })
  })
  return { rows, bad }
}

/**
 * The body of PUT /api/assess/exams: the period and the rows, trimmed;
 * rows left wholly empty are not sent. `index[i]` is the draft row the
 * i-th sent row came from, so the server's "rows[i]…" errors find it.
 */
export function examBody(period: string, drafts: ExamDraft[]): { body: { period: string; rows: ExamDraft[] }; index: number[] } {
  const rows: ExamDraft[] = []
  const index: number[] = []
  drafts.forEach((d, i) => {
    const r = { empNo: d.empNo.trim(), exam: d.exam.trim(), score: d.score.trim() }
    if (!r.empNo && !r.exam && !r.score) return
    rows.push(r)
    index.push(i)
  })
  return { body: { period: period.trim(), rows }, index }
}

export interface ExamErrors {
  /** Draft rows by index: empNo, exam, score, or row (the row as a whole: the same person and exam twice). */
  rows: Record<number, Partial<Record<keyof ExamDraft | 'row', string>>>
  /** Errors of the period or of the rows as a whole. */
  fields: Record<string, string>
}

/** Splits the 400 fields of PUT /api/assess/exams ("rows[2].score", "rows[3]", "period") onto the draft rows they name. */
export function examErrors(fields: Record<string, string>, index: number[] = []): ExamErrors {
  const out: ExamErrors = { rows: {}, fields: {} }
  for (const [k, msg] of Object.entries(fields)) {
    const m = /^rows\[(\d+)\](?:\.(empNo|exam|score))?$/.exec(k)
    if (!m) {
      out.fields[k] = msg
      continue
    }
    const sent = Number(m[1])
    const row = index[sent] ?? sent
    const col = (m[2] ?? 'row') as keyof ExamDraft | 'row'
    out.rows[row] = { ...(out.rows[row] ?? {}), [col]: msg }
  }
  return out
}
