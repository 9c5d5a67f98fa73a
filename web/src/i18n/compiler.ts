import type { MessageCompiler, MessageContext, MessageFunction } from 'vue-i18n'

/**
 * A small message compiler, so the runtime-only vue-i18n build can be shipped without
 * `@intlify/message-compiler`. It understands the parts of the vue-i18n syntax this portal uses:
 * named `{name}` and list `{0}` interpolation, literals `{'{'}`, linked messages `@:key` and
 * `@.lower:key`, and plural forms separated by ` | `.
 */

type Part = { t: 'text'; v: string } | { t: 'named'; v: string } | { t: 'list'; v: number } | { t: 'linked'; v: string; modifier: string }

const LINKED = /^@(?:\.([a-z]+))?:([\w.-]+|\([\w.-]+\))/

function parse(src: string): Part[] {
  const parts: Part[] = []
  let text = ''
  const flush = () => {
    if (text) parts.push({ t: 'text', v: text })
    text = ''
  }
  for (let i = 0; i < src.length; i++) {
    const ch = src[i] as string
    if (ch === '{') {
      // A literal `{'…'}` may itself contain braces: close at the quote that precedes `}`.
      const literal = /^\{\s*'([^']*)'\s*\}/.exec(src.slice(i))
      if (literal) {
        text += literal[1] ?? ''
        i += literal[0].length - 1
        continue
      }
      const end = src.indexOf('}', i)
      if (end < 0) {
        text += src.slice(i)
        break
      }
      const inner = src.slice(i + 1, end).trim()
      i = end
      if (/^\d+$/.test(inner)) {
        flush()
        parts.push({ t: 'list', v: Number(inner) })
      } else {
        flush()
        parts.push({ t: 'named', v: inner })
      }
    } else if (ch === '@') {
      const m = LINKED.exec(src.slice(i))
      if (!m) {
        text += ch
        continue
      }
      flush()
      parts.push({ t: 'linked', v: (m[2] ?? '').replace(/^\((.*)\)$/, '$1'), modifier: m[1] ?? '' })
      i += m[0].length - 1
    } else text += ch
  }
  flush()
  return parts
}

/** Splits plural forms on `|` outside braces. */
function splitPlural(src: string): string[] {
  const out: string[] = []
  let depth = 0
  let cur = ''
  for (const ch of src) {
    if (ch === '{') depth++
    else if (ch === '}') depth = Math.max(0, depth - 1)
    if (ch === '|' && depth === 0) {
      out.push(cur.trim())
      cur = ''
    } else cur += ch
  }
  out.push(out.length ? cur.trim() : cur)
  return out
}

/** The runtime context also carries the processor helpers (used for `<i18n-t>` slot values). */
type Ctx = MessageContext & { interpolate?: (v: unknown) => unknown; normalize?: (items: unknown[]) => unknown }

const display = (v: unknown) => (v == null ? '' : typeof v === 'object' ? JSON.stringify(v) : String(v))

function render(parts: Part[], ctx: Ctx): unknown {
  const interpolate = ctx.interpolate ?? display
  const items = parts.map((p) => {
    switch (p.t) {
      case 'text':
        return p.v
      case 'named':
        return interpolate(ctx.named(p.v))
      case 'list':
        return interpolate(ctx.list(p.v))
      case 'linked':
        return p.modifier ? ctx.linked(p.v, p.modifier) : ctx.linked(p.v)
    }
    return ''
  })
  return ctx.normalize ? ctx.normalize(items) : items.map(display).join('')
}

const cache = new Map<string, MessageFunction>()

export function compileMessage(source: string): MessageFunction {
  const hit = cache.get(source)
  if (hit) return hit
  const forms = splitPlural(source).map(parse)
  const fn = ((ctx: Ctx) => (forms.length === 1 ? render(forms[0] as Part[], ctx) : ctx.plural(forms.map((f) => render(f, ctx)) as never))) as MessageFunction
  cache.set(source, fn)
  return fn
}

export const messageCompiler: MessageCompiler = (message, { key, onError }) => {
  if (typeof message === 'string') return compileMessage(message)
  onError?.(new Error(`Message "${key}" is not a string`) as never)
  return (() => key) as MessageFunction
}
