import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomSecret, sm3 } from '../src/platform/crypto.ts';
import {
  apiSession,
  buttonName,
  chooseOption,
  login,
  logout,
  setUpConsole,
  unexpectedErrors,
  visible,
} from './harness.ts';

/*
 * Issue 21 through the browser: the health commission registers a data resource with five fields and submits
 * it; the ops reviewer publishes it; the education bureau finds it in the catalogue and applies; the health
 * commission approves two of the five fields; the ops reviewer confirms; a call through the data gateway with
 * the education bureau's token returns those two fields; the call shows in the education bureau's call records
 * and in the auditor's; a data error is reported and acknowledged. The providing system is a server started by
 * the test on 127.0.0.1, allowed explicitly through the city's egress policy (as the webhook tests do).
 */

const ui = setUpConsole();
const NAME = '端到端测试居民档案';
let provider: Server;
let providerUrl = '';

const FIELDS = [
  ['档案编号', 'personId'],
  ['姓名', 'name'],
  ['身份证号', 'idNumber'],
  ['出生日期', 'birthDate'],
  ['血型', 'bloodType'],
] as const;

beforeAll(async () => {
  provider = createServer((req, res) => {
    if (req.headers.authorization !== 'Bearer e2e-secret') {
      res.writeHead(401).end();
      return;
    }
    res.writeHead(200, { 'content-type': 'application/json' }).end(
      JSON.stringify([
        { personId: 'P1', name: '陈一', idNumber: '330203199001011234', birthDate: '1990-01-01', bloodType: 'A' },
        { personId: 'P2', name: '林二', idNumber: '330203198502023456', birthDate: '1985-02-02', bloodType: 'O' },
      ]),
    );
  });
  await new Promise<void>((r) => provider.listen(0, '127.0.0.1', r));
  providerUrl = `http://127.0.0.1:${(provider.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((r) => provider.close(() => r())));

/** The page's text must read like a document: no ids, no codes, no snake_case keys. */
async function noCodes(): Promise<void> {
  const text = await ui.page.locator('main').first().innerText();
  expect(text).not.toMatch(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}/);
  expect(text).not.toMatch(/\b(not_shared|pending_provider|pending_ops|grant_revoked|unconditional)\b/);
}

describe('shared data in the console', () => {
  it('the providing unit registers a resource with five fields and submits it', async () => {
    const db = ui.server.database.db;
    const city = await db
      .selectFrom('jurisdiction')
      .select('id')
      .where('code', '=', 'demo-city')
      .executeTakeFirstOrThrow();
    const current = await db
      .selectFrom('webhook_egress_policy')
      .selectAll()
      .where('jurisdiction_id', '=', city.id)
      .executeTakeFirstOrThrow();
    await db
      .updateTable('webhook_egress_policy')
      .set({
        allowed_hosts: [...current.allowed_hosts, '127.0.0.1'],
        allowed_networks: [...current.allowed_networks, '127.0.0.1/32'],
      })
      .where('jurisdiction_id', '=', city.id)
      .execute();

    const page = ui.page;
    await ui.signedOut('/shared-data?tab=mine');
    await login(page, 'unitadmin');
    await visible(page.getByRole('tab', { name: '本单位的数据资源' }));
    await page.getByRole('button', { name: '登记数据资源' }).click();
    await visible(page.getByRole('heading', { name: '登记数据资源' }));
    await page.getByLabel('资源名称', { exact: true }).fill(NAME);
    await page.getByLabel('资源摘要').fill('端到端测试：居民基本信息');
    await page.getByLabel('信息系统').click();
    await chooseOption(page, '全民健康信息平台');
    await page.getByLabel('数据范围').fill('全市常住人口');
    for (let i = 1; i < FIELDS.length; i++) await page.getByRole('button', { name: '添加信息项' }).click();
    for (const [i, [meaning, key]] of FIELDS.entries()) {
      await page.getByLabel('含义').nth(i).fill(meaning);
      await page.getByLabel('字段名').nth(i).fill(key);
    }
    await page.getByLabel('共享条件').fill('仅用于入学资格核验');
    await page.getByLabel('服务地址').fill(`${providerUrl}/people`);
    await ui.shot('shared-data-register.png');
    await page.getByRole('button', { name: buttonName('保存草稿') }).click();
    await visible(page.getByRole('button', { name: buttonName('提交审核') }));
    await page.getByRole('button', { name: '设置访问凭据' }).click();
    await page.getByLabel('凭据内容').fill('Bearer e2e-secret');
    await page
      .getByRole('dialog')
      .getByRole('button', { name: buttonName('确定') })
      .click();
    await visible(page.getByText(/已设置（Authorization/));
    await page.getByRole('button', { name: buttonName('提交审核') }).click();
    await visible(page.getByText('待审核').first());
    await noCodes();
    await logout(page);
  });

  it('the ops reviewer publishes it from the review queue', async () => {
    const page = ui.page;
    await page.goto(ui.url('/shared-data?tab=review'));
    await login(page, 'reviewer');
    await page.getByRole('link', { name: NAME }).click();
    await page.getByRole('button', { name: buttonName('审核通过并发布') }).click();
    await page
      .getByRole('dialog')
      .getByRole('button', { name: buttonName('确定') })
      .click();
    await visible(page.getByRole('tab', { name: /已发布的第 1 版/ }));
    await ui.shot('shared-data-published.png');
    await logout(page);
  });

  it('the education bureau finds it in the catalogue and applies for all five fields', async () => {
    const page = ui.page;
    await page.goto(ui.url('/shared-data'));
    await login(page, 'edu');
    await page.getByPlaceholder('搜索资源名称、摘要、提供单位、信息系统或信息项').fill('端到端');
    await page.keyboard.press('Enter');
    await visible(page.getByRole('link', { name: NAME }));
    await ui.shot('shared-data-catalogue.png');
    await noCodes();
    await page.getByRole('link', { name: NAME }).click();
    await page.getByRole('button', { name: buttonName('申请使用') }).click();
    await page.getByLabel('需要该数据的项目').click();
    await chooseOption(page, '智慧教育招生平台');
    await page.getByLabel('用途').fill('新生入学资格核验');
    await ui.shot('shared-data-apply.png');
    await page.getByRole('button', { name: buttonName('提交申请') }).click();
    await visible(page.getByText('待提供单位审批'));
    await logout(page);
  });

  it('the providing unit approves two of the five fields; the ops reviewer confirms', async () => {
    const page = ui.page;
    await page.goto(ui.url('/shared-data/applications?tab=provider'));
    await login(page, 'unitadmin');
    const row = page.locator('.ant-table-tbody tr', { hasText: NAME });
    await row.getByRole('button', { name: buttonName('批准') }).click();
    const dialog = page.getByRole('dialog');
    for (const meaning of ['档案编号', '身份证号', '血型']) await dialog.getByLabel(meaning).uncheck();
    await ui.shot('shared-data-approve-two.png');
    await dialog.getByRole('button', { name: buttonName('确定') }).click();
    await visible(row.getByText('待运管单位审核'));
    await logout(page);

    await page.goto(ui.url('/shared-data/applications?tab=review'));
    await login(page, 'reviewer');
    await page
      .locator('.ant-table-tbody tr', { hasText: NAME })
      .getByRole('button', { name: buttonName('审核通过') })
      .click();
    await page.getByRole('tab', { name: '全部' }).click();
    await visible(page.locator('.ant-table-tbody tr', { hasText: NAME }).getByText('已授权'));
    await ui.shot('shared-data-applications-ops.png');
    await noCodes();
    await logout(page);
  });

  it('the gateway returns only the two granted fields, and the call is in the records', async () => {
    const db = ui.server.database.db;
    const org = await db
      .selectFrom('organisation')
      .select(['id', 'jurisdiction_id'])
      .where('code', '=', 'demo-education')
      .executeTakeFirstOrThrow();
    // The education bureau's system token (its unit administrator would issue it on the API token page).
    const issuer = await db
      .selectFrom('user_account')
      .select('id')
      .where('username', '=', 'edu')
      .executeTakeFirstOrThrow();
    const secret = randomSecret();
    const token = await db
      .insertInto('api_token')
      .values({
        organisation_id: org.id,
        jurisdiction_id: org.jurisdiction_id,
        name: '招生报名系统',
        scopes: ['shared-data:call'],
        secret_hash: sm3(secret),
        expires_at: new Date(Date.now() + 86_400_000),
        created_by_user_id: issuer.id,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    const edu = await apiSession(ui.serverUrl, 'edu');
    const resource = (await edu('GET', `/api/v1/shared-data/resources?q=${encodeURIComponent(NAME)}`)).items[0];
    const res = await fetch(new URL(`/api/v1/shared-data/gateway/${resource.id}`, ui.serverUrl), {
      headers: { authorization: `Bearer ygt_${token.id}.${secret}` },
    });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { fields: string[]; records: Record<string, unknown>[] };
    expect(body.fields).toEqual(['name', 'birthDate']);
    expect(Object.keys(body.records[0] ?? {}).sort()).toEqual(['birthDate', 'name']);

    const page = ui.page;
    await page.goto(ui.url('/shared-data/traces'));
    await login(page, 'edu');
    const call = page.locator('.ant-table-tbody tr', { hasText: NAME }).first();
    await visible(call.getByText('姓名、出生日期'));
    await visible(call.getByText('成功'));
    await ui.shot('shared-data-traces-consumer.png');
    await noCodes();

    // A data error: the education bureau reports it, the health commission acknowledges and corrects.
    await page.goto(ui.url('/shared-data/errors'));
    await page.getByRole('button', { name: '反馈数据差错' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByLabel('数据资源').click();
    await chooseOption(page, NAME);
    await dialog.getByLabel('记录').fill('P2');
    await dialog.getByLabel('信息项', { exact: true }).click();
    // The open select names its active option (aria-activedescendant): shoot once the option list is drawn, else
    // the reference points at nothing yet and the accessibility check fails on timing alone.
    await visible(
      page.locator('.ant-select-dropdown:not(.ant-select-dropdown-hidden) .ant-select-item-option', {
        hasText: '出生日期',
      }),
    );
    await ui.shot('shared-data-error-report.png');
    await chooseOption(page, '出生日期');
    await dialog.getByLabel('差错说明').fill('出生日期与户籍登记不一致');
    await dialog.getByRole('button', { name: buttonName('确定') }).click();
    await visible(page.locator('.ant-table-tbody tr', { hasText: 'P2' }).getByText('待提供单位确认'));
    await logout(page);

    await page.goto(ui.url('/shared-data/errors?tab=provider'));
    await login(page, 'unitadmin');
    const report = page.locator('.ant-table-tbody tr', { hasText: 'P2' });
    await report.getByRole('button', { name: buttonName('已更正') }).click();
    await page.getByRole('dialog').getByLabel('更正说明').fill('已按户籍登记更正');
    await page
      .getByRole('dialog')
      .getByRole('button', { name: buttonName('确定') })
      .click();
    await visible(report.getByText('待反馈单位确认'));
    await ui.shot('shared-data-errors-provider.png');
    await noCodes();
    await page.goto(ui.url('/shared-data/traces?tab=provider'));
    await visible(page.getByText('使用情况汇总'));
    await ui.shot('shared-data-traces-provider.png');
    await logout(page);
  });

  it('the auditor sees every call with the export, and the service guide reads the policy', async () => {
    const page = ui.page;
    await page.goto(ui.url('/shared-data/traces'));
    await login(page, 'auditor');
    await visible(page.getByRole('tab', { name: '全部调用' }));
    await visible(page.locator('.ant-table-tbody tr', { hasText: NAME }).first());
    const href = await page.getByRole('link', { name: /导出 Excel/ }).getAttribute('href');
    const exported = await page.request.get(ui.url(href ?? ''));
    expect(exported.status()).toBe(200);
    expect(exported.headers()['content-type']).toContain('spreadsheetml');
    await ui.shot('shared-data-traces-auditor.png');
    await page.goto(ui.url('/shared-data/guide'));
    await visible(page.getByText(/提供单位应在\s*10 个工作日内更正/));
    await ui.shot('shared-data-guide.png');
    await noCodes();
    expect(unexpectedErrors(ui.browserErrors)).toEqual([]);
  });
});
