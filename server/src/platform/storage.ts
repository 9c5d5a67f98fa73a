import { randomUUID } from 'node:crypto'
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises'
import { dirname, join, resolve, sep } from 'node:path'

/** Where uploaded bytes live. Local directory by default; an S3-compatible store implements the same. */
export interface Storage {
  put(bytes: Uint8Array, ext: string): Promise<string>
  get(key: string): Promise<Uint8Array>
  delete(key: string): Promise<void>
}

/** Keys are generated here (never from client file names), so no path can escape the root. */
export function localStorage(root: string): Storage {
  const base = resolve(root)
  const pathOf = (key: string) => {
    const p = resolve(base, key)
    if (!p.startsWith(base + sep)) throw new Error('invalid storage key')
    return p
  }
  return {
    async put(bytes, ext) {
      const id = randomUUID()
      const key = join(id.slice(0, 2), `${id}.${ext.replace(/[^a-z0-9]/gi, '')}`)
      const path = pathOf(key)
      await mkdir(dirname(path), { recursive: true })
      await writeFile(path, bytes)
      return key
    },
    async get(key) {
      return new Uint8Array(await readFile(pathOf(key)))
    },
    async delete(key) {
      await rm(pathOf(key), { force: true })
    },
  }
}
