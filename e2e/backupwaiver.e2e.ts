import { describe, expect, it } from 'vitest';
import { createResource, recordResourceEvent } from '../src/modules/inventory/index.ts';
import { backupDeadlineJob, expiryJob } from '../src/modules/provisioning/index.ts';
import { SYSTEM_ACTOR } from '../src/platform/audit/audit.ts';
import { addDays, shanghaiDay } from '../src/platform/time/time.ts';
import { apiSession, at, login, logout, setUpConsole, unexpectedErrors, visible } from './harness.ts';

/*
 * Issue 14 (SH 25-26): a reclaim the platform opened at expiry waits for the unit's backup only until its backup
 * deadline. Past it, the console lets each role do its own step: the competent authority consents (政务云主管部门
 * 同意), the ops unit proceeds and, the provider having released the resource, confirms the receipt in the unit's
 * place. The work order says who did what and when, by name. State up to the deadline through the API and the
 * jobs `yunguan serve` runs; the deadline is moved into the past in the database (it is days away).
 */

const ui = setUpConsole();
const apiAs = (username: string) => apiSession(ui.serverUrl, username);
const log = { info: () => {}, warn: () => {}, error: () => {} };

let workOrderId = '';

describe('the backup waiver in the console, each step by its role', () => {
  it('the authority consents and the ops unit proceeds with their own buttons', async () => {
    const { page } = ui;
    const db = ui.server.database.db;
    const org = (code: string) =>
      db
        .selectFrom('organisation')
        .select(['id', 'jurisdiction_id'])
        .where('code', '=', code)
        .executeTakeFirstOrThrow();
    const health = await org('demo-health');
    const providerA = await org('demo-provider-a');
    const yesterday = addDays(shanghaiDay(new Date()), -1);
    await db.transaction().execute(async (trx) => {
      const r = await createResource(trx, {
        organisation_id: health.id,
        jurisdiction_id: health.jurisdiction_id,
        provider_id: providerA.id,
        catalogue_item_code: 'cloud-vm',
        name: '开发测试机-逾期备份',
        external_id: 'e2e-backup-waiver',
        purpose: 'development',
        expires_on: yesterday,
        order_id: null,
      });
      await recordResourceEvent(trx, SYSTEM_ACTOR, {
        resourceId: r.id,
        kind: 'delivered',
        occurredAt: new Date(Date.now() - 60 * 86_400_000),
        specification: { vcpu: 2, memoryGb: 4 },
        quantities: { vcpu: 2, memory_gb: 4 },
        source: 'manual',
      });
    });
    await expiryJob.run({ db, now: new Date(), log });
    const order = await db
      .selectFrom('resource_order')
      .select(['id', 'number'])
      .where('type', '=', 'reclaim')
      .where('source', '=', 'expiry')
      .orderBy('created_at', 'desc')
      .executeTakeFirstOrThrow();
    const reviewer = await apiAs('reviewer');
    const step = (await reviewer('GET', `/api/v1/orders/${order.id}`)).currentStep;
    await reviewer('POST', `/api/v1/orders/${order.id}/act`, {
      decision: 'approve',
      stepKey: step.key,
      comment: '同意回收',
    });
    const wo = (await reviewer('GET', `/api/v1/work-orders?orderId=${order.id}`)).items[0];
    workOrderId = wo.id;
    expect(wo.backupDueDay).toBeTruthy();
    // the unit lets its deadline pass; the sweep announces it to every party
    await db
      .updateTable('work_order')
      .set({ backup_due_at: new Date(Date.now() - 3600_000), backup_due_day: yesterday })
      .where('id', '=', workOrderId)
      .execute();
    expect(await backupDeadlineJob.run({ db, now: new Date(), log })).toEqual({ backups: 1 });

    await ui.signedOut();
    await login(page, 'approver');
    await page.goto(ui.url(`/work-orders/${workOrderId}`));
    await at(page, `/work-orders/${workOrderId}`);
    await visible(page.getByText(`使用单位逾期未确认备份（期限 ${yesterday}）`));
    await page.getByRole('textbox', { name: '意见（可选）' }).fill('单位逾期未备份，同意继续回收');
    await page.getByRole('button', { name: '同意继续回收' }).click();
    const consent = page.locator('.ant-descriptions-item', { hasText: '主管部门同意' });
    await visible(consent);
    // by the person's name, not the account
    expect(await consent.textContent()).toContain('吴刚');
    await ui.shot('backup-waiver-consented-zh.png');

    await logout(page);
    await login(page, 'reviewer');
    await page.goto(ui.url(`/work-orders/${workOrderId}`));
    await at(page, `/work-orders/${workOrderId}`);
    await visible(page.getByText('主管部门已同意'));
    await page.getByRole('button', { name: '继续回收' }).click();
    await visible(page.locator('.ant-descriptions-item', { hasText: '运行管理单位继续回收' }));

    // the provider releases the resource; the ops unit confirms the receipt the silent unit would have
    const provider = await apiAs('provider');
    await provider('POST', `/api/v1/work-orders/${workOrderId}/receipts`, {
      dataErased: true,
      lines: [{ workOrderLineNo: 1, name: '开发测试机-逾期备份', deliveredAt: new Date().toISOString() }],
    });
    await page.reload();
    await page.getByRole('button', { name: '运行管理单位确认回执' }).click();
    await visible(page.getByText('已完成').first());
    await ui.shot('backup-waiver-completed-zh.png');
    expect((await reviewer('GET', `/api/v1/orders/${order.id}`)).status).toBe('completed');
    expect(unexpectedErrors(ui.browserErrors)).toEqual([]);
  });
});
