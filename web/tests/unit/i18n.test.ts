import { describe, expect, it } from 'vitest'
import { readFileSync, readdirSync, statSync } from 'node:fs'
import { join } from 'node:path'
import zhCN from '@/i18n/zh-CN'
import en from '@/i18n/en'
import { MENU_DEFS } from '@/utils/menus'

type Tree = { [k: string]: string | Tree }

function leaves(t: Tree, prefix = ''): Map<string, string> {
  const out = new Map<string, string>()
  for (const [k, v] of Object.entries(t)) {
    const key = prefix ? `${prefix}.${k}` : k
    if (typeof v === 'string') out.set(key, v)
    else for (const [kk, vv] of leaves(v, key)) out.set(kk, vv)
  }
  return out
}

const zh = leaves(zhCN as Tree)
const enL = leaves(en as Tree)

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f)
    if (statSync(p).isDirectory()) return sourceFiles(p)
    return /\.(vue|ts)$/.test(f) ? [p] : []
  })
}

describe('i18n messages', () => {
  it('every zh-CN key has an English text', () => {
    expect([...zh.keys()].filter((k) => !enL.has(k))).toEqual([])
  })

  it('every English key has a zh-CN text', () => {
    expect([...enL.keys()].filter((k) => !zh.has(k))).toEqual([])
  })

  it('no text is empty, except where a language needs none', () => {
    const allowedEmpty = new Set(['common.totalSuffix'])
    for (const [k, v] of [...zh, ...enL]) if (!allowedEmpty.has(k)) expect(v.trim(), k).not.toBe('')
  })

  it('placeholders match between languages', () => {
    const names = (s: string) => [...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort()
    for (const [k, v] of zh) expect(names(enL.get(k) ?? ''), k).toEqual(names(v))
  })

  it('no text uses the vue-i18n special characters | or @ unescaped', () => {
    for (const [k, v] of [...zh, ...enL]) expect(/[|@]/.test(v), k).toBe(false)
  })

  it('the Chinese texts are Chinese and the English ones are not', () => {
    expect(zh.get('menu.people')).toBe('人员管理')
    expect(enL.get('menu.people')).toBe('People')
    for (const [k, v] of enL) expect(/[\u4e00-\u9fff]/.test(v), k).toBe(false)
  })

  it('every menu has a title in both languages', () => {
    for (const m of MENU_DEFS) {
      expect(zh.has(m.title), m.title).toBe(true)
      expect(enL.has(m.title), m.title).toBe(true)
    }
  })

  it("every literal key used in the sources exists (t('…'), label: '…', title: '…')", () => {
    const root = join(__dirname, '../../src')
    const used = new Set<string>()
    for (const f of sourceFiles(root)) {
      const src = readFileSync(f, 'utf8')
      for (const m of src.matchAll(/\bt\(\s*'([a-zA-Z][\w.]*\w)'/g)) used.add(m[1])
      for (const m of src.matchAll(/\b(?:label|title): '([a-z]+\.[\w.]+)'/g)) used.add(m[1])
    }
    expect(used.size).toBeGreaterThan(50)
    expect([...used].filter((k) => !zh.has(k)).sort()).toEqual([])
  })
})
