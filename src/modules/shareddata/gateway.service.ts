import { performance } from 'node:perf_hooks';
import type { AuthContext } from '../../platform/auth/auth.ts';
import { openSecret } from '../../platform/crypto.ts';
import { AppError, type ErrorCode } from '../../platform/errors.ts';
import {
  type EgressPolicy,
  EgressRefused,
  egressRequest,
  KeepAliveAgents,
  type Resolver,
} from '../../platform/http/egress.ts';
import { shanghaiDay } from '../../platform/time/time.ts';
import type { Db, Trx } from '../../schema.ts';
import { egressPolicyOf } from '../notifications/index.ts';
import { getOrganisation } from '../tenancy/index.ts';
import { type DataRecord, filterCsv, jsonRecords, keepFields } from './gateway.format.ts';
import * as repo from './gateway.repository.ts';
import type { CallOutcome } from './shareddata.table.ts';

// Consumers call the same providers many times a second: keep their connections open (one agent per
// checked address, so a reused socket only goes where this very call's check allowed).
const GATEWAY_AGENTS = new KeepAliveAgents(64);

// The data gateway (NB 14: authorisation, authentication, traceability). A consuming unit's API token calls
// GET /shared-data/gateway/:resourceId; the gateway checks the unit's grant (resource, fields, period, rate),
// calls the endpoint the ops unit approved when it published the resource, with the provider's sealed
// credential, through the egress guard (no redirects), keeps only granted fields, and traces the call,
// whatever its outcome. The consumer chooses nothing of the address: its query parameters are appended to
// the published URL's query string and never reach the host, port or path.

/** The largest answer a providing system may give; a longer one is refused, never cut. */
export const MAX_ANSWER_BYTES = 16 * 1024 * 1024;
const MAX_PARAMETERS = 20;
const PARAMETER_NAME = /^[\p{L}\p{N}_.-]{1,64}$/u;

export interface GatewayOptions {
  /** DNS for endpoints (tests substitute one); the system resolver otherwise */
  resolve?: Resolver;
  timeoutMs?: number;
  /** the jurisdiction's egress policy (the routes pass a short-lived cache); read afresh otherwise */
  egressPolicy?: (db: Db, jurisdictionId: string, now: Date) => Promise<EgressPolicy>;
}

export interface GatewayCall {
  resourceId: string;
  /** the fields asked for (all granted ones when absent) */
  fields: string[] | null;
  /** query parameters passed on to the providing system (a repeated one is refused) */
  parameters: Record<string, unknown>;
  requestId: string;
}

export interface GatewayAnswer {
  contentType: string;
  body: string;
  traceId: string;
  recordCount: number;
}

/** A refused or failed call: the problem to answer, after the trace is written. */
export class GatewayRefusal extends AppError {
  constructor(
    code: ErrorCode,
    detail: string,
    readonly traceId: string,
    readonly retryAfterSeconds?: number,
  ) {
    super(code, detail);
  }
}

/** The same answer for a resource that does not exist and one the unit may not know of (not shared, no grant). */
export const NO_SUCH_RESOURCE = '数据资源不存在或未获授权 / no such data resource, or none granted to the unit';

interface Outcome {
  outcome: CallOutcome;
  code: ErrorCode | null;
  detail: string;
  fields: string[];
  records: number;
  retryAfter?: number;
}

const refused = (outcome: CallOutcome, code: ErrorCode, detail: string, fields: string[] = []): Outcome => ({
  outcome,
  code,
  detail,
  fields,
  records: 0,
});

function parameterProblem(parameters: Record<string, unknown>): string | null {
  const names = Object.keys(parameters);
  if (names.length > MAX_PARAMETERS) return `最多 ${MAX_PARAMETERS} 个查询参数 / at most ${MAX_PARAMETERS} parameters`;
  for (const name of names) {
    if (!PARAMETER_NAME.test(name)) return `查询参数名不合法：${name.slice(0, 64)} / bad parameter name`;
    const value = parameters[name];
    if (typeof value !== 'string') return `查询参数只能出现一次：${name} / a parameter may appear once`;
    if (value.length > 1000) return `查询参数过长：${name} / parameter too long`;
  }
  return null;
}

/** The grant's rate window (the minute) and the day (Shanghai) a call at `now` is counted and checked in. */
export function callWindow(now: Date): { window: Date; today: string } {
  return { window: new Date(Math.floor(now.getTime() / 60_000) * 60_000), today: shanghaiDay(now) };
}

export async function callGateway(
  db: Db,
  auth: AuthContext,
  call: GatewayCall,
  now: Date,
  options: GatewayOptions = {},
  /** the lookup and count already made for this call (with the token's check, `callTargetForToken`) */
  looked?: { target: repo.CountedCallTarget | undefined; started: number },
): Promise<GatewayAnswer> {
  const started = looked?.started ?? performance.now();
  const { window, today } = callWindow(now);
  const target = looked
    ? looked.target
    : await repo.callTarget(db, call.resourceId, auth.organisationId, window, today);
  let answer: { contentType: string; body: string } | null = null;
  const decide = async (): Promise<Outcome> => {
    const asked = call.fields ?? [];
    const problem = parameterProblem(call.parameters);
    if (problem) return refused('invalid_request', 'validation_failed', problem, asked);
    if (!target || (!target.grant_id && (target.sharing_type !== 'unconditional' || target.withdrawn_at))) {
      return refused('not_found', 'not_found', NO_SUCH_RESOURCE, asked);
    }
    if (!target.grant_id) {
      return refused(
        'grant_required',
        'data_grant_required',
        `请先在共享数据目录中申请“${target.name}”（无条件共享，申请即授权） / apply for it in the catalogue first`,
        asked,
      );
    }
    if (target.withdrawn_at) return refused('withdrawn', 'data_resource_withdrawn', `“${target.name}”已下架`, asked);
    if (target.grant_status === 'revoked')
      return refused('grant_revoked', 'grant_revoked', `对“${target.name}”的授权已撤销 / the grant was revoked`, asked);
    if (target.valid_from && today < target.valid_from)
      return refused('grant_not_yet_valid', 'grant_not_yet_valid', `授权自 ${target.valid_from} 起生效`, asked);
    if (target.valid_to && today > target.valid_to)
      return refused('grant_expired', 'grant_expired', `授权已于 ${target.valid_to} 到期 / expired`, asked);
    const current = new Set(target.fields.map((f) => f.name));
    const granted = (target.granted_fields ?? []).filter((f) => current.has(f));
    const outside = asked.filter((f) => !granted.includes(f));
    if (outside.length > 0) {
      return refused(
        'fields_not_granted',
        'fields_not_granted',
        `未获授权的信息项：${outside.join('、')} / fields outside the grant: ${outside.join(', ')}`,
        asked,
      );
    }
    const fields = call.fields ? granted.filter((f) => asked.includes(f)) : granted;
    if (target.rate_limit_per_minute !== null && target.calls !== null) {
      if (target.calls > target.rate_limit_per_minute) {
        const retryAfter = Math.max(1, Math.ceil((window.getTime() + 60_000 - now.getTime()) / 1000));
        return {
          ...refused(
            'rate_limited',
            'rate_limited',
            `每分钟最多 ${target.rate_limit_per_minute} 次 / rate limit`,
            fields,
          ),
          retryAfter,
        };
      }
    }
    if (target.delivery === 'file' && Object.keys(call.parameters).length > 0) {
      return refused(
        'invalid_request',
        'validation_failed',
        '文件方式提供的数据不接受查询参数 / a file takes no parameters',
        fields,
      );
    }
    const url = new URL(target.endpoint_url as string);
    for (const [name, value] of Object.entries(call.parameters)) url.searchParams.append(name, String(value));
    const headers: Record<string, string> = {
      accept: target.format === 'csv' ? 'text/csv' : 'application/json',
      'x-request-id': call.requestId,
    };
    if (target.header_name && target.sealed_value) headers[target.header_name] = openSecret(target.sealed_value);
    let res: Awaited<ReturnType<typeof egressRequest>>;
    try {
      res = await egressRequest({
        url: url.toString(),
        method: 'GET',
        headers,
        policy: options.egressPolicy
          ? await options.egressPolicy(db, target.jurisdiction_id, now)
          : await egressPolicyOf(db, target.jurisdiction_id),
        maxRedirects: 0,
        maxBodyBytes: MAX_ANSWER_BYTES,
        agents: GATEWAY_AGENTS,
        timeoutMs: options.timeoutMs ?? 10_000,
        resolve: options.resolve,
      });
    } catch (error) {
      const detail =
        error instanceof EgressRefused
          ? `提供方地址未通过出站访问策略（${error.reason}） / the endpoint is refused by the egress policy`
          : `提供方系统无法访问 / the providing system did not answer: ${(error as Error).message}`;
      return refused(
        error instanceof EgressRefused ? 'endpoint_refused' : 'provider_error',
        'data_provider_unavailable',
        detail,
        fields,
      );
    }
    if (res.status < 200 || res.status > 299) {
      return refused('provider_error', 'data_provider_unavailable', `提供方系统返回 HTTP ${res.status}`, fields);
    }
    if (res.truncated) {
      return refused(
        'provider_answer_invalid',
        'data_provider_answer_invalid',
        '提供方系统返回的数据过大 / answer too large',
        fields,
      );
    }
    if (target.format === 'csv') {
      const filtered = filterCsv(res.body, fields);
      if (!filtered)
        return refused('provider_answer_invalid', 'data_provider_answer_invalid', '提供方返回的不是有效的 CSV', fields);
      answer = { contentType: 'text/csv; charset=utf-8', body: filtered.csv };
      return { outcome: 'ok', code: null, detail: '', fields, records: filtered.count };
    }
    const records = jsonRecords(res.body);
    if (!records)
      return refused('provider_answer_invalid', 'data_provider_answer_invalid', '提供方返回的不是记录列表', fields);
    const kept: DataRecord[] = keepFields(records, fields);
    answer = {
      contentType: 'application/json; charset=utf-8',
      body: JSON.stringify({
        resource: { id: target.resource_id, name: target.name },
        fields,
        recordCount: kept.length,
        records: kept,
      }),
    };
    return { outcome: 'ok', code: null, detail: '', fields, records: kept.length };
  };
  const result = await decide();
  const known = target && (target.grant_id || result.outcome !== 'not_found');
  const consumerName =
    target?.consumer_name ?? (await getOrganisation(db as unknown as Trx, auth, auth.organisationId)).name;
  const traceId = await repo.insertTrace(db, {
    occurred_at: now,
    jurisdiction_id: target?.jurisdiction_id ?? auth.jurisdictionId,
    provider_organisation_id: target?.organisation_id ?? null,
    consumer_organisation_id: auth.organisationId,
    consumer_jurisdiction_id: auth.jurisdictionId,
    resource_id: call.resourceId,
    resource_name: known ? (target?.name ?? null) : null,
    provider_name: known ? (target?.provider_name ?? null) : null,
    consumer_name: consumerName,
    grant_id: target?.grant_id ?? null,
    token_id: auth.kind === 'token' ? auth.id : null,
    token_name: auth.name,
    purpose: target?.purpose ?? null,
    fields: result.fields,
    parameters: Object.keys(call.parameters),
    record_count: result.records,
    outcome: result.outcome,
    status_code: result.code ? new AppError(result.code).status : 200,
    duration_ms: Math.round(performance.now() - started),
    request_id: call.requestId,
  });
  if (result.code || !answer) {
    throw new GatewayRefusal(result.code ?? 'internal_error', result.detail, traceId, result.retryAfter);
  }
  const done = answer as { contentType: string; body: string };
  return { ...done, traceId, recordCount: result.records };
}
