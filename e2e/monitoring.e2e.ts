import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import {
  apiSession,
  buttonName,
  chooseOption,
  login,
  logout,
  setUpConsole,
  textOf,
  unexpectedErrors,
  visible,
} from './harness.ts';

/*
 * Issue 8 through the browser: samples arrive through the JSON batch API with a provider's API token, the ops
 * reviewer runs detection, sees the low-utilisation finding with its evidence chart and proposes a warning; the
 * authority approves it, the unit answers (downsize), the reviewer accepts; the utilisation table and the heat
 * map of units render. The server's clock is real, so the jurisdiction's accepted window is widened to 7 days
 * and its detection window shortened to 5 (both through PUT /monitoring/settings) to push a usable history.
 */

const ui = setUpConsole();

/** A signed-in API client of its own (cookie + CSRF), beside the browser. */
const apiAs = (username: string) => apiSession(ui.serverUrl, username);

const HOUR = 3_600_000;
const IDLE = 'e2e-mon-idle-01';
const BUSY = 'e2e-mon-busy-01';
const EDU = 'e2e-mon-edu-01';
const REASON = '端到端测试：近5日CPU平均不足10%';

/** One sample per hour for the last 6 days (the accepted window is 7 days), `value(hour)` per metric. */
function hourly(resource: string, metric: string, value: (i: number) => number) {
  const now = Date.now();
  const samples: [number, number][] = [];
  for (let i = 6 * 24; i >= 1; i--) samples.push([now - i * HOUR + 5 * 60_000, value(i)]);
  return { resource, metric, samples };
}

/** The Asia/Shanghai calendar month of an instant, YYYY-MM (the console's and the server's periods are). */
const shanghaiMonth = (ms: number) => new Date(ms + 8 * HOUR).toISOString().slice(0, 7);

/** A table row (hidden tabs are not rendered), containing `text`. */
const rowOf = (text: string) => ui.page.locator('.ant-table-tbody tr', { hasText: text });

describe('usage monitoring in the console', () => {
  it('samples arrive through the JSON batch API with an API token', async () => {
    const db = ui.server.database.db;
    const orgs = await db.selectFrom('organisation').select(['id', 'code']).execute();
    const id = (code: string) => orgs.find((o) => o.code === code)?.id as string;
    const city = await db
      .selectFrom('jurisdiction')
      .select('id')
      .where('code', '=', 'demo-city')
      .executeTakeFirstOrThrow();
    // Resources as the monitoring tests create them: VMs run by provider A, delivered 60 days ago.
    const delivered = new Date(Date.now() - 60 * 24 * HOUR);
    for (const [name, org] of [
      [IDLE, 'demo-health'],
      [BUSY, 'demo-health'],
      [EDU, 'demo-education'],
    ] as const) {
      await sql`
        insert into resource (organisation_id, jurisdiction_id, provider_id, catalogue_item_code, name, external_id,
          state, quantities, delivered_at)
        values (${id(org)}, ${city.id}, ${id('demo-provider-a')}, 'ecs', ${name}, ${name}, 'active', '{"vcpu": 4}',
          ${delivered})`.execute(db);
    }

    const reviewer = await apiAs('reviewer');
    await reviewer('PUT', '/api/v1/monitoring/settings', {
      outOfOrderMinutes: 7 * 24 * 60,
      thresholds: { windowDays: 5, zombieWindowDays: 5 },
    });
    const provideradmin = await apiAs('provideradmin');
    const { token } = await provideradmin('POST', '/api/v1/api-tokens', {
      name: 'e2e monitoring agent',
      scopes: ['monitoring:ingest'],
      expiresInDays: 1,
    });
    expect(token).toBeTruthy();
    const series = [
      // idle: CPU 3-8 %, but real network traffic (so low utilisation, not a zombie)
      hourly(IDLE, 'cpu', (i) => 3 + (i % 6)),
      hourly(IDLE, 'network_in', () => 80_000),
      hourly(IDLE, 'network_out', () => 40_000),
      hourly(IDLE, 'memory', () => 22),
      hourly(BUSY, 'cpu', (i) => 40 + (i % 30)),
      hourly(BUSY, 'network_in', () => 500_000),
      hourly(BUSY, 'memory', () => 61),
      hourly(EDU, 'cpu', (i) => 25 + (i % 20)),
      hourly(EDU, 'network_in', () => 200_000),
      ...[IDLE, BUSY, EDU].map((r) => hourly(r, 'heartbeat', () => 1)),
    ];
    const res = await fetch(new URL('/api/v1/monitoring/samples', ui.serverUrl), {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ series }),
    });
    const text = await res.text();
    expect(res.status, text).toBe(200);
    expect(JSON.parse(text)).toMatchObject({ series: series.length, accepted: series.length * 144, unmappedSeries: 0 });
  });

  it('the reviewer runs detection, reads the finding’s evidence chart and proposes a warning', async () => {
    const { page } = ui;
    page.setDefaultTimeout(20_000);
    await ui.signedOut();
    await login(page, 'reviewer');
    await page.getByRole('menuitem', { name: '使用监测' }).click();
    await visible(page.getByRole('tab', { name: '监测发现' }));
    await page.getByRole('button', { name: '立即检测' }).click();
    await visible(page.getByText('检测完成'));
    // the demo's other resources never reported (silent agents): show the low-utilisation findings only
    await page.locator('.ant-segmented-item', { hasText: '使用率低' }).click();
    const row = rowOf(IDLE);
    await visible(row.getByText('使用率低'));
    expect(await textOf(row)).toContain('示范市卫生健康委员会');
    // the busy VM and the education VM hold no finding
    await expect(rowOf(BUSY).count()).resolves.toBe(0);
    await expect(rowOf(EDU).count()).resolves.toBe(0);

    await row.getByRole('button', { name: buttonName('证据') }).click();
    const drawer = page.locator('.ant-drawer-section');
    const chart = drawer.getByRole('img', { name: '规则窗口内该资源的每日CPU' });
    await visible(chart.locator('canvas').first());
    expect(await textOf(drawer)).toContain('low_utilisation/1');
    await visible(drawer.getByText('CPU平均', { exact: false }).first());
    await ui.shot('monitoring-finding-evidence-zh.png');
    await drawer.locator('.ant-drawer-close').click();

    await row.getByRole('button', { name: '发起警告' }).click();
    const dialog = page.getByRole('dialog', { name: '发起警告' });
    await dialog.getByLabel('事由').fill(REASON);
    await ui.shot('monitoring-propose-warning-zh.png');
    await dialog.getByRole('button', { name: buttonName('确定') }).click();
    await visible(page.getByText('已报主管部门审核'));
    await page.getByRole('tab', { name: '警告整改' }).click();
    await visible(rowOf(REASON).getByText('待审核'));
    // ops proposes; only the authority approves
    await expect(rowOf(REASON).getByRole('button', { name: '同意警告' }).count()).resolves.toBe(0);
    expect(unexpectedErrors(ui.browserErrors)).toEqual([]);
  });

  it('the authority approves the warning; the unit answers (downsize); the reviewer accepts', async () => {
    const { page } = ui;
    await logout(page);
    await login(page, 'approver');
    // the list's rows are complete: no request per row for its finding
    const findingRequests: string[] = [];
    const onRequest = (r: { url(): string }) => {
      if (r.url().includes('/api/v1/monitoring/findings/')) findingRequests.push(r.url());
    };
    page.on('request', onRequest);
    await page.goto(ui.url('/monitoring?tab=rectifications'));
    const row = rowOf(REASON);
    await visible(row.getByText('待审核'));
    await expect(row.getByRole('button', { name: '发起警告' }).count()).resolves.toBe(0);
    // the authority sees which resource of which unit, and the evidence, before approving
    await visible(row.getByText(IDLE));
    expect(await textOf(row)).toContain('示范市卫生健康委员会');
    expect(await textOf(row)).toContain('使用率低');
    page.off('request', onRequest);
    expect(findingRequests).toEqual([]);
    // filtered by unit on the server: the education bureau has no warning, the health commission this one
    const unitFilter = page.getByRole('combobox', { name: '单位' });
    await unitFilter.click();
    await chooseOption(page, '示范市教育局');
    await visible(page.locator('.ant-table-placeholder'));
    await expect(rowOf(REASON).count()).resolves.toBe(0);
    await unitFilter.click();
    await chooseOption(page, '示范市卫生健康委员会');
    await visible(row.getByText('待审核'));
    await row.getByRole('button', { name: buttonName('证据') }).click();
    const drawer = page.locator('.ant-drawer-section');
    await visible(drawer.getByRole('img', { name: '规则窗口内该资源的每日CPU' }).locator('canvas').first());
    await drawer.locator('.ant-drawer-close').click();
    await drawer.waitFor({ state: 'hidden' });
    await row.getByRole('button', { name: '同意警告' }).click();
    await visible(row.getByText('已警告'));
    expect(await textOf(row)).toMatch(/\d{4}-\d{2}-\d{2}/);
    await ui.shot('monitoring-warning-approved-zh.png');

    await logout(page);
    await login(page, 'applicant');
    await page.goto(ui.url('/monitoring?tab=rectifications'));
    await visible(rowOf(REASON).getByText('已警告'));
    await expect(rowOf(REASON).getByRole('button', { name: '同意警告' }).count()).resolves.toBe(0);
    await rowOf(REASON)
      .getByRole('button', { name: buttonName('缩容') })
      .click();
    const answer = page.getByRole('dialog', { name: '答复警告' });
    await answer.getByRole('textbox').fill('已将该虚拟机缩容至 2 vCPU');
    await answer.getByRole('button', { name: buttonName('确定') }).click();
    await visible(rowOf(REASON).getByText('已答复'));
    expect(await textOf(rowOf(REASON))).toContain('已将该虚拟机缩容至 2 vCPU');
    await ui.shot('monitoring-unit-answered-zh.png');

    await logout(page);
    await login(page, 'reviewer');
    await page.goto(ui.url('/monitoring?tab=rectifications'));
    await rowOf(REASON)
      .getByRole('button', { name: buttonName('通过') })
      .click();
    const review = page.getByRole('dialog', { name: '审核答复' });
    await review.getByRole('textbox').fill('已核实缩容');
    await review.getByRole('button', { name: buttonName('确定') }).click();
    await visible(rowOf(REASON).getByText('已通过'));
    await ui.shot('monitoring-rectification-accepted-zh.png');
    expect(unexpectedErrors(ui.browserErrors)).toEqual([]);
  });

  it('the weekly utilisation table and the heat map of units render', async () => {
    const { page } = ui;
    await page.getByRole('tab', { name: '使用率报表' }).click();
    // The page opens on last week when it has samples, else on the current week (issue 16): the planted six days
    // lie in one or the other, so the week shown has figures, never an empty period.
    await visible(rowOf('示范市卫生健康委员会'));
    await visible(rowOf('全市合计'));
    // the city row's average CPU (the fourth column) is a figure, not a dash
    await expect.poll(() => rowOf('全市合计').locator('td').nth(3).textContent(), { timeout: 20_000 }).toMatch(/\d/);
    const heat = page.getByRole('img', { name: '各单位每日平均CPU' });
    await visible(heat.locator('canvas').first());
    await ui.shot('monitoring-reports-zh.png');
    // monthly, and the export link answers with a workbook
    await page.locator('.ant-segmented-item', { hasText: '月报' }).click();
    const table = page.getByTestId('utilisation-table');
    await visible(table.locator('.ant-table-tbody tr', { hasText: '示范市卫生健康委员会' }));
    // the week shown becomes a month of the Asia/Shanghai calendar (the current one, or last week's)
    const analysis = page.getByTestId('monthly-analysis');
    await visible(analysis.getByText(/\d{4}-\d{2} 月度分析/).first());
    // the month's right-sizing suggestions (TZ 12(5)), of the month the middle of the planted 6 days lies in
    // (in a month's first hour the current month holds no sample yet): the idle VM is to be downsized, the busy one kept
    const dataMonth = shanghaiMonth(Date.now() - 3 * 24 * HOUR);
    const picker = page.getByTestId('utilisation-table').locator('.ant-picker input');
    await picker.click();
    await picker.fill(dataMonth);
    await picker.press('Enter');
    await visible(analysis.getByText(`${dataMonth} 月度分析`));
    // resources, reporting; an average CPU between the idle and the busy VM
    const health = table.locator('.ant-table-tbody tr', { hasText: '示范市卫生健康委员会' });
    await page.waitForFunction(() =>
      [...document.querySelectorAll('[data-testid="utilisation-table"] .ant-table-tbody tr')].some(
        (tr) =>
          tr.textContent?.includes('示范市卫生健康委员会') &&
          /\d/.test(tr.textContent.replace('示范市卫生健康委员会', '')),
      ),
    );
    expect((await health.first().locator('td').allTextContents()).join(' ')).toMatch(/\d/);
    await visible(analysis.locator('tr', { hasText: IDLE }).getByText('建议缩容'));
    expect(await textOf(analysis.locator('tr', { hasText: BUSY }))).not.toContain('建议缩容');
    const href = await page.getByRole('link', { name: /导出/ }).getAttribute('href');
    const xlsx = await page.request.get(ui.url(href!));
    expect(xlsx.status()).toBe(200);
    expect(xlsx.headers()['content-type']).toContain('spreadsheetml');
    // the same page in English
    await page.getByText('English', { exact: true }).click();
    await visible(page.getByRole('tab', { name: 'Utilisation reports' }));
    await visible(table.locator('.ant-table-tbody tr', { hasText: 'City total' }));
    await ui.shot('monitoring-reports-en.png');
    await page.getByText('中文', { exact: true }).click();
    await visible(page.getByRole('tab', { name: '使用率报表' }));
    expect(unexpectedErrors(ui.browserErrors)).toEqual([]);
  });
});
