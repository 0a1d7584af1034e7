// The outcome inbox (考核结果待确认) against the real demo server, end to end:
//  1. through the API, mktdir opens a monthly cycle for last month, gives
//     one sales CM a month target (so the computed task completion has a
//     value and the result is not held) and starts scoring; that CM's
//     regional manager — the one rater of the monthly scheme — submits low
//     points (a total far below 60); mktdir ends and closes the cycle,
//     which proposes standby training for the CM;
//  2. in the browser, mktdir goes from the closed cycle to its proposals:
//     the standby training proposal is listed with its label, grounds,
//     figures and effective month; overriding without a reason shows the
//     server's field error beside the input and changes nothing;
//     confirming says beforehand what will change, then shows the effect
//     the server reports; the proposal moves to the confirmed tab with who
//     decided, the note and the effect; deciding again is refused (409);
//  3. the CM's history now has a standby training record from the first
//     day of this month for seven days, active again after; in English the
//     page shows the English label and grounds.
import { describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { apiGet, browserSkipReason, login, newPage, PASSWORD, useServerAndBrowser } from './harness.mjs'

const skip = browserSkipReason()

const pad = (n) => String(n).padStart(2, '0')
const now = new Date()
const prev = new Date(now.getFullYear(), now.getMonth() - 1, 1)
/** Last month, the assessed period: 2026-10. */
const PERIOD = `${prev.getFullYear()}-${pad(prev.getMonth() + 1)}`
/** This month, when the consequence starts: 2026-11. */
const EFFECTIVE = `${now.getFullYear()}-${pad(now.getMonth() + 1)}`
const FROM = `${EFFECTIVE}-01`
const dayAfter = (date, days) => {
  const [y, m, d] = date.split('-').map(Number)
  const x = new Date(Date.UTC(y, m - 1, d + days))
  return `${x.getUTCFullYear()}-${pad(x.getUTCMonth() + 1)}-${pad(x.getUTCDate())}`
}
/** Low points for every rated item of cm_form: 25 of the 90 rated points. */
const LOW = { duty_performance: 5, professional_skill: 3, execution: 3, communication: 3, service_awareness: 3, work_efficiency: 3, labour_discipline: 5 }

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

async function transition(mk, cycle, action) {
  const r = await call(mk, 'POST', `/api/assess/cycles/${cycle.id}/transition`, { action, version: cycle.version, note: '' })
  assert.equal(r.status, 200, `${action}: ${r.text}`)
  return r.body
}

describe('outcome inbox', { skip }, () => {
  const env = useServerAndBrowser()
  const st = {} // the cycle, the subject, the outcome, the effect

  test('a closed monthly cycle proposes standby training for a CM scored below 60', async () => {
    const mk = await apiSession(env.browser, env.server.baseURL, 'mktdir')
    try {
      let r = await call(mk, 'POST', '/api/assess/cycles', { period: PERIOD, note: 'e2e 月度考核' })
      assert.equal(r.status, 201, r.text)
      let cycle = r.body
      assert.equal(cycle.kind, 'month')

      // a sales CM rated by one regional manager who can sign in
      const admin = await apiSession(env.browser, env.server.baseURL, 'admin')
      const users = (await call(admin, 'GET', '/api/users?pageSize=500')).body.items
      await admin.close()
      const username = new Map(users.filter((u) => u.personId).map((u) => [u.personId, u.username]))
      const cms = (await call(mk, 'GET', '/api/people?position=sales_cm&status=active&pageSize=100')).body.items
      for (const p of cms) {
        const { items } = (await call(mk, 'GET', `/api/assess/cycles/${cycle.id}/sheets/person/${p.id}`)).body
        if (items.length === 1 && items[0].scheme === 'sales_cm_monthly' && items[0].group === 'rm' && username.has(items[0].raterId)) {
          st.subject = p
          st.sheet = items[0]
          break
        }
      }
      assert.ok(st.subject, 'a sales CM with a regional manager who has a user')

      // a month target, so the computed item has a value and the result is not held
      r = await call(mk, 'PUT', '/api/targets', { period: PERIOD, metric: 'new_accounts', personId: st.subject.id, value: '50', note: 'e2e', version: 0 })
      assert.equal(r.status, 200, r.text)
      cycle = await transition(mk, cycle, 'start')
      assert.equal(cycle.state, 'scoring')

      // the regional manager submits low points
      const rm = await apiSession(env.browser, env.server.baseURL, username.get(st.sheet.raterId))
      r = await call(rm, 'PUT', `/api/assess/sheets/${st.sheet.id}`, { points: LOW, remark: 'e2e', submit: true, version: st.sheet.version })
      await rm.close()
      assert.equal(r.status, 200, r.text)
      assert.equal(r.body.state, 'submitted')

      cycle = await transition(mk, cycle, 'end')
      assert.equal(cycle.state, 'review')
      r = await call(mk, 'GET', `/api/assess/cycles/${cycle.id}/results/person/${st.subject.id}`)
      assert.equal(r.status, 200, r.text)
      assert.equal(r.body.result.held, false, JSON.stringify(r.body.result))
      assert.ok(r.body.result.composite < 60, `composite ${r.body.result.composite}`)
      st.composite = r.body.result.composite
      cycle = await transition(mk, cycle, 'close')
      assert.equal(cycle.state, 'closed')
      st.cycle = cycle

      r = await call(mk, 'GET', `/api/assess/outcomes?cycle=${cycle.id}&state=proposed`)
      assert.equal(r.status, 200, r.text)
      st.outcome = r.body.items.find((o) => o.personId === st.subject.id)
      assert.ok(st.outcome, `a proposal for the subject: ${r.text}`)
      assert.equal(st.outcome.kind, 'standby_training')
      assert.equal(st.outcome.proposal.effective, EFFECTIVE)
      st.proposed = r.body.items.length
    } finally {
      await mk.close()
    }
  })

  test('mktdir overrides without a reason (refused), then confirms; the person is on standby training from the first of the month', async () => {
    assert.ok(st.outcome, 'needs the proposal of the test before')
    const o = st.outcome
    const { context, page, problems } = await newPage(env.browser, env.server.baseURL)
    try {
      await login(page, 'mktdir')
      assert.match(await page.getByTestId('menu-assess-outcomes').innerText(), /考核结果待确认/)

      // from the closed cycle to its proposals
      let resp = page.waitForResponse(is('/api/assess/cycles', 'GET'))
      await page.goto('/assess/cycles')
      await resp
      const cycleRow = page.locator('[data-testid="cycles-table"] .el-table__body-wrapper tr', { has: page.locator(`[data-testid="cycle-period"][data-id="${st.cycle.id}"]`) })
      await cycleRow.locator('[data-testid="cycle-state"][data-state="closed"]').waitFor()
      resp = page.waitForResponse(is('/api/assess/outcomes', 'GET'))
      await cycleRow.getByTestId('cycle-outcomes').click()
      let r = await resp
      assert.equal(r.status(), 200)
      assert.deepEqual(Object.fromEntries(new URL(r.url()).searchParams), { state: 'proposed', cycle: String(st.cycle.id), page: '1', pageSize: '50' }, 'the first page of 50')
      await page.waitForURL((u) => u.pathname === '/assess/outcomes' && u.searchParams.get('cycle') === String(st.cycle.id))
      const table = page.locator('[data-testid="outcomes-table"][data-loading="false"][data-state="proposed"]')
      await table.waitFor({ state: 'attached' })
      // the cycle filter shows the cycle
      assert.match(await page.locator('[data-testid="outcomes-cycle"]').innerText(), new RegExp(PERIOD))
      assert.equal(await page.getByTestId('outcomes-pending').getAttribute('data-count'), String(st.proposed))

      // the proposal: label and colour, subject, grounds, figures, effective month
      const row = page.locator('[data-testid="outcomes-table"] .el-table__body-wrapper tr', { has: page.locator(`[data-testid="outcome-kind"][data-id="${o.id}"]`) })
      await row.waitFor()
      const kind = row.getByTestId('outcome-kind')
      assert.equal((await kind.innerText()).trim(), '待岗培训')
      assert.match(await kind.getAttribute('class'), /el-tag--warning/)
      assert.equal((await row.getByTestId('outcome-period').innerText()).trim(), PERIOD)
      assert.equal((await row.getByTestId('outcome-name').innerText()).trim(), st.subject.name)
      assert.equal((await row.getByTestId('outcome-empno').innerText()).trim(), st.subject.empNo)
      assert.equal((await row.getByTestId('outcome-grounds').innerText()).trim(), o.proposal.reasonZh)
      assert.match(o.proposal.reasonZh, /待岗培训/)
      const figures = await row.getByTestId('outcome-figure').evaluateAll((els) => els.map((e) => [e.dataset.key, e.dataset.value, e.textContent.trim()]))
      assert.deepEqual(
        figures.map(([k, v]) => [k, v]),
        o.proposal.figures.map((f) => [f.key, f.value]),
      )
      assert.equal(Number(figures.find(([k]) => k === 'score')[1]), st.composite)
      assert.match(figures.find(([k]) => k === 'score')[2], /^得分：/)
      assert.match(figures.find(([k]) => k === 'below')[2], /^分数线：60/)
      assert.equal((await row.getByTestId('outcome-effective').innerText()).trim(), EFFECTIVE)

      // override without a reason: the server's field error beside the input, nothing changes
      await row.getByTestId('outcome-override').click()
      const dialog = page.locator('.el-dialog[data-testid="outcome-dialog"]')
      await dialog.waitFor({ state: 'visible' })
      assert.equal(await dialog.getAttribute('data-decision'), 'override')
      resp = page.waitForResponse(is(`/api/assess/outcomes/${o.id}/decide`, 'POST'))
      await dialog.getByTestId('outcome-decide-submit').click()
      r = await resp
      assert.equal(r.status(), 400)
      assert.deepEqual(r.request().postDataJSON(), { decision: 'override', reason: '', version: o.version })
      const refused = await r.json()
      assert.ok(refused.fields?.reason, JSON.stringify(refused))
      const fieldError = dialog.locator('.el-form-item__error')
      await fieldError.waitFor()
      assert.equal((await fieldError.innerText()).trim(), refused.fields.reason)
      assert.equal(await dialog.getByTestId('outcome-decide-error').count(), 0, 'the field error only, beside the reason')
      await dialog.locator('.el-dialog__footer .el-button').first().click() // cancel
      await dialog.waitFor({ state: 'hidden' })
      await row.getByTestId('outcome-confirm').waitFor()

      // confirm: the dialog says what will change, with an optional note
      await row.getByTestId('outcome-confirm').click()
      await dialog.waitFor({ state: 'visible' })
      assert.equal(await dialog.getAttribute('data-decision'), 'confirm')
      await dialog.locator('.el-form-item__error').waitFor({ state: 'detached' }) // none left from before
      assert.equal((await dialog.getByTestId('outcome-change').innerText()).trim(), `${FROM} 起待岗培训 7 天，${dayAfter(FROM, 7)} 起恢复在岗`)
      await dialog.locator('textarea[data-testid="outcome-reason"]').fill('e2e 已面谈')
      resp = page.waitForResponse(is(`/api/assess/outcomes/${o.id}/decide`, 'POST'))
      await dialog.getByTestId('outcome-decide-submit').click()
      r = await resp
      assert.equal(r.status(), 200, await r.text())
      assert.deepEqual(r.request().postDataJSON(), { decision: 'confirm', reason: 'e2e 已面谈', version: o.version })
      const decided = await r.json()
      assert.equal(decided.state, 'confirmed')
      assert.equal(decided.decidedBy, 'mktdir')
      assert.match(decided.effect, new RegExp(FROM))
      await dialog.waitFor({ state: 'hidden' })
      // the effect is shown, and the proposal has left the inbox
      const banner = page.locator(`[data-testid="outcome-decided"][data-id="${o.id}"][data-state="confirmed"]`)
      await banner.waitFor()
      assert.match(await banner.innerText(), new RegExp(`已确认 ${st.subject.name} 的建议（待岗培训）`))
      assert.equal((await banner.getByTestId('outcome-decided-effect').innerText()).trim(), `变动：${decided.effect}`)
      await row.waitFor({ state: 'detached' })
      if (st.proposed === 1) {
        assert.match(await page.locator('[data-testid="outcomes-table"] .el-table__empty-text').innerText(), /没有待确认的建议/)
        assert.equal(await page.getByTestId('outcomes-pending').count(), 0)
      }

      // the confirmed tab: who decided when, the note, the effect
      resp = page.waitForResponse((x) => is('/api/assess/outcomes', 'GET')(x) && new URL(x.url()).searchParams.get('state') === 'confirmed')
      await page.locator('[data-testid="outcomes-tab"][data-state="confirmed"]').click()
      r = await resp
      assert.equal(new URL(r.url()).searchParams.get('cycle'), String(st.cycle.id), 'the cycle filter stays')
      await page.locator('[data-testid="outcomes-table"][data-loading="false"][data-state="confirmed"]').waitFor({ state: 'attached' })
      await page.waitForURL((u) => u.searchParams.get('state') === 'confirmed')
      const done = page.locator(`[data-testid="outcome-decision"][data-id="${o.id}"]`)
      await done.waitFor()
      assert.equal(await done.getByTestId('outcome-state').getAttribute('data-state'), 'confirmed')
      assert.equal((await done.getByTestId('outcome-state').innerText()).trim(), '已确认')
      assert.equal((await done.getByTestId('outcome-decided-by').innerText()).trim(), 'mktdir')
      assert.match(await done.getByTestId('outcome-decided-at').innerText(), /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/)
      assert.equal((await done.getByTestId('outcome-decision-reason').innerText()).trim(), 'e2e 已面谈')
      assert.equal((await done.getByTestId('outcome-effect').innerText()).trim(), decided.effect)
      assert.equal(await page.getByTestId('outcome-confirm').count(), 0, 'no buttons on a decided proposal')

      // decided once only
      const again = await page.request.post(`/api/assess/outcomes/${o.id}/decide`, { data: { decision: 'override', reason: 'e2e', version: decided.version } })
      assert.equal(again.status(), 409)
      assert.equal((await again.json()).code, 'decided')

      // the person's effective-dated records: standby training from the first of this month for 7 days, then active
      const person = await apiGet(page, `/api/people/${st.subject.id}`)
      const standby = person.history.find((h) => h.status === 'standby_training')
      assert.ok(standby, JSON.stringify(person.history))
      assert.equal(standby.validFrom, FROM)
      assert.equal(standby.validTo, dayAfter(FROM, 6))
      assert.match(standby.reason, new RegExp(`#${o.id}`))
      const back = person.history.find((h) => h.validFrom === dayAfter(FROM, 7))
      assert.equal(back?.status, 'active', JSON.stringify(person.history))

      // in English: the English label and grounds
      await page.getByTestId('lang-en').click()
      await page.waitForFunction(() => document.querySelector('[data-testid="outcome-state"]')?.textContent?.includes('Confirmed'))
      const en = page.locator('[data-testid="outcomes-table"] .el-table__body-wrapper tr', { has: page.locator(`[data-testid="outcome-kind"][data-id="${o.id}"]`) })
      assert.equal((await en.getByTestId('outcome-kind').innerText()).trim(), 'Standby training')
      assert.equal((await en.getByTestId('outcome-grounds').innerText()).trim(), o.proposal.reasonEn)
      assert.match(await en.locator('[data-testid="outcome-figure"][data-key="below"]').innerText(), /^Pass mark: 60/)
      assert.match(await page.getByTestId('menu-assess-outcomes').innerText(), /Outcomes to confirm/)
      assert.deepEqual(problems, [])
    } finally {
      await context.close()
    }
  })
})
