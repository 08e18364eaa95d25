import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

/**
 * Browser tests: the real server in-process and headless Chromium against the built console (web/dist).
 * One file at a time in one forked process: each spec owns a server, a database folder and a browser.
 */
export default defineConfig({
  root: fileURLToPath(new URL('..', import.meta.url)),
  test: {
    include: ['e2e/**/*.e2e.ts'],
    environment: 'node',
    // The server's first start (migrations, demo seed) once per run; each spec starts on a copy.
    globalSetup: ['e2e/global-setup.ts'],
    pool: 'forks',
    maxWorkers: 1,
    fileParallelism: false,
    // Starting the server migrates and seeds an embedded database, and Chromium starts cold: be generous.
    testTimeout: 150_000,
    hookTimeout: 180_000,
    teardownTimeout: 60_000,
  },
});
