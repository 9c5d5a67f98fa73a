import '@/styles/tokens.css'
import '@/styles/citizen.css'
import { createPinia } from 'pinia'
import { Locale } from 'vant/es/locale'
import enUS from 'vant/es/locale/lang/en-US'
import zhCN from 'vant/es/locale/lang/zh-CN'
import { createApp, watch } from 'vue'
import { setUnauthorizedHandler } from '@/api/client'
import { setupWechat } from '@/composables/useWechat'
import { createAppI18n } from '@/i18n'
import citizenMessages from '@/i18n/messages/citizen'
import commonMessages from '@/i18n/messages/common'
import App from './App.vue'
import { createCitizenRouter } from './router'
import { useSessionStore } from './stores/session'

const i18n = createAppI18n([commonMessages, citizenMessages], import.meta.glob('./*/i18n.ts', { eager: true }))
const pinia = createPinia()
const app = createApp(App)
app.use(pinia)
app.use(i18n)

const session = useSessionStore(pinia)
void session.load()

const router = createCitizenRouter({
  ensureSession: async () => {
    await session.load()
    return session.signedIn
  },
})

// A lost session on a page that needs one: back to sign-in, then straight back here.
setUnauthorizedHandler(({ wasSignedIn }) => {
  const current = router.currentRoute.value
  if (current.meta.auth && current.name !== 'login') {
    void router.replace({ name: 'login', query: { redirect: current.fullPath, ...(wasSignedIn ? { expired: '1' } : {}) } })
  }
})

// Vant's own texts (dialog buttons, pull-refresh hints) follow the chosen language.
watch(
  () => i18n.global.locale.value,
  (locale) => Locale.use(locale === 'en' ? 'en-US' : 'zh-CN', locale === 'en' ? enUS : zhCN),
  { immediate: true },
)

// Inside WeChat: location and photos through the JS-SDK when the server signs its config.
setupWechat(router)

app.use(router)
app.mount('#app')
