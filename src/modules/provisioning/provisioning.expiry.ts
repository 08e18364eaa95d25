import { SYSTEM_ACTOR, writeAudit } from '../../platform/audit/audit.ts';
import type { Job } from '../../platform/jobs/jobs.ts';
import { addDays, shanghaiDay, startOfShanghaiDay } from '../../platform/time/time.ts';
import type { DB, Db } from '../../schema.ts';
import { countWorkingDays } from '../calendar/index.ts';
import { setExpiry } from '../inventory/index.ts';
import { notify } from '../notifications/index.ts';
import { effectivePolicy } from '../policy/index.ts';
import { openReclaimOrder } from './provisioning.orders.ts';
import * as repo from './provisioning.repository.ts';

/**
 * Lead times of the expiry notices: the pack's `quota.expiryNoticeWorkingDays`, else (SH 21 says "notify ahead"
 * without a number) its platform defaults `defaults.expiryNoticeFirstLeadWorkingDays` and `...FinalLead...`.
 */
async function leadsOf(db: Db, jurisdictionCode: string): Promise<number[]> {
  const policy = await effectivePolicy(db, jurisdictionCode);
  const value = (policy as { quota?: { expiryNoticeWorkingDays?: { value: unknown } } }).quota?.expiryNoticeWorkingDays
    ?.value;
  if (typeof value === 'number' && value > 0) return [value];
  const d = policy.defaults;
  return [d.expiryNoticeFirstLeadWorkingDays.value, d.expiryNoticeFinalLeadWorkingDays.value].filter(
    (n): n is number => typeof n === 'number' && n > 0,
  );
}

export interface ExpiryRun {
  notices: number;
  reclaimOrders: number;
  extended: number;
}

/**
 * One sweep over time-limited resources (`repo.TIME_LIMITED_PURPOSES`: development, emergency and temporary,
 * which expire with their order's term, and trial, which expires after the pack's trial period from delivery,
 * see `openWorkOrders`; test resources have no expiry): an approved extension
 * moves the expiry; a notice with a backup reminder goes to the unit when the working days left reach a lead
 * time; at expiry (00:00 Asia/Shanghai of `expires_on`) a reclaim order is opened through the orders module.
 * Each resource is handled in its own transaction; expiry_notice rows make every step happen once.
 */
export async function sweepExpiries(db: Db, now: Date): Promise<ExpiryRun> {
  const today = shanghaiDay(now);
  const run: ExpiryRun = { notices: 0, reclaimOrders: 0, extended: 0 };
  const leadCache = new Map<string, number[]>();
  const codeCache = new Map<string, string>();
  // 15 working days are never more than 45 calendar days (the longest holiday runs included).
  const candidates = await db.transaction().execute((trx) => repo.timeLimitedResources(trx, addDays(today, 60)));
  for (const c of candidates) {
    await db.transaction().execute(async (trx) => {
      const expiresOn = c.expires_on as string;
      const code = codeCache.get(c.jurisdiction_id) ?? (await repo.jurisdictionCode(trx, c.jurisdiction_id));
      codeCache.set(c.jurisdiction_id, code);
      const ext = await repo.approvedExtension(trx, c);
      if (ext?.expiresOn && ext.expiresOn > expiresOn) {
        await setExpiry(trx, c.id, ext.expiresOn, now);
        await repo.insertNotice(trx, {
          resource_id: c.id,
          organisation_id: c.organisation_id,
          jurisdiction_id: c.jurisdiction_id,
          expires_on: expiresOn,
          kind: 'extended',
          lead_working_days: 0,
          sent_on: today,
          sent_at: now,
          order_id: ext.orderId,
        });
        await writeAudit(trx, SYSTEM_ACTOR, {
          action: 'resource.extended',
          objectType: 'resource',
          objectId: c.id,
          detail: { from: expiresOn, to: ext.expiresOn, orderId: ext.orderId },
        });
        run.extended++;
        return;
      }
      const sent = await repo.noticesOf(trx, c.id, expiresOn);
      if (today >= expiresOn) {
        if (sent.some((n) => n.kind === 'reclaim')) return;
        const orderId = await openReclaimOrder(trx, SYSTEM_ACTOR, {
          organisationId: c.organisation_id,
          jurisdictionId: c.jurisdiction_id,
          resourceIds: [c.id],
          reason: `${c.name} 已于 ${expiresOn} 到期，自动回收（SH 21） / expired on ${expiresOn}, reclaimed automatically (SH 21)`,
          now,
        });
        await repo.insertNotice(trx, {
          resource_id: c.id,
          organisation_id: c.organisation_id,
          jurisdiction_id: c.jurisdiction_id,
          expires_on: expiresOn,
          kind: 'reclaim',
          lead_working_days: 0,
          sent_on: today,
          sent_at: now,
          order_id: orderId || null,
        });
        await writeAudit(trx, SYSTEM_ACTOR, {
          action: 'resource.expired',
          objectType: 'resource',
          objectId: c.id,
          detail: { expiresOn, reclaimOrderId: orderId || null },
        });
        await notify(trx, {
          jurisdictionId: c.jurisdiction_id,
          to: { organisationId: c.organisation_id },
          kind: 'resource.expired',
          title: { zh: `资源已到期，已发起回收：${c.name}`, en: `Resource expired, reclaim opened: ${c.name}` },
          body: {
            zh: '请在回收前完成数据备份和迁移，并在工单中确认。',
            en: 'Back up and migrate your data before the reclaim, and confirm it on the work order.',
          },
          link: `/inventory/resources/${c.id}`,
          entity: { type: 'resource', id: c.id },
          occurredAt: now,
        });
        run.reclaimOrders++;
        return;
      }
      const leads = leadCache.get(code) ?? (await leadsOf(trx, code));
      leadCache.set(code, leads);
      const left = (await countWorkingDays(trx, code, now, startOfShanghaiDay(expiresOn))).workingDays;
      const due = leads.filter((l) => left <= l && !sent.some((n) => n.kind === 'notice' && n.lead_working_days === l));
      if (due.length === 0) return;
      for (const lead of due) {
        await repo.insertNotice(trx, {
          resource_id: c.id,
          organisation_id: c.organisation_id,
          jurisdiction_id: c.jurisdiction_id,
          expires_on: expiresOn,
          kind: 'notice',
          lead_working_days: lead,
          sent_on: today,
          sent_at: now,
          order_id: null,
        });
      }
      await notify(trx, {
        jurisdictionId: c.jurisdiction_id,
        to: { organisationId: c.organisation_id },
        kind: 'resource.expiring',
        title: {
          zh: `资源将于 ${expiresOn} 到期（剩 ${left} 个工作日）：${c.name}`,
          en: `Resource expires on ${expiresOn} (${left} working days left): ${c.name}`,
        },
        body: {
          zh: '到期后将自动回收。请及时备份数据；如需继续使用，请在到期前提交延期申请。',
          en: 'It will be reclaimed at expiry. Back up your data now; to keep it, file an extension before expiry.',
        },
        link: `/inventory/resources/${c.id}`,
        entity: { type: 'resource', id: c.id },
        occurredAt: now,
      });
      await writeAudit(trx, SYSTEM_ACTOR, {
        action: 'resource.expiry_notice',
        objectType: 'resource',
        objectId: c.id,
        detail: { expiresOn, workingDaysLeft: left, leads: due },
      });
      run.notices++;
    });
  }
  return run;
}

/** Hourly: notices go out on their day, reclaim orders open on the expiry day. */
export const expiryJob: Job<DB> = {
  name: 'provisioning.expiry',
  everyMs: 60 * 60 * 1000,
  run: ({ db, now }) => sweepExpiries(db, now),
};
