import { readFile } from 'node:fs/promises';
import ExcelJS from 'exceljs';
import { describe, expect, it } from 'vitest';
import {
  apiSession,
  at,
  buttonName,
  login,
  logout,
  setUpConsole,
  textOf,
  unexpectedErrors,
  visible,
} from './harness.ts';

/*
 * Issue 7 through the browser, on the demo's activity (October 2026 settled as a draft by the seed): the economy
 * & IT authority sets the education bureau's efficiency coefficient for October to 0.9 and finance marks the
 * bureau outside the city budget (系数与预算); the ops reviewer recomputes October, reads the bureau's statement
 * (every line at 0.9) and reviews; the authority confirms (核定), after which October's coefficients are frozen;
 * the bureau sees only its own statement, downloads it as Excel and opens the print view; finance reads the
 * annual view. Flow buttons appear only to the roles that may act.
 */

const ui = setUpConsole();

const MONTH = '2026-10';
const EDUCATION = '示范市教育局';
const HEALTH = '示范市卫生健康委员会';
const NOTE = '2026年第三季度效能评估';
/** The other unit's statement the bureau tries to open (its 404 is the one browser error expected). */
let foreignStatement = '';

/** A row of the visible tables containing `text`. */
const rowOf = (text: string | RegExp) => ui.page.locator('.ant-table-tbody tr', { hasText: text });
/** The card titled `title` (cards hold the runs, statements and units tables). */
const card = (title: string) =>
  ui.page.locator('.ant-card', { has: ui.page.locator('.ant-card-head', { hasText: title }) });

/** fen as the console shows yuan: 487170 -> "4,871.70". */
const yuan = (fen: string) => {
  const digits = fen.padStart(3, '0');
  return `${digits.slice(0, -2).replace(/\B(?=(\d{3})+(?!\d))/g, ',')}.${digits.slice(-2)}`;
};

async function openSettlement(query: string): Promise<void> {
  const { page } = ui;
  await page.getByRole('menuitem', { name: '费用结算' }).click();
  await at(page, '/settlement');
  await page.goto(ui.url(`/settlement?${query}`));
  await visible(page.getByRole('tab', { name: '月度结算' }));
}

describe('monthly settlement in the console', () => {
  it('the economy & IT authority sets a unit’s coefficient for October; the form says what is wrong', async () => {
    const { page } = ui;
    page.setDefaultTimeout(20_000);
    await ui.signedOut();
    await login(page, 'econ');
    await openSettlement(`tab=coefficients&month=${MONTH}`);
    await visible(card(`${MONTH} 效能系数与预算`));
    const row = rowOf(EDUCATION);
    await visible(row.getByText('1（默认）'));
    // the economy & IT authority sets coefficients but not the budget mark (finance and the competent authority)
    await expect(page.getByRole('button', { name: '标为预算外' }).count()).resolves.toBe(0);

    await row.getByRole('button', { name: '设置系数' }).click();
    const dialog = page.getByRole('dialog', { name: `设置效能系数：${EDUCATION}（${MONTH}）` });
    const field = dialog.getByLabel('效能系数');
    await field.fill('1.23456');
    await dialog.getByRole('button', { name: buttonName('保存') }).click();
    await visible(dialog.getByText('效能系数须为 0 至 10 之间的数，最多 4 位小数'));
    await field.fill('');
    await visible(dialog.getByText('请填写效能系数'));
    await field.fill('0.9');
    await dialog.getByLabel('说明').fill(NOTE);
    await ui.shot('settlement-coefficient-form-zh.png');
    await dialog.getByRole('button', { name: buttonName('保存') }).click();
    await visible(page.getByText(`已将${EDUCATION} ${MONTH} 的效能系数设为 0.9，重新计算结算后生效`));
    await dialog.waitFor({ state: 'hidden' });
    await visible(row.getByText('0.9', { exact: true }));
    await visible(row.getByText(NOTE));
    expect(await textOf(row)).toContain('郑芳（经信委审批人）');
    expect(unexpectedErrors(ui.browserErrors)).toEqual([]);
  });

  it('finance marks the unit outside the city budget', async () => {
    const { page } = ui;
    await logout(page);
    await login(page, 'finance');
    await openSettlement(`tab=coefficients&month=${MONTH}`);
    const row = rowOf(EDUCATION);
    await visible(row.getByText('0.9', { exact: true }));
    // finance sees the coefficients but may not set them
    await expect(page.getByRole('button', { name: '设置系数' }).count()).resolves.toBe(0);
    await row.getByRole('button', { name: '标为预算外' }).click();
    const confirm = page.locator('.ant-popconfirm').filter({ hasText: `将${EDUCATION}标为预算外（单位自付）？` });
    await confirm.getByRole('button', { name: buttonName('确定') }).click();
    await visible(page.getByText(`已更新${EDUCATION}的付费方`));
    await visible(row.getByText('预算外（单位自付）'));
    await visible(row.getByRole('button', { name: '改回市级预算' }));
    // finance neither computes, reviews nor confirms
    await page.getByRole('tab', { name: '月度结算' }).click();
    await visible(card('结算批次').locator('.ant-table-tbody tr', { hasText: MONTH }));
    await expect(page.getByRole('button', { name: '计算结算' }).count()).resolves.toBe(0);
    await expect(page.getByRole('button', { name: buttonName('审核') }).count()).resolves.toBe(0);
    await expect(page.getByRole('button', { name: buttonName('核定') }).count()).resolves.toBe(0);
    expect(unexpectedErrors(ui.browserErrors)).toEqual([]);
  });

  it('the ops reviewer recomputes October, reads the statement with the coefficient on every line and reviews', async () => {
    const { page } = ui;
    await logout(page);
    await login(page, 'reviewer');
    await openSettlement(`month=${MONTH}`);
    // the reviewer may not set coefficients or budget marks
    await expect(page.getByRole('tab', { name: '系数与预算' }).count()).resolves.toBe(0);
    const run = card('结算批次').locator('.ant-table-tbody tr', { hasText: MONTH });
    await visible(run.getByText('草稿'));
    await expect(run.getByRole('button', { name: buttonName('核定') }).count()).resolves.toBe(0);
    // the coefficient was set after the seed computed October: the draft is out of date and not offered for review
    await visible(run.getByText('需重新计算'));
    await expect(run.getByRole('button', { name: buttonName('审核') }).count()).resolves.toBe(0);
    await visible(run.getByRole('button', { name: buttonName('重新计算') }));
    await ui.shot('settlement-outdated-zh.png');

    await page.getByRole('button', { name: buttonName('计算结算') }).click();
    await visible(page.getByText(`已计算 ${MONTH}：2 张结算单`, { exact: false }));
    // the list of runs is read again after the message: the mark goes once it is
    await run.getByText('需重新计算').waitFor({ state: 'detached' });
    const statement = card(`${MONTH} 结算单`).locator('.ant-table-tbody tr', { hasText: EDUCATION });
    await visible(statement.getByText('预算外（单位自付）'));
    expect(await textOf(statement)).toContain('0.9');
    const health = card(`${MONTH} 结算单`).locator('.ant-table-tbody tr', { hasText: HEALTH });
    await visible(health.getByText('市级财政预算'));

    // the city-wide summary: per unit with the budget mark
    await run.getByRole('button', { name: buttonName('汇总') }).click();
    const drawer = page.locator('.ant-drawer-section');
    await visible(drawer.getByText(`${MONTH} 全市汇总`));
    await visible(drawer.locator('.ant-table-tbody tr', { hasText: EDUCATION }).getByText('预算外（单位自付）'));
    await visible(drawer.locator('.ant-table-tbody tr', { hasText: '云虚拟机' }).first());
    await drawer.locator('.ant-drawer-close').click();
    await drawer.waitFor({ state: 'hidden' });

    await statement.getByRole('link', { name: EDUCATION }).click();
    await visible(page.getByText(`${EDUCATION} ${MONTH} 结算单`));
    const details = page.locator('.ant-descriptions');
    await visible(details.getByText('预算外（单位自付）'));
    expect(await textOf(details)).toMatch(/效能系数\s*0\.9(?!\d)/);
    // drill-down project -> system -> resource -> lines, opened: a full month of 4 vCPU at 60 元 is 240.00, x 0.9
    const lines = page.locator('.ant-table-tbody tr', { hasText: /云虚拟机 · / });
    await visible(lines.first());
    expect(await lines.count()).toBe(24);
    for (const text of await lines.allInnerTexts()) expect(text).toMatch(/\b0\.9\b/);
    const vcpu = page.locator('.ant-table-tbody tr', { hasText: '云虚拟机 · vCPU' }).filter({ hasText: '216.00' });
    await visible(vcpu.first());
    await vcpu.first().getByRole('button').click();
    const explain = page.getByRole('dialog', { name: '计费明细' });
    await visible(explain.getByText('amountFen = roundHalfUp(100 x coefficient', { exact: false }));
    expect(await textOf(explain)).toContain('效能系数: 0.9');
    await ui.shot('settlement-statement-zh.png');
    await page.keyboard.press('Escape');
    await explain.waitFor({ state: 'hidden' });

    await page.goto(ui.url(`/settlement?month=${MONTH}`));
    await run.getByRole('button', { name: buttonName('审核') }).click();
    await visible(page.getByText(`${MONTH} 结算已审核，待经信部门核定`));
    await visible(run.getByText('已审核'));
    // the reviewer and the city by name, never the account or the code
    expect(await textOf(run)).toContain('赵敏（运管审核员）');
    expect(await textOf(run)).not.toMatch(/reviewer|demo-city/);
    // the twelve months' trend is drawn (ECharts renders into a canvas inside the labelled chart)
    await visible(page.getByRole('img', { name: '按月费用柱状图，分市级预算和单位自付' }).locator('canvas').first());
    await page.mouse.move(0, 0);
    await ui.shot('settlement-monthly-zh.png');
    // only the economy & IT authority confirms
    await expect(run.getByRole('button', { name: buttonName('核定') }).count()).resolves.toBe(0);
    expect(unexpectedErrors(ui.browserErrors)).toEqual([]);
  });

  it('the authority confirms (核定); October’s coefficients are then frozen', async () => {
    const { page } = ui;
    await logout(page);
    await login(page, 'econ');
    await openSettlement(`month=${MONTH}`);
    const run = card('结算批次').locator('.ant-table-tbody tr', { hasText: MONTH });
    await visible(run.getByText('已审核'));
    await expect(run.getByRole('button', { name: buttonName('审核') }).count()).resolves.toBe(0);
    await run.getByRole('button', { name: buttonName('核定') }).click();
    const confirm = page.locator('.ant-popconfirm').filter({ hasText: `核定 ${MONTH} 结算？` });
    await visible(confirm.getByText('核定后该月关账', { exact: false }));
    await confirm.getByRole('button', { name: buttonName('核定') }).click();
    await visible(page.getByText(`${MONTH} 结算已核定`));
    await visible(run.getByText('已核定'));
    // the person who confirmed, by name (never the account)
    expect(await textOf(run)).toContain('郑芳（经信委审批人）');
    expect(await textOf(run)).not.toContain('econ');
    await expect(run.getByRole('button', { name: buttonName('核定') }).count()).resolves.toBe(0);

    await page.getByRole('tab', { name: '系数与预算' }).click();
    await visible(page.getByText(`${MONTH} 已核定关账，效能系数不可再改。`));
    await visible(rowOf(EDUCATION).getByText('0.9', { exact: true }));
    await expect(page.getByRole('button', { name: '设置系数' }).count()).resolves.toBe(0);
    expect(unexpectedErrors(ui.browserErrors)).toEqual([]);
  });

  it('the unit sees only its own statement, downloads it as Excel and opens the print view', async () => {
    const { page } = ui;
    const finance = await apiSession(ui.serverUrl, 'finance');
    const all = await finance('GET', `/api/v1/settlement/statements?month=${MONTH}`);
    const mine = all.items.find((s: { organisationName: string }) => s.organisationName === EDUCATION);
    const other = all.items.find((s: { organisationName: string }) => s.organisationName === HEALTH);
    foreignStatement = `/api/v1/settlement/statements/${other.id}`;
    expect(mine).toMatchObject({ coefficient: '0.9000', outsideCityBudget: true, status: 'closed' });

    await logout(page);
    await login(page, 'edu');
    // without a month in the address the page opens on the last month with statements (October), not on an
    // empty calendar month (issue 16)
    await page.getByRole('menuitem', { name: '费用结算' }).click();
    await at(page, '/settlement');
    await visible(card(`${MONTH} 结算单`).locator('.ant-table-tbody tr.ant-table-row').first());
    await openSettlement(`month=${MONTH}`);
    await expect(page.getByRole('tab', { name: '系数与预算' }).count()).resolves.toBe(0);
    await expect(card('结算批次').count()).resolves.toBe(0);
    const statements = card(`${MONTH} 结算单`).locator('.ant-table-tbody tr.ant-table-row');
    await visible(statements.first());
    expect(await statements.allInnerTexts()).toEqual([expect.stringContaining(EDUCATION)]);
    expect(await textOf(statements.first())).toContain(yuan(mine.totalFen));
    await visible(statements.first().getByText('已核定'));

    // another unit's statement answers like a missing one
    await page.goto(ui.url(`/settlement/statements/${other.id}`));
    await visible(page.locator('.ant-alert-error'));
    await expect(page.getByText(HEALTH).count()).resolves.toBe(0);

    await page.goto(ui.url(`/settlement/statements/${mine.id}`));
    await visible(page.getByText(`${EDUCATION} ${MONTH} 结算单`));
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('link', { name: /Excel/ }).click(),
    ]);
    expect(download.suggestedFilename()).toBe(`结算单-${MONTH}-${EDUCATION}.xlsx`);
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.load((await readFile(await download.path())) as unknown as ArrayBuffer);
    const sheet = workbook.worksheets[0];
    if (!sheet) throw new Error('the export has no sheet');
    // exceljs leaves holes for empty cells: Array.from keeps every column in its place
    const text = (row: number) =>
      Array.from(sheet.getRow(row).values as unknown[])
        .slice(1)
        .map((v) => String(v ?? ''));
    expect(text(1)).toEqual([
      `结算单 Statement ${MONTH}`,
      `${EDUCATION} (demo-education)`,
      '预算外，自行支付 outside the city budget',
      '效能系数 coefficient 0.9000',
      `合计 ${mine.total} 元`,
      '状态 已核定 closed',
    ]);
    expect(text(2)[11]).toBe('效能系数 Coefficient');
    const body = Array.from({ length: sheet.rowCount - 3 }, (_, i) => text(i + 3));
    expect(body).toHaveLength(24);
    // coefficients and amounts are numbers with their display formats, so finance can sum them in Excel
    expect(body.every((r) => r[11] === '0.9')).toBe(true);
    const first = sheet.getRow(3);
    expect([typeof first.getCell(12).value, first.getCell(12).numFmt]).toEqual(['number', '0.0000']);
    expect([typeof first.getCell(13).value, first.getCell(13).numFmt]).toEqual(['number', '0.00']);
    expect(body.some((r) => r[4] === 'zsbm-106' && r[7] === 'vcpu' && r[12] === '216')).toBe(true);
    const totals = sheet.getRow(sheet.rowCount);
    expect(totals.getCell(12).value).toBe('合计 Total');
    expect(totals.getCell(13).value).toBe(Number(mine.total));

    const [print] = await Promise.all([
      ui.context.waitForEvent('page'),
      page.getByRole('link', { name: /打印/ }).click(),
    ]);
    await print.waitForLoadState();
    expect(await print.locator('h1').textContent()).toContain('效能系数 coefficient 0.9000');
    expect(await print.locator('tbody tr').count()).toBe(24);
    await print.close();
    expect(unexpectedErrors(ui.browserErrors, [foreignStatement])).toEqual([]);
  });

  it('finance reads the annual view: each unit’s months, the budget mark and the confirmed part', async () => {
    const { page } = ui;
    const finance = await apiSession(ui.serverUrl, 'finance');
    const annual = await finance('GET', '/api/v1/settlement/annual?year=2026');
    const education = annual.items.find((u: { code: string }) => u.code === 'demo-education');
    expect(education).toMatchObject({ outsideCityBudget: true, billedToUnitFen: education.totalFen });

    await logout(page);
    await login(page, 'finance');
    await openSettlement(`tab=annual&month=${MONTH}`);
    await visible(page.getByText('2026 年度费用（按单位）'));
    const row = rowOf(EDUCATION);
    await visible(row.getByText('预算外（单位自付）'));
    const cells = await row.locator('td').allInnerTexts();
    // unit, January..December (a dash for none), year, of which city budget, of which the unit, confirmed
    expect(cells.slice(1, 13)).toEqual([...Array(9).fill('—'), yuan(education.monthsFen[9]), '—', '—']);
    expect(cells.slice(13)).toEqual([
      yuan(education.totalFen),
      '0.00',
      yuan(education.totalFen),
      yuan(education.totalFen),
    ]);
    await visible(page.locator('.ant-table-summary').getByText('全部单位'));
    await ui.shot('settlement-annual-zh.png');
    expect(unexpectedErrors(ui.browserErrors, [foreignStatement])).toEqual([]);
  });
});
