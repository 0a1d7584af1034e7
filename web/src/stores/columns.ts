// Table column settings (which columns are shown), persisted per table in
// localStorage. Unit-tested in tests/unit/columns.test.ts.

import { defineStore } from 'pinia'
import { ref } from 'vue'

export const COLUMNS_STORAGE_KEY = 'cmhub.columns'

export interface ColumnDef {
  key: string
  label: string // i18n key
  /** Shown unless the user hides it. Defaults to true. */
  visible?: boolean
  /** Cannot be hidden (e.g. the employee number that links to the person). */
  required?: boolean
}

type Overrides = Record<string, Record<string, boolean>>

function readStorage(): Overrides {
  try {
    const raw = localStorage.getItem(COLUMNS_STORAGE_KEY)
    if (!raw) return {}
    const v = JSON.parse(raw)
    return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Overrides) : {}
  } catch {
    return {}
  }
}

export const useColumnSettings = defineStore('columns', () => {
  // user choices only; a column without a choice follows its default
  const overrides = ref<Overrides>(readStorage())

  function persist() {
    try {
      localStorage.setItem(COLUMNS_STORAGE_KEY, JSON.stringify(overrides.value))
    } catch {
      /* storage full or unavailable: settings last for this page only */
    }
  }

  function isVisible(table: string, col: ColumnDef): boolean {
    if (col.required) return true
    const o = overrides.value[table]?.[col.key]
    return o ?? col.visible ?? true
  }

  function setVisible(table: string, col: ColumnDef, visible: boolean) {
    if (col.required) return
    const t = { ...(overrides.value[table] ?? {}) }
    if (visible === (col.visible ?? true)) delete t[col.key]
    else t[col.key] = visible
    overrides.value = { ...overrides.value, [table]: t }
    if (Object.keys(t).length === 0) {
      const { [table]: _drop, ...rest } = overrides.value
      void _drop
      overrides.value = rest
    }
    persist()
  }

  function visibleKeys(table: string, cols: ColumnDef[]): string[] {
    return cols.filter((c) => isVisible(table, c)).map((c) => c.key)
  }

  function reset(table: string) {
    const { [table]: _drop, ...rest } = overrides.value
    void _drop
    overrides.value = rest
    persist()
  }

  /** Re-reads localStorage (another tab may have changed it). */
  function reload() {
    overrides.value = readStorage()
  }

  return { overrides, isVisible, setVisible, visibleKeys, reset, reload }
})
