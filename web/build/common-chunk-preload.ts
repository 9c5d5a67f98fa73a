import { createHash } from 'node:crypto'
import type { Plugin, Rollup } from 'vite'

/**
 * Opened on any page but the home, the citizen H5 needs more than its entry: `citizen-common`
 * (build/citizen-chunks.ts), the features' messages (src/citizen/feature-messages.ts) and the page's
 * own chunk; the entry would only ask for them once it has been downloaded and run. A tiny async
 * script (the CSP allows no inline script) asks for them at once, beside the entry: JS as
 * `modulepreload`, CSS as `preload` (Vite's loader then applies it from the cache). The home, which
 * needs none of them, loads nothing more.
 *
 * The same goes for the API answers the page waits for (the session before a page that needs
 * sign-in, the form's report kinds): the script starts those GETs too and leaves the promises in
 * `window.__tpEarly` for src/citizen/early.ts, which hands each to the app's first request for it.
 *
 * `chunks`: chunk names every other page needs; `api`: GET paths every other page needs; `pages`:
 * pathname → the page's source module and GET paths, for the pages people open from outside (links
 * in WeChat messages, QR codes) whose path has no parameter.
 */
export function commonChunkPreload({
  html = 'index.html',
  chunks,
  api,
  pages,
}: {
  html?: string
  chunks: string[]
  api: string[]
  pages: Record<string, { source: string; api: string[] }>
}): Plugin {
  return {
    name: 'tp:common-chunk-preload',
    apply: 'build',
    enforce: 'post',
    generateBundle(_options, bundle) {
      const page = bundle[html]
      const all = Object.values(bundle).filter((f): f is Rollup.OutputChunk => f.type === 'chunk')
      const entry = all.find((c) => c.isEntry && c.facadeModuleId?.endsWith(html))
      if (page?.type !== 'asset' || !entry) return
      const firstLoad = new Set([entry.fileName, ...entry.imports])
      // A chunk with what it imports beyond the first load, and their CSS.
      const files = (chunk: Rollup.OutputChunk | undefined): string[] => {
        if (!chunk) throw new Error('common-chunk-preload: a chunk named in vite.config.ts is not in the build')
        const js = new Set<string>()
        const walk = (c: Rollup.OutputChunk) => {
          if (js.has(c.fileName) || firstLoad.has(c.fileName)) return
          js.add(c.fileName)
          for (const f of c.imports) walk(bundle[f] as Rollup.OutputChunk)
        }
        walk(chunk)
        const css = [...js].flatMap((f) => [...((bundle[f] as Rollup.OutputChunk).viteMetadata?.importedCss ?? [])])
        return [...js, ...css].map((f) => `/${f}`)
      }
      const common = chunks.flatMap((name) => files(all.find((c) => c.name === name)))
      const byPath = Object.fromEntries(
        Object.entries(pages).map(([path, page]) => [path, files(all.find((c) => c.facadeModuleId?.endsWith(page.source))).filter((f) => !common.includes(f))]),
      )
      const apiByPath = Object.fromEntries(Object.entries(pages).map(([path, page]) => [path, page.api]))
      // The GETs first: each waits a round trip, the chunks mostly bandwidth. A failed one is left
      // as null (no unhandled rejection); the app then asks again.
      const source =
        `{const p=location.pathname;if(p!=="/"){const e=window.__tpEarly={};for(const u of ${JSON.stringify(api)}.concat(${JSON.stringify(apiByPath)}[p]||[]))e[u]=fetch(u,{credentials:"same-origin"}).catch(()=>null);` +
        `for(const f of ${JSON.stringify(common)}.concat(${JSON.stringify(byPath)}[p]||[])){const l=document.createElement("link");f.endsWith(".css")?(l.rel="preload",l.as="style"):l.rel="modulepreload";l.crossOrigin="";l.href=f;document.head.appendChild(l)}}}\n`
      const fileName = `assets/preload-${createHash('sha256').update(source).digest('base64url').slice(0, 8)}.js`
      this.emitFile({ type: 'asset', fileName, source })
      page.source = String(page.source).replace('<script type="module"', `<script async src="/${fileName}"></script>\n    <script type="module"`)
    },
  }
}
