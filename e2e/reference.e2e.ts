import ExcelJS from 'exceljs';
import { describe, expect, it } from 'vitest';
import { at, buttonName, login, setUpConsole, textOf, unexpectedErrors, visible } from './harness.ts';

const ui = setUpConsole();

const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
/** The template's header row; the rows below it are the virtual machines (src/modules/requestforms). */
const HEADER_ROW = 3;

/** The blank template from the server, filled with two virtual machines. */
async function filledForm(template: Buffer): Promise<Buffer> {
  const workbook = new ExcelJS.Workbook();
  await workbook.xlsx.load(template as unknown as ArrayBuffer);
  const sheet = workbook.getWorksheet('云资源使用需求表');
  if (!sheet) throw new Error('the template has no form sheet');
  expect(sheet.getRow(HEADER_ROW).getCell(1).text).toBe('序号');
  const rows = [
    [
      1,
      '公共网络区',
      '示范软件公司',
      '预约挂号系统',
      '前端',
      'WEB',
      '王工',
      'wang@example.com',
      '13800000001',
      4,
      8,
      100,
      200,
      '麒麟 V10',
      '否',
      null,
      null,
    ],
    [
      2,
      '公共网络区',
      '示范软件公司',
      '预约挂号系统',
      '数据库',
      'DAT',
      '王工',
      'wang@example.com',
      '13800000001',
      8,
      16,
      100,
      500,
      '麒麟 V10',
      '否',
      null,
      '主库',
    ],
  ];
  rows.forEach((values, index) => {
    const row = sheet.getRow(HEADER_ROW + 1 + index);
    values.forEach((value, column) => {
      row.getCell(column + 1).value = value;
    });
    row.commit();
  });
  return Buffer.from(await workbook.xlsx.writeBuffer());
}

describe('reference pages: calendar, catalogue, policy, request forms', () => {
  it('shows the 2026 working calendar with National Day and a make-up working day', async () => {
    const { page } = ui;
    await page.goto(ui.url('/login'));
    await login(page, 'applicant');
    await page.getByRole('menuitem', { name: '工作日历' }).click();
    await at(page, '/calendar');
    const yearPicker = page.getByLabel('年度');
    await yearPicker.click();
    await yearPicker.fill('2026');
    await yearPicker.press('Enter');
    const october1 = page.locator('[data-date="2026-10-01"]');
    await visible(october1);
    expect(await october1.getAttribute('data-holiday')).toBe('国庆节');
    expect(await october1.getAttribute('class')).toContain('yg-calendar-holiday');
    await october1.hover();
    await visible(page.locator('.ant-tooltip').filter({ hasText: '国庆节' }));
    const makeup = page.locator('.yg-calendar-year .yg-calendar-makeup_working').first();
    await visible(makeup);
    expect(await makeup.textContent()).toContain('班');
    await visible(page.getByTestId('deadline-due'));
    await page.mouse.move(0, 0);
    await page.waitForLoadState('networkidle');
    await ui.shot('calendar-zh.png');
  });

  it('shows 2027, whose notice is not out, with its statutory holidays and the provisional warning', async () => {
    const { page } = ui;
    const yearPicker = page.getByLabel('年度');
    await yearPicker.click();
    await yearPicker.fill('2027');
    await yearPicker.press('Enter');
    const newYear = page.locator('[data-date="2027-01-01"]');
    await visible(newYear);
    expect(await newYear.getAttribute('data-holiday')).toBe('元旦');
    for (const date of ['2027-02-05', '2027-02-06', '2027-02-07', '2027-02-08']) {
      expect(await page.locator(`[data-date="${date}"]`).getAttribute('data-holiday')).toBe('春节');
    }
    expect(await page.locator('[data-date="2027-09-15"]').getAttribute('data-holiday')).toBe('中秋节');
    expect(await textOf(page.getByTestId('calendar-provisional'))).toContain('调休上班日和补休尚不确定');
    await visible(page.getByText('按《全国年节及纪念日放假办法》推算', { exact: false }));
    await expect(page.locator('.yg-calendar-year .yg-calendar-makeup_working').count()).resolves.toBe(0);
    await page.mouse.move(0, 0);
    await page.waitForLoadState('networkidle');
    await ui.shot('calendar-2027-provisional-zh.png');
  });

  it('shows the service catalogue with the demo-price note', async () => {
    const { page } = ui;
    await page.getByRole('menuitem', { name: '服务目录' }).click();
    await at(page, '/catalogue');
    await visible(page.getByRole('cell', { name: /云虚拟机/ }).first());
    expect(await textOf(page.getByTestId('catalogue-note'))).toContain('演示价格');
    // Prices are shown as the server's decimal strings, without trailing zeros.
    const prices = await page.locator('tbody.ant-table-tbody').innerText();
    expect(prices).not.toMatch(/\d\.\d*0\s/);
    await page.waitForLoadState('networkidle');
    await ui.shot('catalogue-zh.png');
  });

  it('shows the policy pack of the jurisdiction, with steps that have no statutory deadline', async () => {
    const { page } = ui;
    await page.getByRole('menuitem', { name: '政策包' }).click();
    await at(page, '/policy');
    expect(await textOf(page.getByTestId('policy-pack'))).toContain('上海');
    await visible(page.getByText('无法定时限').first());
    await visible(page.getByText(/5 个工作日/).first());
    // the pack’s notes read in Chinese, with no English sentence or key (nor the pack’s id) left in them
    await visible(page.getByText('以项目审批时核定的项目配额为准').first());
    await visible(page.getByText('未规定市经济信息化主管部门的办理时限').first());
    expect(await textOf(page.locator('body'))).not.toMatch(
      /names no deadline|in principle|quota\.[a-z]|shanghai-2022/i,
    );
    await page.waitForLoadState('networkidle');
    await ui.shot('policy-zh.png');
    // a citation reads as the regulation's title and article; hovering it shows the article in its own words
    const citation = page.locator('[data-citation="SH 19"]').first();
    expect(await textOf(citation)).toBe('《上海市政务云管理暂行办法》第十九条');
    await citation.hover();
    const words = page.getByTestId('citation-words');
    await visible(words);
    expect(await textOf(words)).toContain('在五个工作日内完成审核并开通政务云测试资源');
    await ui.shot('policy-citation-hover-zh.png');
    await page.mouse.move(0, 0);
    await words.waitFor({ state: 'hidden' });
  });

  it('imports a request form built from the template and lists it', async () => {
    const { page } = ui;
    await page.getByRole('menuitem', { name: '资源申请表' }).click();
    await at(page, '/request-forms');
    const template = await ui.context.request.get(ui.url('/api/v1/request-forms/template'));
    expect(template.status()).toBe(200);
    expect(template.headers()['content-type']).toContain(XLSX);
    const buffer = await filledForm(await template.body());
    await page.locator('input[type=file]').setInputFiles({ name: '预约挂号系统.xlsx', mimeType: XLSX, buffer });
    const row = page.locator('tbody tr.ant-table-row').filter({ hasText: '预约挂号系统' });
    await visible(row.first());
    expect(await row.first().innerText()).toContain('预约挂号系统.xlsx');
    expect(await page.getByTestId('import-errors').count()).toBe(0);
    await row
      .first()
      .getByRole('button', { name: buttonName('详情') })
      .click();
    const drawer = page.getByRole('dialog');
    await visible(drawer.getByText('主库'));
    await page.keyboard.press('Escape');
    await drawer.waitFor({ state: 'hidden' });
    await page.waitForLoadState('networkidle');
    await ui.shot('request-forms-zh.png');
    expect(unexpectedErrors(ui.browserErrors)).toEqual([]);
  });
});
