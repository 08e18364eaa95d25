import { describe, expect, it } from 'vitest';
import { apiSession, at, login, logout, setUpConsole, textOf, unexpectedErrors, visible } from './harness.ts';

/*
 * The Shanghai path once through the browser (issue 5): the economy & IT authority sets the project's quota,
 * the unit sees it, places a new-resource order, the provider's delivery receipts complete the fulfilment
 * steps (through the provider's API: the provider's console pages have their own journey in
 * inventory.e2e.ts), the unit verifies in its inbox, a scale-up is reviewed by the operations unit in its
 * inbox, the unit reads the timeline, and finally reclaims the resources: due time from the calendar,
 * backup confirmed on the work order (SH 26), erasure confirmed by the provider (LZ 26), receipt confirmed.
 */

const ui = setUpConsole();

/** A signed-in API client of its own (cookie + CSRF), beside the browser. */
const apiAs = (username: string) => apiSession(ui.serverUrl, username);

/**
 * SH 19 "review, then open": while the current step is the ops unit's fulfilment step, the provider has no work
 * order for it; the reviewer approves, and only then does the provider see one. (The first review is walked in
 * the browser: the provider's console, the reviewer's inbox, the provider's console again.)
 */
async function reviewFirst(orderId: string): Promise<void> {
  const reviewer = await apiAs('reviewer');
  const provider = await apiAs('provider');
  const step = (await reviewer('GET', `/api/v1/orders/${orderId}`)).currentStep;
  if (!step?.fulfilmentAction || step.handledByProvisioning || step.role !== 'ops_reviewer') return;
  const before = await provider('GET', `/api/v1/work-orders?orderId=${orderId}&status=open`);
  expect(before.items).toEqual([]);
  await reviewer('POST', `/api/v1/orders/${orderId}/act`, { decision: 'approve', stepKey: step.key });
}

/** The provider delivers the open work order of an order's current fulfilment step; the unit confirms. */
async function deliver(orderId: string): Promise<void> {
  await reviewFirst(orderId);
  const provider = await apiAs('provider');
  const applicant = await apiAs('applicant');
  const list = await provider('GET', `/api/v1/work-orders?orderId=${orderId}&status=open`);
  expect(list.items.length).toBeGreaterThan(0);
  for (const w of list.items) {
    // SH 26: where the pack asks for a backup first (the Shanghai scale-up), the unit confirms it.
    if (w.details.backupFirst && !w.backupConfirmedAt) {
      await applicant('POST', `/api/v1/work-orders/${w.id}/backup-confirmation`);
    }
    const detail = await provider('GET', `/api/v1/work-orders/${w.id}`);
    const lines = detail.lines.flatMap((l: { lineNo: number; quantity: number; specification: object }) =>
      Array.from({ length: l.quantity }, (_, i) => ({
        workOrderLineNo: l.lineNo,
        name: `e2e-${w.stepKey}-${l.lineNo}-${i + 1}`,
        externalId: `i-e2e-${w.id.slice(0, 8)}-${l.lineNo}-${i + 1}`,
        addresses: [`10.9.${l.lineNo}.${i + 10}`],
        specification: l.specification,
        deliveredAt: new Date().toISOString(),
      })),
    );
    await provider('POST', `/api/v1/work-orders/${w.id}/receipts`, { lines });
    await applicant('POST', `/api/v1/work-orders/${w.id}/receipts/confirm`);
  }
}

/**
 * Opens the Select labelled `field` and clicks the option whose text is `option` (or starts with it when
 * `prefix`): matched on the option's title, so an option of a dropdown still closing never matches.
 */
async function pick(field: string, option: string, prefix = false): Promise<void> {
  const { page } = ui;
  await page.getByLabel(field, { exact: true }).click();
  const title = JSON.stringify(option);
  await page
    .locator(
      `.ant-select-dropdown:not(.ant-select-dropdown-hidden) .ant-select-item-option[title${prefix ? '^' : ''}=${title}]`,
    )
    .first()
    .click();
}

/** Submits the new-order form; a refusal fails the test with the server's words instead of a timeout. */
async function submitOrder(): Promise<string> {
  const { page } = ui;
  const before = new URL(page.url()).pathname;
  await page.getByRole('button', { name: '提交申请' }).click();
  const refused = page.locator('.ant-alert-error, .ant-form-item-explain-error');
  await Promise.race([
    page.waitForURL((url) => /^\/orders\/[0-9a-f-]{36}$/.test(url.pathname) && url.pathname !== before),
    refused.first().waitFor({ state: 'visible' }),
  ]);
  if (await refused.first().isVisible()) throw new Error(`order refused: ${await refused.first().textContent()}`);
  return new URL(page.url()).pathname;
}

let orderUrl = '';
let orderNumber = '';

describe('orders: the Shanghai path through the console', () => {
  it('the economy & IT authority sets the project quota (SH 18)', async () => {
    const { page } = ui;
    await page.goto(ui.url('/login'));
    await login(page, 'econ');
    await page.getByRole('menuitem', { name: '项目与配额' }).click();
    await at(page, '/projects');
    const row = page.locator('tr', { hasText: '全民健康信息平台二期' });
    await visible(row.getByTestId('quota-gauges'));
    expect(await textOf(row.getByTestId('quota-gauges'))).toContain('/20000');
    await row.getByRole('button', { name: /核定配额/ }).click();
    const dialog = page.getByRole('dialog');
    await visible(dialog.getByText('核定配额：全民健康信息平台二期'));
    // what the project costs this year, beside the quota being set (issue 19: the authority sees it per project)
    expect(await textOf(dialog.getByTestId('quota-project-spending'))).toMatch(
      // the demo's health project has no declaration and no closed month this year; a declared one shows its figures
      /^2\d{3}年本项目(云资源费用：申报计划 .+，已结算 ¥|尚无申报计划费用)/,
    );
    // The base fields come first; the periodic window below has fields of the same names.
    await dialog.getByLabel('存储 GB').first().fill('24000');
    await dialog.getByLabel('核定说明').fill('示经信投〔2026〕12号 调整');
    await dialog.getByRole('button', { name: /保\s*存/ }).click();
    await visible(page.getByText('配额已核定'));
    await expect.poll(() => textOf(row.getByTestId('quota-gauges'))).toContain('/24000');
    await logout(page);
  });

  it('the unit sees its systems (one refused the cloud) and its project with quota gauges', async () => {
    const { page } = ui;
    await page.goto(ui.url('/login'));
    await login(page, 'applicant');
    await page.getByRole('menuitem', { name: '信息系统' }).click();
    await at(page, '/systems');
    await visible(page.getByRole('cell', { name: '传染病直报核心库' }));
    expect(await page.getByTestId('cloud-refused').count()).toBeGreaterThanOrEqual(1);

    await page.getByRole('menuitem', { name: '项目与配额' }).click();
    await at(page, '/projects');
    const row = page.locator('tr', { hasText: '全民健康信息平台二期' });
    await visible(row.getByTestId('quota-gauges'));
    expect(await textOf(row.getByTestId('quota-gauges'))).toContain('vCPU');
    expect(await textOf(row.getByTestId('quota-gauges'))).toContain('/24000');
    await ui.shot('projects-zh.png');
  });

  it('places a new-resource order from the catalogue and lands on its timeline', async () => {
    const { page } = ui;
    await page.getByRole('menuitem', { name: '申请资源' }).click();
    await at(page, '/orders/new');
    // only the order types Shanghai's pack provides: emergency resources, no change order, no green channel
    await page.getByLabel('类型', { exact: true }).click();
    const options = page.locator('.ant-select-dropdown:not(.ant-select-dropdown-hidden) .ant-select-item-option');
    await visible(options.filter({ hasText: '应急资源' }).first());
    const offered = await options.allInnerTexts();
    expect(offered).toContain('新增资源');
    expect(offered).not.toContain('变更');
    expect(offered).not.toContain('绿色通道');
    expect(offered).toHaveLength(7);
    await page.keyboard.press('Escape');
    await page.getByLabel('标题', { exact: true }).fill('健康平台测试资源');
    await pick('项目', '全民健康信息平台二期', true);
    await pick('信息系统', '全民健康信息平台');
    // The catalogue filters by name or category: the compute items only (issue 16).
    await page.getByLabel('按名称、分类筛选服务目录项').fill('计算');
    const shown = (await textOf(page.getByTestId('catalogue-shown'))).match(/^显示 (\d+) \/ (\d+) 项$/);
    expect(Number(shown?.[1])).toBeGreaterThan(0);
    expect(Number(shown?.[1])).toBeLessThan(Number(shown?.[2]));
    await pick('服务目录项', '云虚拟机');
    await page.getByLabel('vCPU (核)').fill('4');
    await page.getByLabel('内存 (GB)').fill('8');
    await page.getByLabel('系统盘 (GB)').fill('40');
    await page.getByLabel('数据盘 (GB)').fill('100');
    await pick('操作系统', '麒麟 Kylin V10');
    await page.getByLabel('数量', { exact: true }).fill('2');
    // The monthly cost as the lines are written, from the catalogue in force (issue 16).
    await visible(page.getByTestId('order-estimate').getByText('每月约 940.00 元'));
    orderUrl = await submitOrder();
    const steps = page.getByTestId('order-steps');
    await visible(steps.getByText('审核并开通测试资源'));
    orderNumber = (await page.getByRole('heading', { level: 3 }).textContent())?.split(' · ')[0]?.trim() ?? '';
    expect(orderNumber).not.toBe('');

    // The facts a reviewer decides from (issue 16): project quota before and after, the monthly cost from the
    // catalogue in force (demo prices: (4 x 60 + 8 x 20 + 140 x 0.5) x 2 = 940 yuan), who holds the step now.
    const facts = page.getByTestId('order-facts');
    await visible(facts.getByTestId('order-cost').getByText('每月约 940.00 元'));
    await visible(facts.getByTestId('order-quota').getByRole('columnheader', { name: '本单后剩余' }));
    expect(await textOf(facts.getByTestId('step-holders'))).toContain('赵敏（运管审核员）');
    expect(await textOf(facts)).toContain('全民健康信息平台');
    await ui.shot('order-facts-zh.png');

    // The header's search finds the order by its number from any page (issue 16).
    await page.goto(ui.url('/orders'));
    await page.getByTestId('global-search').fill(orderNumber.slice(-6));
    await page.getByTestId('search-result').filter({ hasText: orderNumber }).click();
    await page.waitForURL((u) => u.pathname === new URL(orderUrl, ui.serverUrl).pathname);
  });

  it('SH 19 review, then open: the provider sees no work order until the ops reviewer approves in the console', async () => {
    const { page } = ui;
    await logout(page);
    await login(page, 'provider');
    await page.getByRole('menuitem', { name: '交付工单' }).click();
    await at(page, '/work-orders');
    await visible(page.getByRole('table'));
    expect(await page.locator('tr', { hasText: orderNumber }).count()).toBe(0);

    await logout(page);
    await login(page, 'reviewer');
    await page.getByRole('menuitem', { name: '待办' }).click();
    await at(page, '/orders/inbox');
    const row = page.locator('tr', { hasText: orderNumber });
    await visible(row.getByText('审核并开通测试资源'));
    await row.locator('input[type="checkbox"]').check();
    await page.getByRole('button', { name: /批量通过/ }).click();
    await page.getByRole('dialog').getByPlaceholder('意见（可选）').fill('审核通过，开通测试资源');
    await page
      .getByRole('dialog')
      .getByRole('button', { name: /确\s*定/ })
      .click();
    await visible(page.getByText('成功 1 项，失败 0 项'));

    await logout(page);
    await login(page, 'provider');
    // a full load: the reviewer's batch result message does not linger into the next journey step
    await page.goto(ui.url('/work-orders'));
    await at(page, '/work-orders');
    await visible(page.locator('tr', { hasText: orderNumber }).getByText('待交付'));

    await logout(page);
    await login(page, 'applicant');
  });

  it('test resources are delivered; the unit verifies them in its inbox; the formal opening completes the order', async () => {
    const { page } = ui;
    const orderId = orderUrl.split('/').pop() as string;
    await deliver(orderId);

    await page.getByRole('menuitem', { name: '待办' }).click();
    await at(page, '/orders/inbox');
    const row = page.locator('tr', { hasText: orderNumber });
    await visible(row.getByText('使用单位验证测试资源'));
    await row.locator('input[type="checkbox"]').check();
    await page.getByRole('button', { name: /批量通过/ }).click();
    await page.getByRole('dialog').getByPlaceholder('意见（可选）').fill('测试资源验证通过');
    await page
      .getByRole('dialog')
      .getByRole('button', { name: /确\s*定/ })
      .click();
    await visible(page.getByText('成功 1 项，失败 0 项'));

    await deliver(orderId);
    await page.goto(ui.url(orderUrl));
    await visible(page.getByTestId('order-status').getByText('已办结'));
  });

  it('a scale-up is reviewed by the operations unit in its inbox (batch approve)', async () => {
    const { page } = ui;
    await page.goto(ui.url('/orders/new'));
    await pick('类型', '扩容');
    await page.getByLabel('标题', { exact: true }).fill('健康平台扩容');
    await pick('项目', '全民健康信息平台二期', true);
    // SH 18-24: a scale-up takes quota, so it names the unit's system as well as the approved project.
    await pick('信息系统', '全民健康信息平台');
    await pick('关联工单', orderNumber, true);
    await pick('服务目录项', '云虚拟机');
    await page.getByLabel('vCPU (核)').fill('8');
    await page.getByLabel('内存 (GB)').fill('16');
    await page.getByLabel('系统盘 (GB)').fill('40');
    await page.getByLabel('数据盘 (GB)').fill('0');
    await pick('操作系统', '统信 UOS V20');
    const scaleUrl = await submitOrder();
    await visible(page.getByTestId('order-steps').getByText('扩容审核'));
    const scaleNumber = (await page.getByRole('heading', { level: 3 }).textContent())?.split(' · ')[0]?.trim() ?? '';

    await logout(page);
    await login(page, 'reviewer');
    await page.getByRole('menuitem', { name: '待办' }).click();
    await at(page, '/orders/inbox');
    const row = page.locator('tr', { hasText: scaleNumber });
    await visible(row);
    await ui.shot('orders-inbox-zh.png');
    await row.locator('input[type="checkbox"]').check();
    await page.getByRole('button', { name: /批量通过/ }).click();
    await page
      .getByRole('dialog')
      .getByRole('button', { name: /确\s*定/ })
      .click();
    await visible(page.getByText('成功 1 项，失败 0 项'));

    await deliver(scaleUrl.split('/').pop() as string);

    // The unit reads both timelines: who acted, when, and whether each deadline was met.
    await logout(page);
    await login(page, 'applicant');
    await page.goto(ui.url(scaleUrl));
    await visible(page.getByTestId('order-status').getByText('已办结'));
    const review = page.getByTestId('order-steps').locator('tr', { hasText: '审核' }).first();
    // people by their display names, not their user names (issue 16)
    expect(await textOf(review)).toContain('赵敏（运管审核员）');
    expect(await textOf(review)).toContain('按期');

    await page.goto(ui.url(orderUrl));
    const steps = page.getByTestId('order-steps');
    await visible(steps.locator('tr', { hasText: '使用单位验证测试资源' }).getByText('按期'));
    expect(await steps.locator('tr.ant-table-row').count()).toBe(3);
    await ui.shot('order-timeline-zh.png');
    expect(unexpectedErrors(ui.browserErrors)).toEqual([]);
  });
  it('the unit reclaims the resources: due in 10 working days by the calendar, backup first, erasure confirmed', async () => {
    const { page } = ui;
    const applicant = await apiAs('applicant');
    const provider = await apiAs('provider');
    await page.goto(ui.url('/orders/new'));
    await pick('类型', '回收/终止');
    await visible(page.getByText(/回收和延期不填写资源/));
    expect(await page.getByText('服务目录项').count()).toBe(0);
    await page.getByLabel('标题', { exact: true }).fill('健康平台测试资源回收');
    await pick('项目', '全民健康信息平台二期', true);
    await pick('关联工单', orderNumber, true);
    const reclaimUrl = await submitOrder();
    const reclaimId = reclaimUrl.split('/').pop() as string;
    const stepRow = page.getByTestId('order-steps').locator('tr', { hasText: '审核并回收' });
    await visible(stepRow);

    // SH 21: 10 working days, counted by the jurisdiction's calendar from the moment the order was placed.
    const order = await applicant('GET', `/api/v1/orders/${reclaimId}`);
    const due = await applicant(
      'GET',
      `/api/v1/calendar/working-days/add?from=${encodeURIComponent(order.currentStep.openedAt)}&days=10&jurisdiction=demo-city`,
    );
    expect(order.currentStep.dueAt).toBe(new Date(due.due).toISOString());
    const dueText = new Intl.DateTimeFormat('sv-SE', {
      timeZone: 'Asia/Shanghai',
      dateStyle: 'short',
      timeStyle: 'short',
    }).format(new Date(due.due));
    expect(dueText).toMatch(/ 23:59$/);
    expect(await textOf(stepRow)).toContain(dueText);

    // SH 21: the ops unit reviews the reclaim; only then is the provider's work order opened.
    await reviewFirst(reclaimId);
    // The unit confirms backup and migration on the reclaim work order before the provider may act (SH 26).
    const [wo] = (await applicant('GET', `/api/v1/work-orders?orderId=${reclaimId}&status=open`)).items;
    expect(wo).toMatchObject({ action: 'reclaim', backupConfirmedAt: null });
    await page.getByRole('menuitem', { name: '交付工单' }).click();
    await page.locator('tr', { hasText: order.number }).getByRole('link', { name: order.number }).click();
    await at(page, `/work-orders/${wo.id}`);
    await visible(page.getByText(/回收前请先完成数据备份和迁移并确认/));
    await page.getByRole('button', { name: '确认已备份' }).click();
    await expect
      .poll(async () => (await applicant('GET', `/api/v1/work-orders/${wo.id}`)).backupConfirmedAt)
      .not.toBeNull();

    // The provider reclaims and confirms erasure (LZ 26); the unit confirms the receipt in the console.
    const detail = await provider('GET', `/api/v1/work-orders/${wo.id}`);
    await provider('POST', `/api/v1/work-orders/${wo.id}/receipts`, {
      dataErased: true,
      lines: detail.lines.flatMap((l: { lineNo: number; quantity: number }) =>
        Array.from({ length: l.quantity }, (_, i) => ({
          workOrderLineNo: l.lineNo,
          name: `reclaimed-${l.lineNo}-${i + 1}`,
          deliveredAt: new Date().toISOString(),
          notes: '数据已清除',
        })),
      ),
    });
    await page.reload();
    await page.getByRole('button', { name: '确认收货' }).click();
    await page
      .locator('.ant-modal-confirm')
      .getByRole('button', { name: /确\s*定|OK/ })
      .click();
    await visible(page.getByText('已确认，资源已生效'));
    await page.goto(ui.url(reclaimUrl));
    await visible(page.getByTestId('order-status').getByText('已办结'));
    // Every resource the first order opened has ended, and nothing else did.
    const firstOrderId = orderUrl.split('/').pop() as string;
    const mine = (await applicant('GET', '/api/v1/inventory/resources?q=e2e-&limit=500')).items as {
      id: string;
      orderId: string | null;
      state: string;
    }[];
    const opened = mine.filter((r) => r.orderId === firstOrderId);
    expect(opened.length).toBeGreaterThan(0);
    expect(opened.map((r) => r.state)).toEqual(opened.map(() => 'reclaimed'));
    expect(new Set(detail.lines.map((l: { resourceId: string | null }) => l.resourceId))).toEqual(
      new Set(opened.map((r) => r.id)),
    );
    // Reclaimed once: the same order cannot be reclaimed (and its quota given back) a second time.
    await expect(
      applicant('POST', '/api/v1/orders', { type: 'reclaim', title: '再次回收', parentOrderId: firstOrderId }),
    ).rejects.toThrow(/: 400 .*body\.parentOrderId/);
    await ui.shot('order-reclaimed-zh.png');
    expect(unexpectedErrors(ui.browserErrors)).toEqual([]);
  });
});
