/** The window console's one-key actions (keyboard first: staff call numbers all day). */
export type WindowKeyAction = 'call' | 'recall' | 'start' | 'complete' | 'skip' | 'transfer'

const KEYS: Record<string, WindowKeyAction> = {
  ' ': 'call',
  n: 'call',
  F2: 'call',
  r: 'recall',
  s: 'start',
  Enter: 'complete',
  x: 'skip',
  t: 'transfer',
}

/** The action for a key press, or null when typing in a field, with a modifier, or an unknown key. */
export function keyAction(e: Pick<KeyboardEvent, 'key' | 'ctrlKey' | 'metaKey' | 'altKey' | 'target' | 'repeat'>): WindowKeyAction | null {
  if (e.ctrlKey || e.metaKey || e.altKey || e.repeat) return null
  const el = e.target as HTMLElement | null
  if (el && typeof el.closest === 'function' && el.closest('input, textarea, select, [contenteditable="true"], .el-select, .el-popper')) return null
  const key = e.key.length === 1 ? e.key.toLowerCase() : e.key
  return KEYS[key] ?? null
}
