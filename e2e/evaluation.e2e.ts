import { describe, expect, it } from 'vitest';
import { apiSession, at, buttonName, login, logout, setUpConsole, unexpectedErrors, visible } from './harness.ts';

/*
 * Issue 17 through the browser, on the demo city (Shanghai's pack): the ops evaluator computes the draft of the
 * year's efficiency evaluation in the console; the health commission rates its provider in the survey; the ops
 * unit enters the providers' quality scores and attaches an evidence file in the console, then another person
 * reviews; the authority approves and publishes, reads next year's allocation advice and the providers' fee
 * adjustments and may print the PDF report; the health commission then sees its own card (radar chart,
 * evidence, rank), its own advice, and no other unit's.
 */

const ui = setUpConsole();
const YEAR = String(new Date().getFullYear());

describe('efficiency evaluation in the console', () => {
  it('draft, survey, review, approval, publication; the unit sees its own card with its radar chart', async () => {
    const page = ui.page;
    await ui.signedOut('/evaluation');
    await login(page, 'evaluator');
    await at(page, '/evaluation');
    await page.getByRole('button', { name: buttonName('计算评估草稿') }).click();
    await visible(page.getByText('草稿', { exact: true }).first());
    await visible(page.locator('tbody tr').filter({ hasText: '示范市卫生健康委员会' }).first());
    const id = new URL(page.url()).searchParams.get('id') ?? '';
    expect(id).not.toBe('');
    // the description names every indicator of the templates the evaluation uses (six for units, five for providers)
    await visible(
      page.getByText(
        /非涉密系统上云率、云资源使用效率、闲置资源整改及时性、配额使用率、信息系统安全管理、本单位办理时限/,
      ),
    );
    await visible(page.getByText(/服务响应、服务满意度、服务质量、交付异议与核对差异、服务可用性与故障/));
    await ui.shot('evaluation-draft-zh.png');
    await logout(page);

    // the unit answers the survey for the provider that served it
    await login(page, 'unitadmin');
    await page.goto(ui.url(`/evaluation?id=${id}`));
    await at(page, '/evaluation');
    await page.getByRole('tab', { name: '满意度问卷' }).click();
    for (const question of ['服务响应是否及时', '云服务性能、稳定性、可用性是否满意', '服务态度与沟通是否满意']) {
      await page.getByLabel(`示范政务云服务商甲：${question}`).locator('li').nth(3).click();
    }
    await page.getByRole('button', { name: buttonName('提交评价') }).click();
    await visible(page.getByText('已评价'));
    await ui.shot('evaluation-survey-zh.png');
    await logout(page);

    // the ops evaluator enters the quality scores (through the API); the reviewer reviews in the console
    const evaluator = await apiSession(ui.serverUrl, 'evaluator');
    let draft = await evaluator('GET', `/api/v1/evaluations/${id}`);
    for (const card of draft.cards.filter((c: { subject: string }) => c.subject === 'provider')) {
      draft = await evaluator('PUT', `/api/v1/evaluations/${id}/scores`, {
        organisationId: card.organisationId,
        indicator: 'quality',
        score: '88',
        evidence: `${YEAR}年现场检查记录`,
      });
    }
    // the evaluator attaches the inspection record to provider A's card in the console
    await login(page, 'evaluator');
    await page.goto(ui.url(`/evaluation?id=${id}`));
    await at(page, '/evaluation');
    await page.getByRole('tab', { name: '云服务商排名' }).click();
    await page.locator('tbody tr').filter({ hasText: '示范政务云服务商甲' }).first().click();
    // the tab shown (the units' tab stays in the page, hidden, with its own upload)
    const pane = page.getByRole('tabpanel');
    await pane
      .locator('input[type=file]')
      .first()
      .setInputFiles({
        name: '服务商甲现场检查记录.pdf',
        mimeType: 'application/pdf',
        buffer: Buffer.from('%PDF-1.4 现场检查记录'),
      });
    await visible(pane.getByRole('link', { name: '服务商甲现场检查记录.pdf' }));
    await ui.shot('evaluation-evidence-zh.png');
    await logout(page);

    await login(page, 'reviewer');
    await page.goto(ui.url(`/evaluation?id=${id}`));
    await at(page, '/evaluation');
    await page.getByRole('button', { name: buttonName('审核通过') }).click();
    await visible(page.getByText('运管已审核', { exact: true }).first());
    await logout(page);

    const approver = await apiSession(ui.serverUrl, 'approver');
    await approver('POST', `/api/v1/evaluations/${id}/approve`);
    await login(page, 'approver');
    await page.goto(ui.url(`/evaluation?id=${id}`));
    await at(page, '/evaluation');
    await page.getByRole('button', { name: buttonName('发布结果') }).click();
    await visible(page.getByText('已发布', { exact: true }).first());
    await visible(page.getByText('导出 Excel').first());
    await visible(page.getByRole('link', { name: /打印报告（PDF）/ }));
    await ui.shot('evaluation-published-zh.png');
    await page.getByRole('tab', { name: '资源分配建议' }).click();
    const shown = page.getByRole('tabpanel'); // the tab on screen; the others stay in the page, hidden
    await visible(shown.getByText('示范市教育局').first());
    await visible(shown.getByText('可申请增加').first());
    await ui.shot('evaluation-advice-zh.png');
    await page.getByRole('tab', { name: '服务费调整' }).click();
    await visible(shown.locator('tbody tr').filter({ hasText: '示范政务云服务商甲' }).first());
    await ui.shot('evaluation-fee-zh.png');
    await logout(page);

    // the economy & IT authority sees the published advice for the unit and project where it sets the quota
    await login(page, 'econ');
    await page.goto(ui.url('/projects'));
    await at(page, '/projects');
    await page
      .getByRole('button', { name: /核定配额/ }) // the button carries its icon's name too
      .first()
      .click();
    const advice = page.getByTestId('quota-allocation-advice');
    await visible(advice);
    await visible(advice.getByText(/效能评估：本单位总分 [0-9]+\.[0-9]{2}，分配建议：(可申请增加|维持|建议核减)/));
    await ui.shot('evaluation-quota-advice-zh.png');
    await page.keyboard.press('Escape');
    await logout(page);

    // the unit sees its own card (and its sub-unit's), not the education bureau's
    await login(page, 'unitadmin');
    await page.goto(ui.url(`/evaluation?id=${id}`));
    await at(page, '/evaluation');
    await page.locator('tbody tr').filter({ hasText: '示范市卫生健康委员会' }).first().click();
    await visible(page.getByRole('img', { name: '示范市卫生健康委员会 评分雷达图' }));
    await visible(page.getByText('上云系统数：1').first());
    expect(await page.getByText('示范市教育局').count()).toBe(0);
    await ui.shot('evaluation-unit-card-zh.png');
    await page.getByRole('tab', { name: '资源分配建议' }).click();
    await visible(page.getByRole('tabpanel').getByText('示范市卫生健康委员会').first());
    expect(await page.getByText('示范市教育局').count()).toBe(0);
    expect(unexpectedErrors(ui.browserErrors)).toEqual([]);
  }, 300_000); // eight sign-ins and the quota dialog: more than the default on a loaded machine
});
