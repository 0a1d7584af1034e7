// The metric catalogue against the real demo server: a formula with an
// unknown identifier shows the server's error under the formula field, a
// valid one is created; deactivating a metric a formula uses is refused with
// the formulas named; an edit from an old version gets the stale prompt and
// can reload; a reader sees the table without the buttons.
import { describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { apiGet, browserSkipReason, login, newPage, useServerAndBrowser } from './harness.mjs'

const skip = browserSkipReason()

const field = (scope, id) =>
  scope.locator(`input[data-testid="${id}"], textarea[data-testid="${id}"], [data-testid="${id}"] input, [data-testid="${id}"] textarea`).first()

const isList = (r) => new URL(r.url()).pathname === '/api/metrics' && r.request().method() === 'GET'

async function openMetrics(page) {
  const resp = page.waitForResponse(isList)
  // the catalogue is not at /metrics: the server serves Prometheus there
  await page.goto('/metric-catalogue')
  const r = await resp
  assert.equal(r.status(), 200)
  await page.locator('[data-testid="metrics-table"][data-loading="false"]').waitFor({ state: 'attached' })
  return r.json()
}

async function tableKeys(page) {
  return (await page.getByTestId('metrics-key').allTextContents()).map((s) => s.trim())
}

/** The row of the metrics table whose key is `key`. */
const rowOf = (page, key) => page.locator('[data-testid="metrics-table"] .el-table__body tr', { has: page.locator(`[data-testid="metrics-key"]:text-is("${key}")`) })

async function clickRowAction(page, key, testid) {
  await rowOf(page, key).getByTestId(testid).click()
}

describe('metric catalogue', { skip }, () => {
  const env = useServerAndBrowser()

  test('mktdir: an unknown identifier shows the server error under the formula; a valid formula is created', async () => {
    const { context, page, problems } = await newPage(env.browser, env.server.baseURL)
    try {
      await login(page, 'mktdir')
      const before = await openMetrics(page)
      assert.ok(!before.items.some((m) => m.key === 'e2e_conversion'))
      assert.match(await page.getByTestId('menu-metrics').innerText(), /指标库/)

      await page.getByTestId('metrics-add').click()
      const dialog = page.locator('.el-dialog[data-testid="metric-dialog"]')
      await dialog.waitFor({ state: 'visible' })
      await field(dialog, 'metric-key').fill('e2e_conversion')
      await field(dialog, 'metric-name-zh').fill('测试转化率')
      await field(dialog, 'metric-name-en').fill('E2E conversion')
      await dialog.getByTestId('metric-source-formula').click()
      const formula = field(dialog, 'metric-formula')
      await formula.fill('new_valid_accounts / no_such_metric')

      let resp = page.waitForResponse((r) => new URL(r.url()).pathname === '/api/metrics' && r.request().method() === 'POST')
      await dialog.getByTestId('metric-submit').click()
      let r = await resp
      assert.equal(r.status(), 400)
      const serverMessage = (await r.json()).fields.formula
      assert.match(serverMessage, /no_such_metric/)
      const err = dialog.locator('[data-testid="metric-formula"] .el-form-item__error')
      await err.waitFor({ state: 'visible' })
      assert.equal((await err.textContent()).trim(), serverMessage, 'the server’s message, under the formula field')
      assert.ok(await dialog.isVisible())

      await formula.fill('new_valid_accounts / new_accounts')
      resp = page.waitForResponse((r) => new URL(r.url()).pathname === '/api/metrics' && r.request().method() === 'POST')
      const reload = page.waitForResponse(isList)
      await dialog.getByTestId('metric-submit').click()
      r = await resp
      assert.equal(r.status(), 201, await r.text())
      const m = await r.json()
      assert.equal(m.sourceKind, 'formula')
      assert.equal(m.unit, 'percent')
      assert.equal(m.version, 1)
      await dialog.waitFor({ state: 'hidden' })
      await reload
      await page.locator('[data-testid="metrics-table"][data-loading="false"]').waitFor({ state: 'attached' })
      assert.ok((await tableKeys(page)).includes('e2e_conversion'))
      const row = rowOf(page, 'e2e_conversion')
      assert.match(await row.innerText(), /测试转化率/)
      assert.match(await row.getByTestId('metrics-formula').innerText(), /new_valid_accounts \/ new_accounts/)
      assert.deepEqual(problems, [])
    } finally {
      await context.close()
    }
  })

  test('mktdir: deactivating a metric needs a reason and is refused while a formula uses it', async () => {
    const { context, page, problems } = await newPage(env.browser, env.server.baseURL)
    try {
      await login(page, 'mktdir')
      await openMetrics(page)
      const posts = []
      page.on('request', (req) => {
        if (/\/deactivate$/.test(new URL(req.url()).pathname)) posts.push(req)
      })
      await clickRowAction(page, 'new_accounts', 'metric-deactivate')
      const dialog = page.locator('.el-dialog[data-testid="metric-deactivate-dialog"]')
      await dialog.waitFor({ state: 'visible' })
      await dialog.getByTestId('metric-deactivate-submit').click()
      await dialog.locator('.el-form-item__error').waitFor({ state: 'visible' })
      assert.equal(posts.length, 0, 'no request without a reason')

      await field(dialog, 'metric-deactivate-reason').fill('e2e 停用测试')
      const resp = page.waitForResponse((r) => new URL(r.url()).pathname === '/api/metrics/new_accounts/deactivate')
      await dialog.getByTestId('metric-deactivate-submit').click()
      const r = await resp
      assert.equal(r.status(), 409)
      assert.equal((await r.json()).code, 'in_use')
      const conflict = dialog.getByTestId('metric-in-use')
      await conflict.waitFor({ state: 'visible' })
      const text = await conflict.innerText()
      assert.match(text, /valid_account_rate/)
      assert.match(text, /e2e_conversion/, 'the formula created in the previous test is named too')
      assert.equal((await apiGet(page, '/api/metrics/new_accounts')).active, true)
      assert.deepEqual(problems, [])
    } finally {
      await context.close()
    }
  })

  test('mktdir: saving an edit started from an old version offers a reload, then saves', async () => {
    const { context, page, problems } = await newPage(env.browser, env.server.baseURL)
    try {
      await login(page, 'mktdir')
      await openMetrics(page)
      const start = await apiGet(page, '/api/metrics/e2e_conversion')
      await clickRowAction(page, 'e2e_conversion', 'metric-edit')
      const dialog = page.locator('.el-dialog[data-testid="metric-dialog"]')
      await dialog.waitFor({ state: 'visible' })
      assert.equal(await field(dialog, 'metric-key').isDisabled(), true, 'the key cannot change')

      // someone else saves meanwhile
      const other = await page.request.put('/api/metrics/e2e_conversion', {
        data: {
          nameZh: start.nameZh,
          nameEn: start.nameEn,
          unit: start.unit,
          formula: start.formula,
          description: '他人修改',
          version: start.version,
        },
      })
      assert.equal(other.status(), 200, await other.text())

      await field(dialog, 'metric-name-en').fill('E2E conversion rate')
      let resp = page.waitForResponse((r) => new URL(r.url()).pathname === '/api/metrics/e2e_conversion' && r.request().method() === 'PUT')
      await dialog.getByTestId('metric-submit').click()
      let r = await resp
      assert.equal(r.status(), 409)
      assert.equal((await r.json()).code, 'stale')
      const box = page.locator('.el-message-box')
      await box.waitFor({ state: 'visible' })
      const fresh = page.waitForResponse((r) => new URL(r.url()).pathname === '/api/metrics/e2e_conversion' && r.request().method() === 'GET')
      await box.getByRole('button', { name: /重新加载|Reload/ }).click()
      await fresh
      await page.waitForFunction((v) => document.querySelector('[data-testid="metric-dialog"] .el-dialog__title')?.textContent?.includes(`版本 ${v}`), start.version + 1)
      assert.equal(await field(dialog, 'metric-name-en').inputValue(), 'E2E conversion', 'the form shows the stored metric again')

      await field(dialog, 'metric-name-en').fill('E2E conversion rate')
      resp = page.waitForResponse((r) => new URL(r.url()).pathname === '/api/metrics/e2e_conversion' && r.request().method() === 'PUT')
      await dialog.getByTestId('metric-submit').click()
      r = await resp
      assert.equal(r.status(), 200, await r.text())
      assert.equal((await r.json()).version, start.version + 2)
      await dialog.waitFor({ state: 'hidden' })
      const after = await apiGet(page, '/api/metrics/e2e_conversion')
      assert.equal(after.nameEn, 'E2E conversion rate')
      assert.equal(after.description, '他人修改', 'the other edit is kept')
      assert.deepEqual(problems, [])
    } finally {
      await context.close()
    }
  })

  test('cm02 reads the catalogue without the management buttons', async () => {
    const { context, page, problems } = await newPage(env.browser, env.server.baseURL)
    try {
      await login(page, 'cm02')
      const list = await openMetrics(page)
      assert.equal((await tableKeys(page)).length, list.items.length)
      assert.equal(await page.getByTestId('metrics-add').count(), 0)
      assert.equal(await page.getByTestId('metric-edit').count(), 0)
      assert.equal(await page.getByTestId('metric-deactivate').count(), 0)
      assert.deepEqual(problems, [])
    } finally {
      await context.close()
    }
  })
})
