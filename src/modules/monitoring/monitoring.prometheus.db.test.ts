import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import path from 'node:path';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type TestApp, tempDir, testApp } from '../../../test/helpers.ts';
import { as, enableTotp, login, totpCode } from '../../../test/sessions.ts';
import { seedDemo } from '../../seed.ts';
import { foldStaged } from './monitoring.fold.ts';
import { pullOnce } from './monitoring.jobs.ts';

// A real Prometheus (Debian's package) scrapes itself, records a CPU utilisation series with a recording
// rule, and remote-writes everything to Yunguan: its samples must arrive and roll up.

const PROMETHEUS = '/usr/bin/prometheus';
const present = existsSync(PROMETHEUS);
if (!present)
  console.warn(
    `SKIPPED: ${PROMETHEUS} is absent (apt-get install prometheus) — the real remote-write test did not run`,
  );

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

let t: TestApp;
let prometheus: ChildProcess | undefined;
let dir: Awaited<ReturnType<typeof tempDir>>;
let promLog = '';
let promUrl = '';

describe.skipIf(!present)('a real Prometheus remote-writing to Yunguan', () => {
  beforeAll(async () => {
    t = await testApp();
    await seedDemo(t.database.db);
    const orgs = await t.database.db.selectFrom('organisation').select(['id', 'code']).execute();
    const id = (code: string) => orgs.find((o) => o.code === code)?.id as string;
    const city = await t.database.db
      .selectFrom('jurisdiction')
      .select('id')
      .where('code', '=', 'demo-city')
      .executeTakeFirstOrThrow();
    await sql`insert into resource (organisation_id, jurisdiction_id, provider_id, catalogue_item_code, name, external_id, state, delivered_at)
      values (${id('demo-health')}, ${city.id}, ${id('demo-provider-a')}, 'ecs', 'vm-prom', 'i-prom-0001', 'active', now())`.execute(
      t.database.db,
    );
    const admin = await login(t.app, 'provideradmin');
    const token = (
      await as(t.app, admin, {
        method: 'POST',
        url: '/api/v1/api-tokens',
        payload: { name: 'prometheus', scopes: ['monitoring:ingest'], expiresInDays: 1 },
      })
    ).json().token as string;
    const appPort = await freePort();
    await t.app.listen({ port: appPort, host: '127.0.0.1' });
    const promPort = await freePort();
    promUrl = `http://127.0.0.1:${promPort}`;
    dir = await tempDir('yunguan-prom-');
    await writeFile(
      path.join(dir.path, 'rules.yml'),
      [
        'groups:',
        '  - name: yunguan',
        '    interval: 1s',
        '    rules:',
        '      - record: yunguan_cpu_utilisation_percent',
        '        expr: rate(process_cpu_seconds_total[5s]) * 100',
      ].join('\n'),
    );
    await writeFile(
      path.join(dir.path, 'prometheus.yml'),
      [
        'global: { scrape_interval: 1s, evaluation_interval: 1s }',
        'rule_files: [rules.yml]',
        'scrape_configs:',
        '  - job_name: self',
        `    static_configs: [{ targets: ['127.0.0.1:${promPort}'], labels: { instance_id: 'i-prom-0001' } }]`,
        'remote_write:',
        `  - url: http://127.0.0.1:${appPort}/api/v1/monitoring/remote-write`,
        `    authorization: { credentials: '${token}' }`,
        '    queue_config: { batch_send_deadline: 1s, min_backoff: 100ms, max_backoff: 1s }',
      ].join('\n'),
    );
    prometheus = spawn(
      PROMETHEUS,
      [
        `--config.file=${path.join(dir.path, 'prometheus.yml')}`,
        `--storage.tsdb.path=${path.join(dir.path, 'data')}`,
        `--web.listen-address=127.0.0.1:${promPort}`,
        '--web.enable-remote-write-receiver',
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    prometheus.stderr?.on('data', (d) => {
      promLog = (promLog + String(d)).slice(-20_000);
    });
  }, 60_000);

  afterAll(async () => {
    prometheus?.kill('SIGTERM');
    await t?.close();
    await dir?.remove();
  });

  it('its samples arrive and roll up hourly; its other series are listed as unsupported', async () => {
    const deadline = Date.now() + 60_000;
    let rows: { metric: string; count: number; sum: number; max: number }[] = [];
    while (Date.now() < deadline) {
      await foldStaged(t.database.db); // remote-writes are staged; the fold job would roll them up
      const r = await sql<{ metric: string; count: number; sum: number; max: number }>`
        select metric, sum(count)::int as count, sum(sum) as sum, max(max) as max from monitoring_rollup m
        join resource r on r.id = m.resource_id where r.external_id = 'i-prom-0001' group by metric order by metric`.execute(
        t.database.db,
      );
      rows = r.rows;
      if (rows.length === 2 && rows.every((x) => x.count >= 3)) break;
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
    expect(
      rows.map((r) => r.metric),
      promLog,
    ).toEqual(['cpu', 'heartbeat']);
    const up = rows.find((r) => r.metric === 'heartbeat');
    expect(up?.sum).toBe(up?.count); // up = 1 on every scrape
    const cpu = rows.find((r) => r.metric === 'cpu');
    expect(cpu?.max).toBeGreaterThanOrEqual(0);
    const agent = await t.database.db.selectFrom('monitoring_agent').select('last_sample_at').executeTakeFirstOrThrow();
    expect(Date.now() - agent.last_sample_at.getTime()).toBeLessThan(30_000);
    const unmapped = await t.database.db.selectFrom('monitoring_unmapped').select(['series', 'reason']).execute();
    expect(unmapped).toContainEqual({ series: 'go_goroutines', reason: 'unsupported_metric' });
    expect(promLog).not.toMatch(/non-recoverable|status 4\d\d/);
  }, 90_000);

  it('pull mode: query_range against the same Prometheus rolls up its `up` for the resource', async () => {
    const reviewer = await login(t.app, 'reviewer');
    // The pull goes through the egress guard: this Prometheus listens on loopback, which the system
    // administrator has to allow explicitly (host and network) before ops may point the pull at it.
    const refused = await as(t.app, reviewer, {
      method: 'PUT',
      url: '/api/v1/monitoring/settings',
      payload: { pullUrl: promUrl },
    });
    expect(refused.statusCode, refused.body).toBe(422);
    const sysadmin = await login(t.app, 'sysadmin', {
      totp: await totpCode(await enableTotp(t.database.db, 'sysadmin')),
    });
    const policy = await as(t.app, sysadmin, {
      method: 'PUT',
      url: '/api/v1/webhooks/egress-policy',
      payload: { allowedHosts: ['127.0.0.1'], allowedNetworks: ['127.0.0.1/32'] },
    });
    expect(policy.statusCode, policy.body).toBe(200);
    const put = await as(t.app, reviewer, {
      method: 'PUT',
      url: '/api/v1/monitoring/settings',
      payload: { pullUrl: promUrl },
    });
    expect(put.statusCode, put.body).toBe(200);
    const city = await t.database.db
      .selectFrom('jurisdiction')
      .select('id')
      .where('code', '=', 'demo-city')
      .executeTakeFirstOrThrow();
    const before = await sql<{
      n: number;
    }>`select coalesce(sum(count), 0)::int as n from monitoring_rollup where metric = 'heartbeat'`.execute(
      t.database.db,
    );
    const result = await pullOnce(t.database.db, city.id, new Date(Date.now() + 120_000));
    expect(result?.accepted).toBeGreaterThan(0);
    const after = await sql<{
      n: number;
    }>`select coalesce(sum(count), 0)::int as n from monitoring_rollup where metric = 'heartbeat'`.execute(
      t.database.db,
    );
    expect(after.rows[0]?.n).toBeGreaterThan(before.rows[0]?.n ?? 0);
    // the cursor moved: the same minute is not pulled twice
    const again = await pullOnce(t.database.db, city.id, new Date(Date.now() + 120_000));
    expect(again?.accepted).toBe(0);
  }, 60_000);
});
