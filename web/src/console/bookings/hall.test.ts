import { describe, expect, it, vi } from 'vitest'
import { HallSpeaker, newestCall } from './hall'

class Utterance {
  lang = ''
  rate = 1
  voice: unknown = null
  onerror: ((e: unknown) => void) | null = null
  onstart: (() => void) | null = null
  constructor(readonly text: string) {}
}

describe('hall speaker', () => {
  vi.stubGlobal('SpeechSynthesisUtterance', Utterance)

  it('should speak the call in Chinese', () => {
    const spoken: Utterance[] = []
    const synth = { speak: (u: Utterance) => spoken.push(u), getVoices: () => [{ lang: 'zh-CN', name: 'Tingting' }] } as unknown as SpeechSynthesis
    const s = new HallSpeaker(synth)
    expect(s.call('A012', 3)).toBe('请A012号到3号窗口办理')
    expect(spoken[0]?.text).toBe('请A012号到3号窗口办理')
    expect(spoken[0]?.lang).toBe('zh-CN')
  })

  it('should ask for a tap when the browser refuses to speak, then say the last call again', () => {
    const spoken: Utterance[] = []
    const blocked = vi.fn()
    const synth = { speak: (u: Utterance) => spoken.push(u), getVoices: () => [] } as unknown as SpeechSynthesis
    const s = new HallSpeaker(synth, blocked)
    s.call('B001', 2)
    spoken[0]?.onerror?.({ error: 'not-allowed' })
    expect(s.blocked).toBe(true)
    expect(blocked).toHaveBeenLastCalledWith(true)
    s.unlock()
    expect(blocked).toHaveBeenLastCalledWith(false)
    expect(spoken.map((u) => u.text)).toEqual(['请B001号到2号窗口办理', '请B001号到2号窗口办理'])
  })

  it('should stay silent without speech synthesis', () => {
    expect(() => new HallSpeaker(undefined).call('A001', 1)).not.toThrow()
  })
})

describe('newest call', () => {
  it('should highlight the latest call for a short while', () => {
    const calls = [
      { calledAt: '2026-03-10T01:00:00.000Z', number: 'A002' },
      { calledAt: '2026-03-10T00:59:00.000Z', number: 'A001' },
    ]
    const t = Date.parse('2026-03-10T01:00:10.000Z')
    expect(newestCall(calls, t)?.number).toBe('A002')
    expect(newestCall(calls, t + 60_000)).toBeNull()
    expect(newestCall([], t)).toBeNull()
  })
})
