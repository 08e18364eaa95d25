import type { Trx } from '../../schema.ts';
import { notify, SECRET_PLACEHOLDER } from '../notifications/index.ts';
import type { UserRow } from './identity.table.ts';

/**
 * Sends a temporary password to the account's own e-mail through the notifications outbox (and its own
 * in-app inbox, which only says it was sent), so the admin who set it never sees it. The password is sealed in
 * the outbox until the mail goes and erased after. The account must change it at first login.
 */
export async function mailTemporaryPassword(trx: Trx, user: UserRow, password: string): Promise<void> {
  const org = await trx
    .selectFrom('role_assignment as r')
    .innerJoin('organisation as o', 'o.id', 'r.organisation_id')
    .select(['o.jurisdiction_id'])
    .where('r.user_id', '=', user.id)
    .orderBy('r.granted_at')
    .executeTakeFirst();
  if (!org) return;
  await notify(trx, {
    jurisdictionId: org.jurisdiction_id,
    to: { userIds: [user.id] },
    kind: 'account.temporary_password',
    title: { zh: '云管平台临时密码', en: 'Your Yunguan temporary password' },
    body: {
      zh: `账号 ${user.username} 的临时密码：${SECRET_PLACEHOLDER}。首次登录后须立即修改。`,
      en: `Temporary password of ${user.username}: ${SECRET_PLACEHOLDER}. Change it at your first login.`,
    },
    secret: password,
  });
}
