import { cp, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { loadConfig } from '../src/config.ts';
import { type RunningServer, startServer } from '../src/server.ts';
import {
  at,
  buttonName,
  chooseOption,
  enrolTotp,
  expectAccessible,
  expectPlainText,
  login,
  RESULTS,
  setUpConsole,
  textOf,
  unexpectedErrors,
  visible,
} from './harness.ts';

/*
 * Issue 22 through the browser: two installations, each with its own embedded database and its own HTTP
 * listener, both in this test's process (two `yunguan serve` processes are what test/federation.pg.test.ts
 * runs; here a second server started beside the harness's is enough). The harness's server is the city; the
 * district is started from a copy of the same seeded data folder. One browser, two contexts (cookies are not
 * kept apart by port), each signed in as its installation's system administrator.
 *
 * The city registers the district and shows its one-time code once; the district enrols with it; the city
 * pushes its catalogue and policy baseline; the district accepts both (the catalogue as a draft of its own);
 * the whole-city overview shows what the district runs; the city rotates the link's key and revokes it.
 */

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const ui = setUpConsole();
let districtDir: string;
let district: RunningServer;
let districtContext: BrowserContext;
let districtPage: Page;

beforeAll(async () => {
  districtDir = await mkdtemp(path.join(tmpdir(), 'yunguan-e2e-district-'));
  await cp(inject('e2eDataDir'), districtDir, { recursive: true });
  district = await startServer(loadConfig({ PORT: '0', HOST: '127.0.0.1', YUNGUAN_DATA_DIR: districtDir }, ROOT));
  // Copies of one data folder: the district must not share the city's installation identity.
  await district.database.db.deleteFrom('federation_identity').execute();
}, 300_000);

afterAll(async () => {
  await districtContext?.close().catch(() => {});
  await district?.close();
  if (districtDir) await rm(districtDir, { recursive: true, force: true });
});

async function districtShot(name: string) {
  await districtPage.screenshot({ path: path.join(RESULTS, name), fullPage: true, animations: 'disabled' });
  await expectPlainText(districtPage);
  await expectAccessible(districtPage);
}

describe('federation in the console', () => {
  it('the city enrols a district, pushes its catalogue and policy, sees what it runs, rotates and revokes', async () => {
    const page = ui.page;
    // ---------------------------------------------------------------- the city registers the district
    await ui.signedOut('/login');
    await login(page, 'sysadmin');
    await enrolTotp(page);
    await page.goto(ui.url('/federation'));
    await at(page, '/federation');
    await page.getByRole('tab', { name: '区级平台接入管理' }).click();
    await page.getByLabel('平台名称').fill('东城区政务云');
    await page.getByLabel('区划代码').fill('east');
    await page.getByLabel('区级平台地址').fill(district.url);
    await page.getByLabel('允许访问的内网地址段').fill('127.0.0.1/32');
    await page.getByRole('button', { name: buttonName('登记并生成接入码') }).click();
    const code = await textOf(page.getByTestId('enrolment-code'));
    expect(code.length).toBeGreaterThanOrEqual(16);
    await visible(page.getByText('东城区政务云的一次性接入码'));
    await ui.shot('federation-enrolment-code.png');
    await page.getByRole('button', { name: buttonName('完成') }).click();
    const row = () =>
      page
        .getByRole('tabpanel', { name: '区级平台接入管理' })
        .locator('tbody tr.ant-table-row')
        .filter({ hasText: '东城区政务云' });
    await visible(row().getByText('待接入'));

    // ---------------------------------------------------------------- the district enrols with the code
    districtContext = await ui.context.browser()!.newContext({
      viewport: { width: 1280, height: 800 },
      locale: 'zh-CN',
      timezoneId: 'UTC',
    });
    districtContext.setDefaultTimeout(60_000);
    districtPage = await districtContext.newPage();
    const districtErrors: string[] = [];
    districtPage.on('pageerror', (e) => districtErrors.push(e.message));
    await districtPage.goto(new URL('/login', district.url).toString());
    await login(districtPage, 'sysadmin');
    await enrolTotp(districtPage);
    await districtPage.goto(new URL('/federation', district.url).toString());
    await at(districtPage, '/federation');
    await districtPage.getByRole('tab', { name: '本平台向市级报送' }).click();
    await districtPage.getByLabel('市级平台地址').fill(ui.serverUrl);
    await districtPage.getByLabel('一次性接入码').fill(code);
    await districtPage.getByLabel('区划代码').fill('east');
    await districtPage.getByLabel('允许访问的内网地址段').fill('127.0.0.1/32');
    await districtPage.getByRole('button', { name: buttonName('接入') }).click();
    await visible(districtPage.getByText(/^向.+报送$/));
    await districtShot('federation-district-linked.png');

    // ---------------------------------------------------------------- the city pushes catalogue and policy
    await page.reload();
    await page.getByRole('tab', { name: '区级平台接入管理' }).click();
    await visible(row().getByText('已接入'));
    for (const what of ['下发服务目录', '下发政策基线']) {
      await row()
        .getByRole('button', { name: buttonName(what) })
        .click();
      const dialog = page.getByRole('dialog');
      await dialog.getByLabel('依据的辖区').click();
      await chooseOption(page, '示范市政务云');
      await dialog.getByRole('button', { name: buttonName('下发') }).click();
      await visible(page.getByText('已下发至东城区政务云，等待对方接受').last());
      await dialog.waitFor({ state: 'hidden' });
    }
    await ui.shot('federation-links.png');

    // ---------------------------------------------------------------- the district accepts both
    await districtPage.reload();
    await districtPage.getByRole('tab', { name: '本平台向市级报送' }).click();
    const pushed = (text: RegExp) =>
      districtPage
        .getByRole('tabpanel', { name: '本平台向市级报送' })
        .locator('tbody tr.ant-table-row')
        .filter({ hasText: text });
    await visible(pushed(/市级服务目录第 \d+ 版/));
    await visible(pushed(/市级政策基线/));
    await districtShot('federation-district-pushed.png');
    await pushed(/市级政策基线/)
      .getByRole('button', { name: buttonName('接受') })
      .click();
    await districtPage
      .locator('.ant-popconfirm')
      .getByRole('button', { name: /确\s*定|OK/ })
      .click();
    await visible(districtPage.getByText('已接受政策基线，并已报送市级平台'));
    await pushed(/市级服务目录第 \d+ 版/)
      .getByRole('button', { name: buttonName('接受') })
      .click();
    await districtPage.getByLabel(/草稿生效日期/).fill('2099-03-01');
    await districtPage
      .getByRole('dialog')
      .getByRole('button', { name: buttonName('接受') })
      .click();
    await visible(districtPage.getByText(/已生成本区服务目录草稿/));
    await visible(
      districtPage
        .getByRole('tabpanel', { name: '本平台向市级报送' })
        .getByText(/发布的市级政策基线/)
        .first(),
    );
    await districtShot('federation-district-accepted.png');

    // ---------------------------------------------------------------- the whole city sees what it runs
    // the district's sender runs every second: the overview shows the versions once its batch is applied
    await page.getByRole('tab', { name: '全市概览' }).click();
    const overview = () =>
      page
        .getByRole('tabpanel', { name: '全市概览' })
        .locator('tbody tr.ant-table-row')
        .filter({ hasText: '东城区政务云' });
    await expect
      .poll(
        async () => {
          await page.reload();
          await page.getByRole('tab', { name: '全市概览' }).click();
          return (await overview().textContent()) ?? '';
        },
        { timeout: 60_000, interval: 2_000 },
      )
      .toMatch(/市级服务目录第 \d+ 版.*发布的市级政策基线/);
    await ui.shot('federation-overview.png');

    // ---------------------------------------------------------------- rotate, then revoke
    await page.getByRole('tab', { name: '区级平台接入管理' }).click();
    await row()
      .getByRole('button', { name: buttonName('轮换密钥') })
      .click();
    await page
      .locator('.ant-popconfirm')
      .getByRole('button', { name: /确\s*定|OK/ })
      .click();
    await visible(page.getByText('密钥已轮换，对方已确认'));
    await row()
      .getByRole('button', { name: buttonName('撤销连接') })
      .click();
    await page.getByLabel('撤销原因').fill('东城区平台迁移，旧连接停用');
    await page
      .getByRole('dialog')
      .getByRole('button', { name: buttonName('撤销连接') })
      .click();
    await visible(page.getByText('已撤销与东城区政务云的连接，对方已确认'));
    await visible(row().getByText('已撤销：东城区平台迁移，旧连接停用'));
    await ui.shot('federation-revoked.png');

    await districtPage.reload();
    await districtPage.getByRole('tab', { name: '本平台向市级报送' }).click();
    await visible(districtPage.getByText(/连接已撤销（东城区平台迁移，旧连接停用）/));
    await districtShot('federation-district-revoked.png');

    expect(unexpectedErrors(ui.browserErrors)).toEqual([]);
    expect(districtErrors).toEqual([]);
  });
});
