// Test fixtures for the shared-data tests (not used by the application).
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { expect } from 'vitest';
import { as, enableTotp, login, type Session, totpCode } from '../../../test/sessions.ts';
import type { Db } from '../../schema.ts';

/** A providing system started by the test: answers its records, remembers every request it got. */
export interface ProvidingSystem {
  url: string;
  port: number;
  requests: { path: string; query: URLSearchParams; headers: IncomingMessage['headers'] }[];
  close(): Promise<void>;
}

export const PEOPLE = [
  { personId: 'P001', name: '陈一', idNumber: '330203199001011234', birthDate: '1990-01-01', bloodType: 'A' },
  { personId: 'P002', name: '林二', idNumber: '330203198502023456', birthDate: '1985-02-02', bloodType: 'O' },
  { personId: 'P003', name: '王三', idNumber: '330203197703035678', birthDate: '1977-03-03', bloodType: 'B' },
];

export const FIVE_FIELDS = [
  { name: 'personId', type: 'string', meaning: '档案编号', sensitivity: 'internal' },
  { name: 'name', type: 'string', meaning: '姓名', sensitivity: 'sensitive' },
  { name: 'idNumber', type: 'string', meaning: '身份证号', sensitivity: 'sensitive' },
  { name: 'birthDate', type: 'date', meaning: '出生日期', sensitivity: 'internal' },
  { name: 'bloodType', type: 'string', meaning: '血型', sensitivity: 'internal' },
] as const;

export async function startProvidingSystem(credential = 'Bearer provider-secret'): Promise<ProvidingSystem> {
  const requests: ProvidingSystem['requests'] = [];
  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    requests.push({ path: url.pathname, query: url.searchParams, headers: req.headers });
    if (req.headers.authorization !== credential) {
      res.writeHead(401).end('{"error":"unauthorised"}');
      return;
    }
    if (url.pathname === '/people.csv') {
      res.writeHead(200, { 'content-type': 'text/csv' });
      res.end(`personId,name,idNumber\n${PEOPLE.map((p) => `${p.personId},${p.name},${p.idNumber}`).join('\n')}\n`);
      return;
    }
    if (url.pathname === '/broken') {
      res.writeHead(500).end('boom');
      return;
    }
    const wanted = url.searchParams.get('personId');
    const records = wanted ? PEOPLE.filter((p) => p.personId === wanted) : PEOPLE;
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ code: 0, data: { total: records.length, records } }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    requests,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

export async function sysadminSession(app: FastifyInstance, db: Db): Promise<Session> {
  return login(app, 'sysadmin', { totp: await totpCode(await enableTotp(db, 'sysadmin')) });
}

/** A unit administrator for a demo unit (created by the system admin, password changed), signed in. */
export async function unitAdmin(app: FastifyInstance, sysadmin: Session, orgCode: string): Promise<Session> {
  const orgs = (await as(app, sysadmin, { url: '/api/v1/organisations?type=using_unit' })).json().items as {
    id: string;
    code: string;
  }[];
  const org = orgs.find((o) => o.code === orgCode);
  const username = `${orgCode.replace(/^demo-/, '')}.admin`;
  const created = await as(app, sysadmin, {
    method: 'POST',
    url: '/api/v1/users',
    payload: { username, displayName: username, organisationId: org?.id, roles: ['unit_admin'] },
  });
  expect(created.statusCode, created.body).toBe(201);
  const temporary = created.json().temporaryPassword;
  const first = await login(app, username, { password: temporary });
  await as(app, first, {
    method: 'POST',
    url: '/api/v1/auth/password',
    payload: { currentPassword: temporary, newPassword: 'Shared-Data-2026' },
  });
  return login(app, username, { password: 'Shared-Data-2026' });
}

/** An API token of the session's unit that may call the data gateway. */
export async function gatewayToken(app: FastifyInstance, admin: Session): Promise<string> {
  const res = await as(app, admin, {
    method: 'POST',
    url: '/api/v1/api-tokens',
    payload: { name: '数据网关调用', scopes: ['shared-data:call'], expiresInDays: 30 },
  });
  expect(res.statusCode, res.body).toBe(201);
  return res.json().token;
}

export function gateway(app: FastifyInstance, token: string, resourceId: string, query = '') {
  return app.inject({
    url: `/api/v1/shared-data/gateway/${resourceId}${query}`,
    headers: { authorization: `Bearer ${token}` },
  });
}

// Tests read answers loosely, as a client would.
type Answer = any;

export async function ok(
  res: Promise<{ statusCode: number; body: string; json(): unknown }>,
  status = 200,
): Promise<Answer> {
  const r = await res;
  expect(r.statusCode, r.body).toBe(status);
  return r.json();
}

export async function systemOf(app: FastifyInstance, session: Session, name: string): Promise<string> {
  const items = (await as(app, session, { url: '/api/v1/systems?limit=100' })).json().items as {
    id: string;
    name: string;
  }[];
  const found = items.find((s) => s.name === name);
  if (!found) throw new Error(`no system ${name}`);
  return found.id;
}

export async function projectOf(app: FastifyInstance, session: Session, name: string): Promise<string> {
  const items = (await as(app, session, { url: '/api/v1/projects?limit=100' })).json().items as {
    id: string;
    name: string;
  }[];
  const found = items.find((s) => s.name === name);
  if (!found) throw new Error(`no project ${name}`);
  return found.id;
}

export function resourceBody(systemId: string, overrides: Record<string, unknown> = {}) {
  return {
    name: '居民电子健康档案摘要',
    description: '全市居民电子健康档案的基本信息摘要',
    fields: FIVE_FIELDS,
    format: 'json',
    updateSchedule: 'daily',
    sharingType: 'conditional',
    sharingCondition: '仅用于政务服务事项办理，须经数据提供单位同意',
    notSharedReason: null,
    scope: '全市常住人口',
    systemId,
    delivery: 'api',
    endpointUrl: 'http://127.0.0.1:9/people',
    defaultRateLimitPerMinute: null,
    ...overrides,
  };
}
