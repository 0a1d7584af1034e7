// The monthly pay close (工资月结) against the real demo server, end to end:
//  1. finance opens the close page for last month, calculates (the job's
//     progress ends at done = total and the people count shows what the
//     API says), and submits;
//  2. gm tries to sign the chief accountant's step and sees the server's
//     403 message; finance (the chief accountant) signs, deputy signs, gm
//     signs: the month is locked, the bar shows three signatures besides
//     the submission, and the calculate button is disabled;
//  3. finance opens one statement: its lines and net are those of the API;
//  4. a CM with a statement (cm02 when they have one) opens My pay for last
//     month on a 390 px phone and sees their net.
import { describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { browserSkipReason, login, newPage, PASSWORD, useServerAndBrowser } from './harness.mjs'

const skip = browserSkipReason()

const pad = (n) => String(n).padStart(2, '0')
const now = new Date()
const prev = new Date(now.getFullYear(), now.getMonth() - 1, 1)
/** Last month: the month closed. */
const MONTH = `${prev.getFullYear()}-${pad(prev.getMonth() + 1)}`

/** fen → ¥1,234.56, as the UI shows it (integers only). */
function yuan(fen) {
  const neg = fen < 0
  const d = String(Math.abs(fen)).padStart(3, '0')
  return `${neg ? '-' : ''}¥${d.slice(0, -2).replace(/\B(?=(\d{3})+(?!\d))/g, ',')}.${d.slice(-2)}`
}

const is = (path, method) => (r) => new URL(r.url()).pathname === path && r.request().method() === method

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

async function openClose(page) {
  const resp = page.waitForResponse(is(`/api/pay/months/${MONTH}`, 'GET'))
  await page.goto(`/pay/close`)
  await resp
  await page.locator('[data-testid="pay-month"][data-loading="false"]').waitFor({ state: 'attached' })
  assert.equal(await page.getByTestId('pay-month-picker').getAttribute('data-value'), MONTH)
}

/** Clicks a sign button, confirms the message box, and resolves with the sign response. */
async function signInPage(page, testid) {
  await page.getByTestId(testid).click()
  const resp = page.waitForResponse(is(`/api/pay/months/${MONTH}/sign`, 'POST'))
  await page.locator('.el-message-box__btns .el-button--primary').click()
  return resp
}

async function signAs(browser, baseURL, username, expectState) {
  const { context, page, problems } = await newPage(browser, baseURL)
  try {
    await login(page, username)
    await openClose(page)
    const r = await signInPage(page, 'pay-approve')
    assert.equal(r.status(), 200, `${username} signs: ${await r.text()}`)
    await page.locator(`[data-testid="pay-state"][data-state="${expectState}"]`).waitFor()
    assert.deepEqual(problems, [])
  } finally {
    await context.close()
  }
}

describe('pay monthly close', { skip }, () => {
  const env = useServerAndBrowser()
  const st = {}

  test('finance calculates last month (progress to the end, people count) and submits', async () => {
    const { context, page, problems } = await newPage(env.browser, env.server.baseURL)
    try {
      await login(page, 'finance')
      assert.match(await page.getByTestId('menu-pay-close').innerText(), /工资月结/)
      await openClose(page)
      assert.equal(await page.getByTestId('pay-state').getAttribute('data-state'), 'open')
      assert.equal(await page.getByTestId('pay-calculate').isDisabled(), false)

      const started = page.waitForResponse(is(`/api/pay/months/${MONTH}/calculate`, 'POST'))
      await page.getByTestId('pay-calculate').click()
      assert.equal((await started).status(), 202)
      const job = page.locator('[data-testid="pay-job"][data-status="succeeded"]')
      await job.waitFor({ timeout: 60_000 })
      const done = Number(await job.getAttribute('data-done'))
      const total = Number(await job.getAttribute('data-total'))
      assert.ok(total > 0, `people to pay: ${total}`)
      assert.equal(done, total)
      assert.match(await page.getByTestId('pay-job-count').innerText(), new RegExp(`${total}/${total}`))
      assert.match(await page.getByTestId('pay-job-outcome').innerText(), new RegExp(`已计算 ${total} 人`))
      await page.locator('[data-testid="pay-state"][data-state="calculated"]').waitFor()

      st.month = await (await page.request.get(`/api/pay/months/${MONTH}`)).json()
      assert.equal(st.month.state, 'calculated')
      assert.equal(st.month.people, total)
      await page.locator(`[data-testid="pay-people"][data-value="${total}"]`).waitFor()
      assert.equal((await page.getByTestId('pay-people').innerText()).includes(String(total)), true)
      assert.match(await page.getByTestId('pay-net').innerText(), new RegExp(yuan(st.month.netFen).replace(/[.$]/g, '\\$&')))
      await page.locator(`[data-testid="pay-statements"][data-total="${total}"]`).waitFor()
      assert.equal(await page.getByTestId('pay-calculate').innerText(), '重新计算')

      const r = await signInPage(page, 'pay-submit')
      assert.equal(r.status(), 200, await r.text())
      await page.locator('[data-testid="pay-state"][data-state="submitted"]').waitFor()
      assert.match(await page.getByTestId('pay-awaiting').innerText(), /待主办会计签字/)
      assert.equal(await page.locator('[data-testid="pay-step"][data-done="true"]').count(), 2)
      assert.deepEqual(problems, [])
    } finally {
      await context.close()
    }
  })

  test('gm cannot sign the chief accountant step: the server says why (403)', async () => {
    const { context, page } = await newPage(env.browser, env.server.baseURL)
    try {
      await login(page, 'gm')
      await openClose(page)
      const r = await signInPage(page, 'pay-approve')
      assert.equal(r.status(), 403)
      const body = await r.json()
      const alert = page.locator('[data-testid="pay-action-error"][data-status="403"]')
      await alert.waitFor()
      assert.equal((await alert.innerText()).trim(), body.message)
      await page.locator('[data-testid="pay-state"][data-state="submitted"]').waitFor()
    } finally {
      await context.close()
    }
  })

  test('the chief accountant, the deputy and the manager sign: locked with three signatures', async () => {
    await signAs(env.browser, env.server.baseURL, 'finance', 'approved_accountant')
    await signAs(env.browser, env.server.baseURL, 'deputy', 'approved_deputy')
    await signAs(env.browser, env.server.baseURL, 'gm', 'locked')

    const { context, page, problems } = await newPage(env.browser, env.server.baseURL)
    try {
      await login(page, 'finance')
      await openClose(page)
      await page.locator('[data-testid="pay-state"][data-state="locked"]').waitFor()
      const m = await (await page.request.get(`/api/pay/months/${MONTH}`)).json()
      assert.equal(m.state, 'locked')
      assert.deepEqual(
        m.signoffs.map((s) => s.step),
        ['submitted', 'approved_accountant', 'approved_deputy', 'locked'],
      )
      // every step done, each signature with its name
      assert.equal(await page.locator('[data-testid="pay-step"][data-done="true"]').count(), 5)
      for (const [step, who] of [
        ['approved_accountant', m.signoffs[1].name],
        ['approved_deputy', m.signoffs[2].name],
        ['locked', m.signoffs[3].name],
      ]) {
        const sign = page.locator(`[data-testid="pay-step"][data-step="${step}"] [data-testid="pay-step-sign"]`)
        assert.equal(await sign.getAttribute('data-name'), who)
        assert.ok(who, `${step} signed by someone`)
      }
      assert.equal(await page.getByTestId('pay-calculate').isDisabled(), true)
      assert.equal(await page.getByTestId('pay-approve').count(), 0)
      assert.equal(await page.getByTestId('pay-submit').count(), 0)

      // recalculating a locked month is refused by the server too
      const r = await page.request.post(`/api/pay/months/${MONTH}/calculate`)
      assert.equal(r.status(), 409)
      assert.equal((await r.json()).code, 'locked')
      assert.deepEqual(problems, [])
    } finally {
      await context.close()
    }
  })

  test('finance opens a statement: its lines and net are the API ones', async () => {
    const { context, page, problems } = await newPage(env.browser, env.server.baseURL)
    try {
      await login(page, 'finance')
      await openClose(page)
      const rowsResp = await (await page.request.get(`/api/pay/months/${MONTH}/statements?pageSize=50`)).json()
      const row = rowsResp.items.find((x) => x.netFen > 0) ?? rowsResp.items[0]
      assert.ok(row, 'a statement')
      const api = await (await page.request.get(`/api/pay/months/${MONTH}/statement?personId=${row.personId}`)).json()

      const cell = page.locator(`[data-testid="pay-row-empno"][data-person-id="${row.personId}"]`)
      await cell.waitFor()
      const resp = page.waitForResponse(is(`/api/pay/months/${MONTH}/statement`, 'GET'))
      await cell.click()
      assert.equal((await resp).status(), 200)
      const st = page.locator('[data-testid="pay-statement-drawer"] [data-testid="pay-statement"]')
      await st.waitFor()
      assert.equal(Number(await st.getAttribute('data-net-fen')), api.statement.netFen)
      assert.equal(api.statement.netFen, row.netFen)
      assert.equal((await st.getByTestId('pay-statement-net').innerText()).includes(yuan(api.statement.netFen)), true)
      const lines = st.getByTestId('pay-line')
      assert.equal(await lines.count(), api.statement.lines.length)
      for (const [i, l] of api.statement.lines.entries()) {
        const el = lines.nth(i)
        assert.equal(await el.getAttribute('data-key'), l.key)
        assert.equal(Number(await el.getAttribute('data-fen')), l.fen)
        if (l.kind !== 'info') assert.equal((await el.getByTestId('pay-line-amount').innerText()).trim(), yuan(l.fen))
        if (l.formula) assert.equal((await el.getByTestId('pay-line-formula').innerText()).trim(), l.formula)
        if (l.tier) assert.equal(Number(await el.getByTestId('pay-line-tier').getAttribute('data-index')), l.tier.index)
      }
      const totals = Object.fromEntries(
        await st.getByTestId('pay-total').evaluateAll((els) => els.map((e) => [e.getAttribute('data-key'), Number(e.getAttribute('data-fen'))])),
      )
      assert.deepEqual(totals, { earnings: api.statement.earningsFen, deductions: api.statement.deductionsFen, adjustments: api.statement.adjustmentsFen, net: api.statement.netFen })
      assert.ok((await st.getByTestId('pay-fact-group').count()) >= 2, 'the facts are shown')
      await st.getByTestId('pay-print').waitFor()
      assert.deepEqual(problems, [])
    } finally {
      await context.close()
    }
  })

  test('a CM on a 390 px phone sees their own net in My pay', async () => {
    // pick a CM with a user and a statement: cm02 when they have one
    const admin = await apiSession(env.browser, env.server.baseURL, 'admin')
    const users = (await call(admin, 'GET', '/api/users?pageSize=500')).body.items
    await admin.close()
    const fin = await apiSession(env.browser, env.server.baseURL, 'finance')
    const rows = (await call(fin, 'GET', `/api/pay/months/${MONTH}/statements?pageSize=500`)).body.items
    await fin.close()
    const byPerson = new Map(rows.map((r) => [r.personId, r]))
    const candidates = users.filter((u) => u.personId && byPerson.has(u.personId) && /^cm\d+$/.test(u.username))
    const who = candidates.find((u) => u.username === 'cm02') ?? candidates[0]
    assert.ok(who, 'a CM with a statement')
    const mine = byPerson.get(who.personId)

    const context = await env.browser.newContext({ baseURL: env.server.baseURL, locale: 'zh-CN', viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true })
    context.setDefaultTimeout(15_000)
    const page = await context.newPage()
    const problems = []
    page.on('pageerror', (err) => problems.push(err.message))
    try {
      await login(page, who.username)
      const resp = page.waitForResponse(is(`/api/pay/months/${MONTH}/statement`, 'GET'))
      await page.goto('/pay/me')
      assert.equal((await resp).status(), 200)
      const st = page.locator('[data-testid="pay-me"] [data-testid="pay-statement"]')
      await st.waitFor()
      assert.equal(Number(await st.getAttribute('data-net-fen')), mine.netFen)
      const net = st.getByTestId('pay-statement-net')
      assert.equal((await net.innerText()).includes(yuan(mine.netFen)), true)
      const box = await net.boundingBox()
      assert.ok(box && box.x >= 0 && box.x + box.width <= 390, `the net on screen: ${JSON.stringify(box)}`)
      // nothing wider than the phone
      const overflow = await page.evaluate(() => document.querySelector('[data-testid="pay-me"]').scrollWidth)
      assert.ok(overflow <= 390, `page width ${overflow}`)

      // a month without a statement: the empty state
      const none = page.waitForResponse(is(`/api/pay/months/2020-01/statement`, 'GET'))
      await page.goto('/pay/me?month=2020-01')
      assert.equal((await none).status(), 404)
      await page.getByTestId('pay-me-none').waitFor()
      assert.deepEqual(problems, [])
    } finally {
      await context.close()
    }
  })
})
