import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from './helpers.ts';
import { serve } from './processes.ts';

// docs/operations.md says what operators run; its `sh` blocks run here as written, in order, against a
// server on the embedded database (no demo data: a fresh installation).
const doc = readFileSync(path.join(import.meta.dirname, '..', 'docs', 'operations.md'), 'utf8');
const blocks = (lang: string) =>
  [...doc.matchAll(new RegExp(`\`\`\`${lang}\\n([\\s\\S]*?)\`\`\``, 'g'))].map((m) => m[1] as string);

let dir: Awaited<ReturnType<typeof tempDir>>;
let server: Awaited<ReturnType<typeof serve>>;
let env: Record<string, string>;

beforeAll(async () => {
  dir = await tempDir('yg-ops-');
  const dataDir = path.join(dir.path, 'data');
  server = await serve({ YUNGUAN_DATA_DIR: dataDir, YUNGUAN_SEED_DEMO: 'false' });
  env = {
    YUNGUAN: `${process.execPath} bin/yunguan.js`,
    URL: server.url,
    PID: String(server.child.pid),
    YUNGUAN_DATA_DIR: dataDir,
    BACKUPS: path.join(dir.path, 'backups'),
    RESTORE_DIR: path.join(dir.path, 'restored'),
  };
}, 300_000);

afterAll(async () => {
  await server?.stop();
  await dir?.remove();
});

describe('docs/operations.md', () => {
  it('its shell commands run as written: health checks, metrics, backup and restore, graceful shutdown', async () => {
    const commands = blocks('sh');
    expect(commands.length).toBeGreaterThanOrEqual(3);
    for (const script of commands) {
      // Asynchronously: the server is this process's child, and only a running event loop reaps it after
      // SIGTERM (a zombie still answers `kill -0`).
      const { stdout } = await promisify(execFile)('bash', ['-euo', 'pipefail', '-c', script], {
        env: { ...process.env, LOG_LEVEL: 'warn', ...env },
        encoding: 'utf8',
        timeout: 120_000,
      });
      expect(stdout.length, script).toBeGreaterThan(0);
    }
    expect(server.child.exitCode).toBe(0); // SIGTERM: a clean stop
  }, 300_000);

  it('its systemd unit and balancer examples point at what exists', () => {
    const [unit] = blocks('ini');
    expect(unit).toContain('ExecStart=/usr/bin/node bin/yunguan.js serve');
    expect(blocks('haproxy')[0]).toContain('option httpchk GET /readyz');
    expect(blocks('nginx')[0]).toContain('proxy_next_upstream error timeout http_503');
  });
});
