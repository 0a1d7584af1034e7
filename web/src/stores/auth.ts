import { defineStore } from 'pinia'
import { computed, ref } from 'vue'
import { api } from '@/api/client'
import type { Me } from '@/api/types'
import { hasPermission, visibleMenus } from '@/utils/menus'

export const useAuth = defineStore('auth', () => {
  const me = ref<Me | null>(null)
  const loaded = ref(false)

  const menus = computed(() => visibleMenus(me.value))
  const can = (perm: string) => hasPermission(me.value, perm)

  /** Loads the current session; false when not signed in. */
  async function load(): Promise<boolean> {
    try {
      me.value = await api.get<Me>('/api/me', undefined, { quiet: true, noAuthRedirect: true })
    } catch {
      me.value = null
    }
    loaded.value = true
    return me.value !== null
  }

  async function login(username: string, password: string) {
    me.value = await api.post<Me>('/api/auth/login', { username, password }, { quiet: true, noAuthRedirect: true })
    loaded.value = true
  }

  function clear() {
    me.value = null
    loaded.value = true
  }

  async function logout(everywhere = false) {
    try {
      await api.post(everywhere ? '/api/auth/logout-all' : '/api/auth/logout', undefined, { noAuthRedirect: true })
    } finally {
      clear()
    }
  }

  return { me, loaded, menus, can, load, login, logout, clear }
})
