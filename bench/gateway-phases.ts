// Where bench:gateway's sequential calls spend their time (issue 21): the event loop's delay and the garbage
// collector's pauses over the sequential phase (always), and with BENCH_PHASES=1 each gateway call cut into its
// phases by timestamps taken in this process (the bench is client, gateway, providing system and, on PGlite, the
// database at once, and its sequential phase has one call in flight): the client sending -> the server's request
// event -> the folded statement (token, admission, counters, grant) -> the providing system's request event -> the
// trace insert -> the response finished -> the client's end. Printed for the median and for the slowest 1 %, so a
// tail can be told apart: a statement waiting (PostgreSQL's WAL flush), a collection, or the process not running
// (other load on the machine shows as a stall in any phase).
import type http from 'node:http';
import { monitorEventLoopDelay, PerformanceObserver, performance } from 'node:perf_hooks';
import type { Kysely } from 'kysely';
import type { DB } from '../src/schema.ts';

type Mark = 'request' | 'fold:start' | 'fold:end' | 'provider' | 'trace:start' | 'trace:end' | 'finish';
const PHASES: [string, Mark | 'begin', Mark | 'end'][] = [
  ['toServer', 'begin', 'request'],
  ['beforeFold', 'request', 'fold:start'],
  ['fold', 'fold:start', 'fold:end'],
  ['toProvider', 'fold:end', 'provider'],
  ['beforeTrace', 'provider', 'trace:start'],
  ['trace', 'trace:start', 'trace:end'],
  ['toFinish', 'trace:end', 'finish'],
  ['toClient', 'finish', 'end'],
];

export interface PhaseProbe {
  /** a sequential gateway call from `begin` to `end` (performance.now()) */
  call(begin: number, end: number): void;
  /** stops the probe and prints what it saw; the summary for the bench's JSON line */
  report(say: (line: string) => void): {
    eventLoopDelayP99Ms: number;
    eventLoopDelayMaxMs: number;
    gcPauses: number;
    gcTotalMs: number;
    gcMaxMs: number;
  };
}

const ms = (n: number) => Math.round(n * 100) / 100;

export function startPhaseProbe(
  detailed: boolean,
  db: Kysely<DB>,
  server: http.Server,
  provider: http.Server,
): PhaseProbe {
  const marks: [number, Mark][] = [];
  const gcs: [number, number][] = [];
  const calls: [number, number][] = [];
  const gcObserver = new PerformanceObserver((list) => {
    for (const e of list.getEntries()) gcs.push([e.startTime, e.duration]);
  });
  gcObserver.observe({ entryTypes: ['gc'] });
  const delay = monitorEventLoopDelay({ resolution: 1 });
  delay.enable();
  const mark = (m: Mark) => marks.push([performance.now(), m]);
  const onRequest = (_req: http.IncomingMessage, res: http.ServerResponse) => {
    mark('request');
    res.once('finish', () => mark('finish'));
  };
  const onProvider = () => mark('provider');
  const original = db.executeQuery.bind(db);
  if (detailed) {
    server.prependListener('request', onRequest);
    provider.prependListener('request', onProvider);
    // the same object the routes were given (buildApp's `database.db`); only timestamps are added
    db.executeQuery = (async (query: Parameters<typeof original>[0]) => {
      const text = 'sql' in query ? query.sql : query.compile().sql;
      const kind = text.includes('token_for_call') ? 'fold' : text.includes('data_call_trace') ? 'trace' : null;
      if (kind) mark(`${kind}:start`);
      try {
        return await original(query);
      } finally {
        if (kind) mark(`${kind}:end`);
      }
    }) as typeof db.executeQuery;
  }
  return {
    call(begin, end) {
      if (detailed) calls.push([begin, end]);
    },
    report(say) {
      delay.disable();
      gcObserver.disconnect();
      if (detailed) {
        server.removeListener('request', onRequest);
        provider.removeListener('request', onProvider);
        db.executeQuery = original;
      }
      const gcTotal = gcs.reduce((a, [, d]) => a + d, 0);
      const gcMax = gcs.reduce((a, [, d]) => Math.max(a, d), 0);
      const summary = {
        eventLoopDelayP99Ms: ms(delay.percentile(99) / 1e6),
        eventLoopDelayMaxMs: ms(delay.max / 1e6),
        gcPauses: gcs.length,
        gcTotalMs: ms(gcTotal),
        gcMaxMs: ms(gcMax),
      };
      say(
        `sequential phase: event-loop delay p99 ${summary.eventLoopDelayP99Ms} ms, max ${summary.eventLoopDelayMaxMs} ms; ${gcs.length} GC pauses, ${summary.gcTotalMs} ms in all, longest ${summary.gcMaxMs} ms`,
      );
      if (!detailed || calls.length === 0) return summary;
      let next = 0;
      const rows = calls.map(([begin, end]) => {
        const at: Partial<Record<Mark | 'begin' | 'end', number>> = { begin, end };
        while (next < marks.length && (marks[next] as [number, Mark])[0] < begin) next++;
        for (let i = next; i < marks.length && (marks[i] as [number, Mark])[0] <= end; i++) {
          const [t, m] = marks[i] as [number, Mark];
          at[m] ??= t;
        }
        const row: Record<string, number> = { total: ms(end - begin) };
        for (const [name, from, to] of PHASES) row[name] = ms((at[to] ?? Number.NaN) - (at[from] ?? Number.NaN));
        row.gc = ms(gcs.filter(([t, d]) => t + d >= begin && t <= end).reduce((a, [, d]) => a + d, 0));
        return row;
      });
      const names = Object.keys(rows[0] as object);
      const line = (row: Record<string, number>) => names.map((n) => `${n} ${row[n]}`).join(', ');
      const median: Record<string, number> = {};
      for (const n of names) {
        const values = rows.map((r) => r[n] as number).sort((a, b) => a - b);
        median[n] = values[Math.floor(values.length / 2)] as number;
      }
      say(`gateway call phases (ms), median of each: ${line(median)}`);
      const slowest = [...rows].sort((a, b) => (b.total as number) - (a.total as number));
      for (const row of slowest.slice(0, Math.ceil(rows.length / 100))) say(`  slow call: ${line(row)}`);
      return summary;
    },
  };
}
