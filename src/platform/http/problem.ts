import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import Type, { type Static } from 'typebox';
import { classifyDatabaseError, type DatabaseConditions } from '../db/availability.ts';
import { AppError, ERRORS, type ErrorCode, type FieldError } from '../errors.ts';

/** RFC 9457 problem details, with the platform's stable `code` and the request id. */
export const ProblemSchema = Type.Object(
  {
    type: Type.String({ description: 'URI reference naming the problem type: urn:yunguan:problem:<code>' }),
    title: Type.String(),
    status: Type.Integer(),
    detail: Type.Optional(Type.String()),
    instance: Type.Optional(Type.String()),
    code: Type.String({ description: 'Stable machine-readable code; clients branch on this, never on titles.' }),
    requestId: Type.String(),
    errors: Type.Optional(Type.Array(Type.Object({ field: Type.String(), message: Type.String() }))),
  },
  { $id: 'Problem', title: 'Problem' },
);
export type Problem = Static<typeof ProblemSchema>;

/** Response schemas every route shares for its error answers. */
export const problemResponses = {
  '4xx': Type.Ref('Problem'),
  '5xx': Type.Ref('Problem'),
} as const;

export type Language = 'zh' | 'en';

/** Chinese first: English only when the client's first preference is English. */
export function preferredLanguage(request: FastifyRequest): Language {
  const header = request.headers['accept-language'];
  const first = (Array.isArray(header) ? header[0] : header)?.split(',')[0]?.trim().toLowerCase() ?? '';
  return first.startsWith('en') ? 'en' : 'zh';
}

export function sendProblem(
  request: FastifyRequest,
  reply: FastifyReply,
  code: ErrorCode,
  detail?: string,
  fields?: FieldError[],
): FastifyReply {
  const problem = problemOf(request, code, detail, fields);
  return reply.code(problem.status).type('application/problem+json; charset=utf-8').send(problem);
}

/** The problem+json body of an answer with this code (sendProblem sends it). */
export function problemOf(request: FastifyRequest, code: ErrorCode, detail?: string, fields?: FieldError[]): Problem {
  const spec = ERRORS[code];
  const problem: Problem = {
    type: `urn:yunguan:problem:${code}`,
    title: spec[preferredLanguage(request)],
    status: spec.status,
    code,
    requestId: String(request.id),
    instance: request.url,
  };
  if (detail) problem.detail = detail;
  if (fields && fields.length > 0) problem.errors = fields;
  return problem;
}

type AjvIssue = NonNullable<FastifyError['validation']>[number];

const VALIDATION_MESSAGES: Record<string, (p: Record<string, unknown>) => { zh: string; en: string }> = {
  required: () => ({ zh: '必填', en: 'is required' }),
  type: (p) => ({ zh: `类型应为 ${p.type}`, en: `must be of type ${p.type}` }),
  minLength: (p) => ({ zh: `长度不能少于 ${p.limit}`, en: `must be at least ${p.limit} characters` }),
  maxLength: (p) => ({ zh: `长度不能超过 ${p.limit}`, en: `must be at most ${p.limit} characters` }),
  minimum: (p) => ({ zh: `不能小于 ${p.limit}`, en: `must be >= ${p.limit}` }),
  maximum: (p) => ({ zh: `不能大于 ${p.limit}`, en: `must be <= ${p.limit}` }),
  minItems: (p) => ({ zh: `至少 ${p.limit} 项`, en: `must have at least ${p.limit} items` }),
  maxItems: (p) => ({ zh: `最多 ${p.limit} 项`, en: `must have at most ${p.limit} items` }),
  format: (p) => ({ zh: `格式应为 ${p.format}`, en: `must be a valid ${p.format}` }),
  pattern: (p) => ({ zh: `格式不正确（应匹配 ${p.pattern}）`, en: `must match ${p.pattern}` }),
  enum: (p) => ({
    zh: `应为以下之一：${(p.allowedValues as unknown[]).join('、')}`,
    en: `must be one of ${(p.allowedValues as unknown[]).join(', ')}`,
  }),
  const: (p) => ({ zh: `应为 ${String(p.allowedValue)}`, en: `must be ${String(p.allowedValue)}` }),
  additionalProperties: () => ({ zh: '不允许的字段', en: 'is not an allowed field' }),
};

const CONTEXT_NAMES: Record<string, string> = { querystring: 'query', params: 'path', body: 'body', headers: 'header' };

export function fieldErrors(error: FastifyError, language: Language): FieldError[] {
  const context = CONTEXT_NAMES[error.validationContext ?? 'body'] ?? error.validationContext ?? 'body';
  return (error.validation ?? []).map((issue: AjvIssue) => {
    const params = (issue.params ?? {}) as Record<string, unknown>;
    let path = (issue.instancePath ?? '').split('/').filter(Boolean).join('.');
    const extra = params.missingProperty ?? params.additionalProperty;
    if (typeof extra === 'string') path = path ? `${path}.${extra}` : extra;
    const text = VALIDATION_MESSAGES[issue.keyword]?.(params)[language] ?? issue.message ?? 'is invalid';
    return { field: path ? `${context}.${path}` : context, message: text };
  });
}

const STATUS_CODES: Partial<Record<number, ErrorCode>> = {
  400: 'bad_request',
  404: 'route_not_found',
  405: 'method_not_allowed',
  413: 'payload_too_large',
  415: 'unsupported_media_type',
  429: 'rate_limited',
};

/** Seconds a client should wait before retrying an answer with this code (the Retry-After header). */
export function retryAfterSeconds(code: ErrorCode): number {
  return code === 'storage_full' ? 30 : code === 'service_busy' ? 2 : 5;
}

/** Maps every error to problem+json; the only place an error becomes an HTTP answer. */
export function registerProblemHandler(app: FastifyInstance, conditions?: DatabaseConditions): void {
  const isPoolExhausted = (error: Error) =>
    /timeout exceeded when trying to connect|Connection terminated due to connection timeout/.test(error.message);
  app.setErrorHandler((error: FastifyError | AppError, request, reply) => {
    if (error instanceof AppError) {
      if (error.status >= 500) request.log.error({ err: error }, 'request failed');
      if (error.retryAfter !== undefined) reply.header('retry-after', String(error.retryAfter));
      else if (error.code === 'rate_limited' && !reply.hasHeader('retry-after'))
        reply.header('retry-after', String(retryAfterSeconds(error.code)));
      return sendProblem(request, reply, error.code, error.detail, error.fields);
    }
    if (error.validation) {
      const fields = fieldErrors(error, preferredLanguage(request));
      const detail = fields.map((f) => `${f.field}: ${f.message}`).join('; ');
      return sendProblem(request, reply, 'validation_failed', detail, fields);
    }
    if (isPoolExhausted(error)) {
      // Every database connection stayed busy for the pool's whole wait: a burst, not a bug. Nothing was
      // written (the request never got a connection), so the client may safely retry.
      request.log.warn({ err: error }, 'database pool exhausted');
      reply.header('retry-after', String(retryAfterSeconds('service_busy')));
      return sendProblem(request, reply, 'service_busy', 'all database connections are busy; retry in a moment');
    }
    const unavailable = classifyDatabaseError(error);
    if (unavailable) {
      // The database went away (restart, network) or its disk is full: the installation's condition, not a
      // bug. Nothing was acknowledged, so the client retries; the process recovers by itself.
      conditions?.record(unavailable, error.message);
      request.log.warn(
        { err: error },
        unavailable === 'storage_full' ? 'database storage full' : 'database unavailable',
      );
      reply.header('retry-after', String(retryAfterSeconds(unavailable)));
      return sendProblem(request, reply, unavailable, error.message);
    }
    const status = error.statusCode ?? 500;
    const code = STATUS_CODES[status];
    if (status < 500 && code) return sendProblem(request, reply, code, error.message);
    request.log.error({ err: error }, 'unhandled error');
    return sendProblem(request, reply, 'internal_error', `request id ${request.id}`);
  });
}
