import { describe, expect, it } from 'vitest';
import { apiSession, at, login, logout, setUpConsole, unexpectedErrors, visible } from './harness.ts';

/*
 * Issue 14 through the browser: a project is approved (立项) by the authority, not by the unit (SH 18,
 * JQ-proj 9). The health commission's unit administrator declares a project and submits it for review in the console;
 * it can no longer edit it; the big-data bureau's approver approves it in the console.
 */

const ui = setUpConsole();
const NAME = '端到端立项测试项目';

describe('project review in the console', () => {
  it('the unit submits its declared project; the authority approves it', async () => {
    const applicant = await apiSession(ui.serverUrl, 'unitadmin');
    await applicant('POST', '/api/v1/projects', { approvalNo: '示经信投〔2026〕990号', name: NAME, year: 2026 });
    const page = ui.page;
    await ui.signedOut('/projects');
    await login(page, 'unitadmin');
    await at(page, '/projects');
    const row = () => page.locator('tbody tr.ant-table-row').filter({ hasText: NAME });
    await visible(row().getByText('已申报'));
    await row().getByRole('button', { name: '提交审核' }).click();
    await page
      .locator('.ant-popconfirm')
      .getByRole('button', { name: /确\s*定|OK/ })
      .click();
    await visible(row().getByText('审核中'));
    expect(
      await row()
        .getByRole('button', { name: /编\s*辑|提交审核/ })
        .count(),
    ).toBe(0);
    await ui.shot('project-submitted.png');
    await logout(page);

    await login(page, 'approver');
    await page.goto(ui.url('/projects'));
    await at(page, '/projects');
    await row().getByRole('button', { name: '同意立项' }).click();
    await page
      .locator('.ant-popconfirm')
      .getByRole('button', { name: /确\s*定|OK/ })
      .click();
    await visible(row().getByText('已立项'));
    await ui.shot('project-approved.png');
    expect(unexpectedErrors(ui.browserErrors)).toEqual([]);
  });
});
