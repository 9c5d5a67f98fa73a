import { mkdirSync, writeFileSync } from 'node:fs'
import { dirname, relative, resolve } from 'node:path'
import { VantResolver } from '@vant/auto-import-resolver'
import vue from '@vitejs/plugin-vue'
import { ElementPlusResolver } from 'unplugin-vue-components/resolvers'
import Components from 'unplugin-vue-components/vite'
import type { Plugin } from 'vite'
import { defineConfig } from 'vitest/config'
import { citizenChunks } from './build/citizen-chunks'
import { commonChunkPreload } from './build/common-chunk-preload'

/**
 * Vant inlines its whole icon font (≈28 KB gzip) as a data URL into the CSS that nearly every
 * component pulls in, plus a CDN fallback the CSP would block. This moves the font into its own
 * cached asset file, fetched by the browser only when an icon is drawn, so the first CSS stays small.
 */
function vantIconFontAsFile(): Plugin {
  const cacheFile = resolve(__dirname, 'node_modules/.tp-cache/vant-icon.woff2')
  return {
    name: 'tp:vant-icon-font-as-file',
    enforce: 'pre',
    transform(code, id) {
      if (!/[\\/]vant[\\/]es[\\/]icon[\\/]index\.css$/.test(id)) return null
      const src = /src:\s*url\(data:font\/woff2;charset=utf-8;base64,([A-Za-z0-9+/=]+)\)[^}]*/.exec(code)
      if (!src?.[1]) return null
      mkdirSync(dirname(cacheFile), { recursive: true })
      writeFileSync(cacheFile, Buffer.from(src[1], 'base64'))
      const rel = relative(dirname(id), cacheFile).split('\\').join('/')
      // Keep one local font source; drop the data URL and the third-party CDN fallback.
      return { code: code.replace(src[0], `src:url("${rel}") format("woff2");`), map: null }
    },
  }
}

/**
 * Vant's resolver imports every component from Vant's index (`vant/es`); this one from the
 * component's own folder (`vant/es/field`), so the build sees which page uses which component
 * (build/citizen-chunks.ts).
 */
function vantFromFolders() {
  const vant = VantResolver()
  return {
    type: 'component' as const,
    resolve(name: string) {
      const found = vant.resolve(name)
      if (!found || typeof found === 'string' || typeof found.sideEffects !== 'string') return found
      return { ...found, from: found.sideEffects.replace(/\/style\/index$/, '') }
    },
  }
}

/**
 * Two entries, one build: the citizen H5 (index.html → src/citizen) and the staff console
 * (console/index.html → src/console). Components are imported on demand, so citizens never
 * download console code and each page pulls only the Vant/Element parts it uses.
 * vue-i18n runs without its message compiler (src/i18n/compiler.ts formats messages instead).
 */
export default defineConfig({
  plugins: [
    vantIconFontAsFile(),
    commonChunkPreload({
      chunks: ['citizen-common', 'feature-messages'],
      // Every page but the home waits for the session (src/citizen/stores/session.ts).
      api: ['/api/me'],
      // The report form: the page linked from outside (QR codes at known congestion spots).
      pages: { '/reports/new': { source: 'src/citizen/reports/ReportNew.vue', api: ['/api/reports/kinds'] } },
    }),
    vue(),
    Components({
      resolvers: [vantFromFolders(), ElementPlusResolver({ importStyle: 'css' })],
      dts: false,
    }),
  ],
  resolve: {
    alias: {
      '@': resolve(__dirname, 'src'),
      'vue-i18n': 'vue-i18n/dist/vue-i18n.runtime.esm-bundler.js',
    },
  },
  define: {
    __VUE_I18N_FULL_INSTALL__: true,
    __VUE_I18N_LEGACY_API__: false,
    __INTLIFY_DROP_MESSAGE_COMPILER__: true,
    __INTLIFY_PROD_DEVTOOLS__: false,
    __VUE_PROD_DEVTOOLS__: false,
    __VUE_PROD_HYDRATION_MISMATCH_DETAILS__: false,
    __VUE_OPTIONS_API__: false,
  },
  build: {
    manifest: true,
    rollupOptions: {
      input: { citizen: resolve(__dirname, 'index.html'), console: resolve(__dirname, 'console/index.html') },
      output: {
        manualChunks: citizenChunks(resolve(__dirname, 'index.html'), resolve(__dirname, 'console/index.html')),
        onlyExplicitManualChunks: true,
        // Chunks are named by what they hold, so the bundle-budget test can prove that nothing
        // reachable from the citizen entry holds console or Element Plus code.
        chunkFileNames(chunk) {
          const ids = chunk.moduleIds
          if (ids.some((id) => /[\\/]src[\\/]console[\\/]|[\\/](element-plus|@element-plus)[\\/]/.test(id))) return 'assets/console-[name]-[hash].js'
          if (ids.some((id) => /[\\/]node_modules[\\/](vue|@vue|vue-router|pinia|vue-i18n|@intlify)[\\/]/.test(id))) return 'assets/vendor-[hash].js'
          return 'assets/[name]-[hash].js'
        },
      },
    },
  },
  server: { proxy: { '/api': 'http://localhost:3000', '/open311': 'http://localhost:3000' } },
  test: {
    name: 'web',
    environment: 'happy-dom',
    include: ['src/**/*.test.ts'],
    // The UI libraries import their CSS from JS: let Vite transform them instead of Node.
    server: { deps: { inline: ['vant', 'element-plus', /@vant\//] } },
  },
})
