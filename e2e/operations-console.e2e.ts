import { describe, expect, it } from 'vitest';
import {
  apiSession,
  at,
  buttonName,
  chooseOption,
  login,
  logout,
  setUpConsole,
  unexpectedErrors,
  visible,
} from './harness.ts';

/*
 * Issue 18's pages in the browser, on the demo city: provider A applies for a maintenance window in the console;
 * the authority notifies the affected units, the health commission confirms, the authority agrees. Provider A
 * declares a major incident, records its end and its report; the month's availability shows the downtime.
 * The ops unit and the provider generate reports and see them archived. The ops unit declares an incident for
 * provider A and both post updates; the timeline shows who said what, with names. Every page reads in Chinese, with
 * names, never ids or codes (ui.shot scans the text).
 */

const ui = setUpConsole();
const WINDOW = '端到端：存储扩容';
const INCIDENT = '端到端：存储阵列故障';
const HEALTH = '示范市卫生健康委员会';

/** The name of one of the health commission's live resources that provider A runs (the demo's have no zone). */
async function healthResource(): Promise<string> {
  // the authority sees the units' names (a provider sees no using unit's organisation)
  const approver = await apiSession(ui.serverUrl, 'approver');
  const list = await approver('GET', '/api/v1/inventory/resources?limit=200');
  const r = list.items.find(
    (x: { unitName: string; state: string; providerName: string }) =>
      x.unitName === HEALTH && x.state !== 'reclaimed' && x.providerName === '示范政务云服务商甲',
  );
  return r.name;
}

/** A moment as a `datetime-local` value in Beijing time, `hours` from now. */
function beijing(hours: number): string {
  return new Date(Date.now() + (8 + hours) * 3_600_000).toISOString().slice(0, 16);
}

describe('maintenance, incidents and reports in the console', () => {
  it('provider A applies for a window; the affected units are counted, and named once the authority notifies them', async () => {
    const page = ui.page;
    await ui.signedOut('/operations/maintenance');
    await login(page, 'provider');
    await at(page, '/operations/maintenance');
    await page.getByRole('button', { name: '申请维护' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByText('临时中断').click();
    await dialog.getByLabel('事项').fill(WINDOW);
    await dialog.getByLabel('影响说明').fill('存储扩容期间云主机磁盘读写短时变慢');
    const resource = await healthResource();
    await dialog.getByLabel('受影响资源').fill(resource); // searched on the server
    await chooseOption(page, resource);
    await dialog.getByLabel('事项').click(); // close the dropdown
    await dialog.getByLabel('开始时间（北京时间）').fill(beijing(24));
    await dialog.getByLabel('结束时间（北京时间）').fill(beijing(26));
    await dialog.getByRole('button', { name: buttonName('提交') }).click();
    await visible(page.getByRole('heading', { name: WINDOW }));
    await visible(page.getByText('已申请').first());
    // the provider reads the units' names once the authority has notified them
    await visible(page.getByRole('cell', { name: '主管部门通知后显示单位名称' }).first());
    await ui.shot('operations-maintenance-applied.png');
    await logout(page);
  });

  it('the authority notifies, the health commission confirms, the authority agrees', async () => {
    const page = ui.page;
    const provider = await apiSession(ui.serverUrl, 'provider');
    const list = await provider('GET', '/api/v1/operations/maintenance?limit=50');
    const id = list.items.find((m: { title: string }) => m.title === WINDOW).id;

    await page.goto(ui.url(`/operations/maintenance/${id}`));
    await login(page, 'approver');
    await visible(page.getByRole('cell', { name: HEALTH }));
    await page.getByRole('button', { name: buttonName('通知受影响单位') }).click();
    await visible(page.getByText('征求意见中').first());
    await logout(page);

    await page.goto(ui.url('/operations/maintenance'));
    await login(page, 'unitadmin');
    await page.getByRole('link', { name: WINDOW }).click();
    await page.getByLabel('意见说明').fill('已安排业务低峰，同意');
    await page.getByRole('button', { name: buttonName('确认维护时段') }).click();
    await visible(page.getByRole('cell', { name: '已安排业务低峰，同意' }));
    await ui.shot('operations-maintenance-confirmed.png');
    await logout(page);

    await page.goto(ui.url(`/operations/maintenance/${id}`));
    await login(page, 'approver');
    await page.getByRole('button', { name: buttonName('同意实施') }).click();
    await visible(page.getByText('已同意').first());
    await ui.shot('operations-maintenance-agreed.png');
    await logout(page);
  });

  it('provider A declares a major incident, records its end and its report; availability shows the downtime', async () => {
    // Taizhou's rules: a major incident's report the same day (TZ 12(5)); the demo city's Shanghai pack has no number
    const approver = await apiSession(ui.serverUrl, 'approver');
    await approver('PUT', '/api/v1/jurisdictions/demo-city/policy', { packId: 'taizhou-2018' });
    const page = ui.page;
    await page.goto(ui.url('/operations/incidents'));
    await login(page, 'provider');
    await at(page, '/operations/incidents');
    await page.getByRole('button', { name: '申报故障事件' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByText('重大').click();
    await dialog.getByLabel('事项').fill(INCIDENT);
    await dialog.getByLabel('问题描述').fill('存储控制器故障，部分云主机不可用');
    const resource = await healthResource();
    await dialog.getByLabel('受影响资源').fill(resource); // searched on the server
    await chooseOption(page, resource);
    await dialog.getByLabel('事项').click(); // close the dropdown
    await dialog.getByLabel('发生时间').fill(beijing(-1));
    await dialog.getByRole('button', { name: buttonName('提交') }).click();
    const row = page.locator('tbody tr').filter({ hasText: INCIDENT });
    await visible(row.getByText('重大'));
    await visible(row.getByText('未恢复'));
    await visible(row.getByText('报告期限'));

    await row.getByRole('button', { name: buttonName('登记恢复') }).click();
    await page.getByLabel('恢复时间').fill(beijing(0));
    await page
      .getByRole('dialog')
      .getByRole('button', { name: buttonName('提交') })
      .click();
    await row.getByText('未恢复').waitFor({ state: 'detached' });
    await row.getByRole('button', { name: buttonName('事件报告') }).click();
    await page.getByLabel('事件报告（含原因分析）').fill('根因：存储控制器电源模块故障；已更换并加固巡检');
    await page
      .getByRole('dialog')
      .getByRole('button', { name: buttonName('提交') })
      .click();
    await visible(row.getByText('已报告'));
    const availability = page.locator('.ant-card').filter({ hasText: '本月可用性' });
    await visible(availability.getByRole('cell', { name: '示范政务云服务商甲' }));
    await ui.shot('operations-incidents.png');
    await logout(page);
  });

  it('the ops unit generates the city-wide monthly report; the provider its own; both archived', async () => {
    const page = ui.page;
    await page.goto(ui.url('/operations/reports'));
    await login(page, 'reviewer');
    await at(page, '/operations/reports');
    await page.getByRole('button', { name: buttonName('生成报告') }).click();
    await visible(page.locator('tbody tr').filter({ hasText: '全市' }).first());
    await visible(page.getByRole('link', { name: /Excel/ }).first());
    await ui.shot('operations-reports-city.png');
    await logout(page);

    await page.goto(ui.url('/operations/reports'));
    await login(page, 'provider');
    // the generating form's own choice (the scheduled reports' card offers the same periods)
    await page.locator('.ant-card').filter({ hasText: '生成报告' }).getByText('周报', { exact: true }).click();
    await page.getByRole('button', { name: buttonName('生成报告') }).click();
    await visible(page.locator('tbody tr').filter({ hasText: '示范政务云服务商甲' }).first());
    await expect(page.locator('tbody tr').filter({ hasText: '全市' }).count()).resolves.toBe(0);
    await ui.shot('operations-reports-provider.png');
    await logout(page);

    // the tickets page shows the resolution target beside the response
    await page.goto(ui.url('/operations/tickets'));
    await login(page, 'reviewer');
    await visible(page.getByRole('columnheader', { name: '解决时限' }));
    await logout(page);
    expect(unexpectedErrors(ui.browserErrors)).toEqual([]);
  });

  it('the ops unit declares an incident for provider A; both post updates; the timeline names who said what', async () => {
    const page = ui.page;
    const TITLE = '端到端：政务外网链路中断';
    await page.goto(ui.url('/operations/incidents'));
    await login(page, 'reviewer');
    await at(page, '/operations/incidents');
    await page.getByRole('button', { name: '申报故障事件' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByLabel('事项').fill(TITLE);
    await dialog.getByLabel('问题描述').fill('监测发现卫健委业务访问中断');
    await dialog.getByLabel('相关云服务商').click();
    await chooseOption(page, '示范政务云服务商甲');
    const resource = await healthResource();
    await dialog.getByLabel('受影响资源').fill(resource); // searched on the server
    await chooseOption(page, resource);
    await dialog.getByLabel('事项').click(); // close the dropdown
    await dialog.getByLabel('发生时间').fill(beijing(-1));
    await dialog.getByRole('button', { name: buttonName('提交') }).click();
    const row = page.locator('tbody tr').filter({ hasText: TITLE });
    await visible(row.getByText('排查中'));
    await row.getByRole('button', { name: buttonName('发布进展') }).click();
    await page.getByRole('dialog').getByText('不变').waitFor();
    await page.getByLabel('进展说明').fill('已通知服务商甲，持续跟踪');
    await page
      .getByRole('dialog')
      .getByRole('button', { name: buttonName('提交') })
      .click();
    await page.getByRole('dialog').waitFor({ state: 'detached' });
    await logout(page);

    await page.goto(ui.url('/operations/incidents'));
    await login(page, 'provider');
    await at(page, '/operations/incidents');
    const own = page.locator('tbody tr').filter({ hasText: TITLE });
    await own.getByRole('button', { name: buttonName('发布进展') }).click();
    await page.getByRole('dialog').getByText('已定位原因').click();
    await page.getByLabel('进展说明').fill('已定位：接入交换机端口故障，正在切换备用链路');
    await page
      .getByRole('dialog')
      .getByRole('button', { name: buttonName('提交') })
      .click();
    await visible(own.getByText('已定位原因'));
    await own.locator('.ant-table-row-expand-icon').click();
    const timeline = page.locator('.ant-timeline');
    await visible(timeline.getByText('赵敏（运管审核员）', { exact: false }).first());
    await visible(timeline.getByText('孙浩（服务商甲操作员）', { exact: false }));
    await visible(timeline.getByText('排查中 → 已定位原因'));
    await visible(timeline.getByText('已通知服务商甲，持续跟踪'));
    await visible(page.getByText('申报单位：', { exact: false }));
    await ui.shot('operations-incident-timeline.png');
    await logout(page);
    expect(unexpectedErrors(ui.browserErrors)).toEqual([]);
  });
});
