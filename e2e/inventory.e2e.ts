import { describe, expect, it } from 'vitest';
import { seedScaleInventory } from '../src/modules/inventory/index.ts';
import { SYSTEM_ACTOR } from '../src/platform/audit/audit.ts';
import {
  apiSession,
  at,
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
 * Issue 6 through the browser: the provider operator finds a work order in its queue and submits the
 * delivery receipt (交付回执单); the unit disputes a line, the provider answers with a corrected receipt, the
 * unit confirms; the unit's inventory page pages and filters on the server; the resource page shows its spec
 * history and events; the ops unit reads and resolves reconciliation findings, then filters the inventory
 * by using unit and provider (a link keeps the filters; the export follows them). The order itself (the
 * orders module) is placed and reviewed through the HTTP API.
 */

const ui = setUpConsole();

/** A signed-in API client of its own (cookie + CSRF), beside the browser. */
const apiAs = (username: string) => apiSession(ui.serverUrl, username);

/** Waits for the console's GET of `path` whose query satisfies `match`, while `act` runs. */
async function request(path: string, match: (q: URLSearchParams) => boolean, act: () => Promise<void>) {
  const seen = ui.page.waitForRequest((r) => {
    const u = new URL(r.url());
    return r.method() === 'GET' && u.pathname === path && match(u.searchParams);
  });
  await act();
  return new URL((await seen).url()).searchParams;
}

let orderNo = '';
let workOrderId = '';
const NAMES = ['e2e-jkxx-app-01', 'e2e-jkxx-app-02'];

describe('provider fulfilment, receipts and the inventory in the console', () => {
  it('an approved order reaches the provider operator’s queue; the operator submits the delivery receipt', async () => {
    const { page } = ui;
    const db = ui.server.database.db;
    // Other resources of the unit, so the inventory has more than one page.
    await seedScaleInventory(db, SYSTEM_ACTOR, 400);
    const project = await db
      .selectFrom('project')
      .select('id')
      .where('name', '=', '全民健康信息平台二期')
      .executeTakeFirstOrThrow();
    const system = await db
      .selectFrom('information_system')
      .select('id')
      .where('name', '=', '全民健康信息平台')
      .executeTakeFirstOrThrow();
    const applicant = await apiAs('applicant');
    const reviewer = await apiAs('reviewer');
    const order = await applicant('POST', '/api/v1/orders', {
      type: 'new_resources',
      title: '全民健康信息平台 端到端测试资源',
      projectId: project.id,
      systemId: system.id,
      lines: [
        {
          itemCode: 'cloud-vm',
          specification: { vcpu: 4, memoryGb: 8, systemDiskGb: 40, dataDiskGb: 100, os: '麒麟 Kylin V10' },
          quantity: 2,
        },
      ],
    });
    orderNo = order.number;
    // Review steps before the fulfilment step (if the pack has any) are approved by the ops reviewer.
    for (let i = 0; i < 4; i++) {
      const open = await reviewer('GET', `/api/v1/work-orders?orderId=${order.id}&status=open`);
      if (open.items.length > 0) {
        workOrderId = open.items[0].id;
        break;
      }
      const current = (await applicant('GET', `/api/v1/orders/${order.id}`)).currentStep;
      expect(current, 'the order has no open step and no work order').toBeTruthy();
      await reviewer('POST', `/api/v1/orders/${order.id}/act`, {
        decision: 'approve',
        stepKey: current.key,
        comment: '同意',
      });
    }
    expect(workOrderId).not.toBe('');

    await ui.signedOut();
    await login(page, 'provider');
    await page.getByRole('menuitem', { name: '交付工单' }).click();
    await at(page, '/work-orders');
    const row = page.locator('tr', { hasText: orderNo });
    await visible(row.getByText('待交付'));
    expect(await textOf(row)).toContain('示范市卫生健康委员会');
    await ui.shot('work-orders-queue-zh.png');

    await row.getByRole('link', { name: orderNo }).click();
    await at(page, `/work-orders/${workOrderId}`);
    await visible(page.getByText('填写交付回执单'));
    // The order data the provider sees: the unit, the information system and the order's title.
    const fact = (label: string) =>
      textOf(page.locator('.ant-descriptions-item', { hasText: label }).locator('.ant-descriptions-item-content'));
    expect(await fact('信息系统')).toBe('全民健康信息平台');
    expect(await fact('申请标题')).toBe('全民健康信息平台 端到端测试资源');
    for (const [i, name] of NAMES.entries()) {
      await page.getByLabel('资源名称').nth(i).fill(name);
      await page
        .getByLabel('资源标识')
        .nth(i)
        .fill(`i-e2e-000${i + 1}`);
      await page
        .getByLabel('IP 地址')
        .nth(i)
        .fill(`10.8.0.${11 + i}`);
    }
    // An address that is not one (10.1.4.300) is refused in the form, naming it (the server refuses it too).
    await page.getByLabel('IP 地址').nth(0).fill('10.1.4.300');
    await page.getByRole('button', { name: '提交回执' }).click();
    await visible(page.getByText('10.1.4.300 不是有效的 IP 地址'));
    await page.getByLabel('IP 地址').nth(0).fill('10.8.0.11');
    // The operator delivered the second one smaller than ordered: the specification is a field per value.
    await page.getByLabel('vCPU (核)').nth(1).fill('2');
    await ui.shot('work-order-receipt-form-zh.png');
    await page.getByRole('button', { name: '提交回执' }).click();
    // Submitting asks for a confirmation first.
    await page
      .locator('.ant-modal-confirm')
      .getByRole('button', { name: /确\s*定|OK/ })
      .click();
    await visible(page.getByText('交付回执单 第 1 版'));
    await visible(page.getByText('待确认').first());
    await ui.shot('work-order-receipt-submitted-zh.png');
    expect(unexpectedErrors(ui.browserErrors)).toEqual([]);
  });

  it('the unit disputes a line; the provider answers with a corrected receipt; the unit confirms', async () => {
    const { page } = ui;
    await logout(page);
    await login(page, 'applicant');
    await page.getByRole('menuitem', { name: '交付工单' }).click();
    await at(page, '/work-orders');
    await page.locator('tr', { hasText: orderNo }).getByRole('link', { name: orderNo }).click();
    await at(page, `/work-orders/${workOrderId}`);
    await visible(page.getByText('交付回执单 第 1 版'));
    await page.getByRole('button', { name: '提出异议' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByPlaceholder('异议原因（留空表示无异议）').nth(1).fill('规格不符：应为 4 vCPU');
    await ui.shot('work-order-dispute-zh.png');
    await dialog.getByRole('button', { name: /确\s*定/ }).click();
    await visible(page.getByText('异议已退回服务商'));
    await visible(page.getByText('规格不符：应为 4 vCPU'));

    await logout(page);
    await login(page, 'provider');
    await page.goto(ui.url(`/work-orders/${workOrderId}`));
    await visible(page.getByText('填写交付回执单'));
    // The form starts from the disputed receipt: only the disputed line needs correcting.
    expect(await page.getByLabel('资源名称').nth(1).inputValue()).toBe(NAMES[1]);
    await page.getByLabel('vCPU (核)').nth(1).fill('4');
    await page.getByLabel('备注').last().fill('已按申请规格调整');
    await page.getByRole('button', { name: '提交回执' }).click();
    await page
      .locator('.ant-modal-confirm')
      .getByRole('button', { name: /确\s*定|OK/ })
      .click();
    await visible(page.getByText('交付回执单 第 2 版'));
    await visible(page.getByText('已按申请规格调整'));

    await logout(page);
    await login(page, 'applicant');
    await page.goto(ui.url(`/work-orders/${workOrderId}`));
    await visible(page.getByText('交付回执单 第 2 版'));
    await page.getByRole('button', { name: '确认收货' }).click();
    await page
      .locator('.ant-modal-confirm')
      .getByRole('button', { name: /确\s*定|OK/ })
      .click();
    await visible(page.getByText('已确认，资源已生效'));
    // The receipt exports to Excel and prints (plain links: the session cookie suffices).
    const card = page.locator('.ant-card', { hasText: '交付回执单 第 2 版' });
    const xlsx = await page.request.get(
      ui.url((await card.getByRole('link', { name: 'Excel' }).getAttribute('href'))!),
    );
    expect(xlsx.status()).toBe(200);
    expect(xlsx.headers()['content-type']).toContain('spreadsheetml');
    const printed = await page.request.get(
      ui.url((await card.getByRole('link', { name: /打\s*印/ }).getAttribute('href'))!),
    );
    expect(await printed.text()).toContain('i-e2e-0002');
    await visible(page.locator('.ant-page-header, h3, h4').getByText('已完成').first());
    await ui.shot('work-order-confirmed-zh.png');
    expect(unexpectedErrors(ui.browserErrors)).toEqual([]);
  });

  it('the inventory pages, filters and searches on the server; the resource page shows history and events', async () => {
    const { page } = ui;
    const first = await request(
      '/api/v1/inventory/resources',
      () => true,
      () => page.getByRole('menuitem', { name: '资源清单' }).click(),
    );
    expect(first.get('offset')).toBe('0');
    await at(page, '/inventory');
    const total = page.locator('.ant-pagination-total-text');
    await visible(total);
    const count = Number((await textOf(total)).replace(/\D/g, ''));
    expect(count).toBeGreaterThan(50);
    expect(await page.locator('.ant-table-tbody tr.ant-table-row').count()).toBe(50);
    await ui.shot('inventory-zh.png');

    // Page 2 is asked of the server, after page 1's last row (its cursor), not by skipping 50 rows.
    const second = await request(
      '/api/v1/inventory/resources',
      (q) => q.has('after'),
      () => page.locator('.ant-pagination-item-2').click(),
    );
    expect(second.get('limit')).toBe('50');
    expect(second.get('offset')).toBe('0');

    // Sorting is the server's too.
    const sorted = await request(
      '/api/v1/inventory/resources',
      (q) => q.get('sort') === 'name',
      () => page.locator('th', { hasText: '资源名称' }).click(),
    );
    expect(sorted.get('order')).toBe('asc');
    expect(sorted.get('offset')).toBe('0');

    // A state filter and a text search: both go to the server, and back to the first page.
    const filtered = await request(
      '/api/v1/inventory/resources',
      (q) => q.get('state') === 'active',
      async () => {
        await page.locator('.ant-select', { hasText: '状态' }).click();
        await page
          .locator('.ant-select-dropdown:not(.ant-select-dropdown-hidden) .ant-select-item-option', { hasText: '在用' })
          .click();
      },
    );
    expect(filtered.get('offset')).toBe('0');
    const searched = await request(
      '/api/v1/inventory/resources',
      (q) => q.get('q') === 'e2e-jkxx',
      async () => {
        await page.getByPlaceholder('名称、标识或 IP').fill('e2e-jkxx');
        await page.getByPlaceholder('名称、标识或 IP').press('Enter');
      },
    );
    expect(searched.get('state')).toBe('active');
    await visible(page.getByText('共 2 项'));
    expect(await page.locator('.ant-table-tbody tr.ant-table-row').count()).toBe(2);
    await ui.shot('inventory-filtered-zh.png');
    // The export carries the same filters.
    const csvHref = (await page.getByRole('link', { name: /导出 CSV/ }).getAttribute('href'))!;
    expect(new URL(csvHref, ui.serverUrl).searchParams.get('q')).toBe('e2e-jkxx');
    const csv = await (await page.request.get(ui.url(csvHref))).text();
    expect(csv).toContain('e2e-jkxx-app-02');
    expect(csv).not.toContain('vm-000');

    await page.getByRole('link', { name: NAMES[1] }).click();
    await page.waitForURL((u) => /^\/inventory\/[0-9a-f-]{36}$/.test(u.pathname));
    await visible(page.getByText('规格历史'));
    const intervals = page.locator('.ant-card', { hasText: '规格历史' });
    await visible(intervals.getByText('当前'));
    expect(await textOf(intervals)).toContain('vCPU (核) 4');
    const events = page.locator('.ant-card', { hasText: '生命周期事件' });
    await visible(events.getByRole('cell', { name: '交付', exact: true }));
    await visible(page.locator('.ant-breadcrumb').getByText('资源详情'));
    expect(await textOf(page.locator('.ant-descriptions').first())).toContain('10.8.0.12');
    // The unit's actions on its resource and its utilisation chart (issue 16).
    const actions = page.getByTestId('resource-actions');
    await visible(actions.getByRole('button', { name: '申请扩容' }));
    await visible(actions.getByRole('button', { name: '申请回收' }));
    await visible(page.getByTestId('resource-usage').getByText('资源利用率'));
    await ui.shot('resource-zh.png');
    const resourceUrl = page.url();
    await actions.getByRole('button', { name: '申请扩容' }).click();
    await at(page, '/orders/new');
    await page.waitForFunction(
      () => (document.querySelector('#order-new_title') as HTMLInputElement | null)?.value.endsWith('扩容') === true,
    );
    await visible(page.getByLabel('vCPU (核)'));
    expect(await page.getByLabel('vCPU (核)').inputValue()).toBe('4');
    await page.goto(resourceUrl);
    await page.getByRole('link', { name: '查看申请单' }).click();
    await page.waitForURL((u) => /^\/orders\/[0-9a-f-]{36}$/.test(u.pathname));
    await visible(page.getByText(orderNo).first());
    expect(unexpectedErrors(ui.browserErrors)).toEqual([]);
  });

  it('the ops unit reads the reconciliation findings and resolves one', async () => {
    const { page } = ui;
    // The provider's systems push changes: one VM no order explains, one delivered VM resized.
    const provider = await apiAs('provider');
    const pushed = await provider('POST', '/api/v1/inventory/reports', {
      mode: 'changes',
      items: [
        { externalId: 'i-e2e-9999', name: 'shadow-vm', specification: { vcpu: 16 } },
        { externalId: 'i-e2e-0001', specification: { vcpu: 8, memoryGb: 8 } },
      ],
    });
    expect(pushed.findingsRaised).toBe(2);

    await logout(page);
    await login(page, 'reviewer');
    await page.getByRole('menuitem', { name: '核对差异' }).click();
    await at(page, '/inventory/findings');
    const unknown = page.locator('tr', { hasText: 'i-e2e-9999' });
    await visible(unknown.getByText('无订单依据的资源'));
    const resized = page.locator('tr', { hasText: 'i-e2e-0001' });
    await visible(resized.getByText('规格与回执不符'));
    await visible(resized.getByText('vCPU (核) 4 → 8'));
    await visible(resized.getByRole('link', { name: 'e2e-jkxx-app-01' }));
    await ui.shot('findings-zh.png');

    await unknown.getByRole('button', { name: buttonName('处理') }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByPlaceholder('处理说明').fill('服务商已登记为测试资源并补办申请');
    await dialog.getByRole('button', { name: /确\s*定/ }).click();
    await visible(page.getByText('已处理').first());
    await page.locator('tr', { hasText: 'i-e2e-9999' }).waitFor({ state: 'detached' });
    await page.locator('.ant-segmented-item', { hasText: '已处理' }).click();
    await visible(page.locator('tr', { hasText: 'i-e2e-9999' }).getByText('服务商已登记为测试资源并补办申请'));
    await ui.shot('findings-resolved-zh.png');

    // The same page in English: every string from the catalogue, none left in Chinese.
    await page.getByText('English', { exact: true }).click();
    await visible(page.getByRole('heading', { name: 'Reconciliation findings' }));
    await page.locator('.ant-segmented-item', { hasText: 'Open' }).click();
    await visible(page.locator('tr', { hasText: 'i-e2e-0001' }).getByText('Size differs from the receipt'));
    await ui.shot('findings-en.png');
    await page.getByText('中文', { exact: true }).click();
    expect(unexpectedErrors(ui.browserErrors)).toEqual([]);
  });

  it('the ops unit filters the inventory by using unit and provider; a link keeps the filters; the export follows', async () => {
    const { page } = ui;
    const db = ui.server.database.db;
    const org = (code: string) =>
      db.selectFrom('organisation').select(['id', 'name']).where('code', '=', code).executeTakeFirstOrThrow();
    const health = await org('demo-health');
    const providerB = await org('demo-provider-b');
    const count = async (where: { organisation_id: string; provider_id?: string }) =>
      Number(
        (
          await db
            .selectFrom('resource')
            .select((eb) => eb.fn.countAll<string>().as('n'))
            .where('organisation_id', '=', where.organisation_id)
            .$if(where.provider_id !== undefined, (q) => q.where('provider_id', '=', where.provider_id as string))
            .executeTakeFirstOrThrow()
        ).n,
      );
    const rows = page.locator('.ant-table-tbody tr.ant-table-row');
    const totalText = page.locator('.ant-pagination-total-text');
    /** Types into a searchable select and picks the option. */
    const pick = async (label: string, typed: string, option: string) => {
      const box = page.getByRole('combobox', { name: label });
      await box.click();
      await box.fill(typed);
      await chooseOption(page, option);
    };

    await page.getByRole('menuitem', { name: '资源清单' }).click();
    await at(page, '/inventory');
    await visible(totalText);

    // The using unit: a select the reviewer searches in, over the units of the jurisdiction.
    const byUnit = await request(
      '/api/v1/inventory/resources',
      (q) => q.get('organisationId') === health.id,
      () => pick('使用单位', '卫生健康', health.name),
    );
    expect(byUnit.get('offset')).toBe('0');
    const unitTotal = await count({ organisation_id: health.id });
    await visible(page.getByText(`共 ${unitTotal} 项`));
    expect(new URL(page.url()).searchParams.get('organisationId')).toBe(health.id);
    for (const unit of await rows.locator('td:nth-child(3)').allTextContents()) expect(unit).toBe(health.name);

    // ...and the provider, on top of it.
    const both = await request(
      '/api/v1/inventory/resources',
      (q) => q.get('providerId') === providerB.id,
      () => pick('云服务商', '乙', providerB.name),
    );
    expect(both.get('organisationId')).toBe(health.id);
    const bothTotal = await count({ organisation_id: health.id, provider_id: providerB.id });
    expect(bothTotal).toBeGreaterThan(0);
    expect(bothTotal).toBeLessThan(unitTotal);
    await visible(page.getByText(`共 ${bothTotal} 项`));
    for (const provider of await rows.locator('td:nth-child(4)').allTextContents()) {
      expect(provider).toBe(providerB.name);
    }
    await ui.shot('inventory-unit-provider-zh.png');

    // A link (or a refresh) shows the same list: the filters are in the URL.
    const link = page.url();
    const reloaded = await request(
      '/api/v1/inventory/resources',
      (q) => q.get('organisationId') === health.id && q.get('providerId') === providerB.id,
      async () => {
        await page.goto(link);
      },
    );
    expect(reloaded.get('offset')).toBe('0');
    await visible(page.getByText(`共 ${bothTotal} 项`));
    const filters = page.getByTestId('inventory-filters');
    expect(await textOf(filters.locator('.ant-select', { hasText: health.name }))).toContain(health.name);
    expect(await textOf(filters.locator('.ant-select', { hasText: providerB.name }))).toContain(providerB.name);

    // The export is exactly the filtered list: every row of the unit and provider, nothing else.
    const csvHref = (await page.getByRole('link', { name: /导出 CSV/ }).getAttribute('href'))!;
    const exportQuery = new URL(csvHref, ui.serverUrl).searchParams;
    expect(exportQuery.get('organisationId')).toBe(health.id);
    expect(exportQuery.get('providerId')).toBe(providerB.id);
    const lines = (await (await page.request.get(ui.url(csvHref))).text()).trimEnd().split('\r\n').slice(1);
    expect(lines).toHaveLength(bothTotal);
    for (const line of lines) {
      expect(line).toContain(health.name);
      expect(line).toContain(providerB.name);
    }
    const xlsxHref = (await page.getByRole('link', { name: /导出 Excel/ }).getAttribute('href'))!;
    expect(new URL(xlsxHref, ui.serverUrl).searchParams.get('providerId')).toBe(providerB.id);

    // Clearing the filters asks for the whole inventory again.
    const cleared = await request(
      '/api/v1/inventory/resources',
      (q) => !q.has('organisationId') && !q.has('providerId'),
      () => page.getByRole('button', { name: /清除筛选/ }).click(),
    );
    expect(cleared.get('offset')).toBe('0');
    expect(new URL(page.url()).searchParams.has('organisationId')).toBe(false);
    expect(unexpectedErrors(ui.browserErrors)).toEqual([]);
  });
});
