import '@/styles/tokens.css'
import '@/styles/console.css'
import 'element-plus/es/components/message/style/css'
import 'element-plus/es/components/message-box/style/css'
import { createPinia } from 'pinia'
import { createApp } from 'vue'
import { setPasswordChangeHandler, setUnauthorizedHandler } from '@/api/client'
import { createAppI18n } from '@/i18n'
import commonMessages from '@/i18n/messages/common'
import consoleMessages from '@/i18n/messages/console'
import App from './App.vue'
import { forgetStaff } from './layout/staff'
import { createConsoleRouter } from './router'

const i18n = createAppI18n([commonMessages, consoleMessages], import.meta.glob('./*/i18n.ts', { eager: true }))
const router = createConsoleRouter()

// Session gone (idle timeout on the server, revoked, signed out elsewhere): sign in again.
setUnauthorizedHandler(() => {
  const current = router.currentRoute.value
  if (current.matched.some((r) => r.meta.public)) return
  forgetStaff()
  void router.replace({ name: 'console-login', query: { redirect: current.fullPath, expired: '1' } })
})

setPasswordChangeHandler(() => {
  if (router.currentRoute.value.name !== 'console-password') void router.replace({ name: 'console-password', query: { required: '1' } })
})

createApp(App).use(createPinia()).use(i18n).use(router).mount('#app')
