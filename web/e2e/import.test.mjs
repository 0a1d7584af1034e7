// The people import dialog against the real server: a file with one good and
// one bad row is refused as a whole, the error table names the bad row and
// column, and nothing is written.
import { describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { apiGet, browserSkipReason, login, newPage, openPeople, peopleTotal, useServerAndBrowser } from './harness.mjs'

const skip = browserSkipReason()

// which template header holds which value: matched on the header text, so the
// test follows the template the server hands out rather than a copy of it
const COLUMN_PATTERNS = [
  ['empNo', /工号|emp\s*no/i],
  ['name', /姓名|^name$|\bname\b(?!.*(unit|code))/i],
  ['hiredOn', /入职|hired/i],
  ['unitCode', /单位|机构|unit/i],
  ['position', /岗位|position/i],
  ['status', /状态|status/i],
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

describe('people import dialog', { skip }, () => {
  const env = useServerAndBrowser()

  test('mktdir: a file with a bad row shows row errors and writes nothing; the fixed file imports', async () => {
    const { context, page, problems } = await newPage(env.browser, env.server.baseURL)
    try {
      await login(page, 'mktdir')
      const before = await openPeople(page)
      const total = await peopleTotal(page)
      assert.equal(total, before.total)

      // the template the dialog links to, and real codes from the server
      const tpl = await page.request.get('/api/import/people/template?format=csv')
      assert.equal(tpl.status(), 200)
      const headerLine = (await tpl.text()).replace(/^\uFEFF/, '').split(/\r?\n/)[0]
      const headers = parseCsvLine(headerLine)
      const keyOf = headers.map((h) => COLUMN_PATTERNS.find(([, re]) => re.test(h))?.[0] ?? null)
      for (const k of ['empNo', 'name', 'hiredOn', 'unitCode', 'position']) {
        assert.ok(keyOf.includes(k), `template has a ${k} column: ${headerLine}`)
      }
      const units = (await apiGet(page, '/api/org/units')).items
      const unit = units.find((u) => u.kind === 'team') ?? units.find((u) => u.parentId != null)
      assert.ok(unit, 'mktdir sees a unit to import into')
      const dicts = await apiGet(page, '/api/dicts')
      const position = (dicts.positions.find((p) => p.code === 'sales_cm') ?? dicts.positions[0]).code

      const row = (values) => headers.map((_, i) => csvCell(values[keyOf[i]] ?? '')).join(',')
      const good = { empNo: 'E2E9001', name: '导入测试甲', hiredOn: '2026-01-05', unitCode: unit.code, position }
      const bad = { empNo: 'E2E9002', name: '导入测试乙', hiredOn: '2026-01-05', unitCode: unit.code, position: 'no_such_position' }
      const file = (rows) => ({
        name: 'people.csv',
        mimeType: 'text/csv',
        buffer: Buffer.from('\uFEFF' + [headerLine, ...rows.map(row)].join('\r\n') + '\r\n', 'utf8'),
      })

      // open the dialog from the 导入 button
      await page.getByTestId('people-import').click()
      const dialog = page.locator('.el-dialog[data-testid="import-dialog"], [data-testid="import-dialog"]').first()
      await dialog.waitFor({ state: 'visible' })
      assert.match(await dialog.getByTestId('template-xlsx').getAttribute('href'), /\/api\/import\/people\/template\?format=xlsx$/)
      assert.match(await dialog.getByTestId('template-csv').getAttribute('href'), /\/api\/import\/people\/template\?format=csv$/)

      // 1) good row 2 + bad row 3 → 422 and an error table naming row 3, column position
      await dialog.locator('input[type="file"]').setInputFiles(file([good, bad]))
      let resp = page.waitForResponse((r) => new URL(r.url()).pathname === '/api/import/people' && r.request().method() === 'POST')
      await dialog.getByTestId('import-submit').click()
      assert.equal((await resp).status(), 422)
      const errors = page.getByTestId('import-errors')
      await errors.waitFor({ state: 'visible' })
      const rows = (await errors.getByTestId('import-error-row').allTextContents()).map((s) => s.trim())
      const cols = (await errors.getByTestId('import-error-column').allTextContents()).map((s) => s.trim())
      assert.deepEqual(rows, ['3'], 'only the bad row (file row 3, after the header) is listed')
      assert.match(cols[0], /position|岗位/i)
      assert.equal(await page.getByTestId('import-report').count(), 1, 'the error workbook can be downloaded')

      // nothing was written: the total is unchanged after a fresh load
      await dialog.getByRole('button', { name: /关闭|Close/ }).first().click()
      await dialog.waitFor({ state: 'hidden' })
      await openPeople(page)
      assert.equal(await peopleTotal(page), total)
      const search = await apiGet(page, '/api/people?q=E2E900')
      assert.equal(search.total, 0, 'neither row was imported')

      // 2) the fixed file (good row only) imports, and the list grows by one
      await page.getByTestId('people-import').click()
      await dialog.waitFor({ state: 'visible' })
      await dialog.locator('input[type="file"]').setInputFiles(file([good]))
      resp = page.waitForResponse((r) => new URL(r.url()).pathname === '/api/import/people' && r.request().method() === 'POST')
      const reload = page.waitForResponse((r) => new URL(r.url()).pathname === '/api/people' && r.request().method() === 'GET')
      await dialog.getByTestId('import-submit').click()
      const ok = await resp
      assert.equal(ok.status(), 200, await ok.text())
      assert.deepEqual(await ok.json(), { created: 1, updated: 0 })
      await page.getByTestId('import-result').waitFor({ state: 'visible' })
      await reload
      await page.locator('[data-testid="people-table"][data-loading="false"]').waitFor({ state: 'attached' })
      assert.equal(await peopleTotal(page), total + 1)
      assert.deepEqual(problems, [])
    } finally {
      await context.close()
    }
  })
})
