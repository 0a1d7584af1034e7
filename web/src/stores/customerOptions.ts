// The customer dictionaries of GET /api/customers/options (kinds, roles, ID
// types), loaded once per session, with labels in the current language.

import { defineStore } from 'pinia'
import { ref } from 'vue'
import { api } from '@/api/client'
import type { CodeLabel, CustomerOptions, IdTypeLabel } from '@/api/types'
import { dictLabel } from '@/utils/format'
import { i18n } from '@/i18n'

// used until the server answers (and if it cannot): the codes of internal/customer
const FALLBACK: CustomerOptions = {
  kinds: [
    { code: 'person', zh: '个人', en: 'Person' },
    { code: 'company', zh: '机构', en: 'Company' },
  ],
  roles: [
    { code: 'primary', zh: '主办', en: 'Primary' },
    { code: 'assisting', zh: '协办', en: 'Assisting' },
  ],
  idTypes: [
    { code: 'resident_id', zh: '居民身份证', en: 'Resident ID card', kind: 'person' },
    { code: 'uscc', zh: '统一社会信用代码', en: 'Unified social credit code', kind: 'company' },
  ],
}

export type CustomerDictName = keyof CustomerOptions

export const useCustomerOptions = defineStore('customerOptions', () => {
  const options = ref<CustomerOptions>(FALLBACK)
  let pending: Promise<void> | null = null

  function load(): Promise<void> {
    if (!pending) {
      pending = api
        .get<CustomerOptions>('/api/customers/options', undefined, { quiet: true })
        .then((o) => {
          options.value = {
            kinds: o.kinds?.length ? o.kinds : FALLBACK.kinds,
            roles: o.roles?.length ? o.roles : FALLBACK.roles,
            idTypes: o.idTypes?.length ? o.idTypes : FALLBACK.idTypes,
          }
        })
        .catch(() => {
          pending = null
        })
    }
    return pending
  }

  function items(name: CustomerDictName): CodeLabel[] {
    return options.value[name]
  }

  /** ID types of a kind of customer (all when no kind is given). */
  function idTypesFor(kind: string | null | undefined): IdTypeLabel[] {
    return options.value.idTypes.filter((t) => !kind || t.kind === kind)
  }

  function label(name: CustomerDictName, code: string | null | undefined): string {
    return dictLabel(options.value[name], code, i18n.global.locale.value)
  }

  return { options, load, items, idTypesFor, label }
})
