import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { declaredRoutes } from '../src/app.ts';
import { type TestApp, testApp } from './helpers.ts';

let t: TestApp;
beforeAll(async () => {
  t = await testApp();
});
afterAll(() => t.close());

async function documentedRoutes(): Promise<string[]> {
  const doc = await readFile(new URL('../docs/permissions.md', import.meta.url), 'utf8');
  const table = doc.split('<!-- routes:start -->')[1]?.split('<!-- routes:end -->')[0] ?? '';
  return table
    .split('\n')
    .map((line) => line.split('|').map((cell) => cell.trim()))
    .filter((cells) => cells.length === 5 && /^[A-Z]+$/.test(cells[1] ?? ''))
    .map(([, method, path, permission]) => `${method} ${path} ${permission}`)
    .sort();
}

describe('route permissions', () => {
  it('docs/permissions.md lists exactly the declared routes and their permissions', async () => {
    const actual = declaredRoutes(t.app)
      .map((r) => `${r.method} ${r.url} ${r.permission}`)
      .sort();
    expect(actual.length).toBeGreaterThan(0);
    expect(await documentedRoutes()).toEqual(actual);
  });

  it('every route’s response serializer builds (the server builds each at first use, so this is where a bad response schema shows)', async () => {
    const { buildApp } = await import('../src/app.ts');
    const app = await buildApp({
      config: (await import('./helpers.ts')).testConfig(),
      database: t.database,
      eagerSerializers: true,
    });
    await expect(app.ready()).resolves.toBeDefined();
    await app.close();
  });

  it('an /api/v1 route without a declared permission stops the app from being built', async () => {
    const { buildApp } = await import('../src/app.ts');
    const app = await buildApp({ config: (await import('./helpers.ts')).testConfig(), database: t.database });
    expect(() => app.get('/api/v1/undeclared', async () => ({}))).toThrow(/declares no permission/);
    await app.close();
  });
});
