import { describe, expect, it } from 'vitest';
import {
  at,
  buttonName,
  chooseOption,
  enrolTotp,
  login,
  logout,
  setUpConsole,
  textOf,
  unexpectedErrors,
  visible,
} from './harness.ts';

/** Requests the tests make fail on purpose (field errors from the server); the browser logs each of them. */
const DELIBERATE_FAILURES = ['/contacts', '/api/v1/auth/password', '/api/v1/organisations', '/admin-roles'];

const ui = setUpConsole();

/** The error text antd shows under the form field with this label. */
async function fieldError(scope: ReturnType<typeof ui.page.locator>, label: string): Promise<string> {
  const item = scope.locator('.ant-form-item').filter({ has: scope.page().getByLabel(label, { exact: true }) });
  return textOf(item.locator('.ant-form-item-explain'));
}

describe('console administration pages', () => {
  it('shows an organisation with its contacts; a server field error lands on its field', async () => {
    const { page } = ui;
    await ui.signedOut('/organisations');
    await login(page, 'unitadmin');
    await at(page, '/organisations');
    await page.getByRole('link', { name: '示范市卫生健康委员会' }).click();
    await page.waitForURL((url) => /^\/organisations\/[0-9a-f-]{36}$/.test(url.pathname));
    expect(await textOf(page.getByTestId('organisation-basics'))).toContain('demo-health');
    expect(await textOf(page.getByRole('navigation', { name: '当前位置' }))).toContain('单位管理');

    await page.getByRole('button', { name: '编辑联系人' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByLabel('姓名').fill('王芳');
    await dialog.getByLabel('职务').fill('信息中心主任');
    await dialog.getByLabel('手机').fill('138 0000 0000');
    await dialog.getByLabel('电子邮箱').fill('not-an-email');
    const rejected = page.waitForResponse((response) => response.url().endsWith('/contacts'));
    await dialog.getByRole('button', { name: /保\s*存/ }).click();
    expect((await rejected).status()).toBe(400);
    // The server's `body.contacts.0.email` is shown under the e-mail field of the first contact.
    expect(await fieldError(dialog, '电子邮箱')).toBe('格式应为 email');
    await ui.shot('contacts-error-zh.png');

    await dialog.getByLabel('电子邮箱').fill('wangfang@health.example.gov.cn');
    await dialog.getByRole('button', { name: /保\s*存/ }).click();
    await dialog.waitFor({ state: 'hidden' });
    await page.waitForFunction(() => document.querySelector('[data-testid="contacts"]')?.textContent?.includes('王芳'));
    expect(await textOf(page.getByTestId('contacts'))).toContain('信息化负责人');
    expect(await textOf(page.getByTestId('contact-history'))).toContain('当前');
    await page.waitForLoadState('networkidle');
    await ui.shot('organisation-zh.png');
  });

  it('lets a unit administrator create a sub-unit of their unit; a taken code is marked on its field', async () => {
    const { page } = ui;
    await page.getByRole('menuitem', { name: '单位管理' }).click();
    await at(page, '/organisations');
    await page.getByRole('button', { name: '新建单位' }).click();
    const dialog = page.getByRole('dialog');
    // A unit administrator creates sub-units: type and parent start as their own unit's.
    expect(await textOf(dialog.locator('.ant-form-item').filter({ hasText: '上级单位' }))).toContain(
      '示范市卫生健康委员会',
    );
    await dialog.getByLabel('单位编码').fill('demo-health');
    await dialog.getByLabel('单位名称').fill('示范市卫生健康信息中心');
    const conflict = page.waitForResponse((response) => response.url().endsWith('/api/v1/organisations'));
    await dialog.getByRole('button', { name: /创\s*建/ }).click();
    expect((await conflict).status()).toBe(409);
    expect(await fieldError(dialog, '单位编码')).toBe('单位编码已存在');

    await dialog.getByLabel('单位编码').fill('demo-health-info');
    await dialog.getByRole('button', { name: /创\s*建/ }).click();
    await page.waitForURL((url) => /^\/organisations\/[0-9a-f-]{36}$/.test(url.pathname));
    const basics = await textOf(page.getByTestId('organisation-basics'));
    expect(basics).toContain('demo-health-info');
    expect(basics).toContain('示范市卫生健康委员会');
  });

  it('issues an API token shown once, which works until it is revoked', async () => {
    const { page } = ui;
    await ui.signedOut();
    await login(page, 'unitadmin');
    await page.getByRole('menuitem', { name: 'API 令牌' }).click();
    await at(page, '/api-tokens');
    await page.getByRole('button', { name: '新建令牌' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByLabel('名称').fill('区级平台对接');
    await dialog.getByRole('button', { name: /创\s*建/ }).click();
    const token = await textOf(dialog.getByTestId('api-token-secret'));
    expect(token).toMatch(/^ygt_[0-9a-f-]{36}\.\S+$/);
    await ui.shot('api-token-created-zh.png');

    const call = () =>
      fetch(new URL('/api/v1/organisations', ui.serverUrl), { headers: { authorization: `Bearer ${token}` } });
    expect((await call()).status).toBe(200);

    await dialog.getByRole('button', { name: buttonName('完成') }).click();
    const row = page.locator('tbody tr.ant-table-row').filter({ hasText: '区级平台对接' });
    expect(await textOf(row)).toContain('有效');
    await row.getByRole('button', { name: /吊\s*销/ }).click();
    await page
      .locator('.ant-popconfirm')
      .getByRole('button', { name: /吊\s*销/ })
      .click();
    await page.waitForFunction(() =>
      Array.from(document.querySelectorAll('tbody tr.ant-table-row')).some(
        (tr) => tr.textContent?.includes('区级平台对接') && tr.textContent.includes('已吊销'),
      ),
    );
    expect((await call()).status).toBe(401);
    await ui.shot('api-tokens-zh.png');
    await logout(page);
  });

  it('changes a password with the policy hint, showing the server’s objections on the fields', async () => {
    const { page } = ui;
    await ui.signedOut();
    await login(page, 'edu');
    await page.getByTestId('user-area').click();
    await page.getByRole('menuitem', { name: '修改密码' }).click();
    await at(page, '/account/password');
    expect(await textOf(page.getByTestId('password-policy'))).toContain('不能与最近 5 次使用过的密码相同');

    await page.getByLabel('当前密码').fill('wrong-password');
    await page.getByLabel('新密码', { exact: true }).fill('edu12345');
    await page.getByLabel('确认新密码').fill('edu12345');
    await page.getByRole('button', { name: '修改密码' }).click();
    expect(await fieldError(page.locator('main'), '当前密码')).toBe('当前密码错误');

    await page.getByLabel('当前密码').fill('Yunguan@Demo2026');
    await page.getByRole('button', { name: '修改密码' }).click();
    const objections = await fieldError(page.locator('main'), '新密码');
    expect(objections).toContain('至少 10 个字符');
    expect(objections).toContain('不能包含用户名');
    // The server's bilingual messages are shown in the console's language only.
    expect(objections).not.toContain('at least');
    await ui.shot('password-zh.png');

    await page.getByLabel('新密码', { exact: true }).fill('Kx9#mPq2vLw!');
    await page.getByLabel('确认新密码').fill('Kx9#mPq2vLw!');
    await page.getByRole('button', { name: '修改密码' }).click();
    await at(page, '/');
    await visible(page.getByText('密码已修改'));
    await logout(page);
  });

  let temporaryPassword = '';

  it('lets the system admin create an account with roles; its temporary password is shown once', async () => {
    const { page } = ui;
    await ui.signedOut();
    await login(page, 'sysadmin');
    await enrolTotp(page);
    await page.getByRole('menuitem', { name: '用户管理' }).click();
    await at(page, '/users');
    await visible(page.getByRole('link', { name: 'applicant' }));
    await page.getByRole('button', { name: '新建用户' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByLabel('用户名').fill('e2e.nurse');
    await dialog.getByLabel('姓名').fill('林护士');
    await dialog.getByLabel('单位').click();
    await chooseOption(page, '示范市教育局');
    await dialog.getByLabel('角色').click();
    await chooseOption(page, '单位申请人');
    await dialog.getByLabel('姓名').click();
    await dialog.getByRole('button', { name: /创\s*建/ }).click();
    temporaryPassword = await textOf(page.getByTestId('temporary-password'));
    expect(temporaryPassword.length).toBeGreaterThanOrEqual(10);
    await ui.shot('user-created-zh.png');
    await page
      .getByRole('dialog')
      .getByRole('button', { name: buttonName('完成') })
      .click();
    await page.waitForURL((url) => /^\/users\/[0-9a-f-]{36}$/.test(url.pathname));
    const roles = await textOf(page.getByTestId('user-roles-detail'));
    expect(roles).toContain('示范市教育局');
    expect(roles).toContain('单位申请人');
    await page.waitForLoadState('networkidle');
    await ui.shot('user-detail-zh.png');

    await page.getByRole('button', { name: '编辑业务角色' }).click();
    const rolesDialog = page.getByRole('dialog');
    await rolesDialog.getByLabel('角色').click();
    await chooseOption(page, '单位管理员');
    await rolesDialog.getByRole('button', { name: /保\s*存/ }).click();
    await rolesDialog.waitFor({ state: 'hidden' });
    await page.waitForFunction(() =>
      document.querySelector('[data-testid="user-roles-detail"]')?.textContent?.includes('单位管理员'),
    );

    // An action on another admin's account waits for the third admin (三员分立): here the security admin.
    await page.getByRole('menuitem', { name: '用户管理' }).click();
    await page.getByRole('link', { name: 'auditadmin', exact: true }).click();
    await page.getByRole('button', { name: '编辑用户' }).click();
    const edit = page.getByRole('dialog');
    await edit.getByLabel('姓名').fill('韩冰');
    const deferred = page.waitForResponse((response) => /\/api\/v1\/users\/[0-9a-f-]{36}$/.test(response.url()));
    await edit.getByRole('button', { name: /保\s*存/ }).click();
    expect((await deferred).status()).toBe(202);
    await visible(page.getByText('已提交第三名管理员审批'));
    expect(await page.getByRole('menuitem', { name: '管理员操作审批' }).count()).toBe(1);
    await page.getByRole('menuitem', { name: '管理员操作审批' }).click();
    await at(page, '/admin-approvals');
    // The requester sees its request, but the decision belongs to the security admin.
    await page.waitForFunction(() => document.querySelector('.ant-table-tbody')?.textContent?.includes('修改账号资料'));
    const own = await textOf(page.locator('.ant-table-tbody'));
    expect(own).toContain('修改账号资料');
    expect(own).toContain('须由安全管理员审批');
    expect(await page.getByRole('button', { name: buttonName('批准') }).count()).toBe(0);
    await logout(page);
  });

  it('sends a new account to change its temporary password before anything else', async () => {
    const { page } = ui;
    await ui.signedOut();
    await login(page, 'e2e.nurse', temporaryPassword);
    await at(page, '/account/password');
    await visible(page.getByText('请先修改密码'));
    expect(await page.getByRole('menuitem', { name: '工作台' }).count()).toBe(0);
    await page.getByLabel('当前密码').fill(temporaryPassword);
    await page.getByLabel('新密码', { exact: true }).fill('Hn7$wq2Lp9zR');
    await page.getByLabel('确认新密码').fill('Hn7$wq2Lp9zR');
    await page.getByRole('button', { name: '修改密码' }).click();
    await at(page, '/');
    await visible(page.getByRole('menuitem', { name: '单位管理' }));
    expect(await textOf(page.getByTestId('organisation'))).toBe('示范市教育局');
    await logout(page);
  });

  it('lets the security admin change the policy and reset a password', async () => {
    const { page } = ui;
    await ui.signedOut();
    await login(page, 'secadmin');
    await enrolTotp(page);
    await page.getByRole('menuitem', { name: '安全策略' }).click();
    await at(page, '/security-policy');
    const minutes = page.getByLabel('锁定时长');
    await visible(minutes);
    expect(await minutes.inputValue()).toBe('15');
    await minutes.fill('30');
    const saved = page.waitForResponse((response) => response.url().endsWith('/api/v1/security/policy'));
    await page.getByRole('button', { name: /保\s*存/ }).click();
    expect((await saved).status()).toBe(200);
    await visible(page.getByText('已保存'));
    await ui.shot('security-policy-zh.png');

    await page.getByRole('menuitem', { name: '用户管理' }).click();
    await at(page, '/users');
    // The security admin may read accounts but not create them.
    expect(await page.getByRole('button', { name: '新建用户' }).count()).toBe(0);
    await page.getByRole('link', { name: 'e2e.nurse' }).click();
    await page.getByRole('button', { name: '重置密码' }).click();
    await page
      .locator('.ant-popconfirm')
      .getByRole('button', { name: /确\s*定/ })
      .click();
    const reset = await textOf(page.getByTestId('temporary-password'));
    expect(reset).not.toBe(temporaryPassword);
    await ui.shot('security-actions-zh.png');
    await page
      .getByRole('dialog')
      .getByRole('button', { name: buttonName('完成') })
      .click();

    // Separation of duties: an admin role is held alone, so the reviewer (a business role) cannot get one;
    // the refusal is said in the dialog and nothing changes.
    await page.getByRole('menuitem', { name: '用户管理' }).click();
    await page.getByRole('link', { name: 'reviewer', exact: true }).click();
    await page.getByRole('button', { name: '管理员角色' }).click();
    const grant = page.getByRole('dialog');
    await grant.getByRole('radio', { name: '审计管理员' }).check();
    expect(await textOf(grant.locator('.ant-select'))).toContain('示范市大数据中心');
    const refused = page.waitForResponse((response) => response.url().endsWith('/admin-roles'));
    await grant.getByRole('button', { name: /保\s*存/ }).click();
    expect((await refused).status()).toBe(409);
    await page.waitForFunction(() => document.querySelector('[role="dialog"]')?.textContent?.includes('三员'));
    await ui.shot('admin-role-zh.png');
    await grant.getByRole('button', { name: /取\s*消/ }).click();
    await grant.waitFor({ state: 'hidden' });
    expect(await textOf(page.getByTestId('user-roles-detail'))).not.toContain('审计管理员');

    // The system admin's change to the audit admin's account waits here for the security admin.
    await page.getByRole('menuitem', { name: '管理员操作审批' }).click();
    await at(page, '/admin-approvals');
    await page.waitForFunction(() => document.querySelector('.ant-table-tbody')?.textContent?.includes('修改账号资料'));
    const waiting = await textOf(page.locator('.ant-table-tbody'));
    expect(waiting).toContain('修改账号资料');
    expect(waiting).toContain('姓名改为：韩冰');
    expect(waiting).toContain('韩冰（审计管理员）');
    expect(waiting).toContain('系统管理员');
    await ui.shot('admin-approvals-zh.png');
    await page.getByRole('button', { name: buttonName('批准') }).click();
    const decided = page.waitForResponse((response) => response.url().endsWith('/approve'));
    await page
      .locator('.ant-popconfirm')
      .getByRole('button', { name: /确\s*定|OK/ })
      .click();
    expect((await decided).status()).toBe(200);
    await visible(page.getByText('已批准，操作已执行'));
    await page.getByRole('tab', { name: '已处理' }).click();
    await page.waitForFunction(() => document.querySelector('.ant-table-tbody')?.textContent?.includes('已批准'));
    await page.getByRole('menuitem', { name: '用户管理' }).click();
    await at(page, '/users');
    // read the list as the server has it now (the page may show the list it loaded before the approval)
    await page.reload();
    // The approved change was carried out: the audit admin's name is now just 韩冰.
    await page.waitForFunction(() => {
      const text = document.querySelector('.ant-table-tbody')?.textContent ?? '';
      return text.includes('韩冰') && !text.includes('韩冰（审计管理员）');
    });
    await logout(page);
  });

  it('logged no browser errors along the way', () => {
    expect(unexpectedErrors(ui.browserErrors, DELIBERATE_FAILURES)).toEqual([]);
  });
});
