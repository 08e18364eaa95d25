import { defineConfig } from 'vitest/config';

// Two suites over the same test files' conventions:
//   unit  every *.test.ts; database tests run on in-memory PGlite, so no server is needed
//   pg    the database-facing files (*.db.test.ts, run in both suites, and the PostgreSQL-only
//         *.pg.test.ts) against TEST_DATABASE_URL, each file in a fresh schema
export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          include: ['src/**/*.test.ts', 'test/**/*.test.ts', 'scripts/**/*.test.ts'],
          exclude: ['**/*.pg.test.ts', 'node_modules/**'],
          environment: 'node',
          testTimeout: 60_000,
          hookTimeout: 60_000,
        },
      },
      {
        test: {
          name: 'pg',
          include: ['src/**/*.{db,pg}.test.ts', 'test/**/*.{db,pg}.test.ts'],
          environment: 'node',
          testTimeout: 60_000,
          hookTimeout: 60_000,
        },
      },
    ],
  },
});
