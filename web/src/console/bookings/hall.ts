import { announcement } from '@tp/shared/bookings/queue'

/**
 * The hall TV's voice: 「请A012号到3号窗口办理」 through the browser's speech synthesis, one call
 * after another. Browsers may refuse to speak before the first user gesture (autoplay policy):
 * `blocked` turns true and the page asks for one tap, after which `unlock()` replays the last call.
 */
export class HallSpeaker {
  blocked = false
  private last: string | null = null
  constructor(
    private readonly synth: SpeechSynthesis | undefined = typeof window !== 'undefined' ? window.speechSynthesis : undefined,
    private readonly onBlocked: (blocked: boolean) => void = () => {},
  ) {}

  get available(): boolean {
    return !!this.synth && typeof SpeechSynthesisUtterance !== 'undefined'
  }

  call(number: string, windowNumber: number): string {
    const text = announcement(number, windowNumber)
    this.last = text
    this.speak(text)
    return text
  }

  speak(text: string): void {
    if (!this.available || !this.synth) return
    const u = new SpeechSynthesisUtterance(text)
    u.lang = 'zh-CN'
    u.rate = 0.85
    const voice = this.synth.getVoices?.().find((v) => v.lang?.toLowerCase().startsWith('zh'))
    if (voice) u.voice = voice
    u.onerror = (e) => {
      if ((e as SpeechSynthesisErrorEvent).error === 'not-allowed') this.setBlocked(true)
    }
    u.onstart = () => this.setBlocked(false)
    this.synth.speak(u)
  }

  /** After a tap: speech is allowed from now on; say the last call again. */
  unlock(): void {
    this.setBlocked(false)
    if (this.last) this.speak(this.last)
  }

  private setBlocked(v: boolean) {
    if (this.blocked === v) return
    this.blocked = v
    this.onBlocked(v)
  }
}

/** The newest call on the board (highlighted), if it is recent enough to still flash. */
export function newestCall<T extends { calledAt: string }>(calls: readonly T[], now: number, withinMs = 15_000): T | null {
  const c = calls[0]
  return c && now - new Date(c.calledAt).getTime() <= withinMs ? c : null
}
