// The bar of opened pages (RuoYi-style tags view). A tab is keyed by the
// route path; it remembers the full path (with the query) so coming back
// restores the page's filters. The home tab cannot be closed.

import { defineStore } from 'pinia'
import { ref } from 'vue'

export interface Tab {
  path: string
  fullPath: string
  title: string // i18n key
  /** Overrides the title, e.g. a person's name. */
  text?: string
  closable: boolean
}

export const HOME_PATH = '/'

export const useTabs = defineStore('tabs', () => {
  const tabs = ref<Tab[]>([{ path: HOME_PATH, fullPath: HOME_PATH, title: 'menu.home', closable: false }])

  function open(path: string, fullPath: string, title: string) {
    const t = tabs.value.find((x) => x.path === path)
    if (t) {
      t.fullPath = fullPath
      t.title = title
    } else {
      tabs.value.push({ path, fullPath, title, closable: path !== HOME_PATH })
    }
  }

  function setText(path: string, text: string) {
    const t = tabs.value.find((x) => x.path === path)
    if (t) t.text = text
  }

  /** Closes a tab; returns where to go when it was the active one. */
  function close(path: string, activePath: string): string | null {
    const i = tabs.value.findIndex((x) => x.path === path)
    if (i < 0 || !tabs.value[i].closable) return null
    tabs.value.splice(i, 1)
    if (path !== activePath) return null
    const next = tabs.value[i] ?? tabs.value[i - 1] ?? tabs.value[0]
    return next.fullPath
  }

  function closeOthers(path: string) {
    tabs.value = tabs.value.filter((x) => !x.closable || x.path === path)
  }

  function closeAll() {
    tabs.value = tabs.value.filter((x) => !x.closable)
  }

  function reset() {
    closeAll()
  }

  return { tabs, open, setText, close, closeOthers, closeAll, reset }
})
