import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { TestProject } from 'vitest/node';
import { loadConfig } from '../src/config.ts';
import { startServer } from '../src/server.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    /** a data folder the server has migrated and seeded with the demo once; each spec starts on a copy */
    e2eDataDir: string;
  }
}

const ROOT = fileURLToPath(new URL('..', import.meta.url));

/** The content of what decides a freshly started server's data: the migrations and the code that seeds. */
async function sourceHash(): Promise<string> {
  const hash = createHash('sha256');
  const walk = async (dir: string): Promise<void> => {
    for (const entry of (await readdir(dir, { withFileTypes: true })).sort((a, b) => a.name.localeCompare(b.name))) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) await walk(full);
      else if (/\.(ts|json|sql)$/.test(entry.name)) {
        hash.update(path.relative(ROOT, full));
        hash.update(await readFile(full));
      }
    }
  };
  await walk(path.join(ROOT, 'migrations'));
  await walk(path.join(ROOT, 'src'));
  return hash.digest('hex').slice(0, 16);
}

/**
 * Starts the server once on an empty data folder (it migrates and seeds the demo, as `npm start` does on a
 * fresh machine) and keeps the folder as the template every spec copies, instead of each spec paying for the
 * migrations and the demo seed again. Keyed by the source, so changed code makes a new template.
 */
export default async function setup(project: TestProject): Promise<void> {
  const template = path.join(tmpdir(), `yunguan-e2e-template-${await sourceHash()}`);
  if (!existsSync(path.join(template, 'TEMPLATE_READY'))) {
    const building = `${template}.${process.pid}`;
    await rm(building, { recursive: true, force: true });
    const server = await startServer(loadConfig({ PORT: '0', HOST: '127.0.0.1', YUNGUAN_DATA_DIR: building }, ROOT));
    await server.close();
    await writeFile(path.join(building, 'TEMPLATE_READY'), '');
    await rm(template, { recursive: true, force: true });
    await rename(building, template);
  }
  project.provide('e2eDataDir', template);
}
