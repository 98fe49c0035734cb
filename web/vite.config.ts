import { defineConfig } from 'vite';

/**
 * The console's bundle (issue 16): built into web/dist, which the API process serves at `/`. No dev-server plugins:
 * Vite's own transform (oxc) compiles TSX with React's automatic runtime.
 */
export default defineConfig({
  base: '/',
  oxc: { jsx: { runtime: 'automatic' } },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    // antd and echarts are large; echarts is loaded only by the pages that chart.
    chunkSizeWarningLimit: 3000,
    rolldownOptions: {
      // antd marks its modules "use client" for React Server Components; a browser bundle has no use for it.
      onwarn(warning, warn) {
        if (warning.code === 'MODULE_LEVEL_DIRECTIVE') return;
        warn(warning);
      },
    },
  },
  server: {
    // `npx vite` in web/ while developing: everything but the page's own modules goes to the API on :3000.
    proxy: { '^/(?!$|src/|@|node_modules/|index\.html).*': 'http://localhost:3000' },
  },
});
