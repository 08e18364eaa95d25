import { describe, expect, it } from 'vitest';
import { VERSION } from '../src/version.ts';
import { at, DEMO_PASSWORD, login, setUpConsole, tabTo, textOf, unexpectedErrors, visible } from './harness.ts';

const LANGUAGE_KEY = 'yunguan.language';
/** The error the telemetry test throws on purpose; the only browser error allowed. */
const PROBE = 'e2e probe: deliberate uncaught error';

const ui = setUpConsole();

describe('web console', () => {
  it('needs a session: the console sends a visitor to the login page, without asking /auth/me for nothing', async () => {
    const { page } = ui;
    const apiCalls: string[] = [];
    page.on('request', (request) => {
      if (request.url().includes('/api/v1/auth/')) apiCalls.push(new URL(request.url()).pathname);
    });
    await page.goto(ui.url('/'));
    await at(page, '/login');
    const system = await textOf(page.getByTestId('login-system'));
    expect(system).toContain(`版本 ${VERSION}`);
    expect(system).toContain('示范市政务云');
    expect(await page.getByLabel('用户名').isEnabled()).toBe(true);
    expect(await page.getByLabel('密码').isEnabled()).toBe(true);
    expect(await page.locator('html').getAttribute('lang')).toBe('zh-CN');
    // A browser that never signed in does not ask who it is: that could only answer 401.
    expect(apiCalls).toEqual([]);
    await page.waitForLoadState('networkidle');
    await ui.shot('login-zh.png');
  });

  it('works by keyboard alone, the focus always visible: sign in, the menu, the order form', async () => {
    const { page } = ui;
    await ui.signedOut('/login');
    await tabTo(page, page.getByLabel('用户名'));
    await page.keyboard.type('applicant');
    await tabTo(page, page.getByLabel('密码'), 3);
    await page.keyboard.type(DEMO_PASSWORD);
    await page.keyboard.press('Enter');
    await page.waitForURL((current) => current.pathname !== '/login');
    await tabTo(page, page.getByRole('menuitem', { name: '申请资源' }), 60);
    await page.keyboard.press('Enter');
    await at(page, '/orders/new');
    await tabTo(page, page.getByLabel('标题', { exact: true }), 60);
    await page.keyboard.type('键盘填写');
    expect(await page.getByLabel('标题', { exact: true }).inputValue()).toBe('键盘填写');
    await ui.shot('keyboard-order-form-zh.png');
    await ui.signedOut('/login');
  });

  it('signs in and shows the Chinese frame: menu by permission, organisation, user and overview', async () => {
    const { page } = ui;
    await login(page, 'unitadmin');
    await at(page, '/');
    for (const item of ['工作台', '辖区', '单位管理', 'API 令牌']) {
      await visible(page.getByRole('menuitem', { name: item }));
    }
    // A unit administrator manages neither accounts nor the audit trail: those entries are not offered.
    for (const item of ['用户管理', '安全策略', '审计日志']) {
      expect(await page.getByRole('menuitem', { name: item }).count()).toBe(0);
    }
    expect(await textOf(page.getByTestId('organisation'))).toBe('示范市卫生健康委员会');
    expect(await textOf(page.getByTestId('user-area'))).toContain('李静（卫健委管理员）');

    // The home page is the role's work; what the installation is moved to the about page (issue 16).
    await visible(page.getByTestId('home-section-todo'));
    expect(await page.getByTestId('system-info').count()).toBe(0);
    expect(await textOf(page.getByRole('navigation', { name: '当前位置' }))).toContain('工作台');
    await page.waitForLoadState('networkidle');
    await ui.shot('console-zh.png');
    await page.goto(ui.url('/about'));
    const systemInfo = page.getByTestId('system-info');
    expect(await textOf(systemInfo)).toContain(VERSION);
    expect(await textOf(systemInfo)).toContain('嵌入式数据库（PGlite）');
    await visible(page.getByRole('img', { name: /按类型统计的辖区数量/ }).locator('canvas'));
  });

  it('lists the demo jurisdictions as a tree', async () => {
    const { page } = ui;
    await page.getByRole('menuitem', { name: '辖区' }).click();
    await at(page, '/jurisdictions');
    const rows = page.locator('tbody tr.ant-table-row');
    await visible(rows.first());
    expect(await rows.count()).toBe(3);
    const table = await rows.allInnerTexts();
    for (const text of [
      'demo-city',
      '示范市政务云',
      'demo-east',
      '示范市东城区政务云',
      'demo-west',
      '示范市西城区政务云',
    ]) {
      expect(table.join('\n')).toContain(text);
    }
    // The districts hang under the city: one expandable parent row, two indented children.
    expect(await page.locator('tbody tr.ant-table-row-level-0').count()).toBe(1);
    expect(await page.locator('tbody tr.ant-table-row-level-1').count()).toBe(2);
    expect(await textOf(page.getByRole('navigation', { name: '当前位置' }))).toContain('辖区');
    await ui.shot('console-jurisdictions-zh.png');
  });

  it('shows a 404 page for an unknown console route, inside the frame', async () => {
    const { page } = ui;
    await page.goto(ui.url('/no-such-page'));
    await visible(page.locator('.ant-result-404'));
    expect(await textOf(page.locator('.ant-result-title'))).toBe('页面不存在');
    await visible(page.getByRole('menuitem', { name: '工作台' }));
    await ui.shot('console-404-zh.png');
    await page.getByRole('button', { name: '返回工作台' }).click();
    await at(page, '/');
  });

  it('explains a page the roles do not include, instead of showing it', async () => {
    const { page } = ui;
    await page.goto(ui.url('/audit'));
    await visible(page.locator('.ant-result-403'));
    expect(await textOf(page.locator('.ant-result-title'))).toBe('没有访问权限');
    await visible(page.getByRole('menuitem', { name: '工作台' }));
  });

  it('switches to English, asks the API in English, and remembers the choice across a reload', async () => {
    const { page } = ui;
    await page.goto(ui.url('/'));
    await page.getByText('English', { exact: true }).click();
    await visible(page.getByRole('menuitem', { name: 'Home' }));
    await visible(page.getByRole('menuitem', { name: 'Organisations' }));
    expect(await textOf(page.getByTestId('organisation'))).toBe('Demo City Health Commission');
    expect(await page.evaluate((key) => window.localStorage.getItem(key), LANGUAGE_KEY)).toBe('en-US');

    const meRequest = page.waitForRequest((request) => request.url().endsWith('/api/v1/auth/me'));
    await page.reload();
    // Still signed in after the reload: the session cookie, read back through /auth/me, in English.
    expect((await meRequest).headers()['accept-language']).toMatch(/^en/);
    await visible(page.getByRole('menuitem', { name: 'Home' }));
    expect(await textOf(page.getByTestId('organisation'))).toBe('Demo City Health Commission');
    expect(await page.locator('html').getAttribute('lang')).toBe('en-US');
    await page.waitForLoadState('networkidle');
    await ui.shot('console-en.png');
    await page.goto(ui.url('/about'));
    expect(await textOf(page.getByTestId('system-info'))).toContain('Embedded database (PGlite)');

    await page.getByRole('menuitem', { name: 'Jurisdictions' }).click();
    await at(page, '/jurisdictions');
    await visible(page.getByText('Demo City East District Cloud'));
    await visible(page.getByText('District cloud').first());

    await page.getByText('中文', { exact: true }).click();
    await visible(page.getByRole('menuitem', { name: '辖区' }));
    expect(await page.evaluate((key) => window.localStorage.getItem(key), LANGUAGE_KEY)).toBe('zh-CN');
  });

  it('reports an uncaught browser error to the server and tells the user', async () => {
    const { page } = ui;
    await page.goto(ui.url('/'));
    await visible(page.getByRole('menuitem', { name: '工作台' }));
    const report = page.waitForRequest(
      (request) => request.method() === 'POST' && request.url().endsWith('/api/v1/telemetry/client-errors'),
    );
    await page.evaluate((message) => {
      window.setTimeout(() => {
        throw new Error(message);
      });
    }, PROBE);
    const request = await report;
    const body = request.postDataJSON() as { message: string; url: string };
    expect(body.message).toContain(PROBE);
    expect(body.url).toBe(ui.url('/'));
    expect((await request.response())?.status()).toBe(202);
    await visible(page.getByText('发生了意外错误，已自动上报。'));
  });

  it('logged no browser errors along the way', () => {
    const unexpected = unexpectedErrors(ui.browserErrors).filter((error) => !error.includes(PROBE));
    expect(unexpected).toEqual([]);
  });
});
