/** Wall-clock times of day ('HH:MM', China time) as minutes since midnight, and back. */

export const TIME_RE = /^(?:(?:[01]\d|2[0-3]):[0-5]\d|24:00)$/

export function toMinutes(hhmm: string): number {
  const [h, m] = hhmm.split(':')
  return Number(h) * 60 + Number(m)
}

export function fromMinutes(minutes: number): string {
  const h = Math.floor(minutes / 60)
  const m = minutes % 60
  return `${String(h).padStart(2, '0')}:${String(m).padStart(2, '0')}`
}
