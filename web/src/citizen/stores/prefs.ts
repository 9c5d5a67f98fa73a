import { defineStore } from 'pinia'
import { ref, watch } from 'vue'
import { type AppLocale, savedLocale } from '@/i18n'

const ELDER_KEY = 'tp.elder'

function savedElder(): boolean {
  try {
    return localStorage.getItem(ELDER_KEY) === '1'
  } catch {
    return false
  }
}

/** Display preferences kept on the device: language and elder mode (长辈模式). */
export const usePrefsStore = defineStore('prefs', () => {
  const locale = ref<AppLocale>(savedLocale())
  const elder = ref(savedElder())

  function applyElder(on: boolean) {
    document.documentElement.classList.toggle('tp-elder', on)
  }
  applyElder(elder.value)
  watch(elder, (on) => {
    applyElder(on)
    try {
      localStorage.setItem(ELDER_KEY, on ? '1' : '0')
    } catch {}
  })

  function setElder(on: boolean) {
    elder.value = on
  }

  return { locale, elder, setElder }
})
