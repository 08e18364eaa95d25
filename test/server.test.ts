import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config.ts';
import { DataDirLockedError } from '../src/platform/db/data-dir-lock.ts';
import { buildEmbeddedTemplate, initialiseFromTemplate } from '../src/platform/db/embedded-template.ts';
import { migrationStatus } from '../src/platform/db/migrate.ts';
import { seedDemo } from '../src/seed.ts';
import { connect, startServer } from '../src/server.ts';
import { tempDir } from './helpers.ts';

let data: Awaited<ReturnType<typeof tempDir>>;
beforeAll(async () => {
  data = await tempDir();
});
afterAll(() => data.remove());

// The full first start (create, migrate, seed); the template path has its own test below.
const config = (extra: Record<string, string> = {}) =>
  loadConfig({
    PORT: '0',
    HOST: '127.0.0.1',
    YUNGUAN_DATA_DIR: data.path,
    YUNGUAN_EMBEDDED_TEMPLATE: 'false',
    ...extra,
  });

describe('starting the server on the embedded database', () => {
  it('first start migrates and seeds the demo; a second start reuses the data without seeding again', async () => {
    const progress: string[] = [];
    const first = await startServer(config(), { progress: (m) => progress.push(m) });
    try {
      expect(progress).toContain('migration applied: 0001_platform');
      expect(progress).toContain('demo data: jurisdictions (3 created)');
      const res = await fetch(`${first.url}/api/v1/jurisdictions`);
      expect(((await res.json()) as { items: unknown[] }).items).toHaveLength(3);
      // The data folder belongs to one process at a time.
      await expect(connect(config())).rejects.toBeInstanceOf(DataDirLockedError);
    } finally {
      await first.close();
    }

    const later: string[] = [];
    const second = await startServer(config(), { progress: (m) => later.push(m) });
    try {
      expect(later).toEqual([]);
      const res = await fetch(`${second.url}/readyz`);
      expect(res.status).toBe(200);
      const { items } = (await (await fetch(`${second.url}/api/v1/jurisdictions`)).json()) as { items: unknown[] };
      expect(items).toHaveLength(3);
    } finally {
      await second.close();
    }
  });

  it('in production, demo accounts left in the database are disabled at start', async () => {
    const server = await startServer(
      loadConfig({
        PORT: '0',
        HOST: '127.0.0.1',
        YUNGUAN_DATA_DIR: data.path,
        YUNGUAN_ENV: 'production',
        YUNGUAN_DATA_KEY: '0123456789abcdef0123456789abcdef',
        YUNGUAN_AUDIT_KEY: 'server-test-audit-key-0123',
      }),
    );
    try {
      const res = await fetch(`${server.url}/api/v1/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ username: 'unitadmin', password: 'Yunguan@Demo2026' }),
      });
      expect(res.status).toBe(401);
    } finally {
      await server.close();
    }
  });

  it('does not seed when demo data is switched off', async () => {
    const empty = await tempDir();
    const server = await startServer(
      loadConfig({ PORT: '0', HOST: '127.0.0.1', YUNGUAN_DATA_DIR: empty.path, YUNGUAN_SEED_DEMO: 'false' }),
    );
    try {
      const { items } = (await (await fetch(`${server.url}/api/v1/jurisdictions`)).json()) as { items: unknown[] };
      expect(items).toEqual([]);
    } finally {
      await server.close();
      await empty.remove();
    }
  });

  it('a first start on an empty folder copies the installation template, with nothing left to migrate or seed', async () => {
    const templates = await tempDir('yunguan-templates-');
    const folder = await tempDir('yunguan-first-start-');
    try {
      const migrated = path.join(templates.path, 'migrated');
      const demo = path.join(templates.path, 'demo');
      await buildEmbeddedTemplate(migrated);
      await buildEmbeddedTemplate(demo, { from: migrated, prepare: (db) => seedDemo(db).then(() => undefined) });
      const progress: string[] = [];
      const server = await startServer(loadConfig({ PORT: '0', HOST: '127.0.0.1', YUNGUAN_DATA_DIR: folder.path }), {
        progress: (m) => progress.push(m),
        templates: { demo, migrated },
      });
      try {
        expect(progress).toEqual(['database: copied from the template made at installation']);
        const res = await fetch(`${server.url}/api/v1/jurisdictions`);
        expect(((await res.json()) as { items: unknown[] }).items).toHaveLength(3);
        expect((await migrationStatus(server.database.db)).pending).toEqual([]);
      } finally {
        await server.close();
      }
      // A folder that holds a database is never overwritten.
      expect(initialiseFromTemplate(folder.path, demo)).toBe(false);
    } finally {
      await templates.remove();
      await folder.remove();
    }
  });
});
