import { createApp } from 'vue'
import { createPinia } from 'pinia'
import ElementPlus, { ElMessage } from 'element-plus'
import 'element-plus/dist/index.css'
import './styles.css'
import App from './App.vue'
import { i18n, currentLocale } from './i18n'
import { router } from './router'
import { configureClient } from './api/client'
import { useAuth } from './stores/auth'

const app = createApp(App)
const pinia = createPinia()
app.use(pinia)
app.use(i18n)
app.use(router)
app.use(ElementPlus)

document.documentElement.lang = currentLocale()

configureClient({
  language: () => currentLocale(),
  onError: (e) => {
    ElMessage({ type: 'error', message: e.message, grouping: true, showClose: true })
  },
  onUnauthorized: () => {
    const auth = useAuth(pinia)
    auth.clear()
    const cur = router.currentRoute.value
    if (cur.name !== 'login') {
      void router.push({ name: 'login', query: cur.fullPath !== '/' ? { redirect: cur.fullPath } : {} })
    }
  },
})

app.mount('#app')
