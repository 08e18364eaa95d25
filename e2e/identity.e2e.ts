import { describe, expect, it } from 'vitest';
import {
  at,
  chooseOption,
  enrolTotp,
  expectAccessible,
  expectPlainText,
  login,
  logout,
  nextTotp,
  setUpConsole,
  submitLogin,
  textOf,
  unexpectedErrors,
  visible,
} from './harness.ts';

/**
 * Requests that fail on purpose (wrong passwords and codes, a locked account, a call after the session ended):
 * the browser logs each 4xx answer as a failed request.
 */
const DELIBERATE_FAILURES = ['/api/v1/auth/login', '/api/v1/organisations'];

const ui = setUpConsole();
let auditAdminSecret = '';

describe('identity journey', () => {
  it('tells a wrong password apart, in Chinese, and keeps the user on the login page', async () => {
    const { page } = ui;
    await page.goto(ui.url('/login'));
    await submitLogin(page, 'edu', 'not-the-password');
    expect(await textOf(page.getByTestId('login-error'))).toContain('用户名或密码错误，请检查后重新输入。');
    await at(page, '/login');
    expect(await page.getByLabel('密码').inputValue()).toBe('');
    await ui.shot('login-error-zh.png');
  });

  it('a locked account answers like a wrong password: lockout tells nobody which accounts exist', async () => {
    const { page } = ui;
    await page.goto(ui.url('/login'));
    // The default policy locks after 5 consecutive failures, for 15 minutes.
    for (let attempt = 1; attempt <= 5; attempt++) {
      const answer = page.waitForResponse((response) => response.url().endsWith('/api/v1/auth/login'));
      await submitLogin(page, 'finance', `wrong-${attempt}`);
      await answer;
    }
    expect(await textOf(page.getByTestId('login-error'))).toContain('用户名或密码错误');
    // Even the right password is refused while locked, with the very same answer.
    const refused = page.waitForResponse((response) => response.url().endsWith('/api/v1/auth/login'));
    await submitLogin(page, 'finance');
    expect((await refused).status()).toBe(401);
    expect(await textOf(page.getByTestId('login-error'))).toContain('用户名或密码错误');
    await ui.shot('login-locked-zh.png');
  });

  it('explains why single sign-on sent the browser back, and offers no SSO button when it is not configured', async () => {
    const { page } = ui;
    await ui.signedOut('/login?sso_error=sso_refused');
    expect(await textOf(page.getByTestId('sso-error'))).toContain('统一身份认证登录未通过');
    await visible(page.getByLabel('用户名'));
    expect(await page.getByRole('link', { name: /统一身份认证登录/ }).count()).toBe(0);
  });

  it('signs in unitadmin into the Chinese frame and returns to the page they asked for', async () => {
    const { page } = ui;
    await ui.signedOut('/organisations?type=using_unit');
    const loginUrl = await at(page, '/login');
    expect(loginUrl.searchParams.get('next')).toBe('/organisations?type=using_unit');
    await login(page, 'unitadmin');
    const back = await at(page, '/organisations');
    expect(back.searchParams.get('type')).toBe('using_unit');
    expect(await textOf(page.getByTestId('organisation'))).toBe('示范市卫生健康委员会');
    expect(await textOf(page.getByTestId('user-area'))).toContain('李静（卫健委管理员）');
    await visible(page.getByRole('link', { name: '示范市疾病预防控制中心' }));

    await page.getByTestId('user-area').click();
    expect(await textOf(page.getByTestId('user-roles'))).toContain('单位管理员');
    await visible(page.getByRole('menuitem', { name: '修改密码' }));
    await visible(page.getByRole('menuitem', { name: '绑定动态验证码' }));
    await ui.shot('user-menu-zh.png');
    await page.keyboard.press('Escape');
    await logout(page);
  });

  it('sends a user whose session ended to the login page, and back to where they were', async () => {
    const { page } = ui;
    await ui.signedOut();
    await login(page, 'unitadmin');
    await at(page, '/');
    // Let the overview's and the bell's first requests finish: any of them answering 401 would end the
    // session before the click below (which is right, but not what this test is about).
    await page.waitForLoadState('networkidle');
    // The session ends behind the console's back (expired, revoked elsewhere): the next call answers 401.
    await ui.context.clearCookies();
    const refused = page.waitForResponse((response) => response.url().endsWith('/api/v1/organisations'));
    await page.getByRole('menuitem', { name: '单位管理' }).click();
    expect((await refused).status()).toBe(401);
    const loginUrl = await at(page, '/login');
    expect(loginUrl.searchParams.get('next')).toBe('/organisations');
    expect(await textOf(page.getByTestId('session-ended'))).toContain('登录已失效');
    await login(page, 'unitadmin');
    await at(page, '/organisations');
    await visible(page.getByRole('link', { name: '示范市疾病预防控制中心' }));
  });

  it('lets applicant switch the acting organisation to the CDC, and shows what that organisation sees', async () => {
    const { page } = ui;
    await ui.signedOut();
    await login(page, 'applicant');
    await at(page, '/');
    const switcher = page.getByTestId('organisation');
    expect(await textOf(switcher)).toContain('示范市卫生健康委员会');

    await page.getByRole('menuitem', { name: '单位管理' }).click();
    await at(page, '/organisations');
    await visible(page.getByRole('link', { name: '示范市卫生健康委员会' }));

    const switched = page.waitForResponse((response) => response.url().endsWith('/api/v1/auth/switch-organisation'));
    await switcher.click();
    await chooseOption(page, '示范市疾病预防控制中心');
    expect((await switched).status()).toBe(200);
    await page.waitForFunction(() =>
      document.querySelector('[data-testid="organisation"]')?.textContent?.includes('示范市疾病预防控制中心'),
    );
    // Acting for the CDC, the commission (its parent) is no longer among the units in scope.
    await visible(page.getByRole('link', { name: '示范市疾病预防控制中心' }));
    await page.waitForLoadState('networkidle');
    expect(await page.getByRole('link', { name: '示范市卫生健康委员会' }).count()).toBe(0);
    await ui.shot('switch-organisation-zh.png');

    // The choice is the session's: a reload keeps it.
    await page.reload();
    expect(await textOf(page.getByTestId('organisation'))).toContain('示范市疾病预防控制中心');
    await logout(page);
  });

  it('sends auditadmin to TOTP enrolment first, then to the audit log they asked for', async () => {
    const { page } = ui;
    await ui.signedOut('/audit');
    await at(page, '/login');
    await login(page, 'auditadmin');
    const totpUrl = await at(page, '/account/totp');
    expect(totpUrl.searchParams.get('next')).toBe('/audit');
    // Restricted: no menu, only the enrolment, who is signed in, and a way out.
    expect(await page.getByRole('menuitem', { name: '审计日志' }).count()).toBe(0);
    await visible(page.getByText('请先绑定动态验证码'));
    await visible(page.getByRole('img', { name: '动态验证码绑定二维码' }));
    await visible(page.getByTestId('totp-secret'));
    await page.waitForLoadState('networkidle');
    await ui.shot('totp-zh.png');

    // Any other page leads back to the enrolment (which would then continue there).
    await page.goto(ui.url('/users'));
    expect((await at(page, '/account/totp')).searchParams.get('next')).toBe('/users');
    await page.goto(ui.url('/account/totp?next=%2Faudit'));

    auditAdminSecret = await enrolTotp(page);
    await at(page, '/audit');
    await visible(page.getByRole('menuitem', { name: '审计日志' }));

    const table = page.getByTestId('audit-table');
    await visible(table.locator('tbody tr.ant-table-row').first());
    const rows = (await table.locator('tbody tr.ant-table-row').allInnerTexts()).join('\n');
    // In words (issue 16): the action as a phrase, people by display name, never the action's code.
    expect(rows).toContain('登录');
    expect(rows).toContain('绑定动态验证码');
    expect(rows).toContain('李静（卫健委管理员）');
    expect(rows).not.toContain('auth.login');
    expect(await textOf(page.locator('.ant-pagination-total-text'))).toMatch(/共 \d+ 条/);
    expect(await page.getByTestId('export-xlsx').getAttribute('href')).toBe('/api/v1/audit-events/export?format=xlsx');
    // An expanded entry lays its detail out as fields inside the table; it no longer widens it.
    await table.locator('tbody tr.ant-table-row').first().locator('.ant-table-row-expand-icon').click();
    await visible(table.locator('tr.ant-table-expanded-row .ant-descriptions'));
    const width = await table
      .locator('table')
      .first()
      .evaluate((el) => el.scrollWidth);
    expect(width).toBeLessThan(1600);
    await page.waitForLoadState('networkidle');
    await ui.shot('audit-zh.png');
    await expectPlainText(page);
    await expectAccessible(page);
  });

  it('filters the audit log on the server: the failed sign-ins of one account', async () => {
    const { page } = ui;
    await page.getByLabel('操作人').fill('edu');
    await page.getByLabel('结果').click();
    await chooseOption(page, '失败');
    const answer = page.waitForResponse((response) => response.url().includes('/api/v1/audit-events?'));
    await page.getByRole('button', { name: /查\s*询/ }).click();
    const query = new URL((await answer).url()).searchParams;
    expect(query.get('actor')).toBe('edu');
    expect(query.get('outcome')).toBe('failure');
    await page.waitForFunction(() => document.querySelector('.ant-pagination-total-text')?.textContent === '共 1 条');
    expect(await textOf(page.getByTestId('audit-table').locator('tbody tr.ant-table-row'))).toContain('登录');
    const href = await page.getByTestId('export-csv').getAttribute('href');
    expect(href).toBe('/api/v1/audit-events/export?actor=edu&outcome=failure&format=csv');
    // The export link downloads with the session cookie.
    const download = await page.request.get(ui.url(href ?? ''));
    expect(download.status()).toBe(200);
    expect(await download.text()).toContain('edu');
  });

  it('logs out to the login page; signing in again asks for the one-time code', async () => {
    const { page } = ui;
    await logout(page);
    await submitLogin(page, 'auditadmin');
    await visible(page.getByText('需要动态验证码'));
    await page.getByLabel('动态验证码').fill('000000');
    await page.getByRole('button', { name: '验证并登录' }).click();
    expect(await textOf(page.getByTestId('login-error'))).toContain('动态验证码错误或已过期');
    await ui.shot('login-totp-zh.png');
    await page.getByLabel('动态验证码').fill(await nextTotp(auditAdminSecret));
    await page.getByRole('button', { name: '验证并登录' }).click();
    await at(page, '/');
    await visible(page.getByRole('menuitem', { name: '审计日志' }));
    await logout(page);
  });

  it('logged no browser errors along the way', () => {
    expect(unexpectedErrors(ui.browserErrors, DELIBERATE_FAILURES)).toEqual([]);
  });
});
