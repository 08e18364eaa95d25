import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

const root = fileURLToPath(new URL('.', import.meta.url));

/** Where `npm run dev:web` sends API calls: the server started with `npm run dev` (override for another port). */
const apiTarget = process.env.YUNGUAN_DEV_API ?? 'http://localhost:8080';

/**
 * Vendor code is split by how often it changes and who needs it: React and the router change rarely, antd is
 * shared by every page, ECharts is only loaded with the pages that draw charts. Each group is a separate
 * long-cached file; the console's own code stays small and changes with every release.
 *
 * antd and the rc-components under it stay in one chunk on purpose: they import each other in cycles, and
 * cutting them apart (e.g. with `maxSize`) makes chunks evaluate before their dependencies ("Cannot read
 * properties of undefined") unless `strictExecutionOrder` wraps every module, which costs ~8% in size.
 */
const vendorGroups = [
  { name: 'vendor-react', test: /[\\/]node_modules[\\/](react|react-dom|scheduler|react-router|cookie)[\\/]/ },
  { name: 'vendor-query', test: /[\\/]node_modules[\\/](@tanstack|openapi-fetch)[\\/]/ },
  { name: 'vendor-echarts', test: /[\\/]node_modules[\\/](echarts|zrender|tslib)[\\/]/ },
  { name: 'vendor-antd-icons', test: /[\\/]node_modules[\\/]@ant-design[\\/]icons/ },
  {
    name: 'vendor-antd',
    test: /[\\/]node_modules[\\/](antd|@ant-design|@rc-component|rc-[^\\/]+|@emotion|dayjs)[\\/]/,
  },
];

/**
 * Vite warns above 500 kB. The antd chunk alone is ~1,020 kB minified (~330 kB gzip) since the identity pages
 * (date-range picker, QR code, steps, auto-complete) and is needed by every page, so splitting it would only add
 * requests (see above). 1.2 MB still flags a real regression, e.g. a library pulled in whole by accident.
 */
const CHUNK_SIZE_WARNING_KB = 1_200;

export default defineConfig({
  root,
  plugins: [react()],
  server: {
    port: 5173,
    proxy: Object.fromEntries(
      ['/api', '/healthz', '/readyz', '/metrics'].map((path) => [path, { target: apiTarget, changeOrigin: false }]),
    ),
  },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2022',
    // Maps are written for decoding stacks reported to /api/v1/telemetry/client-errors, but not linked from the bundle.
    sourcemap: 'hidden',
    chunkSizeWarningLimit: CHUNK_SIZE_WARNING_KB,
    rolldownOptions: {
      output: {
        codeSplitting: {
          groups: vendorGroups.map((group, index) => ({ ...group, priority: vendorGroups.length - index })),
        },
      },
    },
  },
});
