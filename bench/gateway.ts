// npm run bench:gateway: what the data gateway adds to a call. A providing system is started on 127.0.0.1;
// the same request goes to it directly and through Yunguan's gateway (token authentication, grant, database
// rate counter, sealed credential, egress guard, field filtering, trace), alternately, in the same run, over
// real HTTP with keep-alive clients. Prints calls per second and latencies of both, the added p99, whether
// every gateway call was traced, and one JSON line last. PGlite unless DATABASE_URL / TEST_DATABASE_URL.
//   BENCH_CALLS (default 2000) sequential calls per side for latency; BENCH_SECONDS (5) per side for
//   throughput with BENCH_CLIENTS (8) concurrent clients; BENCH_GATEWAY_NODE_ARGS, Node flags for the gateway's
//   process (e.g. --cpu-prof).
// The gateway runs in a process of its own (bench/gateway-server.ts), as it is deployed; this process holds
// the clients and the providing system, which both sides use alike. Latency on a shared 2-core machine swings
// with everyone else's load; the CPU each side spends per call in the throughput phase moves much less, so it
// is printed beside the latencies (`cpuMsPerCall`: both processes, and on PostgreSQL the gateway's backends).
import { type ChildProcess, fork } from 'node:child_process';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import { performance } from 'node:perf_hooks';
import type { GatewayServerMessage, GatewayServerRequest } from './gateway-server.ts';

const CALLS = Number(process.env.BENCH_CALLS ?? 2000);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 5);
const CLIENTS = Number(process.env.BENCH_CLIENTS ?? 8);
const GOAL_MS = 2;
const say = (line: string) => process.stderr.write(`${line}\n`);

const RECORDS = Array.from({ length: 20 }, (_, i) => ({
  personId: `P${String(i).padStart(4, '0')}`,
  name: `居民${i}`,
  idNumber: `33020319900101${String(i).padStart(4, '0')}`,
  birthDate: '1990-01-01',
  bloodType: 'A',
}));
const ANSWER = JSON.stringify({ code: 0, data: { records: RECORDS } });

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;
}
const round = (n: number) => Math.round(n * 1000) / 1000;

function request(agent: http.Agent, url: URL, headers: Record<string, string>): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = http.get(url, { agent, headers }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', reject);
  });
}

/** The gateway's process, and a way to ask it something and wait for its answer of that kind. */
function startGateway(providerUrl: string) {
  const child: ChildProcess = fork(new URL('./gateway-server.ts', import.meta.url), {
    // BENCH_GATEWAY_NODE_ARGS: flags for the gateway's process only (e.g. --cpu-prof)
    execArgv: ['--import', 'tsx', ...(process.env.BENCH_GATEWAY_NODE_ARGS ?? '').split(' ').filter(Boolean)],
    env: { ...process.env, BENCH_PROVIDER_URL: providerUrl },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const next = <K extends GatewayServerMessage['kind']>(kind: K) =>
    new Promise<Extract<GatewayServerMessage, { kind: K }>>((resolve, reject) => {
      const onMessage = (message: GatewayServerMessage) => {
        if (message.kind !== kind) return;
        child.off('message', onMessage);
        child.off('exit', onExit);
        resolve(message as Extract<GatewayServerMessage, { kind: K }>);
      };
      const onExit = (code: number | null) => reject(new Error(`the gateway's process exited (${code})`));
      child.on('message', onMessage);
      child.once('exit', onExit);
    });
  const ask = <K extends GatewayServerMessage['kind']>(request: GatewayServerRequest, kind: K) => {
    const answer = next(kind);
    child.send(request);
    return answer;
  };
  const stop = () =>
    new Promise<void>((resolve) => {
      if (child.exitCode !== null) return resolve();
      child.once('exit', () => resolve());
      child.send({ kind: 'close' } satisfies GatewayServerRequest);
    });
  return { ready: next('ready'), ask, send: (r: GatewayServerRequest) => child.send(r), stop };
}

async function main() {
  const provider = http.createServer((req, res) => {
    if (req.headers.authorization !== 'Bearer bench-secret') {
      res.writeHead(401).end();
      return;
    }
    res.writeHead(200, { 'content-type': 'application/json' }).end(ANSWER);
  });
  provider.keepAliveTimeout = 60_000;
  await new Promise<void>((r) => provider.listen(0, '127.0.0.1', r));
  const providerUrl = `http://127.0.0.1:${(provider.address() as AddressInfo).port}`;
  const gatewayProcess = startGateway(providerUrl);
  try {
    const ready = await gatewayProcess.ready;
    const kind = ready.database;
    const gatewayUrl = new URL(ready.gatewayUrl);
    const directUrl = new URL(`${providerUrl}/people`);
    const sides = {
      direct: { url: directUrl, headers: { authorization: 'Bearer bench-secret' } },
      gateway: { url: gatewayUrl, headers: { authorization: ready.authorization } },
    };
    const agent = new http.Agent({ keepAlive: true, maxSockets: CLIENTS });
    const probe = await request(agent, gatewayUrl, sides.gateway.headers);
    if (probe !== 200) throw new Error(`the gateway answered ${probe}`);
    const before = (await gatewayProcess.ask({ kind: 'traces' }, 'traces')).count;

    say(`warming up, then ${CALLS} sequential calls per side, alternating (${kind})`);
    for (let i = 0; i < 200; i++) {
      await request(agent, directUrl, sides.direct.headers);
      await request(agent, gatewayUrl, sides.gateway.headers);
    }
    const latency = { direct: [] as number[], gateway: [] as number[] };
    let failures = 0;
    for (let i = 0; i < CALLS; i++) {
      for (const side of i % 2 === 0 ? (['direct', 'gateway'] as const) : (['gateway', 'direct'] as const)) {
        const t0 = performance.now();
        const status = await request(agent, sides[side].url, sides[side].headers);
        latency[side].push(performance.now() - t0);
        if (status !== 200) failures++;
      }
    }
    const throughput: Record<'direct' | 'gateway', number> = { direct: 0, gateway: 0 };
    const counted: Record<'direct' | 'gateway', number> = { direct: 0, gateway: 0 };
    const cpuPerCall: Record<'direct' | 'gateway', number> = { direct: 0, gateway: 0 };
    for (const side of ['direct', 'gateway'] as const) {
      say(`${side}: ${CLIENTS} clients for ${SECONDS} s`);
      let calls = 0;
      const cpu = process.cpuUsage();
      gatewayProcess.send({ kind: 'cpu-start' });
      const end = performance.now() + SECONDS * 1000;
      const started = performance.now();
      await Promise.all(
        Array.from({ length: CLIENTS }, async () => {
          while (performance.now() < end) {
            const status = await request(agent, sides[side].url, sides[side].headers);
            if (status !== 200) failures++;
            calls++;
          }
        }),
      );
      throughput[side] = calls / ((performance.now() - started) / 1000);
      const own = process.cpuUsage(cpu);
      const server = await gatewayProcess.ask({ kind: 'cpu-read' }, 'cpu');
      // both sides count both processes (the gateway's is idle while the direct side runs)
      cpuPerCall[side] = ((own.user + own.system) / 1000 + server.processMs + server.databaseMs) / calls;
      counted[side] = calls;
    }
    const after = (await gatewayProcess.ask({ kind: 'traces' }, 'traces')).count;
    const gatewayCalls = 200 + CALLS + counted.gateway;
    const stats = (xs: number[]) => {
      const s = [...xs].sort((a, b) => a - b);
      return {
        p50: round(percentile(s, 50)),
        p99: round(percentile(s, 99)),
        mean: round(s.reduce((a, b) => a + b, 0) / s.length),
      };
    };
    const direct = {
      ...stats(latency.direct),
      callsPerSecond: Math.round(throughput.direct),
      cpuMsPerCall: round(cpuPerCall.direct),
    };
    const gateway = {
      ...stats(latency.gateway),
      callsPerSecond: Math.round(throughput.gateway),
      cpuMsPerCall: round(cpuPerCall.gateway),
    };
    const addedP99 = round(gateway.p99 - direct.p99);
    const result = {
      bench: 'gateway',
      database: kind,
      sequentialCallsPerSide: CALLS,
      clients: CLIENTS,
      seconds: SECONDS,
      loadAverage: os.loadavg()[0],
      direct,
      gateway,
      addedP50Ms: round(gateway.p50 - direct.p50),
      addedP99Ms: addedP99,
      addedCpuMsPerCall: round(gateway.cpuMsPerCall - direct.cpuMsPerCall),
      goalAddedP99Ms: GOAL_MS,
      goalMet: addedP99 <= GOAL_MS,
      gatewayCalls,
      traced: after - before,
      everyCallTraced: after - before === gatewayCalls,
      failures,
    };
    say(
      `direct p50 ${direct.p50} ms p99 ${direct.p99} ms ${direct.callsPerSecond}/s (CPU ${direct.cpuMsPerCall} ms a call); gateway p50 ${gateway.p50} ms p99 ${gateway.p99} ms ${gateway.callsPerSecond}/s (CPU ${gateway.cpuMsPerCall} ms a call); added p99 ${addedP99} ms (goal ${GOAL_MS}); traced ${after - before}/${gatewayCalls}`,
    );
    agent.destroy();
    console.log(JSON.stringify(result));
  } finally {
    await gatewayProcess.stop();
    await new Promise<void>((r) => provider.close(() => r()));
  }
}

await main();
