import { describe, expect, it } from 'vitest';
import { at, buttonName, login, setUpConsole, textOf, unexpectedErrors, visible } from './harness.ts';

/*
 * Issue 19 through the browser: an IT project from its declaration to its acceptance, each role doing its own
 * step (JQ-proj 7-17, as the demo city applies them by override). The health commission's applicant fills in
 * the declaration form for a project outside the annual plan (JQ-proj 8) and submits it; the ops reviewer
 * answers the preliminary review's three items (JQ-proj 7(2)); the authority approves (立项) and passes the
 * design review; the unit raises the investment by exactly 10% (recorded) and then by 10.01% (to the
 * authority, JQ-proj 12), which the authority approves; the first acceptance fails with a rectification
 * deadline, the re-acceptance passes with a three-year warranty (JQ-proj 15-16). The economy & IT authority
 * reads the spending per project.
 */

const ui = setUpConsole();
const PROJECT = '基层医疗卫生机构管理信息系统';
let projectUrl = '';

/** Opens the Select labelled `field` (within `scope`) and clicks the option titled `option`. */
async function pick(field: string, option: string, nth = 0): Promise<void> {
  const { page } = ui;
  await page.getByLabel(field, { exact: true }).nth(nth).click();
  await page
    .locator(
      `.ant-select-dropdown:not(.ant-select-dropdown-hidden) .ant-select-item-option[title=${JSON.stringify(option)}]`,
    )
    .first()
    .click();
}

/** Clicks a dialog's OK button and waits until the dialog has closed (a refusal fails with its words). */
async function confirmDialog(name: string): Promise<void> {
  const { page } = ui;
  const dialog = page.getByRole('dialog');
  await dialog.getByRole('button', { name: buttonName(name) }).click();
  const refused = dialog.locator('.ant-alert-error, .ant-form-item-explain-error');
  await Promise.race([dialog.waitFor({ state: 'hidden' }), refused.first().waitFor({ state: 'visible' })]);
  if (await refused.first().isVisible()) throw new Error(`refused: ${await refused.first().textContent()}`);
}

const stage = () => ui.page.locator('.ant-steps-item-process, .ant-steps-item-error').first();

describe('IT projects: declaration to acceptance in the console', () => {
  it('the unit fills in the declaration form and submits it', async () => {
    const { page } = ui;
    await ui.signedOut('/login');
    await login(page, 'applicant');
    await page.getByRole('menuitem', { name: '信息化项目' }).click();
    await at(page, '/it-projects');
    await page.getByRole('button', { name: buttonName('填写申报表') }).click();
    await at(page, '/it-projects/declare');
    await pick('项目', `${PROJECT}（2027年度）`);
    await page.getByLabel('计划外急需', { exact: true }).click();
    await page.getByLabel('急需建设理由').fill('家庭医生签约服务扩面，基层机构系统须在年内上线');
    await page
      .getByLabel('可行性研究报告摘要')
      .fill('统一建设全市基层医疗卫生机构的诊疗、公卫和药品管理系统，依托政务云部署。');
    await page.getByLabel('投资概算（元）').fill('1000000');
    await page.getByLabel('资金筹措计划').fill('市级财政资金');
    await pick('服务名称', '云虚拟机');
    await page.getByLabel('vCPU (核)').fill('4');
    await page.getByLabel('内存 (GB)').fill('8');
    await page.getByLabel('系统盘 (GB)').fill('40');
    await page.getByLabel('数据盘 (GB)').fill('100');
    await pick('操作系统', '麒麟 Kylin V10');
    await page.getByLabel('数量', { exact: true }).fill('2');
    await page.getByLabel('数据名称').fill('基层诊疗记录');
    await page.getByLabel('说明').fill('向医保局、疾控中心共享');
    await ui.shot('itp-declaration-form.png');
    await page.getByRole('button', { name: buttonName('保存申报（草稿）') }).click();
    await page.waitForURL((u) => u.pathname.startsWith('/it-projects/projects/'));
    projectUrl = new URL(page.url()).pathname;
    await visible(page.getByText('计划外急需').first());
    // 2 x (4 vCPU x 60 + 8 GB x 20 + 140 GB x 0.5) = 2 x 470 = ¥940.00 a month; x 12 = ¥11280.00 a year
    await visible(page.getByText('¥940.00'));
    await visible(page.getByText('¥11280.00'));
    await page.getByRole('button', { name: buttonName('提交申报') }).click();
    await expect.poll(() => textOf(stage())).toContain('初审');
    await ui.shot('itp-declaration-submitted.png');
  });

  it('the ops reviewer answers the preliminary review, item by item', async () => {
    const { page } = ui;
    await ui.signedOut('/login');
    await login(page, 'reviewer');
    await page.goto(ui.url(projectUrl));
    await page.getByRole('button', { name: buttonName('初审') }).click();
    const dialog = page.getByRole('dialog');
    const notes = dialog.getByLabel('审查意见');
    await notes.nth(0).fill('符合全市智慧城市建设规划');
    await notes.nth(1).fill('部署于政务云业务区');
    await notes.nth(2).fill('诊疗记录按目录共享');
    await ui.shot('itp-review.png');
    await confirmDialog('确定');
    await visible(page.getByText('初审通过').first());
  });

  it('the authority approves the project and passes its design review', async () => {
    const { page } = ui;
    await ui.signedOut('/login');
    await login(page, 'approver');
    await page.goto(ui.url(projectUrl));
    await page.getByRole('button', { name: buttonName('批复立项') }).click();
    await visible(page.getByText('已立项').first());
    await page.getByRole('button', { name: buttonName('初步设计和概算评审') }).click();
    await page.getByRole('dialog').getByLabel('评审意见').fill('初步设计和投资概算合理');
    await confirmDialog('确定');
    await visible(page.getByText('初步设计评审通过').first());
    await ui.shot('itp-approved.png');
  });

  it('a change of +10.0% is recorded, +10.01% goes to the authority (JQ-proj 12)', async () => {
    const { page } = ui;
    await ui.signedOut('/login');
    await login(page, 'applicant');
    await page.goto(ui.url(projectUrl));
    const changes = page.locator('.ant-card', { hasText: '投资变更' });
    await changes.getByRole('button', { name: buttonName('申请投资变更') }).click();
    await page.getByRole('dialog').getByLabel('变更后投资概算（元）').fill('1100000');
    await page.getByRole('dialog').getByLabel('变更原因').fill('增加家庭医生移动终端接入');
    await confirmDialog('提交变更');
    await visible(changes.getByText('已登记'));
    await changes.getByRole('button', { name: buttonName('申请投资变更') }).click();
    // 10.01% of 1,100,000.00 is 110,110.00
    await page.getByRole('dialog').getByLabel('变更后投资概算（元）').fill('1210110');
    await page.getByRole('dialog').getByLabel('变更原因').fill('接入全市检验检查结果互认');
    await confirmDialog('提交变更');
    await visible(changes.getByText('待主管部门批准'));
    expect(await textOf(changes.locator('tbody'))).toContain('10.0100%');
    await ui.shot('itp-changes.png');
  });

  it('the authority approves the change, then records a failed acceptance and the re-acceptance', async () => {
    const { page } = ui;
    await ui.signedOut('/login');
    await login(page, 'approver');
    await page.goto(ui.url(projectUrl));
    const changes = page.locator('.ant-card', { hasText: '投资变更' });
    await changes.getByRole('button', { name: buttonName('审批变更') }).click();
    await page.getByRole('dialog').getByLabel('审批说明').fill('同意调整概算');
    await confirmDialog('确定');
    await visible(changes.getByText('已批准'));

    const acceptance = page.locator('.ant-card', { hasText: '竣工验收' });
    await acceptance.getByRole('button', { name: buttonName('录入验收结果') }).click();
    let dialog = page.getByRole('dialog');
    await dialog.getByText('验收不合格').click();
    await dialog.getByLabel('验收意见').fill('药品管理模块未完成联调，限期整改');
    await dialog.getByLabel('整改期限').click();
    await dialog.getByLabel('整改期限').fill('2099-12-31');
    await dialog.getByLabel('整改期限').press('Enter');
    await ui.shot('itp-acceptance-failed-form.png');
    await confirmDialog('确定');
    await visible(acceptance.getByText('限2099-12-31前整改后复验').first());

    await acceptance.getByRole('button', { name: buttonName('录入复验结果') }).click();
    dialog = page.getByRole('dialog');
    await dialog.getByLabel('验收意见').fill('整改完成，同意验收');
    await confirmDialog('确定');
    await visible(acceptance.getByText('验收合格').first());
    await expect.poll(() => textOf(acceptance)).toMatch(/保修期至\d{4}-\d{2}-\d{2}/);
    await expect.poll(() => textOf(acceptance)).toContain('绩效评估');
    await visible(page.locator('.ant-steps-item-finish', { hasText: '验收' }));
    await ui.shot('itp-accepted.png');
  });

  it('the economy & IT authority reads the spending per project', async () => {
    const { page } = ui;
    await ui.signedOut('/login');
    await login(page, 'econ');
    await page.goto(ui.url('/it-projects'));
    await page.getByRole('tab', { name: '项目费用' }).click();
    // the urgent project approved in 2026: its planned annual cloud cost (the declarations tab lists it too, first)
    const row = page.locator('tr', { has: page.getByRole('link', { name: '突发公共卫生事件应急指挥系统' }) }).last();
    await visible(row);
    await expect.poll(() => textOf(row)).toContain('¥28320.00');
    await ui.shot('itp-project-budget.png');
    expect(unexpectedErrors(ui.browserErrors)).toEqual([]);
  });
});
