import type { FieldError, Problem } from './types';

/** Codes the console gives failures that never reached the server's problem+json. */
export const CLIENT_ERROR_CODES = {
  network: 'network_error',
  invalidResponse: 'invalid_response',
} as const;

export interface ApiErrorInit {
  status: number;
  code: string;
  /** Localised by the server (Accept-Language); empty when the answer was not problem+json. */
  title: string;
  detail?: string;
  fields?: FieldError[];
  requestId?: string;
  type?: string;
  cause?: unknown;
}

/**
 * Every failed API call surfaces as an ApiError. Branch on `code` (stable), show `title` and `detail`,
 * and always show `requestId`: it is how operators find the request in the server log.
 */
export class ApiError extends Error {
  override readonly name = 'ApiError';
  readonly status: number;
  readonly code: string;
  readonly title: string;
  readonly detail: string | undefined;
  readonly fields: FieldError[];
  readonly requestId: string | undefined;
  readonly type: string | undefined;

  constructor(init: ApiErrorInit) {
    super(init.detail ? `${init.code}: ${init.detail}` : init.code, { cause: init.cause });
    this.status = init.status;
    this.code = init.code;
    this.title = init.title;
    this.detail = init.detail;
    this.fields = init.fields ?? [];
    this.requestId = init.requestId;
    this.type = init.type;
  }

  /** 4xx answers will not change on retry; network failures and 5xx might. */
  get isClientError(): boolean {
    return this.status >= 400 && this.status < 500;
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}

export function isProblem(body: unknown): body is Problem {
  return (
    isRecord(body) &&
    typeof body.code === 'string' &&
    typeof body.title === 'string' &&
    typeof body.status === 'number' &&
    typeof body.requestId === 'string'
  );
}

function fieldErrors(value: unknown): FieldError[] {
  if (!Array.isArray(value)) return [];
  return value.filter(
    (item): item is FieldError => isRecord(item) && typeof item.field === 'string' && typeof item.message === 'string',
  );
}

/** Turns an error answer into an ApiError: problem+json when the server sent one, else what the status says. */
export function problemToApiError(body: unknown, response: Response): ApiError {
  const headerRequestId = response.headers.get('x-request-id') ?? undefined;
  if (isProblem(body)) {
    return new ApiError({
      status: body.status,
      code: body.code,
      title: body.title,
      detail: body.detail,
      fields: fieldErrors(body.errors),
      requestId: body.requestId || headerRequestId,
      type: body.type,
    });
  }
  // A proxy or gateway in front of the server answered (502 page, HTML error): keep what little we know.
  return new ApiError({
    status: response.status,
    code: `http_${response.status}`,
    title: '',
    requestId: headerRequestId,
  });
}

/** Turns what fetch or the JSON parser threw into an ApiError; cancellations are passed through untouched. */
export function thrownToApiError(error: unknown): unknown {
  if (error instanceof ApiError) return error;
  if (error instanceof DOMException && error.name === 'AbortError') return error;
  if (error instanceof SyntaxError) {
    return new ApiError({ status: 0, code: CLIENT_ERROR_CODES.invalidResponse, title: '', cause: error });
  }
  return new ApiError({ status: 0, code: CLIENT_ERROR_CODES.network, title: '', cause: error });
}

const CJK = /[\u3400-\u9fff]/;

/**
 * Some server messages (field errors raised by the services, some details) come in both languages,
 * "中文 / English" or "English / 中文". Shows the half in the console's language; anything else is left as is.
 */
export function localiseServerText(text: string, language: 'zh-CN' | 'en-US'): string {
  return text
    .split('; ')
    .map((segment) => {
      const halves = segment.split(' / ');
      if (halves.length !== 2) return segment;
      const [a, b] = halves as [string, string];
      if (CJK.test(a) === CJK.test(b)) return segment;
      const chinese = CJK.test(a) ? a : b;
      const english = CJK.test(a) ? b : a;
      return language === 'zh-CN' ? chinese : english;
    })
    .join(language === 'zh-CN' ? '；' : '; ');
}
