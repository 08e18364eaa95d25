import { describe, expect, it } from 'vitest';
import {
  apiSession,
  at,
  expectAccessible,
  expectPlainText,
  login,
  setUpConsole,
  unexpectedErrors,
  visible,
} from './harness.ts';

/*
 * Issue 16 at 390 px (a phone): the ops reviewer approves an order from the home page's to-dos, the economy & IT
 * authority approves an emergency order from its own, and the unit confirms the provider's delivery receipt. The header keeps the bell, the user menu and sign-out; tables read
 * as cards. Screenshots: test-results/mobile-*.png.
 */

const ui = setUpConsole();
const TITLE = '手机端审批测试资源';
const EMERGENCY_TITLE = '手机端应急资源审批';
let orderId = '';

async function headerKeepsWhatMatters(): Promise<void> {
  const page = ui.page;
  await visible(page.getByTestId('notification-bell'));
  await visible(page.getByTestId('user-area'));
  await visible(page.getByTestId('header-sign-out'));
  // Nothing is pushed off the screen sideways.
  expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
}

/** An order of the unit's health project and system (the demo's), one small VM; `fields` say type and title. */
async function placeHealthOrder(fields: Record<string, unknown>): Promise<{ id: string }> {
  const db = ui.server.database.db;
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
  const applicant = await apiSession(ui.serverUrl, 'applicant');
  return applicant('POST', '/api/v1/orders', {
    ...fields,
    projectId: project.id,
    systemId: system.id,
    lines: [
      {
        itemCode: 'cloud-vm',
        specification: { vcpu: 2, memoryGb: 4, systemDiskGb: 40, dataDiskGb: 50, os: '麒麟 Kylin V10' },
        quantity: 1,
      },
    ],
  });
}

/** Signs `username` in at 390 px, checks the header, photographs the home page; the to-do link to `title`. */
async function homeOnPhone(username: string, title: string, shot: string) {
  const page = ui.page;
  await page.setViewportSize({ width: 390, height: 844 });
  await ui.signedOut('/login');
  await login(page, username);
  await at(page, '/');
  await headerKeepsWhatMatters();
  const link = page.getByTestId('home-section-todo').getByRole('link', { name: title });
  await visible(link);
  await page.waitForLoadState('networkidle');
  await ui.shot(shot);
  return link;
}

/** Approves the order's current step on its page, confirming in the dialog. */
async function approveOnPage(): Promise<void> {
  await ui.page.getByRole('button', { name: /^通\s*过$/ }).click();
  await ui.page
    .getByRole('dialog')
    .getByRole('button', { name: /确\s*定/ })
    .click();
}

describe('on a phone', () => {
  it('the ops reviewer approves an order from the to-dos on the home page', async () => {
    const order = await placeHealthOrder({ type: 'new_resources', title: TITLE });
    orderId = order.id;

    const page = ui.page;
    const todo = await homeOnPhone('reviewer', TITLE, 'mobile-home-reviewer.png');
    await expectAccessible(page);
    await todo.click();
    await at(page, `/orders/${orderId}`);
    await approveOnPage();
    await visible(page.getByText('已通过'));
    await ui.shot('mobile-approved.png');
    await expectPlainText(page);
  });

  it('the authority approves an emergency order from its to-dos (SH 23)', async () => {
    const applicant = await apiSession(ui.serverUrl, 'applicant');
    const emergency = await placeHealthOrder({ type: 'emergency', title: EMERGENCY_TITLE, termMonths: 1 });

    const page = ui.page;
    await (await homeOnPhone('econ', EMERGENCY_TITLE, 'mobile-home-authority.png')).click();
    await at(page, `/orders/${emergency.id}`);
    await approveOnPage();
    // the authority's step is done (the toast may already be gone on a slow machine; the order says so)
    await expect
      .poll(async () => (await applicant('GET', `/api/v1/orders/${emergency.id}`)).currentStep?.role, {
        timeout: 30_000,
      })
      .toBe('ops_reviewer');
    await ui.shot('mobile-authority-approved.png');
    await expectPlainText(page);
  });

  it('the unit confirms the delivery receipt, after a confirmation, from a card', async () => {
    const provider = await apiSession(ui.serverUrl, 'provider');
    const open = await provider('GET', `/api/v1/work-orders?orderId=${orderId}&status=open`);
    expect(open.items.length).toBe(1);
    const w = open.items[0];
    const detail = await provider('GET', `/api/v1/work-orders/${w.id}`);
    await provider('POST', `/api/v1/work-orders/${w.id}/receipts`, {
      lines: detail.lines.map((l: { lineNo: number; specification: object }) => ({
        workOrderLineNo: l.lineNo,
        name: 'mobile-test-vm-1',
        externalId: 'i-mobile-0001',
        addresses: ['10.9.9.10'],
        specification: l.specification,
        deliveredAt: new Date().toISOString(),
      })),
    });

    const page = ui.page;
    await ui.signedOut('/login');
    await login(page, 'applicant');
    await at(page, '/');
    await headerKeepsWhatMatters();
    // The home page counts the receipt waiting for the unit; the count opens the list filtered to it.
    expect(Number(await page.getByTestId('home-receipts-to-confirm').getAttribute('data-count'))).toBeGreaterThan(0);
    await page.getByTestId('home-receipts-to-confirm').click();
    await at(page, '/work-orders');
    // The list reads as cards: no column headers, each value under its column's name.
    const card = page.locator('tr.ant-table-row', { hasText: order(w) });
    await visible(card);
    expect(await page.locator('.ant-table-thead').first().isVisible()).toBe(false);
    await ui.shot('mobile-work-orders.png');
    await card.getByRole('link').first().click();
    await at(page, `/work-orders/${w.id}`);
    await page.getByRole('button', { name: '确认收货' }).click();
    await page
      .locator('.ant-modal-confirm')
      .getByRole('button', { name: /确\s*定|OK/ })
      .click();
    await visible(page.getByText('已确认，资源已生效'));
    await ui.shot('mobile-receipt-confirmed.png');
  });

  it('logged no browser errors along the way', () => {
    expect(unexpectedErrors(ui.browserErrors)).toEqual([]);
  });
});

/** The order number a work order row shows. */
function order(w: { details: { orderNo: string | null } }): string {
  return w.details.orderNo ?? '';
}
