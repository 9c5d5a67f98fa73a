import 'vant/es/toast/style'
import { showFailToast, showSuccessToast, showToast } from 'vant/es/toast'
import { announce } from './useAnnounce'

/** Citizen H5 feedback: a Vant toast that is also read out by screen readers. */
export function toast(message: string, type: 'text' | 'success' | 'fail' = 'text'): void {
  if (type === 'success') showSuccessToast(message)
  else if (type === 'fail') showFailToast(message)
  else showToast(message)
  announce(message)
}
