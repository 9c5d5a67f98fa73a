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
import { whenIdle } from './idle'
import { createCitizenRouter } from './router'
import { useSessionStore } from './stores/session'

// The features' messages stay out of the first load: the home needs only the shell's.
const featureMessages = () => import('./feature-messages').then((m) => m.default)
const i18n = createAppI18n([commonMessages, citizenMessages], featureMessages)
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
  loadMessages: i18n.loadFeatureMessages,
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

// The first navigation (the page's code and data requests) starts now; the page is rendered in a
// task of its own, so evaluating the modules and rendering do not make one long task.
app.use(router)
setTimeout(() => app.mount('#app'))

// Downloaded (not yet merged, which would re-render the page) once the first page is idle, so the
// next page opens without waiting for them.
whenIdle(() => void featureMessages().catch(() => {}))
