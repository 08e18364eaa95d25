#!/usr/bin/env node
// Runs the server bundle that `npm ci` builds (dist/server/cli.js) while it is newer than every source file:
// one file loads in a fraction of the time the sources take through a TypeScript loader. After an edit (or
// with YUNGUAN_BUNDLE=false) the TypeScript sources run directly through tsx's loader, so no build step ever
// stands between a change and a running server (docs/decisions.md).
import { existsSync, readdirSync, statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const bundle = `${root}dist/server/cli.js`;

function newestSource(dir) {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const file = `${dir}/${entry.name}`;
    if (entry.isDirectory()) newest = Math.max(newest, newestSource(file));
    else if (entry.name.endsWith('.ts')) newest = Math.max(newest, statSync(file).mtimeMs);
  }
  return newest;
}

const current =
  process.env.YUNGUAN_BUNDLE !== 'false' &&
  existsSync(bundle) &&
  statSync(bundle).mtimeMs >= Math.max(newestSource(`${root}src`), statSync(`${root}package.json`).mtimeMs);

if (current) {
  await import(new URL('../dist/server/cli.js', import.meta.url).href);
} else {
  const { register } = await import('tsx/esm/api');
  register();
  await import('../src/cli.ts');
}
