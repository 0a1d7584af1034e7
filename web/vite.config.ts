/// <reference types="vitest/config" />
import { defineConfig } from 'vite'
import vue from '@vitejs/plugin-vue'
import { fileURLToPath, URL } from 'node:url'

// The build output is committed (internal/web/dist) and embedded in the Go
// binary; CI rebuilds it and fails when it differs, so the output must be a
// pure function of the sources: content hashes only, no timestamps.
export default defineConfig({
  plugins: [vue()],
  base: '/',
  define: {
    // vue-i18n: Composition API only, no devtools in production
    __VUE_I18N_FULL_INSTALL__: true,
    __VUE_I18N_LEGACY_API__: false,
    __INTLIFY_PROD_DEVTOOLS__: false,
  },
  resolve: {
    alias: { '@': fileURLToPath(new URL('./src', import.meta.url)) },
  },
  server: {
    // `npm run dev` against a running `cmhub serve` (default :8080)
    proxy: {
      '/api': { target: process.env.CMHUB_API ?? 'http://127.0.0.1:8080', changeOrigin: false },
    },
  },
  build: {
    outDir: '../internal/web/dist',
    emptyOutDir: true,
    sourcemap: false,
    chunkSizeWarningLimit: 1200,
    reportCompressedSize: true,
    rolldownOptions: {
      output: {
        codeSplitting: {
          groups: [
            { name: 'element-plus', test: /node_modules[\\/](element-plus|@element-plus|@floating-ui|@popperjs|@ctrl|@vueuse|async-validator|dayjs|lodash-es|lodash-unified|memoize-one|normalize-wheel-es)[\\/]/, priority: 20 },
            // only the statistics and assessment results pages draw charts: ECharts loads with them, in a chunk of its own
            { name: 'echarts', test: /node_modules[\\/](echarts|zrender|tslib)[\\/]/, priority: 15 },
            { name: 'vue', test: /node_modules[\\/](vue|@vue|vue-router|vue-i18n|@intlify|pinia)[\\/]/, priority: 10 },
          ],
        },
      },
    },
  },
  test: {
    environment: 'happy-dom',
    include: ['tests/unit/**/*.test.ts'],
  },
})
