/**
 * Signs staff out after a stretch without activity (30 minutes, matching the server's sliding
 * session). Activity in any console tab counts (shared through localStorage).
 */
const KEY = 'tp.console.activity'
const EVENTS = ['pointerdown', 'keydown', 'wheel', 'touchstart'] as const

export const IDLE_MS = 30 * 60_000

export function startIdleWatch(onIdle: () => void, idleMs = IDLE_MS, checkEveryMs = 30_000): () => void {
  let last = Date.now()
  let lastWrite = 0
  const mark = () => {
    last = Date.now()
    if (last - lastWrite > 10_000) {
      lastWrite = last
      try {
        localStorage.setItem(KEY, String(last))
      } catch {}
    }
  }
  const latest = () => {
    let shared = 0
    try {
      shared = Number(localStorage.getItem(KEY) ?? 0)
    } catch {}
    return Math.max(last, shared)
  }
  mark()
  for (const e of EVENTS) window.addEventListener(e, mark, { passive: true })
  const timer = setInterval(() => {
    if (Date.now() - latest() >= idleMs) {
      stop()
      onIdle()
    }
  }, checkEveryMs)
  function stop() {
    clearInterval(timer)
    for (const e of EVENTS) window.removeEventListener(e, mark)
  }
  return stop
}
