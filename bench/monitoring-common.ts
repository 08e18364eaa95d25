// Shared by bench/monitoring-ingest.ts and bench/monitoring-detect.ts: the database, a real Prometheus from
// Debian's package on a free port with its remote-write receiver, and its CPU seconds from /proc.
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';

export const say = (m: string) => process.stderr.write(`${m}\n`);
export const PROMETHEUS = process.env.PROMETHEUS_BIN ?? '/usr/bin/prometheus';

import { processCpuSeconds } from './database.ts';

export { openBenchDatabase } from './database.ts';

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

/** utime + stime of a process, in seconds (it must be running). */
export function cpuSecondsOf(pid: number): number {
  const seconds = processCpuSeconds(pid);
  if (seconds === null) throw new Error(`process ${pid} is gone: no CPU time to read`);
  return seconds;
}

export interface RunningPrometheus {
  url: string;
  pid: number;
  stop(): void;
}

/** Starts Prometheus with a temporary storage directory and the given configuration (default: no scraping). */
export async function startPrometheus(
  configText = 'global: { scrape_interval: 1h }\n',
  options: { dir?: string; args?: string[]; keep?: boolean } = {},
): Promise<RunningPrometheus | null> {
  if (!existsSync(PROMETHEUS)) {
    say(`${PROMETHEUS} is absent: the Prometheus side is skipped`);
    return null;
  }
  const dir = options.dir ?? mkdtempSync(path.join(tmpdir(), 'yunguan-bench-prom-'));
  writeFileSync(path.join(dir, 'prometheus.yml'), configText);
  const port = Number(process.env.BENCH_PROM_PORT) || (await freePort()); // a fixed port when the machine assigns ranges
  const child: ChildProcess = spawn(
    PROMETHEUS,
    [
      `--config.file=${path.join(dir, 'prometheus.yml')}`,
      `--storage.tsdb.path=${path.join(dir, 'data')}`,
      `--web.listen-address=127.0.0.1:${port}`,
      '--web.enable-remote-write-receiver',
      '--log.level=warn',
      ...(options.args ?? []),
    ],
    { stdio: ['ignore', 'ignore', 'inherit'] },
  );
  const url = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 200; i++) {
    try {
      if ((await fetch(`${url}/-/ready`)).ok) break;
    } catch {}
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    url,
    pid: child.pid as number,
    stop: () => {
      child.kill('SIGTERM');
      if (!options.keep) setTimeout(() => rmSync(dir, { recursive: true, force: true }), 2000).unref();
    },
  };
}

/** Runs `jobs` with at most `n` at a time. */
export async function pool<T>(items: T[], n: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: n }, async () => {
      while (next < items.length) await fn(items[next++] as T);
    }),
  );
}
