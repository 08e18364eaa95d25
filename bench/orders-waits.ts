// bench:orders: the wait sampler, run in a child process (docs/decisions.md, issue 24, lane orders27): its
// queries of pg_stat_activity and its /proc reads every 50 ms are then not the measured Node process's work.
import { fork } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import pg from 'pg';

export interface WaitShares {
  waits: Record<string, number>;
  lockedStatements: Record<string, number>;
  backendCpuMs: number;
  clientCpuMs: number;
}

/**
 * Starts sampling in a child process (this file run with tsx); `addClient` names a client process (pgbench)
 * whose CPU counts as the client side's; `stop` answers the shares and CPU times.
 */
export async function forkSampler(url: string) {
  const child = fork(fileURLToPath(import.meta.url), [url], { execArgv: ['--import', 'tsx'], stdio: 'inherit' });
  const result = new Promise<WaitShares>((resolve, reject) => {
    child.on('message', (m: { ready?: boolean; result?: WaitShares }) => {
      if (m.result) resolve(m.result);
    });
    child.on('exit', (code) => reject(new Error(`bench:orders: the wait sampler exited (${code})`)));
  });
  await new Promise<void>((resolve, reject) => {
    child.once('message', () => resolve());
    child.once('error', reject);
  });
  const sent = new Set<number>();
  return {
    addClient(pid: number) {
      if (sent.has(pid)) return;
      sent.add(pid);
      child.send({ client: pid });
    },
    async stop(): Promise<WaitShares> {
      child.send({ stop: true });
      return result;
    },
  };
}

const TICKS_PER_SECOND = 100; // USER_HZ on Linux (getconf CLK_TCK)

/** utime + stime of a process from /proc, in clock ticks; undefined once it is gone (or off Linux). */
function cpuTicks(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return Number(fields[11]) + Number(fields[12]);
  } catch {
    return undefined;
  }
}

/**
 * Samples, every 50 ms, what the active sessions of the bench's database wait on (pg_stat_activity); `stop`
 * answers each wait's share of the samples ("CPU" when not waiting), the five largest.
 */
async function sampleWaits(url: string, clientPids: Set<number> = new Set()) {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  const counts = new Map<string, number>();
  const statements = new Map<string, number>();
  // CPU ticks of each backend of the database and each client process (pgbench), first and last seen
  const backendTicks = new Map<number, [number, number]>();
  const clientTicks = new Map<number, [number, number]>();
  const note = (m: Map<number, [number, number]>, pid: number) => {
    const ticks = cpuTicks(pid);
    if (ticks === undefined) return;
    const seen = m.get(pid);
    m.set(pid, [seen?.[0] ?? ticks, ticks]);
  };
  let total = 0;
  let running = true;
  const loop = (async () => {
    while (running) {
      const { rows } = await client.query(
        `select pid, state = 'active' as active, coalesce(wait_event_type || ':' || wait_event, 'CPU') as w,
                wait_event_type = 'Lock' as locked, left(regexp_replace(query, '\\s+', ' ', 'g'), 70) as q
           from pg_stat_activity
          where pid <> pg_backend_pid() and datname = current_database() and backend_type = 'client backend'`,
      );
      for (const r of rows) {
        note(backendTicks, r.pid);
        if (!r.active) continue;
        counts.set(r.w, (counts.get(r.w) ?? 0) + 1);
        total++;
        if (r.locked) statements.set(`${r.w} ${r.q}`, (statements.get(`${r.w} ${r.q}`) ?? 0) + 1);
      }
      for (const pid of clientPids) note(clientTicks, pid);
      await new Promise((r) => setTimeout(r, 50));
    }
  })();
  const cpuMs = (m: Map<number, [number, number]>) =>
    [...m.values()].reduce((sum, [first, last]) => sum + last - first, 0) * (1000 / TICKS_PER_SECOND);
  return {
    async stop(): Promise<{
      waits: Record<string, number>;
      lockedStatements: Record<string, number>;
      backendCpuMs: number;
      clientCpuMs: number;
    }> {
      running = false;
      await loop;
      await client.end();
      const top = (m: Map<string, number>) =>
        Object.fromEntries(
          [...m]
            .sort((a, b) => b[1] - a[1])
            .slice(0, 5)
            .map(([w, n]) => [w, Math.round((n / Math.max(1, total)) * 1000) / 1000]),
        );
      return {
        waits: top(counts),
        lockedStatements: top(statements),
        backendCpuMs: cpuMs(backendTicks),
        clientCpuMs: cpuMs(clientTicks),
      };
    },
  };
}

// The child: samples until told to stop, then sends the result and exits.
if (process.argv[1] === fileURLToPath(import.meta.url) && process.send) {
  const url = process.argv[2] as string;
  const clients = new Set<number>();
  const sampler = await sampleWaits(url, clients);
  process.on('message', async (m: { client?: number; stop?: boolean }) => {
    if (m.client) clients.add(m.client);
    if (m.stop) {
      const result = await sampler.stop();
      process.send?.({ result }, () => process.exit(0));
    }
  });
  process.send({ ready: true });
}
