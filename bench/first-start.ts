/**
 * npm run bench:first-start — a newcomer's first `npm start`: the real command (`node bin/yunguan.js serve`)
 * on an empty data folder, timed from spawn until the console's page is served (GET / answers 200 with the
 * page) and the demo can sign in. Three sides in the same run, alternately, BENCH_RUNS (default 3) each:
 *   current   as installed by `npm ci`: the server bundle (dist/server/cli.js) runs, and the migrated, seeded
 *             embedded database `npm ci` made is copied (platform/db/embedded-template.ts)
 *   template  YUNGUAN_BUNDLE=false: the same template, the TypeScript sources loaded through tsx
 *   baseline  YUNGUAN_BUNDLE=false YUNGUAN_EMBEDDED_TEMPLATE=false: the sources through tsx, the embedded
 *             database created, every migration applied and the demo seeded, as a first start did before
 * Goal (issue 24): the current side under 5 s. Last line: one JSON object with the medians and the ratio.
 */
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { loadavg, tmpdir } from 'node:os';
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

async function firstStart(template: boolean, bundle: boolean): Promise<number> {
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
      YUNGUAN_BUNDLE: bundle ? 'true' : 'false',
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
  say(`template: ${EMBEDDED_TEMPLATE_DIR}; building the server bundle (npm run build:server) so it is current`);
  execFileSync('npm', ['run', '-s', 'build:server'], { cwd: ROOT, stdio: 'inherit' });
  const current: number[] = [];
  const templateOnly: number[] = [];
  const baseline: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    baseline.push(await firstStart(false, false));
    say(`run ${i + 1} baseline (no template, sources through tsx): ${Math.round(baseline.at(-1) as number)} ms`);
    templateOnly.push(await firstStart(true, false));
    say(`run ${i + 1} template, sources through tsx: ${Math.round(templateOnly.at(-1) as number)} ms`);
    current.push(await firstStart(true, true));
    say(`run ${i + 1} template and bundle (npm start after npm ci): ${Math.round(current.at(-1) as number)} ms`);
  }
  const firstStartMs = Math.round(median(current));
  const templateOnlyMs = Math.round(median(templateOnly));
  const baselineMs = Math.round(median(baseline));
  say(
    `first start, median of ${RUNS}: ${firstStartMs} ms (template ${templateOnlyMs} ms without the bundle; ${baselineMs} ms with neither) (goal < ${GOAL_MS} ms)`,
  );
  console.log(
    JSON.stringify({
      bench: 'first-start',
      runs: RUNS,
      firstStartMs,
      templateOnlyMs,
      baselineMs,
      ratio: Math.round((baselineMs / firstStartMs) * 100) / 100,
      goalMs: GOAL_MS,
      met: firstStartMs < GOAL_MS,
      loadAverage: loadavg()[0],
    }),
  );
}

await main();
