import ExcelJS from 'exceljs';
import { type Actor, writeAudit } from '../../platform/audit/audit.ts';
import type { AuthContext } from '../../platform/auth/auth.ts';
import { neutralise } from '../../platform/spreadsheet.ts';
import { formatShanghai, startOfShanghaiDay } from '../../platform/time/time.ts';
import type { Trx } from '../../schema.ts';
import type { CallOutcome, DataCallTraceRow } from './shareddata.table.ts';
import * as repo from './traces.repository.ts';

// Traceability of data use (NB 14): a provider sees who used its data, when and how much; a consumer its own
// calls; the ops unit, the authority and auditors every call in their jurisdictions. Exports are audited.

export type TraceView = 'consumer' | 'provider' | 'all';

export interface TraceQuery {
  view: TraceView;
  resourceId?: string;
  consumerOrganisationId?: string;
  outcome?: CallOutcome;
  refusedOnly?: boolean;
  /** calendar days, Asia/Shanghai, inclusive */
  from?: string;
  to?: string;
}

export const OUTCOME_ZH: Record<CallOutcome, string> = {
  ok: '成功',
  not_found: '资源不存在或未获授权',
  grant_required: '未申请授权',
  grant_revoked: '授权已撤销',
  grant_expired: '授权已过期',
  grant_not_yet_valid: '授权尚未生效',
  fields_not_granted: '信息项未获授权',
  rate_limited: '超过调用频率',
  withdrawn: '资源已下架',
  endpoint_refused: '提供方地址未获准访问',
  provider_error: '提供方系统无响应或出错',
  provider_answer_invalid: '提供方返回数据无法识别',
  invalid_request: '请求参数不合法',
};

function scope(auth: AuthContext, q: TraceQuery): repo.TraceFilter | null {
  const v = auth.visibility;
  const f: repo.TraceFilter = {
    resourceId: q.resourceId,
    consumerOrganisationId: q.consumerOrganisationId,
    outcome: q.outcome,
    refusedOnly: q.refusedOnly,
    from: q.from ? startOfShanghaiDay(q.from) : undefined,
    to: q.to ? new Date(startOfShanghaiDay(q.to).getTime() + 86_400_000) : undefined,
  };
  if (q.view === 'all') {
    if (v.kind !== 'jurisdiction') return null;
    f.jurisdictions = v.jurisdictions;
  } else {
    if (v.kind !== 'organisation' || v.organisations.length === 0) return null;
    if (q.view === 'consumer') f.consumers = v.organisations;
    else f.providers = v.organisations;
  }
  return f;
}

export function toTrace(r: DataCallTraceRow) {
  return {
    id: String(r.id),
    occurredAt: r.occurred_at.toISOString(),
    resourceId: r.resource_id,
    resourceName: r.resource_name,
    providerOrganisationId: r.provider_organisation_id,
    providerName: r.provider_name,
    consumerOrganisationId: r.consumer_organisation_id,
    consumerName: r.consumer_name,
    grantId: r.grant_id,
    tokenName: r.token_name,
    purpose: r.purpose,
    fields: r.fields,
    parameters: r.parameters,
    recordCount: r.record_count,
    outcome: r.outcome,
    statusCode: r.status_code,
    durationMs: r.duration_ms,
    requestId: r.request_id,
  };
}

export async function listTraces(trx: Trx, auth: AuthContext, q: TraceQuery, page: { limit: number; offset: number }) {
  const f = scope(auth, q);
  if (!f) return { items: [], total: 0 };
  const { rows, total } = await repo.listTraces(trx, f, page);
  return { items: rows.map(toTrace), total };
}

/** Calls, successes, refusals and records per resource and consuming unit. */
export async function usage(trx: Trx, auth: AuthContext, q: TraceQuery) {
  const f = scope(auth, q);
  if (!f) return { items: [] };
  const rows = await repo.usage(trx, f);
  return {
    items: rows.map((r) => ({
      resourceId: r.resource_id,
      resourceName: r.resource_name,
      providerName: r.provider_name,
      consumerOrganisationId: r.consumer_organisation_id,
      consumerName: r.consumer_name,
      calls: Number(r.calls),
      succeeded: Number(r.succeeded),
      refused: Number(r.calls) - Number(r.succeeded),
      records: Number(r.records),
      firstCallAt: new Date(r.first_call_at).toISOString(),
      lastCallAt: new Date(r.last_call_at).toISOString(),
    })),
  };
}

/** The most rows one export holds. */
export const EXPORT_MAX_ROWS = 100_000;

const COLUMNS = [
  { header: '调用时间', width: 20 },
  { header: '调用单位', width: 22 },
  { header: '数据资源', width: 24 },
  { header: '提供单位', width: 22 },
  { header: '信息项', width: 30 },
  { header: '记录数', width: 8 },
  { header: '结果', width: 18 },
  { header: '用途', width: 30 },
  { header: '调用令牌', width: 18 },
  { header: '耗时（毫秒）', width: 10 },
  { header: '请求编号', width: 38 },
];

function rowOf(r: DataCallTraceRow): (string | number)[] {
  return [
    formatShanghai(r.occurred_at),
    r.consumer_name,
    r.resource_name ?? '（不存在或未获授权）',
    r.provider_name ?? '',
    r.fields.join('、'),
    r.record_count,
    OUTCOME_ZH[r.outcome] ?? r.outcome,
    r.purpose ?? '',
    r.token_name ?? '',
    r.duration_ms,
    r.request_id ?? '',
  ].map((v) => (typeof v === 'string' ? neutralise(v) : v));
}

/** The traces as .xlsx or .csv (formula-neutralised), audited with the filter and the row count. */
export async function exportTraces(
  trx: Trx,
  auth: AuthContext,
  actor: Actor,
  q: TraceQuery,
  format: 'xlsx' | 'csv',
): Promise<{ body: Buffer; rows: number }> {
  const f = scope(auth, q);
  const rows = f ? (await repo.listTraces(trx, f, { limit: EXPORT_MAX_ROWS, offset: 0 })).rows : [];
  const workbook = new ExcelJS.Workbook();
  workbook.creator = 'Yunguan 云管';
  const sheet = workbook.addWorksheet('数据调用记录', { views: [{ state: 'frozen', ySplit: 1 }] });
  sheet.columns = COLUMNS.map((c) => ({ header: c.header, width: c.width }));
  sheet.getRow(1).font = { bold: true };
  for (const r of rows) sheet.addRow(rowOf(r));
  const body =
    format === 'csv'
      ? Buffer.concat([Buffer.from('\uFEFF'), Buffer.from(await workbook.csv.writeBuffer())])
      : Buffer.from(await workbook.xlsx.writeBuffer());
  await writeAudit(trx, actor, {
    action: 'data_trace.exported',
    objectType: 'data_call_trace',
    detail: { view: q.view, filter: { ...q }, rows: rows.length, format },
  });
  return { body, rows: rows.length };
}
