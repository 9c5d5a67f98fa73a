/** Runs `task` when the main thread is idle; Safari (so WeChat on iOS) has no requestIdleCallback: soon after instead. */
export function whenIdle(task: () => void, timeout = 3000): void {
  if (typeof requestIdleCallback === 'function') requestIdleCallback(task, { timeout })
  else setTimeout(task, 200)
}
