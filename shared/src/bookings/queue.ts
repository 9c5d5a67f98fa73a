/**
 * The hall's queue ordering rule (排队规则), the same in the window console's list, the server's
 * call-next query and the tests.
 *
 * Among the tickets waiting for a window (its services, or sent to it by a transfer):
 *   1. Tickets transferred to this window go first, in the order they were transferred: the
 *      citizen has already waited once.
 *   2. Then booked citizens who checked in on time and whose slot has begun ("due"), by slot
 *      start, then by check-in time. A booking buys the slot's time, not a place before it.
 *   3. Then everyone else by check-in time: walk-ins, booked citizens who came early (until their
 *      slot begins, when they move up to rule 2) and late arrivals (they lost their slot's priority).
 * Ties fall to the lower sequence number, then the id, so the order is total and stable.
 */

export interface QueueEntry {
  id: string
  kind: 'booked' | 'walk_in'
  /** Checked in no later than the end of the slot's check-in window. */
  onTime: boolean
  slotStartsAt: Date | null
  issuedAt: Date
  seq: number
  /** Sent to this window by a transfer. */
  transferred: boolean
}

export type QueueClass = 0 | 1 | 2

export function isDue(e: QueueEntry, now: Date): boolean {
  return e.kind === 'booked' && e.onTime && e.slotStartsAt !== null && e.slotStartsAt.getTime() <= now.getTime()
}

export function queueClass(e: QueueEntry, now: Date): QueueClass {
  if (e.transferred) return 0
  return isDue(e, now) ? 1 : 2
}

/** The sort key: [class, time, check-in time, seq]; compare element by element. */
export function queueKey(e: QueueEntry, now: Date): [QueueClass, number, number, number] {
  const cls = queueClass(e, now)
  const time = cls === 1 ? (e.slotStartsAt as Date).getTime() : e.issuedAt.getTime()
  return [cls, time, e.issuedAt.getTime(), e.seq]
}

export function compareQueue(a: QueueEntry, b: QueueEntry, now: Date): number {
  const ka = queueKey(a, now)
  const kb = queueKey(b, now)
  for (let i = 0; i < ka.length; i++) {
    const d = (ka[i] as number) - (kb[i] as number)
    if (d !== 0) return d
  }
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0
}

export function orderQueue<T extends QueueEntry>(entries: readonly T[], now: Date): T[] {
  return [...entries].sort((a, b) => compareQueue(a, b, now))
}

/** The hall's spoken call, e.g. 请A012号到3号窗口办理. */
export function announcement(number: string, windowNumber: number, locale: 'zh-CN' | 'en' = 'zh-CN'): string {
  if (locale === 'en') return `Number ${number.split('').join(' ')}, please go to window ${windowNumber}`
  return `请${number}号到${windowNumber}号窗口办理`
}
