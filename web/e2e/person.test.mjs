// Person page and export against the real server: a move/promote through the
// dialog adds an effective-dated record to the history and an audit entry;
// the export button downloads an XLSX.
import { describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { apiGet, browserSkipReason, login, newPage, openPeople, useServerAndBrowser } from './harness.mjs'

const skip = browserSkipReason()

describe('person page', { skip }, () => {
  const env = useServerAndBrowser()

  test('mktdir promotes a sales CM through the move dialog; history and audit show it', async () => {
    const { context, page, problems } = await newPage(env.browser, env.server.baseURL)
    try {
      await login(page, 'mktdir')
      const dicts = await apiGet(page, '/api/dicts')
      const list = await apiGet(page, '/api/people?position=sales_cm&status=active&pageSize=100')
      const target = list.items.find((p) => p.grade && p.grade !== dicts.grades.at(-1).code)
      assert.ok(target, 'an active sales CM below the top grade')
      const next = dicts.grades[dicts.grades.findIndex((g) => g.code === target.grade) + 1]
      const before = await apiGet(page, `/api/people/${target.id}`)

      await openPeople(page, `?q=${encodeURIComponent(target.empNo)}`)
      const detail = page.waitForResponse((r) => new URL(r.url()).pathname === `/api/people/${target.id}`)
      await page.locator('[data-testid="people-empno"]', { hasText: target.empNo }).first().click()
      await detail
      await page.getByTestId('person-history').waitFor({ state: 'visible' })
      assert.equal((await page.getByTestId('person-empno').textContent()).trim(), target.empNo)
      const rowsBefore = await page.locator('[data-testid="person-history"] .el-table__body tr').count()
      assert.equal(rowsBefore, before.history.length)

      await page.getByTestId('person-move').click()
      const dialog = page.locator('.el-dialog[data-testid="person-move-dialog"]')
      await dialog.waitFor({ state: 'visible' })
      // grade select is the third select of the form (unit tree, position, grade, status)
      const gradeItem = dialog.locator('.el-form-item', { has: page.locator('label', { hasText: /等级|Grade/ }) })
      await gradeItem.locator('.el-select').click()
      await page.locator('.el-select-dropdown__item:visible', { hasText: next.zh }).click()
      await dialog.locator('textarea').fill('e2e 晋升测试')
      const resp = page.waitForResponse((r) => new URL(r.url()).pathname === `/api/people/${target.id}/moves`)
      await dialog.getByRole('button', { name: /保存|Save/ }).click()
      const r = await resp
      assert.equal(r.status(), 200, await r.text())
      await dialog.waitFor({ state: 'hidden' })

      const after = await apiGet(page, `/api/people/${target.id}`)
      assert.equal(after.grade, next.code)
      assert.equal(after.history.length, before.history.length + 1)
      await page.waitForFunction(
        ([n]) => document.querySelectorAll('[data-testid="person-history"] .el-table__body tr').length === n,
        [after.history.length],
      )
      assert.match(await page.getByTestId('person-history').innerText(), /e2e 晋升测试/)

      const audit = await apiGet(page, `/api/audit?objectType=person&objectId=${target.id}`)
      assert.ok(
        audit.items.some((e) => e.action === 'person.move'),
        'the move is in the audit log',
      )
      assert.deepEqual(problems, [])
    } finally {
      await context.close()
    }
  })

  test('gm exports the people list as XLSX with the current filters', async () => {
    const { context, page, problems } = await newPage(env.browser, env.server.baseURL)
    try {
      await login(page, 'gm')
      await openPeople(page, '?position=sales_cm')
      const download = page.waitForEvent('download')
      const req = page.waitForRequest((r) => new URL(r.url()).pathname === '/api/people/export.xlsx')
      await page.getByTestId('people-export').click()
      const url = new URL((await req).url())
      assert.equal(url.searchParams.get('position'), 'sales_cm', 'the export uses the list filters')
      const d = await download
      assert.match(d.suggestedFilename(), /\.xlsx$/)
      assert.deepEqual(problems, [])
    } finally {
      await context.close()
    }
  })
})
