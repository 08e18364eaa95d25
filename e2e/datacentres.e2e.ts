import { describe, expect, it } from 'vitest';
import { apiSession, buttonName, login, logout, setUpConsole, unexpectedErrors, visible } from './harness.ts';

/*
 * Issue 20 through the browser, on Liuzhou's rules: the health commission registers a 5-rack room and sees the
 * pre-check fail with the article; it applies (set up through the API, as the unit's console would), the ops
 * unit evaluates; the authority refuses in the console and the room gets its 1-year transition (LZ 15(1)); the
 * ops unit sees the city's overview and the migration progress. No page shows an id or a code.
 */

const ui = setUpConsole();
const ROOM = '端到端测试机房';

async function noCodes(): Promise<void> {
  const text = await ui.page.locator('main').first().innerText();
  expect(text).not.toMatch(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}/);
  expect(text).not.toMatch(/\b(self_built|rented|registered|transition|retained|standard|sensitive|gb50174)\b/);
}

describe('legacy data centres in the console', () => {
  it('the unit registers a room and sees which criteria fail, with the article', async () => {
    const approver = await apiSession(ui.serverUrl, 'approver');
    await approver('PUT', '/api/v1/jurisdictions/demo-city/policy', { packId: 'liuzhou' });
    const page = ui.page;
    await ui.signedOut('/data-centres');
    await login(page, 'unitadmin');
    await page.getByRole('button', { name: '登记数据中心' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByLabel('机房名称').fill(ROOM);
    await dialog.getByLabel('地址').fill('柳州市城中区文昌路1号');
    await dialog.getByLabel('面积（平方米）').fill('60');
    await dialog.getByLabel('可用机架数').fill('5');
    await dialog.getByLabel('专职运维人员').fill('3');
    await ui.shot('data-centres-register.png');
    await dialog.getByRole('button', { name: buttonName('保存') }).click();
    await visible(page.getByRole('heading', { name: ROOM }));
    await visible(page.getByText('认定标准预检'));
    await visible(page.getByText(/要求 不少于 6 个，现为 5 个（(《[^》]+》第十三条第（三）项|LZ 13\(3\))）/));
    await ui.shot('data-centres-room.png');
    await noCodes();
    await logout(page);
  });

  it('the authority refuses after the ops unit’s evaluation; a 5-rack room gets 1 year (LZ 15(1))', async () => {
    const unit = await apiSession(ui.serverUrl, 'unitadmin');
    const rooms = await unit('GET', '/api/v1/data-centres');
    const room = rooms.items.find((r: { name: string }) => r.name === ROOM);
    const answers = {
      network: '外网',
      technology: '云平台',
      scale: '5个机架',
      operations: '3人',
      security: '等保三级',
    };
    const app = await unit('POST', `/api/v1/data-centres/${room.id}/applications`, { answers });
    for (const purpose of Object.keys(answers))
      await unit('POST', `/api/v1/data-centres/applications/${app.id}/attachments`, {
        purpose,
        fileName: `${purpose}.pdf`,
        mediaType: 'application/pdf',
        contentBase64: Buffer.from(purpose).toString('base64'),
      });
    await unit('POST', `/api/v1/data-centres/applications/${app.id}/submit`);
    const reviewer = await apiSession(ui.serverUrl, 'reviewer');
    const today = new Date(Date.now() + 8 * 3_600_000).toISOString().slice(0, 10);
    await reviewer('POST', `/api/v1/data-centres/applications/${app.id}/evaluation`, {
      siteSurveyOn: today,
      recommendation: 'refuse',
      opinion: '可用机架数不足6个',
    });

    const page = ui.page;
    await page.goto(ui.url('/data-centres/applications'));
    await login(page, 'approver');
    await page.getByRole('link', { name: ROOM }).click();
    await visible(page.getByText('可用机架数不足6个'));
    await page.getByRole('button', { name: buttonName('认定审批') }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByLabel('不予认定').check();
    await dialog.getByLabel('审批意见').fill('机架数不足，不予认定');
    await dialog.getByRole('button', { name: buttonName('确定') }).click();
    await visible(page.getByText('未通过认定').first());
    await page.getByRole('link', { name: '查看机房登记信息' }).click();
    await visible(page.getByText(/第十五条第（一）项|LZ 15\(1\)/).first());
    await ui.shot('data-centres-refused.png');
    await noCodes();
    await logout(page);
  });

  it('the ops unit sees the city’s overview and the migration progress', async () => {
    const page = ui.page;
    await page.goto(ui.url('/data-centres'));
    await login(page, 'reviewer');
    await visible(page.getByText('全市存量数据中心概况'));
    await visible(page.getByRole('link', { name: ROOM }));
    await ui.shot('data-centres-overview.png');
    await noCodes();
    await page.goto(ui.url('/data-centres/migration'));
    await visible(page.getByRole('link', { name: ROOM }));
    await visible(page.getByText('预警').first());
    await ui.shot('data-centres-migration.png');
    await noCodes();
    await logout(page);
    expect(unexpectedErrors(ui.browserErrors)).toEqual([]);
  });
});
