/**
 * Keyboard moves through the queue (the legal office works without the mouse): J / ↓ next,
 * K / ↑ previous, Home / End, Enter opens, / focuses the search. Pure: the page wires it to keydown.
 */
export type QueueKey = { type: 'move'; index: number } | { type: 'open'; index: number } | { type: 'search' } | { type: 'none' }

export function queueKey(key: string, current: number, count: number, inField: boolean): QueueKey {
  if (inField) return { type: 'none' }
  if (key === '/') return { type: 'search' }
  if (count === 0) return { type: 'none' }
  const clamp = (i: number) => Math.max(0, Math.min(count - 1, i))
  switch (key) {
    case 'j':
    case 'ArrowDown':
      return { type: 'move', index: current < 0 ? 0 : clamp(current + 1) }
    case 'k':
    case 'ArrowUp':
      return { type: 'move', index: current < 0 ? 0 : clamp(current - 1) }
    case 'Home':
      return { type: 'move', index: 0 }
    case 'End':
      return { type: 'move', index: count - 1 }
    case 'Enter':
    case 'o':
      return current >= 0 && current < count ? { type: 'open', index: current } : { type: 'none' }
    default:
      return { type: 'none' }
  }
}

/** Whether a keydown came from somewhere typing happens (then the queue keys stay out of the way). */
export function isTypingTarget(target: EventTarget | null): boolean {
  const el = target as HTMLElement | null
  if (!el || typeof el.tagName !== 'string') return false
  return ['INPUT', 'TEXTAREA', 'SELECT'].includes(el.tagName) || el.isContentEditable
}

/** ServerTable sort column → the queue API's sort. */
export function apiSort(sort: string | undefined, order: 'asc' | 'desc' | undefined): 'due' | 'submitted' | '-submitted' {
  if (sort === 'submittedAt') return order === 'desc' ? '-submitted' : 'submitted'
  return 'due'
}
