/** Opaque keyset cursor over (timestamp, id): lists that grow page by position, not offset. */
export function encodeCursor(at: Date, id: string): string {
  return Buffer.from(`${at.toISOString()}|${id}`).toString('base64url')
}

/** Null for anything malformed: the caller answers 400 or starts from the top. */
export function decodeCursor(cursor: string): { at: Date; id: string } | null {
  const [at, id] = Buffer.from(cursor, 'base64url').toString().split('|')
  const date = new Date(at ?? '')
  return Number.isNaN(date.getTime()) || !id || !/^[0-9a-f-]{36}$/.test(id) ? null : { at: date, id }
}
