// Assessment rules (考核规则), the monthly task review and exam scores
// against the real demo server (real clock), end to end:
//  1. through the API, mktdir gives one sales CM a huge task for last month
//     (whatever the demo's records, its completion is under any floor);
//  2. in the browser, on the outcomes page, running the task review before
//     any task rule is configured shows the server's 409 inline with a link
//     to the rules, and a month that has not ended shows its field error
//     beside the month picker;
//  3. on the rules page mktdir switches on the credit-coop task rule for
//     sales CMs, converting to marketing_staff (the securities demo has no
//     general_marketer position): a floor with three decimals is refused
//     before anything is sent, a floor of 120% against a standard of 100% is
//     the server's field error beside the floor input and in the summary,
//     and nothing is stored; with a floor of 30% the rules are saved as the
//     next version, shown on the page;
//  4. on the outcomes page the task review of last month is run: its row
//     appears with one run, running it again makes two runs; the row's
//     action lists its proposals (a visible, clearable filter), among them
//     converting the CM, with its source; confirming says beforehand which
//     position the CM takes and the CM's records then have it;
//  5. on the exam tab two pasted lines, one with the score 101, are refused
//     with that row's error and nothing is stored; fixed, both are listed;
//  6. at phone width the rules and outcomes pages do not overflow.
import { describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { apiGet, browserSkipReason, login, newPage, PASSWORD, useServerAndBrowser } from './harness.mjs'

const skip = browserSkipReason()

const pad = (n) => String(n).padStart(2, '0')
const now = new Date()
const prev = new Date(now.getFullYear(), now.getMonth() - 1, 1)
/** Last month, the month reviewed: 2026-10. */
const PERIOD = `${prev.getFullYear()}-${pad(prev.getMonth() + 1)}`
/** This month, not ended yet: 2026-11. */
const THIS_MONTH = `${now.getFullYear()}-${pad(now.getMonth() + 1)}`
/** The first day of this month, when a conversion starts. */
const FROM = `${THIS_MONTH}-01`
/** The quarter of last month, the exams' period: 2026-Q4. */
const QUARTER = `${prev.getFullYear()}-Q${Math.floor(prev.getMonth() / 3) + 1}`
const EXAM = 'e2e 合规知识考试'

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

describe('assessment rules, task review and exam scores', { skip }, () => {
  const env = useServerAndBrowser()
  const st = {} // the subject, the others, the rule versions, the review

  test('setup: a sales CM with a task for last month that nobody could complete', async () => {
    const mk = await apiSession(env.browser, env.server.baseURL, 'mktdir')
    try {
      const cms = (await call(mk, 'GET', '/api/people?position=sales_cm&status=active&pageSize=100')).body.items
      assert.ok(cms.length >= 2, 'two sales CMs')
      ;[st.subject, st.other] = cms
      let r = await call(mk, 'PUT', '/api/targets', { period: PERIOD, metric: 'new_accounts', personId: st.subject.id, value: '100000', note: 'e2e', version: 0 })
      assert.equal(r.status, 200, r.text)
      r = await call(mk, 'GET', '/api/assess/rules')
      assert.equal(r.status, 200, r.text)
      st.version = r.body.version
      assert.equal(r.body.rules.consequences?.outcomeRules?.coopTasks, undefined, 'the securities preset has no task rule')
      // a sales CM may not read the rules' editor endpoints
      const cm = await apiSession(env.browser, env.server.baseURL, 'cm02')
      const denied = await call(cm, 'GET', '/api/assess/task-reviews')
      await cm.close()
      assert.equal(denied.status, 403)
    } finally {
      await mk.close()
    }
  })

  test('without a task rule the review is refused inline (409), and a month not ended is the field error beside the picker', async () => {
    const { context, page, problems } = await newPage(env.browser, env.server.baseURL)
    try {
      await login(page, 'mktdir')
      let resp = page.waitForResponse(is('/api/assess/task-reviews', 'GET'))
      await page.goto('/assess/outcomes')
      await resp
      const card = page.getByTestId('task-review')
      // last month by default
      assert.equal(await card.getByTestId('task-review-month').getAttribute('data-value'), PERIOD)
      assert.match(await card.innerText(), /月度任务考核/)

      resp = page.waitForResponse(is('/api/assess/task-reviews', 'POST'))
      await card.getByTestId('task-review-run').click()
      let r = await resp
      assert.equal(r.status(), 409)
      assert.deepEqual(r.request().postDataJSON(), { period: PERIOD })
      const refused = await r.json()
      assert.equal(refused.code, 'no_rule')
      const alert = card.locator('[data-testid="task-review-error"][data-code="no_rule"]')
      await alert.waitFor()
      assert.match(await alert.innerText(), new RegExp(refused.message.slice(0, 12)))
      assert.equal(await alert.getByTestId('task-review-rules-link').getAttribute('href'), '/assess/rules')

      // this month has not ended: the server's field error beside the month
      const input = card.locator('[data-testid="task-review-month"] input')
      await input.fill(THIS_MONTH)
      await input.press('Enter')
      await card.locator(`[data-testid="task-review-month"][data-value="${THIS_MONTH}"]`).waitFor()
      resp = page.waitForResponse(is('/api/assess/task-reviews', 'POST'))
      await card.getByTestId('task-review-run').click()
      r = await resp
      assert.equal(r.status(), 400)
      const notEnded = await r.json()
      assert.ok(notEnded.fields?.period, JSON.stringify(notEnded))
      const fieldError = card.locator('.el-form-item__error')
      await fieldError.waitFor()
      assert.equal((await fieldError.innerText()).trim(), notEnded.fields.period)
      assert.equal(await card.getByTestId('task-review-error').count(), 0, 'the field error only')
      assert.equal(await card.locator('[data-testid="task-review-period"]').count(), 0, 'no review was stored')
      assert.deepEqual(problems, [])
    } finally {
      await context.close()
    }
  })

  test('mktdir switches on the task rule: a floor above the standard is the server field error beside the floor; fixed, a new version', async () => {
    const { context, page, problems } = await newPage(env.browser, env.server.baseURL)
    try {
      await login(page, 'mktdir')
      assert.match(await page.getByTestId('menu-assess-rules').innerText(), /考核规则/)
      const resp0 = page.waitForResponse(is('/api/assess/rules', 'GET'))
      await page.getByTestId('menu-assess-rules').click()
      await resp0
      await page.waitForURL((u) => u.pathname === '/assess/rules')
      const version = page.locator(`[data-testid="rules-version"][data-version="${st.version}"]`)
      await version.waitFor()
      assert.match(await page.getByTestId('rules-stored-by').innerText(), /system/)

      // the stored rules are shown: the monthly rule with its pass mark, the task rule off
      assert.equal(await page.getByTestId('rule-monthly').getAttribute('data-enabled'), 'true')
      assert.equal(await page.locator('input[data-testid="rule-monthly-below"]').inputValue(), '60.00')
      const coop = page.getByTestId('rule-coopTasks')
      assert.equal(await coop.getAttribute('data-enabled'), 'false')
      await coop.getByTestId('rule-coopTasks-enabled').click()
      await page.locator('[data-testid="rule-coopTasks"][data-enabled="true"]').waitFor()
      await choose(page, coop.getByTestId('rule-coopTasks-positions'), '销售类客户经理')
      await page.keyboard.press('Escape')
      await choose(page, coop.getByTestId('rule-coopTasks-convertTo'), '市场营销部团队管理岗')
      // the rule's figures start as the coop's rule: 100% standard, three months, 30% floor, three months
      const standard = coop.locator('input[data-testid="rule-coopTasks-missBelowBp"]')
      const floor = coop.locator('input[data-testid="rule-coopTasks-floorBp"]')
      assert.equal(await standard.inputValue(), '100')
      assert.equal(await floor.inputValue(), '30')

      let puts = 0
      page.on('request', (q) => {
        if (is('/api/assess/consequences', 'PUT')({ url: () => q.url(), request: () => q })) puts++
      })
      const floorItem = page.getByTestId('rule-field-coopTasks-floorBp')

      // three decimals: refused as typed, nothing sent
      await floor.fill('30.125')
      await page.getByTestId('rules-save').click()
      await floorItem.locator('.el-form-item__error').waitFor()
      assert.equal((await floorItem.locator('.el-form-item__error').innerText()).trim(), '须为百分数，最多两位小数')
      assert.deepEqual(await page.getByTestId('rules-error').allInnerTexts(), ['任务完成考核（一般营销员） · 单项任务下限：须为百分数，最多两位小数'])
      assert.equal(puts, 0, 'nothing sent')

      // a floor above the standard: the server's field error beside the floor and in the summary
      await floor.fill('120')
      await page.locator('textarea[data-testid="rules-note"]').fill('e2e 启用任务考核')
      let resp = page.waitForResponse(is('/api/assess/consequences', 'PUT'))
      await page.getByTestId('rules-save').click()
      let r = await resp
      assert.equal(r.status(), 400)
      assert.deepEqual(r.request().postDataJSON().outcomeRules.coopTasks, {
        positions: ['sales_cm'],
        convertTo: 'marketing_staff',
        missBelowBp: 10000,
        missMonths: 3,
        floorBp: 12000,
        recoverMonths: 3,
      })
      const refused = await r.json()
      const msg = refused.fields?.['outcomeRules.coopTasks.floorBp']
      assert.ok(msg, JSON.stringify(refused))
      await page.waitForFunction(
        (m) => document.querySelector('[data-testid="rule-field-coopTasks-floorBp"] .el-form-item__error')?.textContent?.trim() === m,
        msg,
      )
      const summary = page.getByTestId('rules-errors')
      await summary.waitFor()
      assert.ok((await summary.getByTestId('rules-error').allInnerTexts()).map((s) => s.trim()).includes(msg))
      assert.equal((await apiGet(page, '/api/assess/rules')).version, st.version, 'nothing stored')
      await version.waitFor()

      // fixed: saved as the next version
      await floor.fill('30')
      resp = page.waitForResponse(is('/api/assess/consequences', 'PUT'))
      await page.getByTestId('rules-save').click()
      r = await resp
      assert.equal(r.status(), 200, await r.text())
      const body = r.request().postDataJSON()
      assert.equal(body.outcomeRules.coopTasks.floorBp, 3000)
      assert.equal(body.note, 'e2e 启用任务考核')
      // the other rules went back as they were
      assert.deepEqual(body.outcomeRules.monthly, { positions: ['sales_cm', 'group_lead'], below: 60, standbyDays: 7, endAfter: 2 })
      assert.equal(body.gradeReview.length, 2)
      const saved = await r.json()
      assert.equal(saved.version, st.version + 1)
      assert.equal(saved.createdBy, 'mktdir')
      st.version = saved.version
      await page.locator(`[data-testid="rules-saved"][data-version="${saved.version}"]`).waitFor()
      await page.locator(`[data-testid="rules-version"][data-version="${saved.version}"]`).waitFor()
      assert.match(await page.getByTestId('rules-stored-by').innerText(), /mktdir/)
      await page.getByTestId('rules-errors').waitFor({ state: 'detached' })
      await floorItem.locator('.el-form-item__error').waitFor({ state: 'detached' })
      assert.equal(await floor.inputValue(), '30')
      const stored = (await apiGet(page, '/api/assess/rules')).rules.consequences.outcomeRules.coopTasks
      assert.deepEqual(stored, { positions: ['sales_cm'], convertTo: 'marketing_staff', missBelowBp: 10000, missMonths: 3, floorBp: 3000, recoverMonths: 3 })
      assert.deepEqual(problems, [])
    } finally {
      await context.close()
    }
  })

  test('the task review of last month runs (1 run), runs again (2 runs) and lists its proposals; confirming converts the CM', async () => {
    const { context, page, problems } = await newPage(env.browser, env.server.baseURL)
    try {
      await login(page, 'mktdir')
      let resp = page.waitForResponse(is('/api/assess/task-reviews', 'GET'))
      await page.goto('/assess/outcomes')
      await resp
      const card = page.getByTestId('task-review')
      assert.equal(await card.getByTestId('task-review-month').getAttribute('data-value'), PERIOD)

      resp = page.waitForResponse(is('/api/assess/task-reviews', 'POST'))
      await card.getByTestId('task-review-run').click()
      let r = await resp
      assert.equal(r.status(), 200, await r.text())
      const first = await r.json()
      assert.equal(first.period, PERIOD)
      assert.equal(first.runs, 1)
      assert.equal(first.runBy, 'mktdir')
      assert.ok(first.proposals >= 1, JSON.stringify(first))
      st.review = first
      const row = page.locator('[data-testid="task-reviews-table"] .el-table__body-wrapper tr', { has: page.locator(`[data-testid="task-review-period"][data-id="${first.id}"]`) })
      await row.locator('[data-testid="task-review-period"][data-runs="1"]').waitFor()
      assert.equal((await row.getByTestId('task-review-period').innerText()).trim(), PERIOD)
      assert.equal((await row.getByTestId('task-review-runs').innerText()).trim(), '1')
      assert.equal((await row.getByTestId('task-review-cases').innerText()).trim(), String(first.cases))
      assert.equal((await row.getByTestId('task-review-proposals').innerText()).trim(), String(first.proposals))
      assert.equal((await row.getByTestId('task-review-run-by').innerText()).trim(), 'mktdir')
      assert.match(await row.getByTestId('task-review-run-at').innerText(), /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/)

      // again: the same review, two runs
      resp = page.waitForResponse(is('/api/assess/task-reviews', 'POST'))
      await card.getByTestId('task-review-run').click()
      r = await resp
      assert.equal(r.status(), 200, await r.text())
      const second = await r.json()
      assert.equal(second.id, first.id)
      assert.equal(second.runs, 2)
      await row.locator('[data-testid="task-review-period"][data-runs="2"]').waitFor()
      assert.equal((await row.getByTestId('task-review-runs').innerText()).trim(), '2')
      assert.equal(await page.locator('[data-testid="task-review-period"]').count(), 1)

      // its proposals, as a filter shown and clearable
      resp = page.waitForResponse((x) => is('/api/assess/outcomes', 'GET')(x) && new URL(x.url()).searchParams.get('review') === String(first.id))
      await row.getByTestId('task-review-view').click()
      r = await resp
      assert.deepEqual(Object.fromEntries(new URL(r.url()).searchParams), { state: 'proposed', review: String(first.id), page: '1', pageSize: '50' })
      const listed = (await r.json()).items
      assert.equal(listed.length, second.proposals)
      const o = listed.find((x) => x.personId === st.subject.id)
      assert.ok(o, JSON.stringify(listed))
      assert.equal(o.kind, 'to_general_marketer')
      assert.equal(o.reviewId, first.id)
      await page.waitForURL((u) => u.searchParams.get('review') === String(first.id))
      const filter = page.getByTestId('outcomes-review-filter')
      assert.equal((await filter.innerText()).trim(), `任务考核 ${PERIOD}`)
      await page.locator('[data-testid="outcomes-table"][data-loading="false"]').waitFor({ state: 'attached' })
      const orow = page.locator('[data-testid="outcomes-table"] .el-table__body-wrapper tr', { has: page.locator(`[data-testid="outcome-kind"][data-id="${o.id}"]`) })
      await orow.waitFor()
      assert.equal((await orow.getByTestId('outcome-kind').innerText()).trim(), '转为一般营销员')
      assert.equal(await orow.getByTestId('outcome-source').getAttribute('data-kind'), 'review')
      assert.equal((await orow.getByTestId('outcome-source').innerText()).trim(), `任务考核 ${PERIOD}`)
      assert.equal((await orow.getByTestId('outcome-grounds').innerText()).trim(), o.proposal.reasonZh)
      assert.equal((await orow.getByTestId('outcome-effective').innerText()).trim(), THIS_MONTH)

      // confirming says which position the CM takes, then does it
      await orow.getByTestId('outcome-confirm').click()
      const dialog = page.locator('.el-dialog[data-testid="outcome-dialog"]')
      await dialog.waitFor({ state: 'visible' })
      assert.equal((await dialog.getByTestId('outcome-change').innerText()).trim(), `${FROM} 起岗位转为市场营销部团队管理岗，取消基本工资`)
      resp = page.waitForResponse(is(`/api/assess/outcomes/${o.id}/decide`, 'POST'))
      await dialog.getByTestId('outcome-decide-submit').click()
      r = await resp
      assert.equal(r.status(), 200, await r.text())
      const decided = await r.json()
      assert.equal(decided.state, 'confirmed')
      await dialog.waitFor({ state: 'hidden' })
      await orow.waitFor({ state: 'detached' })
      const person = await apiGet(page, `/api/people/${st.subject.id}`)
      const moved = person.history.find((h) => h.validFrom === FROM)
      assert.equal(moved?.position, 'marketing_staff', JSON.stringify(person.history))

      // clearing the filter lists every proposal again
      resp = page.waitForResponse((x) => is('/api/assess/outcomes', 'GET')(x) && !new URL(x.url()).searchParams.has('review'))
      await filter.locator('.el-tag__close').click()
      r = await resp
      assert.deepEqual(Object.fromEntries(new URL(r.url()).searchParams), { state: 'proposed', page: '1', pageSize: '50' })
      await filter.waitFor({ state: 'detached' })
      await page.waitForURL((u) => !u.searchParams.has('review'))
      assert.deepEqual(problems, [])
    } finally {
      await context.close()
    }
  })

  test('exam scores: a pasted score of 101 is that row error and nothing is stored; fixed, both are listed', async () => {
    const { context, page, problems } = await newPage(env.browser, env.server.baseURL)
    try {
      await login(page, 'mktdir')
      await page.goto('/assess/rules')
      await page.getByTestId('rules-version').waitFor()
      await page.locator('.el-tabs__item', { hasText: '考试成绩' }).click()
      await page.waitForURL((u) => u.searchParams.get('tab') === 'exams')
      const period = page.locator('input[data-testid="exam-period"]')
      await period.fill(QUARTER)
      let resp = page.waitForResponse((x) => is('/api/assess/exams', 'GET')(x) && new URL(x.url()).searchParams.get('period') === QUARTER)
      await page.getByTestId('exam-load').click()
      assert.equal((await resp).status(), 200)
      await page.locator(`[data-testid="exam-table"][data-period="${QUARTER}"][data-loading="false"]`).waitFor()
      assert.equal((await page.getByTestId('exam-total').innerText()).trim(), '0')

      // two pasted lines (a tab-separated one as from Excel), the second with a score above 100
      await page.locator('textarea[data-testid="exam-paste"]').fill(`工号,考试名称,成绩\n${st.subject.empNo},${EXAM},85.5\n${st.other.empNo}\t${EXAM}\t101\n`)
      await page.getByTestId('exam-parse').click()
      await page.locator('[data-testid="exam-entry"][data-rows="2"]').waitFor()
      assert.equal(await page.locator('textarea[data-testid="exam-paste"]').inputValue(), '')
      assert.equal(await page.locator('input[data-testid="exam-entry-empno"][data-row="1"]').inputValue(), st.other.empNo)
      assert.equal(await page.locator('input[data-testid="exam-entry-score"][data-row="1"]').inputValue(), '101')

      resp = page.waitForResponse(is('/api/assess/exams', 'PUT'))
      await page.getByTestId('exam-save').click()
      let r = await resp
      assert.equal(r.status(), 400)
      assert.deepEqual(r.request().postDataJSON(), {
        period: QUARTER,
        rows: [
          { empNo: st.subject.empNo, exam: EXAM, score: '85.5' },
          { empNo: st.other.empNo, exam: EXAM, score: '101' },
        ],
      })
      const refused = await r.json()
      assert.deepEqual(Object.keys(refused.fields), ['rows[1].score'])
      const rowError = page.locator('[data-testid="exam-row-error"][data-row="1"][data-col="score"]')
      await rowError.waitFor()
      assert.equal((await rowError.innerText()).trim(), refused.fields['rows[1].score'])
      assert.equal(await page.locator('[data-testid="exam-row-error"][data-row="0"]').count(), 0)
      assert.match(await page.getByTestId('exam-error').innerText(), /有 1 行需要修改，均未保存/)
      assert.equal((await apiGet(page, `/api/assess/exams?period=${QUARTER}`)).items.length, 0, 'nothing stored')

      // fixed in the table: both stored and listed
      await page.locator('input[data-testid="exam-entry-score"][data-row="1"]').fill('90')
      resp = page.waitForResponse(is('/api/assess/exams', 'PUT'))
      await page.getByTestId('exam-save').click()
      r = await resp
      assert.equal(r.status(), 200, await r.text())
      const list = (await r.json()).items
      assert.equal(list.length, 2)
      await page.locator('[data-testid="exam-entry"][data-rows="0"]').waitFor()
      await page.waitForFunction(() => document.querySelector('[data-testid="exam-total"]')?.textContent?.trim() === '2')
      const shown = await page.locator('[data-testid="exam-table"] .el-table__body-wrapper tr').evaluateAll((trs) =>
        trs.map((tr) => [
          tr.querySelector('[data-testid="exam-empno"]')?.textContent.trim(),
          tr.querySelector('[data-testid="exam-name"]')?.textContent.trim(),
          tr.querySelector('[data-testid="exam-exam"]')?.textContent.trim(),
          tr.querySelector('[data-testid="exam-score"]')?.textContent.trim(),
        ]),
      )
      assert.deepEqual(
        shown.sort(),
        [
          [st.subject.empNo, st.subject.name, EXAM, '85.50'],
          [st.other.empNo, st.other.name, EXAM, '90.00'],
        ].sort(),
      )
      assert.equal(await page.getByTestId('exam-row-error').count(), 0)
      assert.equal(await page.getByTestId('exam-error').count(), 0)
      const stored = await apiGet(page, `/api/assess/exams?period=${QUARTER}`)
      assert.deepEqual(stored.items.map((e) => [e.empNo, e.score, e.recordedBy]).sort(), [
        [st.subject.empNo, 85.5, 'mktdir'],
        [st.other.empNo, 90, 'mktdir'],
      ].sort())
      assert.deepEqual(problems, [])
    } finally {
      await context.close()
    }
  })

  test('at phone width the rules and outcomes pages fit the screen', async () => {
    const context = await env.browser.newContext({ baseURL: env.server.baseURL, locale: 'zh-CN', viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true })
    context.setDefaultTimeout(15_000)
    const page = await context.newPage()
    const problems = []
    page.on('pageerror', (err) => problems.push(`pageerror: ${err.message}`))
    try {
      await login(page, 'mktdir')
      const overflow = () => page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth)
      await page.goto('/assess/rules')
      await page.locator(`[data-testid="rules-version"][data-version="${st.version}"]`).waitFor()
      assert.equal(await page.getByTestId('rule-coopTasks').getAttribute('data-enabled'), 'true')
      assert.equal(await overflow(), 0, 'the rules page fits')
      const save = await page.getByTestId('rules-save').boundingBox()
      assert.ok(save && save.x >= 0 && save.x + save.width <= 390, `the save button is on screen: ${JSON.stringify(save)}`)
      await page.locator('.el-tabs__item', { hasText: '考试成绩' }).click()
      await page.getByTestId('exam-entry-area').waitFor()
      assert.equal(await overflow(), 0, 'the exam tab fits')
      const resp = page.waitForResponse(is('/api/assess/task-reviews', 'GET'))
      await page.goto('/assess/outcomes')
      await resp
      await page.locator(`[data-testid="task-review-period"][data-runs="2"]`).waitFor()
      assert.equal(await overflow(), 0, 'the outcomes page fits')
      assert.deepEqual(problems, [])
    } finally {
      await context.close()
    }
  })
})
