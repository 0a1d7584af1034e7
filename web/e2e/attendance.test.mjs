// Attendance (考勤) against the real demo server (real clock), end to end:
//  1. team lead tl11 opens Team attendance for this month and sees the
//     team (the server's page of it, the same people and total); on the
//     first working Monday of the month a team member's day cell opens the
//     entry dialog; an arrival of "25:00" is the server's field error beside
//     the arrival input and nothing is stored; arriving 09:31 and leaving
//     17:05 is stored, and the day shows 旷 (late by more than 30 minutes is
//     a day of absence under the default rules) with the reason and the
//     times in its tooltip;
//  2. cm02 on a 390 px phone opens My attendance: only their own month is
//     shown (the server's month holds them alone), the page does not
//     overflow; checking in records the arrival, checking in again the
//     departure, each shown with its time;
//  3. mktdir on the Working calendar sees 2026's National Day holiday and
//     October's 18 working days (as the server counts them); 2027 is not
//     set up: starting it empty, a Wednesday marked as a make-up workday
//     is the server's field error beside that entry and nothing is stored;
//     2027-01-01 元旦 pasted as a holiday is saved as version 1. A month of
//     a year without a calendar links to the calendar; on the rules tab an
//     end of work before the start is the server's error beside the input.
import { describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { apiGet, browserSkipReason, login, newPage, PASSWORD, useServerAndBrowser } from './harness.mjs'

const skip = browserSkipReason()

const pad = (n) => String(n).padStart(2, '0')
const now = new Date()
const prev = new Date(now.getFullYear(), now.getMonth() - 1, 1)
/** This month: 2026-11. */
const THIS_MONTH = `${now.getFullYear()}-${pad(now.getMonth() + 1)}`
/** Last month, should this one have no working Monday yet. */
const LAST_MONTH = `${prev.getFullYear()}-${pad(prev.getMonth() + 1)}`
const weekday = (date) => {
  const [y, m, d] = date.split('-').map(Number)
  return new Date(Date.UTC(y, m - 1, d)).getUTCDay()
}

const is = (path, method) => (r) => new URL(r.url()).pathname === path && r.request().method() === method

/** A context signed in through the API only, for setting up and looking data up. */
async function apiSession(browser, baseURL, username) {
  const context = await browser.newContext({ baseURL })
  const r = await context.request.post('/api/auth/login', { data: { username, password: PASSWORD } })
  assert.equal(r.status(), 200, `login ${username}: ${await r.text()}`)
  return context
}

async function call(context, method, path, data) {
  const r = await context.request.fetch(path, { method, data })
  const text = await r.text()
  return { status: r.status(), body: text ? JSON.parse(text) : null, text }
}

/** Chooses an option of an Element Plus select by its exact label, in the list the select controls (teleported to the body). */
async function choose(page, select, text) {
  await select.click()
  const list = await select.locator('input').getAttribute('aria-controls')
  const option = page.locator(`[id="${list}"] .el-select-dropdown__item`).filter({ hasText: new RegExp(`^\\s*${text}\\s*$`) })
  await option.click()
}

/** The Chinese part of a reason the server writes Chinese first, then English. */
const zhPart = (s) => s.slice(0, s.search(/\s+[A-Za-z]/))

describe('attendance', { skip }, () => {
  const env = useServerAndBrowser()
  const st = {} // the month, the team, the member, the day

  test('setup: tl11’s team and the first working Monday of the month', async () => {
    const tl = await apiSession(env.browser, env.server.baseURL, 'tl11')
    try {
      for (const month of [THIS_MONTH, LAST_MONTH]) {
        const r = await call(tl, 'GET', `/api/attendance/month?month=${month}&pageSize=100`)
        assert.equal(r.status, 200, r.text)
        const people = r.body.people
        // a team member other than the lead and cm02 (who checks in below)
        const member = people.find((p) => p.position === 'sales_cm' && p.empNo !== 'XZ0013')
        assert.ok(member, `a sales CM in tl11's team: ${people.map((p) => p.empNo)}`)
        const through = r.body.through ?? `${month}-31`
        const monday = member.days.find((d) => d.workday && weekday(d.date) === 1 && d.date <= through)
        if (!monday) continue // the month has just begun
        Object.assign(st, { month, people, total: r.body.total, member, date: monday.date, before: monday })
        break
      }
      assert.ok(st.date, 'a working Monday this month or last')
      assert.ok(st.people.length >= 2 && st.people.every((p) => p.unitId), 'tl11 sees a team')
      assert.equal(st.before.status, 'absent')
      assert.equal(st.before.cause, 'no_punch')
      // a sales CM may not enter attendance
      const cm = await apiSession(env.browser, env.server.baseURL, 'cm02')
      const denied = await call(cm, 'PUT', '/api/attendance/records', { rows: [{ empNo: st.member.empNo, date: st.date, in: '09:00', out: '17:00' }] })
      await cm.close()
      assert.equal(denied.status, 403)
    } finally {
      await tl.close()
    }
  })

  test('tl11 enters a team member’s late arrival: a bad time is refused beside its input, 09:31 is a day of absence', async () => {
    assert.ok(st.date, 'needs the setup')
    const { context, page, problems } = await newPage(env.browser, env.server.baseURL)
    try {
      await login(page, 'tl11')
      assert.match(await page.getByTestId('menu-attendance-team').innerText(), /团队考勤/)
      let resp = page.waitForResponse(is('/api/attendance/month', 'GET'))
      await page.goto(st.month === THIS_MONTH ? '/attendance/team' : `/attendance/team?month=${st.month}`)
      let r = await resp
      assert.equal(r.status(), 200)
      assert.deepEqual(Object.fromEntries(new URL(r.url()).searchParams), { month: st.month, page: '1', pageSize: '20' })
      await page.locator(`[data-testid="att-table"][data-loading="false"][data-month="${st.month}"]`).waitFor({ state: 'attached' })
      assert.equal(await page.getByTestId('att-month').getAttribute('data-value'), st.month)

      // the team: the people the server scopes to tl11, by employee number
      const empNos = (await page.locator('[data-testid="att-table"] .el-table__body-wrapper [data-testid="att-empno"]').allTextContents()).map((s) => s.trim())
      assert.deepEqual(empNos, st.people.map((p) => p.empNo))
      assert.equal((await page.getByTestId('att-total').innerText()).trim(), String(st.total))
      // one column per day of the month
      const days = new Date(Number(st.month.slice(0, 4)), Number(st.month.slice(5)), 0).getDate()
      assert.equal(await page.locator('[data-testid="att-table"] .el-table__header-wrapper [data-testid="att-day-head"]').count(), days)

      const cellSel = `[data-testid="att-table"] .el-table__body-wrapper [data-testid="att-day"][data-emp="${st.member.empNo}"][data-date="${st.date}"]`
      const cell = page.locator(cellSel)
      assert.equal(await cell.getAttribute('data-status'), 'absent')

      // the day cell opens the entry of that person's day
      await cell.click()
      const dialog = page.locator('.el-dialog[data-testid="att-entry-dialog"]')
      await dialog.waitFor({ state: 'visible' })
      assert.equal((await dialog.getByTestId('att-entry-person').innerText()).trim(), st.member.name)
      assert.equal(await dialog.getByTestId('att-entry-date').getAttribute('data-value'), st.date)
      const arrival = dialog.locator('input[data-testid="att-entry-in"], [data-testid="att-entry-in"] input')
      const departure = dialog.locator('input[data-testid="att-entry-out"], [data-testid="att-entry-out"] input')
      await arrival.fill('25:00')
      await departure.fill('17:05')

      // an hour that does not exist: the server's field error beside the arrival, nothing stored
      resp = page.waitForResponse(is('/api/attendance/records', 'PUT'))
      await dialog.getByTestId('att-entry-save').click()
      r = await resp
      assert.equal(r.status(), 400)
      assert.deepEqual(r.request().postDataJSON(), { rows: [{ empNo: st.member.empNo, date: st.date, in: '25:00', out: '17:05', status: '', note: '' }] })
      const refused = await r.json()
      assert.ok(refused.fields?.['rows[0].in'], JSON.stringify(refused))
      const inError = dialog.locator('.el-form-item', { has: page.locator('[data-testid="att-entry-in"]') }).locator('.el-form-item__error')
      await inError.waitFor()
      assert.equal((await inError.innerText()).trim(), refused.fields['rows[0].in'])
      assert.equal(await dialog.locator('.el-form-item__error').count(), 1, 'only the arrival is wrong')
      assert.equal(await dialog.getByTestId('att-entry-error').count(), 0, 'the field error only, beside its input')
      let month = await apiGet(page, `/api/attendance/month?month=${st.month}&pageSize=100`)
      let stored = month.people.find((p) => p.personId === st.member.personId).days.find((d) => d.date === st.date)
      assert.equal(stored.cause, 'no_punch', 'nothing was stored')

      // 09:31: late by 31 minutes, more than the 30 the default rules allow
      await arrival.fill('09:31')
      resp = page.waitForResponse(is('/api/attendance/records', 'PUT'))
      const reload = page.waitForResponse(is('/api/attendance/month', 'GET'))
      await dialog.getByTestId('att-entry-save').click()
      r = await resp
      assert.equal(r.status(), 200, await r.text())
      assert.deepEqual(r.request().postDataJSON(), { rows: [{ empNo: st.member.empNo, date: st.date, in: '09:31', out: '17:05', status: '', note: '' }] })
      await dialog.waitFor({ state: 'hidden' })
      await reload
      await page.locator(`[data-testid="att-table"][data-loading="false"]`).waitFor({ state: 'attached' })

      month = await apiGet(page, `/api/attendance/month?month=${st.month}&pageSize=100`)
      stored = month.people.find((p) => p.personId === st.member.personId).days.find((d) => d.date === st.date)
      assert.equal(stored.cause, 'punches')
      assert.equal(stored.status, 'absent')
      assert.equal(stored.lateMinutes, 31)
      assert.equal(stored.absentDays, 1)
      assert.equal(stored.in, '09:31')
      assert.equal(stored.out, '17:05')
      assert.match(stored.reason, /迟到 31 分钟，超过 30 分钟按旷工/)

      // the day shows 旷, red, with the reason and the times in its tooltip
      assert.equal((await cell.innerText()).trim(), '旷')
      assert.equal(await cell.getAttribute('data-status'), 'absent')
      assert.match(await cell.getAttribute('class'), /tone-absent/)
      await page.mouse.move(0, 0)
      await cell.hover()
      const tip = page.locator(`[data-testid="att-day-tip"][data-emp="${st.member.empNo}"][data-date="${st.date}"]`)
      await tip.waitFor({ state: 'visible' })
      assert.equal((await tip.getByTestId('att-tip-status').innerText()).trim(), '旷工')
      assert.equal((await tip.getByTestId('att-tip-reason').innerText()).trim(), `依据：${zhPart(stored.reason)}`)
      assert.match(await tip.getByTestId('att-tip-times').innerText(), /09:31 – 17:05/)
      assert.match(await tip.innerText(), new RegExp(st.member.name))

      // under one unit: the member's group only
      const units = await apiGet(page, '/api/org/units')
      const group = units.items.find((u) => u.id === st.member.unitId)
      assert.ok(group, 'the member’s unit')
      await page.locator('.el-select[data-testid="att-unit"]').click()
      resp = page.waitForResponse((x) => is('/api/attendance/month', 'GET')(x) && new URL(x.url()).searchParams.get('unitId') === String(group.id))
      await page.locator('.el-select-dropdown .el-tree-node__content:visible').filter({ hasText: new RegExp(`^\\s*${group.name}\\s*$`) }).click()
      r = await resp
      assert.equal(r.status(), 200)
      await page.waitForURL((u) => u.searchParams.get('unitId') === String(group.id))
      await page.locator(`[data-testid="att-table"][data-loading="false"]`).waitFor({ state: 'attached' })
      const inGroup = st.people.filter((p) => p.unitId === group.id).map((p) => p.empNo)
      assert.ok(inGroup.includes(st.member.empNo) && inGroup.length < st.people.length)
      assert.deepEqual((await page.locator('[data-testid="att-table"] .el-table__body-wrapper [data-testid="att-empno"]').allTextContents()).map((s) => s.trim()), inGroup)
      assert.equal((await page.getByTestId('att-total').innerText()).trim(), String(inGroup.length))
      assert.deepEqual(problems, [])
    } finally {
      await context.close()
    }
  })

  test('cm02 checks in and out on a phone and sees only their own month', async () => {
    const context = await env.browser.newContext({ baseURL: env.server.baseURL, locale: 'zh-CN', viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true })
    context.setDefaultTimeout(15_000)
    const page = await context.newPage()
    const problems = []
    page.on('pageerror', (err) => problems.push(`pageerror: ${err.message}`))
    try {
      await login(page, 'cm02')
      const me = await apiGet(page, '/api/me')
      assert.ok(me.user.personId, 'cm02 is a person')
      let resp = page.waitForResponse(is('/api/attendance/month', 'GET'))
      await page.goto('/attendance/me')
      let r = await resp
      assert.equal(r.status(), 200)
      const month = await r.json()
      assert.deepEqual(
        month.people.map((p) => p.personId),
        [me.user.personId],
        'the server scopes a CM to themselves',
      )
      await page.locator(`[data-testid="att-me-month"][data-loading="false"][data-month="${THIS_MONTH}"]`).waitFor({ state: 'attached' })
      const who = page.getByTestId('att-me-who')
      assert.equal(await who.getAttribute('data-person-id'), String(me.user.personId))
      assert.match(await who.innerText(), new RegExp(month.people[0].empNo))
      // only their own days, the month's figures, no one else's name
      const shown = await page.getByTestId('att-me-day').evaluateAll((els) => els.map((e) => e.dataset.date))
      assert.ok(shown.length > 0 && shown.every((d) => d.startsWith(THIS_MONTH)), JSON.stringify(shown))
      assert.equal(await page.locator('[data-testid="att-me-figure"][data-key="required"]').getAttribute('data-value'), String(month.people[0].summary.requiredDays))
      const text = await page.locator('body').innerText()
      for (const p of st.people ?? []) if (p.personId !== me.user.personId) assert.ok(!text.includes(p.name), `${p.name} is not shown`)

      const overflow = () => page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth)
      assert.equal(await overflow(), 0, 'the page fits the phone')
      const button = page.getByTestId('att-checkin')
      const box = await button.boundingBox()
      assert.ok(box && box.x >= 0 && box.x + box.width <= 390 && box.height >= 44, `a big button on screen: ${JSON.stringify(box)}`)

      // the first check-in of the day is the arrival
      resp = page.waitForResponse(is('/api/attendance/check-in', 'POST'))
      await button.click()
      r = await resp
      assert.equal(r.status(), 200, await r.text())
      const first = await r.json()
      assert.equal(first.personId, me.user.personId)
      assert.equal(first.source, 'phone')
      assert.ok(first.in && first.out === null, JSON.stringify(first))
      const result = page.locator('[data-testid="att-checkin-result"][data-kind="in"]')
      await result.waitFor()
      assert.equal(await result.getAttribute('data-time'), first.in)
      assert.match(await result.innerText(), /上班签到/)
      assert.equal((await result.getByTestId('att-checkin-time').innerText()).trim(), first.in)

      // a later one is the departure; the arrival stays
      resp = page.waitForResponse(is('/api/attendance/check-in', 'POST'))
      await button.click()
      r = await resp
      assert.equal(r.status(), 200, await r.text())
      const second = await r.json()
      assert.equal(second.in, first.in)
      assert.ok(second.out, JSON.stringify(second))
      const out = page.locator('[data-testid="att-checkin-result"][data-kind="out"]')
      await out.waitFor()
      assert.equal(await out.getAttribute('data-time'), second.out)
      assert.match(await out.innerText(), /下班签退/)
      assert.match(await out.getByTestId('att-checkin-record').innerText(), new RegExp(`上班 ${first.in} · 下班 ${second.out}`))
      assert.equal(await overflow(), 0, 'still fits')
      assert.deepEqual(problems, [])
    } finally {
      await context.close()
    }
  })

  test('mktdir sees 2026’s holidays, refuses a weekday make-up day for 2027 and saves 元旦', async () => {
    const { context, page, problems } = await newPage(env.browser, env.server.baseURL)
    try {
      await login(page, 'mktdir')
      const api2026 = await apiGet(page, '/api/attendance/calendar/2026')
      assert.equal(api2026.defined, true)
      let resp = page.waitForResponse(is('/api/attendance/calendar/2026', 'GET'))
      await page.goto('/attendance/calendar?year=2026')
      await resp
      await page.locator('[data-testid="cal-body"][data-loading="false"][data-year="2026"][data-defined="true"]').waitFor({ state: 'attached' })
      assert.equal(await page.getByTestId('cal-version').getAttribute('data-version'), String(api2026.version))

      // National Day, and October's 18 working days as the server counts them
      const national = page.locator('[data-testid="cal-day"][data-date="2026-10-01"]')
      assert.equal(await national.getAttribute('data-kind'), 'holiday')
      assert.equal(await national.getAttribute('data-name'), '国庆节')
      assert.equal(await page.locator('[data-testid="cal-day"][data-date="2026-10-10"]').getAttribute('data-kind'), 'makeup_workday')
      const october = page.locator('[data-testid="cal-month"][data-month="10"]')
      assert.equal(api2026.workdays[9], 18)
      assert.equal(await october.getAttribute('data-workdays'), '18')
      assert.equal((await october.getByTestId('cal-month-workdays').innerText()).trim(), '工作日 18 天')
      const workdays = await page.getByTestId('cal-month').evaluateAll((els) => els.map((e) => Number(e.dataset.workdays)))
      assert.deepEqual(workdays, api2026.workdays, 'every month as the server counts it')
      assert.equal(await page.getByTestId('cal-entries').getAttribute('data-rows'), String(api2026.entries.length))

      // 2027 has no calendar
      resp = page.waitForResponse(is('/api/attendance/calendar/2027', 'GET'))
      const year = page.locator('[data-testid="cal-year"] input')
      await year.fill('2027')
      await year.press('Enter')
      await resp
      await page.locator('[data-testid="cal-body"][data-loading="false"][data-year="2027"][data-defined="false"]').waitFor({ state: 'attached' })
      await page.waitForURL((u) => u.searchParams.get('year') === '2027')
      assert.match(await page.getByTestId('cal-undefined').innerText(), /2027 年的工作日历尚未设置/)
      await page.getByTestId('cal-start-empty').click()
      await page.getByTestId('cal-started').waitFor()
      assert.equal(await page.getByTestId('cal-entries').getAttribute('data-rows'), '0')

      // a Wednesday as a make-up workday: the server's field error beside that entry, nothing stored
      await page.getByTestId('cal-add-row').click()
      const rowDate = page.locator('[data-testid="cal-entry-date"][data-row="0"] input')
      await rowDate.fill('2027-01-06')
      await rowDate.press('Enter')
      await page.locator('[data-testid="cal-entry-date"][data-row="0"][data-value="2027-01-06"]').waitFor({ state: 'attached' })
      await choose(page, page.locator('[data-testid="cal-entry-kind"][data-row="0"]'), '调休上班')
      await page.locator('input[data-testid="cal-entry-name"][data-row="0"], [data-testid="cal-entry-name"][data-row="0"] input').fill('测试调休')
      resp = page.waitForResponse(is('/api/attendance/calendar/2027', 'PUT'))
      await page.getByTestId('cal-save').click()
      let r = await resp
      assert.equal(r.status(), 400)
      assert.deepEqual(r.request().postDataJSON(), { entries: [{ date: '2027-01-06', kind: 'makeup_workday', name: '测试调休' }], version: 0 })
      const refused = await r.json()
      assert.match(refused.fields?.['entries[0].date'] ?? '', /调休上班须为周六或周日/)
      const err = page.locator('[data-testid="cal-entry-error"][data-row="0"][data-col="date"]')
      await err.waitFor()
      assert.equal((await err.innerText()).trim(), refused.fields['entries[0].date'])
      assert.equal((await apiGet(page, '/api/attendance/calendar/2027')).defined, false, 'nothing stored')

      // instead: 元旦, pasted as a holiday
      await page.getByTestId('cal-entry-remove').click()
      assert.equal(await page.getByTestId('cal-entry-error').count(), 0)
      await page.locator('textarea[data-testid="cal-paste"], [data-testid="cal-paste"] textarea').fill('日期,类型,名称\n2027-01-01,节假日,元旦')
      await page.getByTestId('cal-paste-add').click()
      await page.locator('[data-testid="cal-entries"][data-rows="1"]').waitFor({ state: 'attached' })
      assert.equal(await page.locator('[data-testid="cal-day"][data-date="2027-01-01"]').getAttribute('data-kind'), 'holiday')
      assert.equal(await page.locator('[data-testid="cal-month"][data-month="1"]').getAttribute('data-workdays'), '20')
      resp = page.waitForResponse(is('/api/attendance/calendar/2027', 'PUT'))
      await page.getByTestId('cal-save').click()
      r = await resp
      assert.equal(r.status(), 200, await r.text())
      assert.deepEqual(r.request().postDataJSON(), { entries: [{ date: '2027-01-01', kind: 'holiday', name: '元旦' }], version: 0 })
      const savedCal = await r.json()
      assert.equal(savedCal.version, 1)
      await page.locator('[data-testid="cal-saved"][data-version="1"]').waitFor()
      assert.match(await page.getByTestId('cal-saved').innerText(), /版本 1/)
      assert.equal(await page.getByTestId('cal-version').getAttribute('data-version'), '1')
      assert.match(await page.getByTestId('cal-version').innerText(), /版本 1/)
      const stored = await apiGet(page, '/api/attendance/calendar/2027')
      assert.equal(stored.defined, true)
      assert.equal(stored.version, 1)
      assert.deepEqual(stored.entries, [{ date: '2027-01-01', kind: 'holiday', name: '元旦' }])
      assert.equal(stored.workdays[0], 20)
      assert.equal(stored.updatedBy, 'mktdir')

      // a month of a year without a calendar: the server's 409, with a link to set it up
      resp = page.waitForResponse(is('/api/attendance/month', 'GET'))
      await page.goto('/attendance/team?month=2024-11')
      r = await resp
      assert.equal(r.status(), 409)
      const noCal = page.locator('[data-testid="att-no-calendar"][data-code="no_calendar"]')
      await noCal.waitFor()
      assert.match(await noCal.innerText(), /2024 年的工作日历尚未设置/)
      assert.equal(await noCal.getByTestId('att-calendar-link').getAttribute('href'), '/attendance/calendar?year=2024')

      // the rules tab: the defaults; an end of work before the start is the server's error beside it
      resp = page.waitForResponse(is('/api/attendance/rules', 'GET'))
      await page.goto('/attendance/calendar?tab=rules')
      await resp
      await page.locator('[data-testid="att-rules-version"][data-version="0"]').waitFor()
      assert.equal(await page.locator('[data-testid="att-rule-lateAbsentAfterMinutes"] input').inputValue(), '30')
      const end = page.locator('input[data-testid="att-rule-workEnd"], [data-testid="att-rule-workEnd"] input')
      assert.equal(await end.inputValue(), '17:00')
      await end.fill('08:00')
      resp = page.waitForResponse(is('/api/attendance/rules', 'PUT'))
      await page.getByTestId('att-rules-save').click()
      r = await resp
      assert.equal(r.status(), 400)
      const bad = await r.json()
      assert.ok(bad.fields?.['rules.workEnd'], JSON.stringify(bad))
      const endError = page.locator('.el-form-item', { has: page.locator('[data-testid="att-rule-workEnd"]') }).locator('.el-form-item__error')
      await endError.waitFor()
      assert.equal((await endError.innerText()).trim(), bad.fields['rules.workEnd'])
      assert.equal((await apiGet(page, '/api/attendance/rules')).version, 0, 'nothing stored')
      assert.deepEqual(problems, [])
    } finally {
      await context.close()
    }
  })
})
