import { describe, expect, it } from 'vitest';
import type { Clock } from '../src/platform/time/clock.ts';
import { shanghaiDay } from '../src/platform/time/time.ts';
import { apiSession, at, buttonName, login, logout, setUpConsole, unexpectedErrors, visible } from './harness.ts';

/*
 * Issue 18's last pieces in the browser, with axe on every shot: provider A's agent sends heartbeats for one of its
 * resources and the incidents page shows the availability measured from them (per provider, system and resource);
 * the ops unit schedules the city-wide monthly report for itself and the authority, sees when it will run, and pauses
 * it; provider A does not see the city's schedule. Chinese throughout, names not ids.
 */

// The server's clock runs at real speed from 12:00 on the 15th of the current Shanghai month, so the month the
// page shows always has complete hours of heartbeats behind "now", whatever the day the suite runs (it failed in
// the first two hours of a month on the real clock). The browser keeps the real clock: the same month.
const offset = new Date(`${shanghaiDay(new Date()).slice(0, 7)}-15T12:00:00+08:00`).getTime() - Date.now();
const serverClock: Clock = { now: () => new Date(Date.now() + offset) };
const ui = setUpConsole({ clock: serverClock });
const PROVIDER_A = '示范政务云服务商甲';

describe('measured availability and scheduled reports in the console', () => {
  it('heartbeats of a provider A resource show as availability measured by the monitoring', async () => {
    const admin = await apiSession(ui.serverUrl, 'provideradmin');
    const { token } = await admin('POST', '/api/v1/api-tokens', {
      name: '端到端心跳',
      scopes: ['monitoring:ingest'],
      expiresInDays: 30,
    });
    const approver = await apiSession(ui.serverUrl, 'approver');
    const list = await approver('GET', '/api/v1/inventory/resources?limit=200');
    const resource = list.items.find(
      (x: { externalId: string | null; state: string; providerName: string }) =>
        x.externalId && x.state !== 'reclaimed' && x.providerName === PROVIDER_A,
    );
    expect(resource).toBeTruthy();
    const now = serverClock.now().getTime();
    const samples: [number, number][] = [];
    for (let m = 115; m >= 5; m -= 5) samples.push([now - m * 60_000, 1]);
    const sent = await fetch(new URL('/api/v1/monitoring/samples', ui.serverUrl), {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ series: [{ resource: resource.externalId, metric: 'heartbeat', samples }] }),
    });
    expect(sent.status, await sent.text()).toBe(200);
    // a detection run folds what was staged into the hourly rollups first
    const reviewer = await apiSession(ui.serverUrl, 'reviewer');
    await reviewer('POST', '/api/v1/monitoring/detection-runs');

    const page = ui.page;
    await ui.signedOut('/operations/incidents');
    await login(page, 'provider');
    await at(page, '/operations/incidents');
    const card = page.locator('.ant-card').filter({ hasText: '心跳监测可用性' });
    await visible(card.getByRole('cell', { name: PROVIDER_A }));
    await visible(card.getByRole('cell', { name: '100.0000%' }).first());
    await card.getByRole('tab', { name: '按资源' }).click();
    await visible(card.getByRole('cell', { name: resource.name }));
    await ui.shot('operations-measured-availability.png');
    await logout(page);
  });

  it('the ops unit schedules the city-wide monthly report for itself and the authority, then pauses it', async () => {
    const page = ui.page;
    await page.goto(ui.url('/operations/reports'));
    await login(page, 'reviewer');
    await at(page, '/operations/reports');
    const card = page.locator('.ant-card').filter({ hasText: '定时报告' });
    await card.getByText('月报', { exact: true }).click();
    await card.getByRole('checkbox', { name: '运管审核员' }).check();
    await card.getByRole('checkbox', { name: '主管部门审批人' }).check();
    await card.getByRole('button', { name: buttonName('新建定时报告') }).click();
    const row = card.locator('tbody tr').filter({ hasText: '运管审核员、主管部门审批人' });
    await visible(row.getByText('启用'));
    await visible(row.getByText('全市'));
    await visible(row.getByText(/下次报告期起 \d{4}-\d{2}-01/));
    await ui.shot('operations-report-schedules.png');
    await row.getByRole('button', { name: buttonName('暂停') }).click();
    await visible(row.getByText('已暂停'));
    await logout(page);

    await page.goto(ui.url('/operations/reports'));
    await login(page, 'provider');
    const mine = page.locator('.ant-card').filter({ hasText: '定时报告' });
    await visible(mine.getByText('暂无定时报告'));
    await ui.shot('operations-report-schedules-provider.png');
    await logout(page);
    expect(unexpectedErrors(ui.browserErrors)).toEqual([]);
  });
});
