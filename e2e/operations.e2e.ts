import { describe, expect, it } from 'vitest';
import { apiSession, buttonName, login, logout, setUpConsole, unexpectedErrors, visible } from './harness.ts';

/*
 * Issue 18 through the browser, on Taizhou's rules (TZ 12(2): respond within 5 minutes): the health commission
 * opens a fault ticket against one of its resources; provider A's operator finds it in its queue and answers it
 * within the target, then resolves it; the unit confirms it with a satisfaction rating. No page shows an id or a
 * code.
 */

const ui = setUpConsole();
const SUBJECT = '端到端测试：应用服务器无法访问';

async function noCodes(): Promise<void> {
  const text = await ui.page.locator('main').first().innerText();
  expect(text).not.toMatch(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}/);
  expect(text).not.toMatch(/\b(fault|urgent|responded|resolved|confirmed|open)\b/);
}

describe('the service desk in the console', () => {
  it('a unit opens a ticket against its resource', async () => {
    const approver = await apiSession(ui.serverUrl, 'approver');
    await approver('PUT', '/api/v1/jurisdictions/demo-city/policy', { packId: 'taizhou-2018' });
    const page = ui.page;
    await ui.signedOut('/operations/tickets');
    await login(page, 'unitadmin');
    await page.getByRole('button', { name: '新建工单' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByText('紧急').click();
    await dialog.getByLabel('相关资源').click();
    await page.locator('.ant-select-dropdown:not(.ant-select-dropdown-hidden) .ant-select-item-option').first().click();
    await dialog.getByLabel('事项').fill(SUBJECT);
    await dialog.getByLabel('问题描述').fill('上午9点起业务系统无法登录，请尽快排查');
    await dialog.getByRole('button', { name: buttonName('提交') }).click();
    await visible(page.getByRole('heading', { name: SUBJECT }));
    await visible(page.getByText(/响应时限 5 分钟（(《[^》]+》第十二条第（二）项|TZ 12\(2\))）/));
    await visible(page.getByText('待响应').first());
    await noCodes();
    await logout(page);
  });

  it('the provider answers it within the target and resolves it; the unit confirms and rates it', async () => {
    const page = ui.page;
    await page.goto(ui.url('/operations/tickets'));
    await login(page, 'provider');
    await page.getByRole('link', { name: SUBJECT }).click();
    await visible(page.getByRole('heading', { name: SUBJECT }));
    await page.getByLabel('回复内容').fill('已收到，正在排查负载均衡配置');
    await page.getByRole('button', { name: buttonName('发送回复') }).click();
    await visible(page.getByText('按时响应'));
    await visible(page.getByText('首次响应'));
    await ui.shot('operations-ticket-answered.png');
    await noCodes();
    await page.getByLabel('回复内容').fill('负载均衡健康检查配置错误，已修正，业务恢复');
    await page.getByRole('button', { name: buttonName('标记已解决') }).click();
    await visible(page.getByText('已解决待确认'));
    await logout(page);

    await page.goto(ui.url('/operations/tickets'));
    await login(page, 'unitadmin');
    await page.getByRole('link', { name: SUBJECT }).click();
    await page.locator('.ant-rate-star').nth(3).click();
    await page.getByRole('button', { name: buttonName('确认并评价') }).click();
    await visible(page.getByText('已关闭'));
    await ui.shot('operations-ticket-confirmed.png');
    await noCodes();
    await logout(page);
  });

  it('the provider sees its maintenance window on the calendar', async () => {
    const provider = await apiSession(ui.serverUrl, 'provider');
    const day = 24 * 3_600_000;
    await provider('POST', '/api/v1/operations/maintenance', {
      kind: 'sudden',
      title: '端到端测试：核心交换机更换',
      impact: '网络闪断约5分钟',
      zone: '政务外网区',
      startsAt: new Date(Date.now() + day).toISOString(),
      endsAt: new Date(Date.now() + day + 3_600_000).toISOString(),
    });
    const page = ui.page;
    await page.goto(ui.url('/operations/maintenance'));
    await login(page, 'provider');
    await visible(page.getByText('端到端测试：核心交换机更换'));
    await visible(page.getByText('临时中断'));
    await visible(page.getByText('已申请'));
    await ui.shot('operations-maintenance.png');
    await noCodes();
    await logout(page);
    expect(unexpectedErrors(ui.browserErrors)).toEqual([]);
  });
});
