import { defineConfig } from 'vitest/config';

// Two suites over the same test files' conventions:
//   unit  every *.test.ts; database tests run on in-memory PGlite, so no server is needed
//   nodb  the unit files without a database (CI runs them again on the second Node.js version)
//   pg    the database-facing files (*.db.test.ts, run in both suites, and the PostgreSQL-only
//         *.pg.test.ts) against TEST_DATABASE_URL, each file in a fresh schema
export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          // Vitest's default outside watch mode is one worker fewer than the CPUs: one on a 2-core CI
          // machine, which ran these files one after another. Each owns an in-memory PGlite, so they can
          // run side by side.
          maxWorkers: '100%',
          include: ['src/**/*.test.ts', 'test/**/*.test.ts', 'scripts/**/*.test.ts'],
          exclude: ['**/*.pg.test.ts', 'node_modules/**'],
          environment: 'node',
          // A migrated template made once (test/global-setup.ts); each file loads a copy of it.
          globalSetup: ['test/global-setup.ts'],
          testTimeout: 120_000,
          hookTimeout: 120_000,
        },
      },
      {
        test: {
          name: 'nodb',
          maxWorkers: '100%',
          include: ['src/**/*.test.ts', 'test/**/*.test.ts', 'scripts/**/*.test.ts'],
          exclude: ['**/*.db.test.ts', '**/*.pg.test.ts', 'node_modules/**'],
          environment: 'node',
          globalSetup: ['test/global-setup.ts'],
          testTimeout: 120_000,
          hookTimeout: 120_000,
        },
      },
      {
        test: {
          name: 'pg',
          include: ['src/**/*.{db,pg}.test.ts', 'test/**/*.{db,pg}.test.ts'],
          environment: 'node',
          // Each file gets a database of its own copied from a template migrated once (test/templates.ts), so
          // nothing migrates concurrently and the files run side by side.
          globalSetup: ['test/global-setup.ts'],
          maxWorkers: '100%',
          testTimeout: 120_000,
          hookTimeout: 120_000,
        },
      },
    ],
  },
});
