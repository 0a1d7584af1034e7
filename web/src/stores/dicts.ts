import { defineStore } from 'pinia'
import { ref } from 'vue'
import { api } from '@/api/client'
import type { DictItem, Dicts } from '@/api/types'
import { dictLabel } from '@/utils/format'
import { i18n } from '@/i18n'

const empty: Dicts = { unitKinds: [], positions: [], grades: [], statuses: [], employmentTypes: [], dataScopes: [], genders: [] }

// used when the server sends no `genders` dictionary (docs/api.md does not list one)
const FALLBACK_GENDERS: DictItem[] = [
  { code: 'male', zh: '男', en: 'Male' },
  { code: 'female', zh: '女', en: 'Female' },
]

export type DictName = keyof Dicts

export const useDicts = defineStore('dicts', () => {
  const dicts = ref<Dicts>({ ...empty })
  let pending: Promise<void> | null = null

  function load(): Promise<void> {
    if (!pending) {
      pending = api
        .get<Dicts>('/api/dicts')
        .then((d) => {
          dicts.value = { ...empty, ...d }
        })
        .catch(() => {
          pending = null
        })
    }
    return pending
  }

  function items(name: DictName): DictItem[] {
    const list = dicts.value[name] ?? []
    if (name === 'genders' && list.length === 0) return FALLBACK_GENDERS
    return list
  }

  function label(name: DictName, code: string | null | undefined): string {
    return dictLabel(items(name), code, i18n.global.locale.value)
  }

  function reset() {
    dicts.value = { ...empty }
    pending = null
  }

  return { dicts, load, items, label, reset }
})
