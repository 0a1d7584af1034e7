// Business records (业务数据导入, 业务记录) and statistics (业务统计) against
// the real demo server. mktdir downloads the CSV template, builds a file of
// account openings for real customers (their ID numbers read by the
// archivist: mktdir has no customer:pii and sees them masked), uploads it
// with one bad row — the job is rejected, the error table names the row and
// the error workbook downloads, nothing is written — then the fixed file,
// whose job runs to succeeded with inserted = N, and the same file again:
// unchanged = N. The statistics page shows the table and a chart; an
// actual value opens /records for that manager, month and metric. rm1 sees
// the managers of region 1 only.
import { describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { apiGet, browserSkipReason, login, newPage, useServerAndBrowser } from './harness.mjs'

const skip = browserSkipReason()

const pad = (n) => String(n).padStart(2, '0')
const now = new Date()
const MONTH = `${now.getFullYear()}-${pad(now.getMonth() + 1)}`
const METRIC = 'new_accounts'
const RECORD_TYPE = 'account_opened'
const N = 3
const SOURCE_PREFIX = 'E2E-REC-'

// which template header holds which value: matched on the header text, so
// the test follows the template the server hands out
const COLUMN_PATTERNS = [
  ['sourceId', /流水号|source/i],
  ['date', /日期|date/i],
  ['customerIdNumber', /证件号码|id number/i],
  ['recordType', /业务类型|record type/i],
  ['amount', /金额|amount/i],
  ['quantity', /数量|quantity/i],
  ['product', /产品|product/i],
  ['managerEmpNo', /工号|manager/i],
]

function csvCell(v) {
  return /[",\n\r]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v
}

function parseCsvLine(line) {
  const out = []
  let cur = ''
  let q = false
  for (let i = 0; i < line.length; i++) {
    const c = line[i]
    if (q) {
      if (c === '"' && line[i + 1] === '"') {
        cur += '"'
        i++
      } else if (c === '"') q = false
      else cur += c
    } else if (c === '"') q = true
    else if (c === ',') {
      out.push(cur)
      cur = ''
    } else cur += c
  }
  out.push(cur)
  return out
}

const isPath = (r, path, method = 'GET') => new URL(r.url()).pathname === path && r.request().method() === method
const isJobPoll = (r) => new URL(r.url()).pathname.startsWith('/api/jobs/') && r.request().method() === 'GET'

/** Opens /stats with a query and waits for the table. */
async function openStats(page, query = '') {
  const resp = page.waitForResponse((r) => isPath(r, '/api/stats/monthly'))
  await page.goto('/stats' + query)
  const r = await resp
  assert.equal(r.status(), 200, await r.text())
  await page.locator('[data-testid="stats-table"][data-loading="false"]').waitFor({ state: 'attached' })
  return r.json()
}

/** Chooses a file in the page's upload and starts the import; resolves with the job of the 202. */
async function upload(page, file) {
  await page.getByTestId('record-import-card').locator('input[type="file"]').setInputFiles(file)
  const resp = page.waitForResponse((r) => isPath(r, '/api/record-imports', 'POST'))
  await page.getByTestId('record-import-submit').click()
  const r = await resp
  assert.equal(r.status(), 202, await r.text())
  return r.json()
}

/** Waits until the job card shows a finished status and returns it. */
async function finished(page, jobId) {
  const card = page.locator(`[data-testid="record-import-job"][data-job="${jobId}"]`)
  await card.and(page.locator('[data-status="succeeded"], [data-status="rejected"], [data-status="failed"]')).waitFor({ timeout: 30_000 })
  return card
}

const text = async (loc) => (await loc.innerText()).trim()

describe('business records and statistics', { skip }, () => {
  const env = useServerAndBrowser()
  const state = { idNumbers: [], managerRows: 0 }

  test('mktdir imports records: a bad row rejects the file, the fixed file inserts N, the same file again changes nothing', async () => {
    // the customers' ID numbers: mktdir sees them masked (no customer:pii), the archivist in full
    const arch = await newPage(env.browser, env.server.baseURL)
    try {
      await login(arch.page, 'archivist')
      const me = await apiGet(arch.page, '/api/me')
      assert.ok(me.permissions.includes('customer:pii'))
      const list = await apiGet(arch.page, '/api/customers?pageSize=20')
      const withManager = list.items.filter((c) => c.managerId && !c.idNumber.includes('*'))
      assert.ok(withManager.length >= N, 'the demo has customers with managers')
      state.idNumbers = withManager.slice(0, N).map((c) => c.idNumber)
    } finally {
      await arch.context.close()
    }

    const { context, page, problems } = await newPage(env.browser, env.server.baseURL)
    try {
      await login(page, 'mktdir')
      const masked = await apiGet(page, '/api/customers?pageSize=5')
      assert.ok(masked.items.every((c) => c.idNumber.includes('*')), 'mktdir sees ID numbers masked')
      const recordsBefore = (await apiGet(page, `/api/records?month=${MONTH}&recordType=${RECORD_TYPE}&pageSize=1`)).total

      // the menu: 业务数据 → 业务数据导入 (sub-menus start open)
      assert.match(await page.getByTestId('menu-records').innerText(), /业务数据/)
      const logResp = page.waitForResponse((r) => isPath(r, '/api/record-imports'))
      await page.getByTestId('menu-record-imports').click()
      await page.waitForURL(/\/record-imports/)
      const log = await (await logResp).json()
      await page.locator('[data-testid="record-imports-table"][data-loading="false"]').waitFor({ state: 'attached' })
      const importsBefore = log.total // the demo's own imports of the last months
      assert.equal(await page.getByTestId('record-imports-total').innerText(), String(importsBefore))
      assert.equal(await page.locator('[data-testid="record-import-month"] input').inputValue(), MONTH, 'the current month by default')
      assert.equal(await page.locator('[data-testid="record-import-mode-all_or_nothing"] input').isChecked(), true)
      assert.match(await page.getByTestId('record-template-xlsx').getAttribute('href'), /\/api\/import\/records\/template\?format=xlsx$/)

      // the CSV template, downloaded through its link
      const dl = page.waitForEvent('download')
      await page.getByTestId('record-template-csv').click()
      const tpl = await dl
      assert.match(tpl.suggestedFilename(), /\.csv$/)
      const headerLine = readFileSync(await tpl.path(), 'utf8').replace(/^\uFEFF/, '').split(/\r?\n/)[0]
      const headers = parseCsvLine(headerLine)
      const keyOf = headers.map((h) => COLUMN_PATTERNS.find(([, re]) => re.test(h))?.[0] ?? null)
      for (const k of ['sourceId', 'date', 'customerIdNumber', 'recordType']) assert.ok(keyOf.includes(k), `template has a ${k} column: ${headerLine}`)

      const row = (values) => headers.map((_, i) => csvCell(values[keyOf[i]] ?? '')).join(',')
      const good = state.idNumbers.map((id, i) => ({
        sourceId: `${SOURCE_PREFIX}${i + 1}`,
        date: `${MONTH}-01`,
        customerIdNumber: id,
        recordType: RECORD_TYPE,
        amount: '0',
        quantity: '0',
      }))
      const bad = { sourceId: `${SOURCE_PREFIX}BAD`, date: `${MONTH}-01`, customerIdNumber: '999999999999999999', recordType: RECORD_TYPE, amount: '0', quantity: '0' }
      const file = (rows) => ({
        name: 'records.csv',
        mimeType: 'text/csv',
        buffer: Buffer.from('\uFEFF' + [headerLine, ...rows.map(row)].join('\r\n') + '\r\n', 'utf8'),
      })

      // 1) N good rows and one bad one (file row N + 2): the job is rejected, nothing is written
      let polls = 0
      page.on('request', (r) => {
        if (new URL(r.url()).pathname.startsWith('/api/jobs/')) polls++
      })
      const first = await upload(page, file([...good, bad]))
      assert.match(first.id, /^[0-9a-f]{32}$/)
      let card = await finished(page, first.id)
      assert.equal(await card.getAttribute('data-status'), 'rejected')
      assert.ok(polls >= 1 || first.status === 'rejected', 'the page polled the job')
      assert.equal(new URL(page.url()).searchParams.get('job'), first.id, 'the job is kept in the URL')
      assert.equal(await page.getByTestId('record-import-outcome').getAttribute('data-outcome'), 'rejected')
      const errors = page.getByTestId('import-errors')
      await errors.waitFor({ state: 'visible' })
      const rows = (await errors.getByTestId('import-error-row').allTextContents()).map((s) => s.trim())
      const cols = (await errors.getByTestId('import-error-column').allTextContents()).map((s) => s.trim())
      assert.deepEqual(rows, [String(N + 2)], 'only the bad row is listed')
      assert.match(cols[0], /证件号码|id number/i)
      assert.equal(await page.getByTestId('record-import-result').count(), 0, 'no counts for a rejected file')
      // the error workbook
      const report = page.waitForEvent('download')
      await page.getByTestId('import-report').click()
      const rep = await report
      assert.match(rep.suggestedFilename(), /\.xlsx$/)
      assert.equal(readFileSync(await rep.path()).subarray(0, 2).toString(), 'PK', 'an XLSX workbook')
      assert.equal((await apiGet(page, '/api/record-imports')).total, importsBefore, 'nothing was imported')
      assert.equal((await apiGet(page, `/api/records?month=${MONTH}&recordType=${RECORD_TYPE}&pageSize=1`)).total, recordsBefore, 'no record was written')

      // 2) the fixed file: succeeded, N inserted, progress at 100%
      const second = await upload(page, file(good))
      card = await finished(page, second.id)
      assert.equal(await card.getAttribute('data-status'), 'succeeded', await card.innerText())
      assert.equal(await text(page.getByTestId('record-import-inserted')), String(N))
      assert.equal(await text(page.getByTestId('record-import-unchanged')), '0')
      assert.equal(await text(page.getByTestId('record-import-rejected')), '0')
      assert.equal(await page.getByTestId('record-import-progress').getAttribute('aria-valuenow'), '100')
      assert.equal(await page.getByTestId('record-import-outcome').getAttribute('data-outcome'), 'succeeded')
      assert.equal(await page.getByTestId('import-errors').count(), 0)
      // the log lists it (reloaded when the job ended)
      await page.locator('[data-testid="record-imports-total"]', { hasText: new RegExp(`^${importsBefore + 1}$`) }).waitFor()
      assert.equal(await text(page.getByTestId('record-imports-inserted').first()), String(N))
      assert.equal(await text(page.getByTestId('record-imports-month-cell').first()), MONTH, 'the month chosen (the current one) was sent')
      const logged = (await apiGet(page, '/api/record-imports?pageSize=1')).items[0]
      assert.equal(logged.mode, 'all_or_nothing', 'all-or-nothing by default')
      assert.equal(logged.inserted, N)
      const written = await apiGet(page, `/api/records?month=${MONTH}&recordType=${RECORD_TYPE}&pageSize=500`)
      assert.equal(written.total - recordsBefore >= N, true, 'the records were written (a shared customer credits more than one manager)')
      const mine = written.items.filter((r) => r.sourceId.startsWith(SOURCE_PREFIX))
      assert.deepEqual([...new Set(mine.map((r) => r.sourceId))].sort(), good.map((g) => g.sourceId).sort())

      // polling has stopped with the job
      const before = polls
      await page.waitForTimeout(2500)
      assert.equal(polls, before, 'no polling after the job finished')

      // 3) the same file again: nothing new
      const third = await upload(page, file(good))
      card = await finished(page, third.id)
      assert.equal(await card.getAttribute('data-status'), 'succeeded')
      assert.equal(await text(page.getByTestId('record-import-inserted')), '0')
      assert.equal(await text(page.getByTestId('record-import-unchanged')), String(N))
      assert.equal(await text(page.getByTestId('record-import-replaced')), '0')
      await page.locator('[data-testid="record-imports-total"]', { hasText: new RegExp(`^${importsBefore + 2}$`) }).waitFor()
      assert.equal((await apiGet(page, `/api/records?month=${MONTH}&recordType=${RECORD_TYPE}&pageSize=1`)).total, written.total, 'no record twice')

      // a reload picks the finished job up from the URL
      const resumed = page.waitForResponse((r) => isJobPoll(r))
      await page.reload()
      assert.equal((await resumed).status(), 200)
      card = await finished(page, third.id)
      assert.equal(await text(page.getByTestId('record-import-unchanged')), String(N))

      // leaving the page stops the polling: upload, and go before the first poll is due (1 s)
      await page.getByTestId('record-import-card').locator('input[type="file"]').setInputFiles(file(good))
      const started = page.waitForResponse((r) => isPath(r, '/api/record-imports', 'POST'))
      await page.getByTestId('record-import-submit').click()
      const fourth = await (await started).json()
      await page.getByTestId('menu-records-list').click()
      await page.waitForURL(/\/records\?/)
      const left = polls
      await page.waitForTimeout(2500)
      assert.equal(polls, left, 'no polling once the page is gone')
      // the job ran on regardless
      const done = await apiGet(page, `/api/jobs/${fourth.id}`)
      assert.equal(done.status, 'succeeded')
      assert.equal(done.result.unchanged, N)
      assert.deepEqual(problems, [])
    } finally {
      await context.close()
    }
  })

  test('mktdir: statistics by manager with a chart; an actual value opens its records', async () => {
    const { context, page, problems } = await newPage(env.browser, env.server.baseURL)
    try {
      await login(page, 'mktdir')
      await page.getByTestId('menu-stats').click()
      const resp = page.waitForResponse((r) => isPath(r, '/api/stats/monthly'))
      const stats = await (await resp).json()
      await page.locator('[data-testid="stats-table"][data-loading="false"]').waitFor({ state: 'attached' })
      assert.equal(stats.month, MONTH, 'the current month by default')
      assert.equal(stats.level, 'manager')
      assert.ok(stats.metrics.some((m) => m.key === METRIC), 'every active metric by default')
      assert.ok(stats.rows.length > 0)
      state.managerRows = stats.rows.length
      const url = new URL(page.url())
      assert.equal(url.searchParams.get('month'), MONTH, 'the filters are kept in the URL')
      assert.equal(url.searchParams.get('level'), 'manager')
      const shown = await page.locator('[data-testid="stats-table"] .el-table__body-wrapper [data-testid="stats-subject"]').count()
      assert.equal(shown, stats.rows.length, 'one row per manager')
      assert.equal(await text(page.getByTestId('stats-total')), String(stats.rows.length))

      // a chart is drawn on a canvas
      await page.locator('[data-testid="stats-bar-chart"][data-ready="true"] canvas').first().waitFor()
      await page.locator('[data-testid="stats-trend-chart"][data-ready="true"] canvas, [data-testid="stats-charts"] .el-empty').first().waitFor()

      // the export uses the same query
      if (await page.getByTestId('stats-export').count()) {
        const dl = page.waitForEvent('download')
        const req = page.waitForRequest((r) => new URL(r.url()).pathname === '/api/stats/monthly/export.xlsx')
        await page.getByTestId('stats-export').click()
        const q = new URL((await req).url()).searchParams
        assert.equal(q.get('month'), MONTH)
        assert.equal(q.get('level'), 'manager')
        assert.match((await dl).suggestedFilename(), /\.xlsx$/)
      }

      // the manager credited with the first imported record
      const credited = (await apiGet(page, `/api/records?month=${MONTH}&recordType=${RECORD_TYPE}&pageSize=500`)).items.find(
        (r) => r.sourceId === `${SOURCE_PREFIX}1` && r.personId,
      )
      assert.ok(credited, 'the imported record is credited to a manager')
      const subject = stats.rows.find((r) => r.subjectType === 'person' && r.id === credited.personId)
      assert.ok(subject, 'the manager is a row of the statistics')
      assert.notEqual(subject.values[METRIC].actual, '0')
      const tr = page.locator('[data-testid="stats-table"] .el-table__body-wrapper tr', {
        has: page.locator(`[data-testid="stats-subject"][data-id="${credited.personId}"]`),
      })
      const actual = tr.locator(`[data-testid="stats-actual"][data-metric="${METRIC}"]`)
      assert.equal((await actual.innerText()).trim(), subject.values[METRIC].actual)

      // click through to the records behind the figure
      const recs = page.waitForResponse((r) => isPath(r, '/api/records'))
      await actual.click()
      const r = await recs
      assert.equal(r.status(), 200, await r.text())
      const q = new URL(r.url()).searchParams
      assert.equal(q.get('month'), MONTH)
      assert.equal(q.get('metric'), METRIC)
      assert.equal(q.get('personId'), String(credited.personId))
      await page.waitForURL(/\/records\?/)
      await page.locator('[data-testid="records-table"][data-loading="false"]').waitFor({ state: 'attached' })
      const body = await r.json()
      assert.ok(body.total > 0)
      assert.equal(await text(page.getByTestId('records-total')), String(body.total))
      const sources = (await page.getByTestId('records-source').allTextContents()).map((s) => s.trim())
      assert.deepEqual(sources, body.items.map((x) => x.sourceId))
      const all = await apiGet(page, `/api/records?month=${MONTH}&metric=${METRIC}&personId=${credited.personId}&pageSize=500`)
      assert.ok(all.items.some((x) => x.sourceId === `${SOURCE_PREFIX}1`), 'the imported record is among them')
      const people = await page.getByTestId('records-person-cell').evaluateAll((els) => els.map((e) => e.getAttribute('data-person')))
      assert.ok(people.every((p) => p === String(credited.personId)), 'only that manager’s records')
      assert.deepEqual(problems, [])
    } finally {
      await context.close()
    }
  })

  test('rm1 sees the managers of region 1 only', async () => {
    const { context, page, problems } = await newPage(env.browser, env.server.baseURL)
    try {
      await login(page, 'rm1')
      const stats = await openStats(page, `?month=${MONTH}&level=manager`)
      assert.ok(stats.rows.length > 0)
      assert.ok(stats.rows.every((r) => r.subjectType === 'person'))
      for (const r of stats.rows) assert.match(r.path, /第一区域/, `${r.name}: ${r.path}`)
      for (const r of stats.rows) assert.doesNotMatch(r.path, /第二区域|第三区域/)
      if (state.managerRows) assert.ok(stats.rows.length < state.managerRows, 'fewer managers than the branch has')
      const paths = (await page.locator('[data-testid="stats-table"] .el-table__body-wrapper [data-testid="stats-path"]').allTextContents()).map((s) => s.trim())
      assert.equal(paths.length, stats.rows.length)
      for (const p of paths) assert.match(p, /第一区域/)
      // at phone width the table scrolls inside its card, the page does not
      await page.setViewportSize({ width: 390, height: 844 })
      await page.waitForTimeout(300)
      const widths = await page.evaluate(() => {
        const wrap = document.querySelector('[data-testid="stats-table"] .el-table__body-wrapper .el-scrollbar__wrap')
        return { page: document.documentElement.scrollWidth, view: document.documentElement.clientWidth, table: wrap?.scrollWidth ?? 0, box: wrap?.clientWidth ?? 0 }
      })
      assert.ok(widths.page <= widths.view, `the page fits the phone: ${JSON.stringify(widths)}`)
      assert.ok(widths.table > widths.box, `the table scrolls sideways: ${JSON.stringify(widths)}`)
      // rm1 may not import
      await page.goto('/record-imports')
      await page.locator('[data-testid="record-imports-table"][data-loading="false"]').waitFor({ state: 'attached' })
      assert.equal(await page.getByTestId('record-import-card').count(), 0, 'no upload without record:import')
      assert.deepEqual(problems, [])
    } finally {
      await context.close()
    }
  })
})
