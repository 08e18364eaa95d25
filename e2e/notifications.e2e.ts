import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deliveryJob, notify } from '../src/modules/notifications/index.ts';
import { at, enrolTotp, login, logout, setUpConsole, textOf, unexpectedErrors, visible } from './harness.ts';

const ui = setUpConsole();
const log = { info: () => {}, warn: () => {}, error: () => {} };

let hook: Server;
let hookPort: number;
const received: string[] = [];

beforeAll(async () => {
  hook = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => {
      body += c.toString('utf8');
    });
    req.on('end', () => {
      received.push(body);
      res.writeHead(200).end();
    });
  });
  await new Promise<void>((resolve) => hook.listen(0, '127.0.0.1', resolve));
  hookPort = (hook.address() as AddressInfo).port;
});
afterAll(() => new Promise<void>((resolve) => hook.close(() => resolve())));

/** A notice as another module's transaction would write it. */
async function notifyNow(n: Omit<Parameters<typeof notify>[1], 'jurisdictionId'> & { jurisdictionCode?: string }) {
  const db = ui.server.database.db;
  const { id } = await db
    .selectFrom('jurisdiction')
    .select('id')
    .where('code', '=', n.jurisdictionCode ?? 'demo-city')
    .executeTakeFirstOrThrow();
  await db.transaction().execute((trx) => notify(trx, { jurisdictionId: id, ...n }));
}

describe('notifications in the console', () => {
  it('shows the unread count on the bell; the inbox marks read and follows the link', async () => {
    const { page } = ui;
    await ui.signedOut();
    await login(page, 'reviewer');
    const reviewer = await ui.server.database.db
      .selectFrom('user_account')
      .select('id')
      .where('username', '=', 'reviewer')
      .executeTakeFirstOrThrow();
    // The first-start demo has already notified the reviewer (orders waiting for review): start from an empty bell.
    await ui.server.database.db
      .updateTable('notification')
      .set({ read_at: new Date() })
      .where('user_id', '=', reviewer.id)
      .where('read_at', 'is', null)
      .execute();
    await notifyNow({
      to: { userIds: [reviewer.id] },
      kind: 'e2e.review',
      title: { zh: '端到端测试：请审核', en: 'E2E: please review' },
      body: { zh: '这是一条测试消息', en: 'A test message' },
      link: '/calendar',
    });
    await page.reload();
    const bell = page.getByTestId('notification-bell');
    await visible(bell);
    await page.waitForFunction(() =>
      document.querySelector('[data-testid="notification-bell"] .ant-badge-count')?.textContent?.includes('1'),
    );
    // The bell previews the latest notifications; "查看全部" opens the inbox (issue 16).
    await bell.click();
    await visible(page.getByTestId('notification-preview').getByText('端到端测试：请审核'));
    await page.getByTestId('notification-preview').getByRole('link', { name: '查看全部' }).click();
    await at(page, '/notifications');
    const item = page.getByTestId('notification-item').filter({ hasText: '端到端测试：请审核' });
    await visible(item);
    expect(await textOf(item)).toContain('这是一条测试消息');
    await ui.shot('notifications-inbox-zh.png');
    await item.getByRole('button', { name: '查看' }).click();
    await at(page, '/calendar');
    await page.waitForFunction(
      () => !document.querySelector('[data-testid="notification-bell"] .ant-badge-count'),
      undefined,
      { timeout: 30_000 },
    );
    await logout(page);
  });

  it('lets the system admin allow a receiver, subscribe (secret shown once) and read the delivery log', async () => {
    const { page } = ui;
    await ui.signedOut();
    await login(page, 'sysadmin');
    await enrolTotp(page);
    await page.getByRole('menuitem', { name: '回调通知' }).click();
    await at(page, '/webhooks');

    await page.getByLabel('允许的主机 / 域名').fill('127.0.0.1');
    await page.keyboard.press('Enter');
    await page.getByLabel('放行网段 (CIDR)').fill('127.0.0.1/32');
    await page.keyboard.press('Enter');
    await page.getByRole('button', { name: '保存白名单' }).click();
    await visible(page.getByText('白名单已保存'));

    await page.getByRole('button', { name: '新建订阅' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByLabel('名称').fill('运维监控平台');
    await dialog.getByLabel('回调地址').fill(`http://127.0.0.1:${hookPort}/hook`);
    await dialog.getByRole('button', { name: /创\s*建/ }).click();
    const secret = await textOf(page.getByTestId('webhook-secret'));
    expect(secret).toMatch(/^whsec_/);
    await ui.shot('webhook-created-zh.png');
    await page.getByRole('dialog').getByRole('button', { name: '我已保存' }).click();
    await visible(page.getByRole('cell', { name: '运维监控平台' }));
    expect(await page.content()).not.toContain(secret);

    await notifyNow({
      to: { role: 'ops_reviewer' },
      kind: 'e2e.webhook',
      title: { zh: '回调测试', en: 'Webhook test' },
    });
    await deliveryJob().run({ db: ui.server.database.db, now: new Date(), log });
    expect(received.some((body) => body.includes('"e2e.webhook"'))).toBe(true);

    await page.getByRole('button', { name: '投递记录' }).click();
    const drawer = page.locator('.ant-drawer');
    await visible(drawer.getByText('e2e.webhook'));
    await visible(drawer.getByText('已送达'));
    await ui.shot('webhook-deliveries-zh.png');
    expect(unexpectedErrors(ui.browserErrors)).toEqual([]);
  });
});
