import { randomUUID } from 'node:crypto'
import { mkdir, readFile, rm, stat, writeFile } from 'node:fs/promises'
import { dirname, join, resolve } from 'node:path'

/** Where uploaded bytes live. Local directory by default; an S3-compatible bucket implements the same. */
export interface Storage {
  /** Where the bytes are, for messages (a directory, or s3://bucket). */
  readonly where: string
  /** Stores the bytes under a new key (never derived from a client file name) and returns it. */
  put(bytes: Uint8Array, ext: string): Promise<string>
  /** The bytes of a key; rejects with MissingObjectError when there are none. */
  get(key: string): Promise<Uint8Array>
  exists(key: string): Promise<boolean>
  /** Removes a key; a missing key is not an error. */
  delete(key: string): Promise<void>
}

export class MissingObjectError extends Error {
  constructor(readonly key: string) {
    super(`no stored object ${key}`)
  }
}

/** Keys look like `ab/ab12…-….jpg` (see newKey): anything else is refused before it reaches a path or URL. */
const KEY = /^[0-9a-f]{2}\/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\.[a-z0-9]{1,8}$/

export function newKey(ext: string): string {
  const id = randomUUID()
  const suffix =
    ext
      .toLowerCase()
      .replace(/[^a-z0-9]/g, '')
      .slice(0, 8) || 'bin'
  return `${id.slice(0, 2)}/${id}.${suffix}`
}

export function checkKey(key: string): string {
  if (!KEY.test(key)) throw new Error('invalid storage key')
  return key
}

export function localStorage(root: string): Storage {
  const base = resolve(root)
  const pathOf = (key: string) => join(base, checkKey(key))
  const missing = (key: string) => (err: NodeJS.ErrnoException) => {
    throw err.code === 'ENOENT' ? new MissingObjectError(key) : err
  }
  return {
    where: base,
    async put(bytes, ext) {
      const key = newKey(ext)
      const path = pathOf(key)
      await mkdir(dirname(path), { recursive: true })
      await writeFile(path, bytes)
      return key
    },
    async get(key) {
      return new Uint8Array(await readFile(pathOf(key)).catch(missing(key)))
    },
    async exists(key) {
      return stat(pathOf(key)).then(
        (s) => s.isFile(),
        (err: NodeJS.ErrnoException) => (err.code === 'ENOENT' ? false : Promise.reject(err)),
      )
    },
    async delete(key) {
      await rm(pathOf(key), { force: true })
    },
  }
}
