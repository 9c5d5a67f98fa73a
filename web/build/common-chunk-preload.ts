import { createHash } from 'node:crypto'
import type { Plugin } from 'vite'

/**
 * Opened on any page but the home, the citizen H5 needs `citizen-common` (build/citizen-chunks.ts)
 * right after its entry; the entry would only ask for it once it has been downloaded and run. A
 * tiny async script (the CSP allows no inline script) asks for it at once, beside the entry: JS as
 * `modulepreload`, CSS as `preload` (Vite's loader then applies it from the cache). The home,
 * which does not need it, loads nothing more.
 */
export function commonChunkPreload(html = 'index.html', chunkName = 'citizen-common'): Plugin {
  return {
    name: 'tp:common-chunk-preload',
    apply: 'build',
    enforce: 'post',
    generateBundle(_options, bundle) {
      const page = bundle[html]
      const common = Object.values(bundle).find((f) => f.type === 'chunk' && f.name === chunkName)
      if (page?.type !== 'asset' || common?.type !== 'chunk') return
      const files = [common.fileName, ...(common.viteMetadata?.importedCss ?? [])].map((f) => `/${f}`)
      const source = `if(location.pathname!=="/")for(const f of ${JSON.stringify(files)}){const l=document.createElement("link");f.endsWith(".css")?(l.rel="preload",l.as="style"):l.rel="modulepreload";l.crossOrigin="";l.href=f;document.head.appendChild(l)}\n`
      const fileName = `assets/preload-${createHash('sha256').update(source).digest('base64url').slice(0, 8)}.js`
      this.emitFile({ type: 'asset', fileName, source })
      page.source = String(page.source).replace('<script type="module"', `<script async src="/${fileName}"></script>\n    <script type="module"`)
    },
  }
}
