import { ref } from 'vue'

/**
 * Screen-reader announcements: the shells render `announcement` in an `aria-live="polite"`
 * region, so toasts and status changes are read out, not only shown.
 */
export const announcement = ref('')

export function announce(message: string): void {
  // Clearing first makes the same message be read again.
  announcement.value = ''
  setTimeout(() => {
    announcement.value = message
  }, 50)
}
