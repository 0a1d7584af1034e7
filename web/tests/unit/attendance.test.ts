import { describe, expect, it } from 'vitest'
import type { AttendanceDay } from '@/api/types'
import {
  calendarBody,
  calendarChanged,
  dayHeads,
  dayMark,
  daysByDate,
  DAY_STATUSES,
  defaultEntryDate,
  draftFromDay,
  formatDays,
  isDefaultRules,
  isMonth,
  langOf,
  monthAfter,
  monthColumns,
  monthGrid,
  monthOf,
  normalizeDate,
  parseCalendarKind,
  parseCalendarLines,
  parseRecordLines,
  parseStatus,
  reasonIn,
  recordBody,
  ruleErrors,
  rulesBody,
  rulesDraft,
  rowErrors,
  splitBilingual,
  statusSymbol,
  statusTag,
  statusTone,
  timeOk,
  weekdayName,
  weekdayOf,
  workdaysByMonth,
} from '@/utils/attendance'

const day = (over: Partial<AttendanceDay>): AttendanceDay => ({
  date: '2026-11-02',
  workday: true,
  status: 'present',
  cause: 'punches',
  in: '09:00',
  out: '17:00',
  lateMinutes: 0,
  earlyMinutes: 0,
  late: false,
  earlyLeave: false,
  absentDays: 0,
  attendedDays: 1,
  reason: '上班 09:00；下班 17:00 in 09:00; out 17:00',
  ...over,
})

describe('status symbols and colours', () => {
  it('gives every status its short symbol in both languages; rest days and days not counted are blank', () => {
    expect(DAY_STATUSES.map((s) => statusSymbol(s, 'zh'))).toEqual(['√', '迟', '早', '旷', '假', '外', ''])
    expect(DAY_STATUSES.map((s) => statusSymbol(s, 'en'))).toEqual(['√', 'L', 'E', 'A', 'V', 'O', ''])
    expect(statusSymbol('', 'zh')).toBe('')
    expect(statusSymbol(undefined)).toBe('')
    expect(statusSymbol('weird', 'zh')).toBe('')
  })

  it('colours each status, the rest grey and an uncounted day apart', () => {
    expect(DAY_STATUSES.map(statusTone)).toEqual(['present', 'late', 'early', 'absent', 'leave', 'outing', 'rest'])
    expect(statusTone('')).toBe('none')
    expect(statusTone(null)).toBe('none')
    expect(['present', 'late', 'early_leave', 'absent', 'on_leave', 'on_outing', 'rest', ''].map(statusTag)).toEqual([
      'success',
      'warning',
      'warning',
      'danger',
      'primary',
      'primary',
      'info',
      'info',
    ])
  })

  it('marks half a day of absence with ½', () => {
    expect(dayMark(day({ status: 'absent', absentDays: 1, attendedDays: 0 }))).toEqual({ symbol: '旷', tone: 'absent', half: false })
    expect(dayMark(day({ status: 'absent', absentDays: 0.5, attendedDays: 0.5 }))).toEqual({ symbol: '旷½', tone: 'absent', half: true })
    expect(dayMark(day({ status: 'absent', absentDays: 0.5 }), 'en').symbol).toBe('A½')
    expect(dayMark(day({ status: 'rest', workday: false }))).toEqual({ symbol: '', tone: 'rest', half: false })
    expect(dayMark(null)).toEqual({ symbol: '', tone: 'none', half: false })
  })

  it('reads the language of vue-i18n', () => {
    expect(langOf('en')).toBe('en')
    expect(langOf('zh-CN')).toBe('zh')
  })
})

describe('the server reasons, Chinese then English', () => {
  it('splits at the English part', () => {
    const late = '上班 09:31，迟到 31 分钟，超过 30 分钟按旷工；下班 17:05 in 09:31, late by 31 minutes, more than 30 counts as absent; out 17:05'
    expect(splitBilingual(late)).toEqual({
      zh: '上班 09:31，迟到 31 分钟，超过 30 分钟按旷工；下班 17:05',
      en: 'in 09:31, late by 31 minutes, more than 30 counts as absent; out 17:05',
    })
    expect(reasonIn('周末休息 weekend', 'zh')).toBe('周末休息')
    expect(reasonIn('周末休息 weekend', 'en')).toBe('weekend')
    expect(splitBilingual('法定节假日 国庆节 public holiday 国庆节')).toEqual({ zh: '法定节假日 国庆节', en: 'public holiday 国庆节' })
    expect(splitBilingual('团队负责人登记为「旷工」 recorded by the team lead as absent').en).toBe('recorded by the team lead as absent')
    expect(splitBilingual('请假：事假（不计出勤） on leave: Personal leave (not attended)')).toEqual({
      zh: '请假：事假（不计出勤）',
      en: 'on leave: Personal leave (not attended)',
    })
  })

  it('keeps a text it cannot split whole', () => {
    expect(splitBilingual('尚未到')).toEqual({ zh: '尚未到', en: '尚未到' })
    expect(splitBilingual('weekend only')).toEqual({ zh: 'weekend only', en: 'weekend only' })
    expect(splitBilingual(null)).toEqual({ zh: '', en: '' })
  })

  it('shows days in halves', () => {
    expect([0, 1, 2.5, 0.5, 20].map(formatDays)).toEqual(['0', '1', '2.5', '0.5', '20'])
    expect(formatDays(null)).toBe('')
  })
})

describe('months and day columns', () => {
  it('has one column per day of the month, with its weekday', () => {
    const nov = monthColumns('2026-11')
    expect(nov).toHaveLength(30)
    expect(nov[0]).toEqual({ date: '2026-11-01', day: 1, weekday: 0, weekend: true })
    expect(nov[1]).toEqual({ date: '2026-11-02', day: 2, weekday: 1, weekend: false })
    expect(monthColumns('2026-02')).toHaveLength(28)
    expect(monthColumns('2028-02')).toHaveLength(29)
    expect(monthColumns('2026-12').at(-1)?.date).toBe('2026-12-31')
    expect(monthColumns('2026-13')).toEqual([])
    expect(monthColumns('')).toEqual([])
  })

  it('names weekdays and months', () => {
    expect(weekdayOf('2026-10-01')).toBe(4)
    expect(weekdayOf('2027-01-06')).toBe(3)
    expect(weekdayOf('2026-02-30')).toBe(-1)
    expect(weekdayName(4, 'zh')).toBe('四')
    expect(weekdayName(0, 'en')).toBe('Su')
    expect(monthOf(new Date(2026, 10, 29))).toBe('2026-11')
    expect(monthOf(new Date(2027, 0, 1))).toBe('2027-01')
    expect(isMonth('2026-11')).toBe(true)
    expect(isMonth('2026-1')).toBe(false)
    expect(isMonth(['2026-11'])).toBe(false)
    expect(monthAfter('2026-12', new Date(2026, 10, 29))).toBe(true)
    expect(monthAfter('2026-11', new Date(2026, 10, 29))).toBe(false)
    expect(monthAfter('2025-12', new Date(2026, 10, 29))).toBe(false)
  })

  it('marks the header days by what the calendar made of them, from the people', () => {
    const people = [{ days: [day({ date: '2026-10-01', workday: false, status: 'rest', holiday: '国庆节' }), day({ date: '2026-10-10', workday: true })] }]
    const heads = dayHeads('2026-10', people)
    expect(heads).toHaveLength(31)
    expect(heads[0]).toMatchObject({ date: '2026-10-01', workday: false, holiday: '国庆节' })
    // a Saturday made a workday
    expect(heads[9]).toMatchObject({ date: '2026-10-10', weekend: true, workday: true, holiday: '' })
    // no people: Monday to Friday
    expect(dayHeads('2026-10', []).filter((h) => h.workday)).toHaveLength(22)
  })

  it('indexes a person’s days by date', () => {
    const m = daysByDate([day({ date: '2026-11-02' }), day({ date: '2026-11-03', status: 'late' })])
    expect(m.get('2026-11-03')?.status).toBe('late')
    expect(daysByDate(undefined).size).toBe(0)
  })

  it('starts an entry on the last day counted, or the last day of a past month', () => {
    expect(defaultEntryDate('2026-11', '2026-11-29')).toBe('2026-11-29')
    expect(defaultEntryDate('2026-10', null)).toBe('2026-10-31')
    expect(defaultEntryDate('2026-10', '2026-11-29')).toBe('2026-10-31')
  })
})

// The State Council holidays of 2026 as the demo stores them, and the working days the server counts.
const Y2026: [string, string, string][] = [
  ['2026-01-01', 'holiday', '元旦'],
  ['2026-01-02', 'holiday', '元旦'],
  ['2026-01-03', 'holiday', '元旦'],
  ['2026-01-04', 'makeup_workday', '元旦调休'],
  ['2026-02-14', 'makeup_workday', '春节调休'],
  ['2026-02-15', 'holiday', '春节'],
  ['2026-02-16', 'holiday', '春节'],
  ['2026-02-17', 'holiday', '春节'],
  ['2026-02-18', 'holiday', '春节'],
  ['2026-02-19', 'holiday', '春节'],
  ['2026-02-20', 'holiday', '春节'],
  ['2026-02-21', 'holiday', '春节'],
  ['2026-02-22', 'holiday', '春节'],
  ['2026-02-23', 'holiday', '春节'],
  ['2026-02-28', 'makeup_workday', '春节调休'],
  ['2026-04-04', 'holiday', '清明节'],
  ['2026-04-05', 'holiday', '清明节'],
  ['2026-04-06', 'holiday', '清明节'],
  ['2026-05-01', 'holiday', '劳动节'],
  ['2026-05-02', 'holiday', '劳动节'],
  ['2026-05-03', 'holiday', '劳动节'],
  ['2026-05-04', 'holiday', '劳动节'],
  ['2026-05-05', 'holiday', '劳动节'],
  ['2026-05-09', 'makeup_workday', '劳动节调休'],
  ['2026-06-19', 'holiday', '端午节'],
  ['2026-06-20', 'holiday', '端午节'],
  ['2026-06-21', 'holiday', '端午节'],
  ['2026-09-20', 'makeup_workday', '国庆节调休'],
  ['2026-09-25', 'holiday', '中秋节'],
  ['2026-09-26', 'holiday', '中秋节'],
  ['2026-09-27', 'holiday', '中秋节'],
  ['2026-10-01', 'holiday', '国庆节'],
  ['2026-10-02', 'holiday', '国庆节'],
  ['2026-10-03', 'holiday', '国庆节'],
  ['2026-10-04', 'holiday', '国庆节'],
  ['2026-10-05', 'holiday', '国庆节'],
  ['2026-10-06', 'holiday', '国庆节'],
  ['2026-10-07', 'holiday', '国庆节'],
  ['2026-10-10', 'makeup_workday', '国庆节调休'],
]
const entries2026 = Y2026.map(([date, kind, name]) => ({ date, kind, name }))

describe('the working calendar', () => {
  it('counts each month’s working days as the server does', () => {
    expect(workdaysByMonth(2026, entries2026)).toEqual([21, 16, 22, 21, 19, 21, 23, 21, 22, 18, 21, 23])
    // a plain Monday–Friday year without entries
    expect(workdaysByMonth(2027, [])).toEqual([21, 20, 23, 22, 21, 22, 22, 22, 22, 21, 22, 23])
    // a company rest day is a day off; invalid or repeated entries are ignored (the server refuses them)
    const withRest = [...entries2026, { date: '2026-11-02', kind: 'rest_day', name: '' }, { date: '2026-11-03', kind: 'bogus', name: '' }, { date: 'x', kind: 'holiday', name: '' }]
    expect(workdaysByMonth(2026, withRest)[10]).toBe(20)
  })

  it('lays out a month as weeks from Monday, with each day’s kind', () => {
    const oct = monthGrid(2026, 10, entries2026)
    // 1 October 2026 is a Thursday: three blanks first
    expect(oct[0].slice(0, 3)).toEqual([null, null, null])
    expect(oct[0][3]).toEqual({ date: '2026-10-01', day: 1, weekday: 4, kind: 'holiday', work: false, name: '国庆节' })
    const cells = oct.flat().filter((c) => c !== null)
    expect(cells).toHaveLength(31)
    expect(oct.every((w) => w.length === 7)).toBe(true)
    expect(cells.find((c) => c.date === '2026-10-10')).toMatchObject({ kind: 'makeup_workday', work: true, weekday: 6 })
    expect(cells.find((c) => c.date === '2026-10-11')).toMatchObject({ kind: 'weekend', work: false })
    expect(cells.find((c) => c.date === '2026-10-12')).toMatchObject({ kind: 'workday', work: true, name: '' })
    expect(cells.filter((c) => c.work)).toHaveLength(18)
    // February 2027 starts on a Monday and fills four weeks exactly
    expect(monthGrid(2027, 2, [])).toHaveLength(4)
  })

  it('reads the kinds people write', () => {
    expect(['节假日', '法定节假日', 'holiday', 'Public Holiday', '调休上班', '补班', 'makeup_workday', '休息日', '公司休息日', 'rest_day', ' rest '].map(parseCalendarKind)).toEqual([
      'holiday',
      'holiday',
      'holiday',
      'holiday',
      'makeup_workday',
      'makeup_workday',
      'makeup_workday',
      'rest_day',
      'rest_day',
      'rest_day',
      'rest_day',
    ])
    expect(parseCalendarKind('假期')).toBe('')
    expect(parseCalendarKind('')).toBe('')
  })

  it('reads dates as people type them', () => {
    expect(normalizeDate('2027-1-1')).toBe('2027-01-01')
    expect(normalizeDate('2027/01/06')).toBe('2027-01-06')
    expect(normalizeDate('2027.2.7')).toBe('2027-02-07')
    expect(normalizeDate('2027年2月7日')).toBe('2027-02-07')
    expect(normalizeDate('20270207')).toBe('2027-02-07')
    expect(normalizeDate('2027-02-30')).toBe('')
    expect(normalizeDate('next monday')).toBe('')
  })

  it('parses pasted lines 日期,类型,名称', () => {
    const { rows, bad } = parseCalendarLines('日期,类型,名称\n2027-01-01,节假日,元旦\r\n2027/2/7，调休上班\n\n2027-02-11\t法定节假日\t春节\t\n2027-05-06 休息日 公司周年')
    expect(bad).toEqual([])
    expect(rows).toEqual([
      { date: '2027-01-01', kind: 'holiday', name: '元旦' },
      { date: '2027-02-07', kind: 'makeup_workday', name: '' },
      { date: '2027-02-11', kind: 'holiday', name: '春节' },
      { date: '2027-05-06', kind: 'rest_day', name: '公司周年' },
    ])
  })

  it('lists the lines it cannot read, with why', () => {
    const { rows, bad } = parseCalendarLines('2027-01-01\n2027-13-01,节假日,元旦\n2027-01-02,假期,元旦\n2027-01-03,节假日,元旦,多余\n2027-01-04,调休上班,元旦调休')
    expect(bad).toEqual([
      { line: 1, problem: 'cells' },
      { line: 2, problem: 'date' },
      { line: 3, problem: 'kind' },
      { line: 4, problem: 'cells' },
    ])
    expect(rows).toEqual([{ date: '2027-01-04', kind: 'makeup_workday', name: '元旦调休' }])
  })

  it('sends the entries trimmed with the version, leaving empty rows out and naming what cannot be sent', () => {
    const drafts = [
      { date: ' 2027-01-01 ', kind: 'holiday', name: ' 元旦 ' },
      { date: '', kind: '', name: ' ' },
      { date: '2027-01-06', kind: 'makeup_workday', name: '' },
    ]
    expect(calendarBody(drafts, 0)).toEqual({
      body: {
        entries: [
          { date: '2027-01-01', kind: 'holiday', name: '元旦' },
          { date: '2027-01-06', kind: 'makeup_workday', name: '' },
        ],
        version: 0,
      },
      index: [0, 2],
      problems: {},
    })
    // the server reads a malformed date as a broken request naming nothing: it is caught before
    const { problems } = calendarBody([{ date: '2027-1-1', kind: '', name: 'x' }], 3)
    expect(problems).toEqual({ 'entries[0].date': 'date', 'entries[0].kind': 'kind' })
  })

  it('knows when the draft differs from what is stored, in any order', () => {
    const stored = [
      { date: '2027-01-01', kind: 'holiday', name: '元旦' },
      { date: '2027-01-02', kind: 'holiday', name: '元旦' },
    ]
    expect(calendarChanged([{ ...stored[1] }, { ...stored[0], name: ' 元旦 ' }], stored)).toBe(false)
    expect(calendarChanged([{ ...stored[0] }, { date: '', kind: '', name: '' }, { ...stored[1] }], stored)).toBe(false)
    expect(calendarChanged([{ ...stored[0] }], stored)).toBe(true)
    expect(calendarChanged([{ ...stored[0] }, { ...stored[1], kind: 'rest_day' }], stored)).toBe(true)
    expect(calendarChanged([], [])).toBe(false)
  })
})

describe('the server errors on the rows they name', () => {
  it('places entries[i] and rows[i] errors on the drafts they came from', () => {
    const e = rowErrors(
      {
        'entries[0].date': '2027-01-06 是工作日 …',
        'entries[1].name': '法定节假日须填写名称 …',
        'entries[1]': 'whole',
        version: 'stale',
      },
      'entries',
      [2, 5],
    )
    expect(e).toEqual({ rows: { 2: { date: '2027-01-06 是工作日 …' }, 5: { name: '法定节假日须填写名称 …', row: 'whole' } }, fields: { version: 'stale' } })
    expect(rowErrors({ 'rows[0].in': 'bad', rows: 'too many' }, 'rows')).toEqual({ rows: { 0: { in: 'bad' } }, fields: { rows: 'too many' } })
    // another prefix is not a row
    expect(rowErrors({ 'entries[0].date': 'x' }, 'rows').fields).toEqual({ 'entries[0].date': 'x' })
  })
})

describe('the team lead’s entry', () => {
  it('parses pasted lines 工号,日期,上班,下班,状态,备注', () => {
    const text = '工号,日期,上班,下班,状态,备注\nXZ0014,2026-11-02,09:31,17:05\r\nXZ0015 , 2026/11/3 ,,, 外出 , 拜访客户\n\nXZ0016\t2026-11-04\t\t\t旷工\t\t\nXZ0013 2026-11-05 09:00 17:00'
    const { rows, bad } = parseRecordLines(text)
    expect(bad).toEqual([])
    expect(rows).toEqual([
      { empNo: 'XZ0014', date: '2026-11-02', in: '09:31', out: '17:05', status: '', note: '' },
      { empNo: 'XZ0015', date: '2026-11-03', in: '', out: '', status: 'on_outing', note: '拜访客户' },
      { empNo: 'XZ0016', date: '2026-11-04', in: '', out: '', status: 'absent', note: '' },
      { empNo: 'XZ0013', date: '2026-11-05', in: '09:00', out: '17:00', status: '', note: '' },
    ])
  })

  it('keeps what only the server can judge as typed, and a note with commas whole', () => {
    const { rows, bad } = parseRecordLines('XZ0014,2026-11-02,25:00,17:05,请假,病了,去医院\nXZ0014,yesterday,,,whatever')
    expect(bad).toEqual([])
    expect(rows[0]).toEqual({ empNo: 'XZ0014', date: '2026-11-02', in: '25:00', out: '17:05', status: 'on_leave', note: '病了,去医院' })
    expect(rows[1]).toMatchObject({ date: 'yesterday', status: 'whatever' })
  })

  it('lists lines without an employee number and a date', () => {
    expect(parseRecordLines('XZ0014\n,2026-11-02,09:00\nXZ0014,2026-11-02').bad).toEqual([
      { line: 1, problem: 'cells' },
      { line: 2, problem: 'cells' },
    ])
  })

  it('reads statuses as people write them', () => {
    expect(['出勤', '迟到', '早退', '旷工', '外出', 'late', 'Early Leave', '', '  '].map(parseStatus)).toEqual(['present', 'late', 'early_leave', 'absent', 'on_outing', 'late', 'early_leave', '', ''])
  })

  it('sends the rows trimmed, leaving empty ones out, remembering where each came from', () => {
    const { body, index } = recordBody([
      { empNo: ' XZ0014 ', date: '2026-11-02', in: ' 09:31 ', out: '17:05', status: '', note: ' ' },
      { empNo: '', date: '', in: '', out: '', status: '', note: '' },
      { empNo: 'XZ0015', date: '2026-11-02', in: '', out: '', status: 'absent', note: '未到岗' },
    ])
    expect(body.rows).toEqual([
      { empNo: 'XZ0014', date: '2026-11-02', in: '09:31', out: '17:05', status: '', note: '' },
      { empNo: 'XZ0015', date: '2026-11-02', in: '', out: '', status: 'absent', note: '未到岗' },
    ])
    expect(index).toEqual([0, 2])
  })

  it('starts the dialog from the day: times from punches, the status the lead recorded', () => {
    expect(draftFromDay('XZ0014', '2026-11-02', day({ cause: 'punches', in: '09:31', out: null }))).toEqual({
      empNo: 'XZ0014',
      date: '2026-11-02',
      in: '09:31',
      out: '',
      status: '',
      note: '',
    })
    expect(draftFromDay('XZ0014', '2026-11-02', day({ cause: 'manual', status: 'on_outing', in: null, out: null }))).toMatchObject({ status: 'on_outing', in: '' })
    expect(draftFromDay('XZ0014', '2026-11-02', day({ cause: 'no_punch', status: 'absent', in: null, out: null }))).toMatchObject({ status: '', in: '', out: '' })
    expect(draftFromDay('XZ0014', '2026-11-02', null)).toMatchObject({ empNo: 'XZ0014', date: '2026-11-02' })
  })
})

describe('the rules form', () => {
  const defaults = {
    workStart: '09:00',
    workEnd: '17:00',
    lateGraceMinutes: 0,
    lateHalfDayAfterMinutes: 0,
    lateAbsentAfterMinutes: 30,
    earlyGraceMinutes: 0,
    earlyHalfDayAfterMinutes: 0,
    earlyAbsentAfterMinutes: 30,
    missingIn: 'absent',
    missingOut: 'absent',
    outingAttended: true,
    fullAttendance: { maxLate: 0, maxEarlyLeave: 0, leaveAllowed: null, wholeMonth: false },
  }

  it('round-trips the rules through the draft', () => {
    const d = rulesDraft(defaults)
    expect(d.leaveAllowed).toEqual([])
    const { body, problems } = rulesBody(d, [{ code: ' annual ', zh: '年休假', en: 'Annual leave', attended: true, balance: true, annualDays: 5, noticeDays: 3 }], ' 调整 ')
    expect(problems).toEqual({})
    expect(body.rules).toEqual({ ...defaults, fullAttendance: { ...defaults.fullAttendance, leaveAllowed: [] } })
    expect(body.leaveTypes[0].code).toBe('annual')
    expect(body.note).toBe('调整')
  })

  it('refuses a time the server could not read before sending, and sends cleared numbers as 0', () => {
    const d = { ...rulesDraft(defaults), workStart: '25:00', workEnd: '17：30', lateGraceMinutes: null }
    const { body, problems } = rulesBody(d, [], '')
    expect(problems).toEqual({ 'rules.workStart': 'time' })
    expect(body.rules.workEnd).toBe('17:30')
    expect(body.rules.lateGraceMinutes).toBe(0)
    expect(['9:00', '09:00', '09:00:30', '23:59', ''].every(timeOk)).toBe(true)
    expect(['24:00', '9:60', '0900', 'nine'].some(timeOk)).toBe(false)
  })

  it('places the server errors beside their inputs', () => {
    const e = ruleErrors({
      'rules.workStart': 'start',
      'rules.lateGraceMinutes': 'grace',
      'rules.fullAttendance.maxLate': 'max',
      'rules.fullAttendance.leaveAllowed[0]': '「zz」',
      'rules.fullAttendance.leaveAllowed[2]': '「yy」',
      'leaveTypes[1].code': 'code',
      'leaveTypes[1].zh': 'zh',
      note: 'long',
    })
    expect(e.rules).toEqual({ workStart: 'start', lateGraceMinutes: 'grace', maxLate: 'max', leaveAllowed: '「zz」; 「yy」' })
    expect(e.leaveTypes).toEqual({ 1: { code: 'code', zh: 'zh' } })
    expect(e.fields).toEqual({ note: 'long' })
  })

  it('knows the defaults, never saved', () => {
    expect(isDefaultRules({ version: 0 })).toBe(true)
    expect(isDefaultRules({ version: 2 })).toBe(false)
    expect(isDefaultRules(null)).toBe(true)
  })
})
