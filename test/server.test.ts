import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config.ts';
import { DataDirLockedError } from '../src/platform/db/data-dir-lock.ts';
import { connect, startServer } from '../src/server.ts';
import { tempDir } from './helpers.ts';

let data: Awaited<ReturnType<typeof tempDir>>;
beforeAll(async () => {
  data = await tempDir();
});
afterAll(() => data.remove());

const config = (extra: Record<string, string> = {}) =>
  loadConfig({ PORT: '0', HOST: '127.0.0.1', YUNGUAN_DATA_DIR: data.path, ...extra });

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
});
