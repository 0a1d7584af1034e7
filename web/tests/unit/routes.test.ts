import { describe, expect, it } from 'vitest'
import { router } from '@/router'
import { MENU_DEFS } from '@/utils/menus'

const resolved = (path: string) => router.resolve(path)

describe('routes', () => {
  it('every menu page has a route that names its menu', () => {
    for (const m of MENU_DEFS) {
      for (const x of [m, ...(m.children ?? [])]) {
        const r = resolved(x.path)
        expect(r.name, x.path).not.toBe('notfound')
        expect(r.meta.menu, x.path).toBe(m.key)
        expect(r.meta.title, x.path).toBeTruthy()
      }
    }
  })

  it('business records and statistics need their menu and permission', () => {
    expect(resolved('/record-imports').meta).toMatchObject({ menu: 'records', permission: 'record:read', title: 'menu.recordImports' })
    expect(resolved('/records?month=2026-11&personId=5&metric=new_accounts').meta).toMatchObject({
      menu: 'records',
      permission: 'record:read',
      title: 'menu.recordList',
    })
    expect(resolved('/stats').meta).toMatchObject({ menu: 'stats', permission: 'stats:read', title: 'menu.stats' })
    expect(resolved('/records').name).toBe('records')
    expect(resolved('/record-imports').name).toBe('record-imports')
    expect(resolved('/stats').name).toBe('stats')
  })

  it('the assessment pages belong to the assessment menu, each with its own requirement', () => {
    expect(resolved('/assess/my-sheets').meta).toMatchObject({ menu: 'assess', person: true, title: 'menu.mySheets' })
    expect(resolved('/assess/my-sheets').meta.permission).toBeUndefined()
    expect(resolved('/assess/cycles').meta).toMatchObject({ menu: 'assess', permission: 'assess:manage', title: 'menu.assessCycles' })
    expect(resolved('/assess/results?cycle=3').meta).toMatchObject({ menu: 'assess', permission: 'assess:read', title: 'menu.assessResults' })
    expect(resolved('/assess/outcomes?cycle=3&state=confirmed').meta).toMatchObject({ menu: 'assess', permission: 'assess:manage', title: 'menu.assessOutcomes' })
    expect(resolved('/assess/outcomes?review=4').meta).toMatchObject({ menu: 'assess', permission: 'assess:manage', title: 'menu.assessOutcomes' })
    expect(resolved('/assess/rules?tab=exams').meta).toMatchObject({ menu: 'assess', permission: 'assess:manage', title: 'menu.assessRules' })
    expect(resolved('/assess/rules').name).toBe('assess-rules')
  })

  it('the attendance pages belong to the attendance menu, each with its own requirement', () => {
    expect(resolved('/attendance/me').meta).toMatchObject({ menu: 'attendance', person: true, title: 'menu.attendanceMe' })
    expect(resolved('/attendance/me?month=2026-10').meta.permission).toBeUndefined()
    expect(resolved('/attendance/team?month=2026-11&unitId=10&page=2').meta).toMatchObject({
      menu: 'attendance',
      permission: 'attendance:read',
      title: 'menu.attendanceTeam',
    })
    expect(resolved('/attendance/calendar?year=2027&tab=rules').meta).toMatchObject({
      menu: 'attendance',
      permission: 'attendance:read',
      title: 'menu.attendanceCalendar',
    })
    expect(resolved('/attendance/me').name).toBe('attendance-me')
    expect(resolved('/attendance/team').name).toBe('attendance-team')
    expect(resolved('/attendance/calendar').name).toBe('attendance-calendar')
  })

  it('the pay pages belong to the pay menu, each with its own requirement', () => {
    expect(resolved('/pay/close?month=2026-10').meta).toMatchObject({ menu: 'pay', permission: 'pay:read', title: 'menu.payClose' })
    expect(resolved('/pay/me').meta).toMatchObject({ menu: 'pay', person: true, title: 'menu.payMe' })
    expect(resolved('/pay/me?month=2026-10').meta.permission).toBeUndefined()
    expect(resolved('/pay/trial?empNo=XZ0013&month=2026-10').meta).toMatchObject({ menu: 'pay', permission: 'pay:read', title: 'menu.payTrial' })
    expect(resolved('/pay/plans').meta).toMatchObject({ menu: 'pay', permission: 'pay:read', title: 'menu.payPlans' })
    expect(resolved('/pay/close').name).toBe('pay-close')
    expect(resolved('/pay/me').name).toBe('pay-me')
    expect(resolved('/pay/trial').name).toBe('pay-trial')
    expect(resolved('/pay/plans').name).toBe('pay-plans')
  })
})
