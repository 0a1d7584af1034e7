// Units of /api/org/units as of a date, cached per date for the pickers.

import { defineStore } from 'pinia'
import { ref } from 'vue'
import { api } from '@/api/client'
import type { Unit } from '@/api/types'
import { today } from '@/utils/format'

export const useUnits = defineStore('units', () => {
  const cache = ref<Record<string, Unit[]>>({})
  const inflight = new Map<string, Promise<Unit[]>>()

  async function list(asOf?: string, force = false): Promise<Unit[]> {
    const key = asOf || today()
    if (!force && cache.value[key]) return cache.value[key]
    if (!force && inflight.has(key)) return inflight.get(key)!
    const p = api
      .get<{ asOf: string; items: Unit[] }>('/api/org/units', { asOf: key })
      .then((r) => {
        cache.value = { ...cache.value, [key]: r.items ?? [] }
        return r.items ?? []
      })
      .finally(() => inflight.delete(key))
    inflight.set(key, p)
    return p
  }

  function invalidate() {
    cache.value = {}
  }

  return { cache, list, invalidate }
})
