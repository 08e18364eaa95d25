import { describe, expect, it } from 'vitest';
import { deadlineSweepJob } from '../src/modules/orders/index.ts';
import { sweepProvisioningDeadlines } from '../src/modules/provisioning/index.ts';
import { apiSession, at, login, logout, setUpConsole, textOf, unexpectedErrors, visible } from './harness.ts';

/*
 * Missed deadlines where people look. Issue 6: a delivery-receipt dispute the provider left unanswered and a
 * reconciliation finding the ops unit left open are marked by the deadline sweeper (called here with a time
 * past both deadlines, as `yunguan serve` would once they pass), then show in red with their due time in the
 * provider's queue, on the work order, on the findings page, and are counted on the authority's overdue
 * board. Issue 5: the demo's order whose review (5 working days, SH 19) passed weeks ago is red in the
 * reviewer's inbox and counted per step and per unit on the same board. The state is set up through the
 * HTTP API.
 */

const ui = setUpConsole();
const apiAs = (username: string) => apiSession(ui.serverUrl, username);
const RED = 'rgb(207, 19, 34)';

let orderNo = '';
let workOrderId = '';

describe('missed deadlines of disputes and findings in the console', () => {
  it('an unanswered dispute is red with its due time in the provider’s queue and on the work order', async () => {
    const { page } = ui;
    const db = ui.server.database.db;
    const project = await db
      .selectFrom('project')
      .select('id')
      .where('name', '=', '全民健康信息平台二期')
      .executeTakeFirstOrThrow();
    // SH 18-24: an order that takes quota names an approved project and the unit's information system.
    const system = await db
      .selectFrom('information_system')
      .select('id')
      .where('name', '=', '全民健康信息平台')
      .executeTakeFirstOrThrow();
    const applicant = await apiAs('applicant');
    const reviewer = await apiAs('reviewer');
    const provider = await apiAs('provider');
    const order = await applicant('POST', '/api/v1/orders', {
      type: 'new_resources',
      title: '期限督办 端到端测试',
      projectId: project.id,
      systemId: system.id,
      lines: [
        {
          itemCode: 'cloud-vm',
          specification: { vcpu: 2, memoryGb: 4, systemDiskGb: 40, dataDiskGb: 100, os: '麒麟 Kylin V10' },
          quantity: 1,
        },
      ],
    });
    orderNo = order.number;
    // Review steps before the fulfilment step (if the pack has any) are approved by the ops reviewer.
    for (let i = 0; i < 4 && !workOrderId; i++) {
      const open = await reviewer('GET', `/api/v1/work-orders?orderId=${order.id}&status=open`);
      if (open.items.length > 0) {
        workOrderId = open.items[0].id;
        break;
      }
      const current = (await applicant('GET', `/api/v1/orders/${order.id}`)).currentStep;
      await reviewer('POST', `/api/v1/orders/${order.id}/act`, {
        decision: 'approve',
        stepKey: current.key,
        comment: '同意',
      });
    }
    expect(workOrderId).not.toBe('');
    await provider('POST', `/api/v1/work-orders/${workOrderId}/receipts`, {
      lines: [{ workOrderLineNo: 1, name: 'e2e-deadline-vm', deliveredAt: new Date().toISOString() }],
    });
    const disputed = await applicant('POST', `/api/v1/work-orders/${workOrderId}/receipts/dispute`, {
      lines: [{ lineNo: 1, reason: '未提供 IP 地址' }],
    });
    expect(disputed.overdue).toBe(false);
    const pushed = await provider('POST', '/api/v1/inventory/reports', {
      mode: 'changes',
      items: [{ externalId: 'i-e2e-late-1', name: 'shadow-late', specification: { vcpu: 8 } }],
    });
    expect(pushed.findingsRaised).toBe(1);

    // Both deadlines (2 and 5 working days) lie well within 60 days.
    const run = await sweepProvisioningDeadlines(db, new Date(Date.now() + 60 * 86_400_000));
    expect(run.disputes).toBeGreaterThanOrEqual(1);
    expect(run.findings).toBeGreaterThanOrEqual(1);

    await ui.signedOut();
    await login(page, 'provider');
    await page.getByRole('menuitem', { name: '交付工单' }).click();
    await at(page, '/work-orders');
    const row = page.locator('tr', { hasText: orderNo });
    await visible(row.getByText('有异议'));
    const due = row.locator('[data-overdue]');
    await visible(due.getByText('逾期'));
    await visible(due.getByText('异议答复'));
    expect(await due.evaluate((e) => getComputedStyle(e).color)).toBe(RED);
    // The end of a working day in Beijing time, whatever the browser's zone (this browser runs in UTC).
    const dueDay = new Date(disputed.disputeDueAt as string).toLocaleDateString('sv-SE', { timeZone: 'Asia/Shanghai' });
    expect(await textOf(due.locator('time'))).toContain(`${dueDay} 23:59`);
    await ui.shot('work-orders-overdue-zh.png');

    await row.getByRole('link', { name: orderNo }).click();
    await at(page, `/work-orders/${workOrderId}`);
    await visible(page.getByText('异议答复已逾期'));
    const fact = page.locator('.ant-descriptions-item', { hasText: '异议答复期限' });
    await visible(fact.getByText('逾期'));
    await ui.shot('work-order-overdue-zh.png');
    expect(unexpectedErrors(ui.browserErrors)).toEqual([]);
  });

  it('an open finding past its deadline is red on the findings page', async () => {
    const { page } = ui;
    await logout(page);
    await login(page, 'reviewer');
    await page.getByRole('menuitem', { name: '核对差异' }).click();
    await at(page, '/inventory/findings');
    const row = page.locator('tr', { hasText: 'i-e2e-late-1' });
    const due = row.locator('[data-overdue]');
    await visible(due.getByText('逾期'));
    expect(await due.evaluate((e) => getComputedStyle(e).color)).toBe(RED);
    await ui.shot('findings-overdue-zh.png');
    expect(unexpectedErrors(ui.browserErrors)).toEqual([]);
  });

  it('an order step past its deadline is red at the top of the reviewer’s inbox', async () => {
    const { page } = ui;
    const log = { info: () => {}, warn: () => {}, error: () => {} };
    await deadlineSweepJob.run({ db: ui.server.database.db, now: new Date(), log });
    await page.getByRole('menuitem', { name: '待办' }).click();
    await at(page, '/orders/inbox');
    const row = page.locator('tr', { hasText: '电子健康档案 数据库扩展节点' });
    const due = row.locator('[data-overdue]');
    await visible(due.getByText('逾期'));
    expect(await due.evaluate((e) => getComputedStyle(e).color)).toBe(RED);
    expect(await row.evaluate((e) => getComputedStyle(e).backgroundColor)).toBe('rgb(255, 241, 240)');
    // Sorted by due time: the overdue step comes before any step still within its deadline.
    const first = page.locator('tbody tr.ant-table-row').first();
    expect(await first.locator('[data-overdue]').count()).toBe(1);
    expect(Number(await textOf(page.getByTestId('inbox-overdue')))).toBeGreaterThanOrEqual(1);
    expect(unexpectedErrors(ui.browserErrors)).toEqual([]);
  });

  it('the authority’s overdue board counts order steps per step and per unit, and fulfilment per provider', async () => {
    const { page } = ui;
    await logout(page);
    await login(page, 'approver');
    await page.getByRole('menuitem', { name: '逾期督办' }).click();
    await at(page, '/orders/overdue');
    const statistic = (title: string) =>
      page.locator('.ant-statistic', { hasText: title }).locator('.ant-statistic-content-value');
    expect(Number(await textOf(statistic('逾期环节')))).toBeGreaterThanOrEqual(1);
    const item = page.locator('tr', { hasText: '审核并开通测试资源' }).filter({ hasText: 'demo-health' }).first();
    await visible(item.locator('[data-overdue]').getByText('逾期'));
    const perStep = page.locator('.ant-card', { hasText: '按环节' });
    expect(await textOf(perStep.locator('tbody'))).toContain('审核并开通测试资源');
    const perUnit = page.locator('.ant-card', { hasText: '按单位' });
    expect(await textOf(perUnit.locator('tbody'))).toContain('demo-health');
    expect(await textOf(statistic('逾期未答复的回执异议'))).toBe('1');
    expect(await textOf(statistic('逾期未处理的核对差异'))).toBe('1');
    const disputes = page.locator('.ant-card', { hasText: '使用单位对交付回执提出异议后' });
    await visible(disputes.getByRole('link', { name: orderNo }));
    const findings = page.locator('.ant-card', { hasText: '运管单位未在期限内处理' });
    await visible(findings.getByText('i-e2e-late-1'));
    const perProvider = page.locator('.ant-card', { hasText: '按服务商' });
    expect(await textOf(perProvider.locator('tbody tr.ant-table-row'))).toContain('demo-provider-a');
    await ui.shot('overdue-board-zh.png');

    await page.getByText('English', { exact: true }).click();
    await visible(page.getByText('Disputed receipts not answered in time').first());
    await visible(page.getByText('Reconciliation findings not resolved in time').first());
    await page.getByText('中文', { exact: true }).click();
    expect(unexpectedErrors(ui.browserErrors)).toEqual([]);
  });
});
