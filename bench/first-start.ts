/**
 * npm run bench:first-start — a newcomer's first `npm start`: the real command (`node bin/yunguan.js serve`)
 * on an empty data folder, timed from spawn until the console's page is served (GET / answers 200 with the
 * page) and the demo can sign in. Two sides in the same run, alternately, BENCH_RUNS (default 3) each:
 *   template  as installed: the migrated embedded database `npm ci` made is copied (platform/db/embedded-template.ts)
 *   baseline  YUNGUAN_EMBEDDED_TEMPLATE=false: the embedded database is created and every migration applied, as before
 * Both then seed the demo and start the same server. Goal (issue 24): the template side under 5 s.
 * Last line: one JSON object with the medians and the ratio.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { EMBEDDED_TEMPLATE_DIR } from '../src/platform/db/embedded-template.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const GOAL_MS = 5_000;
const say = (line: string) => process.stderr.write(`${line}\n`);

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

async function firstStart(template: boolean): Promise<number> {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'yunguan-bench-first-start-'));
  const port = await freePort();
  const started = performance.now();
  const child = spawn(process.execPath, ['bin/yunguan.js', 'serve'], {
    cwd: ROOT,
    env: {
      ...process.env,
      PORT: String(port),
      HOST: '127.0.0.1',
      YUNGUAN_DATA_DIR: dataDir,
      LOG_LEVEL: 'warn',
      YUNGUAN_EMBEDDED_TEMPLATE: template ? 'true' : 'false',
    },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  try {
    for (;;) {
      if (child.exitCode !== null) throw new Error(`the server exited with ${child.exitCode}`);
      try {
        const page = await fetch(`http://127.0.0.1:${port}/`);
        if (page.ok && (await page.text()).includes('<div id="root">')) {
          const login = await fetch(`http://127.0.0.1:${port}/api/v1/auth/login`, {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify({ username: 'applicant', password: 'Yunguan@Demo2026' }),
          });
          if (login.ok) return performance.now() - started;
        }
      } catch {
        // not listening yet
      }
      await new Promise((r) => setTimeout(r, 25));
    }
  } finally {
    child.kill('SIGTERM');
    await new Promise((resolve) => (child.exitCode !== null ? resolve(null) : child.once('exit', resolve)));
    rmSync(dataDir, { recursive: true, force: true });
  }
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;

async function main() {
  say(`template: ${EMBEDDED_TEMPLATE_DIR}`);
  const withTemplate: number[] = [];
  const baseline: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    baseline.push(await firstStart(false));
    say(`run ${i + 1} baseline (no template): ${Math.round(baseline.at(-1) as number)} ms`);
    withTemplate.push(await firstStart(true));
    say(`run ${i + 1} template: ${Math.round(withTemplate.at(-1) as number)} ms`);
  }
  const templateMs = Math.round(median(withTemplate));
  const baselineMs = Math.round(median(baseline));
  say(
    `first start, median of ${RUNS}: ${templateMs} ms with the template, ${baselineMs} ms without (goal < ${GOAL_MS} ms)`,
  );
  console.log(
    JSON.stringify({
      bench: 'first-start',
      runs: RUNS,
      firstStartMs: templateMs,
      baselineMs,
      ratio: Math.round((baselineMs / templateMs) * 100) / 100,
      goalMs: GOAL_MS,
      met: templateMs < GOAL_MS,
    }),
  );
}

await main();
