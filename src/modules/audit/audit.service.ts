import ExcelJS from 'exceljs';
import { sql } from 'kysely';
import type { AuthContext } from '../../platform/auth/auth.ts';
import { neutralise } from '../../platform/spreadsheet.ts';
import type { Db } from '../../schema.ts';
import { objectNames } from './audit.repository.ts';

export interface AuditFilter {
  from?: string;
  to?: string;
  actor?: string;
  action?: string;
  outcome?: 'success' | 'failure' | 'denied';
  q?: string;
}

export interface AuditEvent {
  id: string;
  occurredAt: string;
  actorKind: string;
  actorId: string | null;
  actorName: string | null;
  /** the actor's display name (a user's), for people to read; actorName stays the account name */
  actorDisplayName: string | null;
  organisationId: string | null;
  organisationName: string | null;
  role: string | null;
  sourceIp: string | null;
  requestId: string | null;
  action: string;
  outcome: string;
  objectType: string;
  objectId: string | null;
  /** what people call the object (an order's number and title, a user's display name), when it has a name */
  objectName: string | null;
  detail: Record<string, unknown>;
}

const escapeLike = (s: string) => s.replace(/[\\%_]/g, (c) => `\\${c}`);

/** Entries of the caller's jurisdictions (and platform-wide ones, which belong to no organisation). */
function query(db: Db, auth: AuthContext, filter: AuditFilter) {
  const jurisdictions = auth.visibility.kind === 'jurisdiction' ? auth.visibility.jurisdictions : [];
  let q = db
    .selectFrom('audit_event as a')
    .leftJoin('organisation as o', 'o.id', 'a.organisation_id')
    .where((eb) =>
      eb.or([
        eb('a.organisation_id', 'is', null),
        jurisdictions.length > 0 ? eb('o.jurisdiction_id', 'in', jurisdictions) : sql<boolean>`false`,
      ]),
    );
  if (filter.from) q = q.where('a.occurred_at', '>=', new Date(filter.from));
  if (filter.to) q = q.where('a.occurred_at', '<', new Date(filter.to));
  if (filter.actor) q = q.where('a.actor_name', '=', filter.actor);
  if (filter.action) q = q.where('a.action', 'like', `${escapeLike(filter.action)}%`);
  if (filter.outcome) q = q.where('a.outcome', '=', filter.outcome);
  if (filter.q) {
    const like = `%${escapeLike(filter.q)}%`;
    q = q.where((eb) =>
      eb.or([
        eb('a.action', 'ilike', like),
        eb('a.actor_name', 'ilike', like),
        eb('a.object_id', 'ilike', like),
        eb('a.source_ip', 'ilike', like),
        eb('a.request_id', 'ilike', like),
        eb(sql`a.detail::text`, 'ilike', like),
      ]),
    );
  }
  return q;
}

export async function listAuditEvents(
  db: Db,
  auth: AuthContext,
  filter: AuditFilter,
  page: { limit: number; offset: number },
): Promise<{ items: AuditEvent[]; total: number }> {
  const base = query(db, auth, filter);
  const [{ total }, rows] = await Promise.all([
    base.select((eb) => eb.fn.countAll<bigint>().as('total')).executeTakeFirstOrThrow(),
    base
      .selectAll('a')
      .select('o.name as organisation_name')
      .orderBy('a.id', 'desc')
      .limit(page.limit)
      .offset(page.offset)
      .execute(),
  ]);
  const names = await objectNames(db, [
    ...rows.flatMap((r) => (r.object_id ? [{ type: r.object_type, id: r.object_id }] : [])),
    ...rows.flatMap((r) => (r.actor_kind === 'user' && r.actor_id ? [{ type: 'user', id: r.actor_id }] : [])),
  ]);
  return {
    total: Number(total),
    items: rows.map((r) => ({
      id: String(r.id),
      occurredAt: r.occurred_at.toISOString(),
      actorKind: r.actor_kind,
      actorId: r.actor_id,
      actorName: r.actor_name,
      actorDisplayName: (r.actor_id && names.get(`user:${r.actor_id}`)) ?? r.actor_name,
      organisationId: r.organisation_id,
      organisationName: r.organisation_name,
      role: r.role,
      sourceIp: r.source_ip,
      requestId: r.request_id,
      action: r.action,
      outcome: r.outcome,
      objectType: r.object_type,
      objectId: r.object_id,
      objectName: (r.object_id && names.get(`${r.object_type}:${r.object_id}`)) || null,
      detail: r.detail,
    })),
  };
}

const COLUMNS = [
  ['id', '序号 ID', 10],
  ['occurredAt', '时间 Time (UTC)', 26],
  ['actorDisplayName', '操作人 Actor', 18],
  ['actorName', '账号 Account', 16],
  ['organisationName', '单位 Organisation', 24],
  ['role', '角色 Role', 18],
  ['sourceIp', '来源IP Source IP', 16],
  ['action', '操作 Action', 28],
  ['outcome', '结果 Outcome', 10],
  ['objectType', '对象类型 Object type', 16],
  ['objectName', '对象 Object', 30],
  ['objectId', '对象编号 Object id', 38],
  ['requestId', '请求ID Request id', 38],
  ['detail', '详情 Detail', 60],
] as const;

export const EXPORT_LIMIT = 100_000;

export async function exportAuditEvents(db: Db, auth: AuthContext, filter: AuditFilter, format: 'csv' | 'xlsx') {
  const { items, total } = await listAuditEvents(db, auth, filter, { limit: EXPORT_LIMIT, offset: 0 });
  const cell = (e: AuditEvent, key: (typeof COLUMNS)[number][0]) => {
    const value = key === 'detail' ? JSON.stringify(e.detail) : (e[key] ?? '');
    return neutralise(String(value));
  };
  if (format === 'csv') {
    const quote = (s: string) => `"${s.replace(/"/g, '""')}"`;
    const lines = [COLUMNS.map(([, header]) => quote(header)).join(',')];
    for (const e of items) lines.push(COLUMNS.map(([key]) => quote(cell(e, key))).join(','));
    // The byte-order mark makes Excel read the file as UTF-8 (Chinese headers).
    return { body: Buffer.from(`\uFEFF${lines.join('\r\n')}\r\n`, 'utf8'), rows: items.length, total };
  }
  const workbook = new ExcelJS.Workbook();
  const sheet = workbook.addWorksheet('审计日志');
  sheet.columns = COLUMNS.map(([key, header, width]) => ({ key, header, width }));
  sheet.getRow(1).font = { bold: true };
  for (const e of items) sheet.addRow(Object.fromEntries(COLUMNS.map(([key]) => [key, cell(e, key)])));
  return { body: Buffer.from(await workbook.xlsx.writeBuffer()), rows: items.length, total };
}
