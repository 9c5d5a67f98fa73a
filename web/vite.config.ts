import { resolve } from 'node:path'
import { VantResolver } from '@vant/auto-import-resolver'
import vue from '@vitejs/plugin-vue'
import { ElementPlusResolver } from 'unplugin-vue-components/resolvers'
import Components from 'unplugin-vue-components/vite'
import { defineConfig } from 'vitest/config'

/**
 * Two entries, one build: the citizen H5 (index.html → src/citizen) and the staff console
 * (console/index.html → src/console). Components are imported on demand, so citizens never
 * download console code and each page pulls only the Vant/Element parts it uses.
 */
export default defineConfig({
  plugins: [
    vue(),
    Components({
      resolvers: [VantResolver(), ElementPlusResolver({ importStyle: 'css' })],
      dts: false,
    }),
  ],
  build: {
    manifest: true,
    rollupOptions: {
      input: { citizen: resolve(__dirname, 'index.html'), console: resolve(__dirname, 'console/index.html') },
    },
  },
  server: { proxy: { '/api': 'http://localhost:3000', '/open311': 'http://localhost:3000' } },
  test: {
    name: 'web',
    environment: 'happy-dom',
    include: ['src/**/*.test.ts'],
  },
})
