/** Errors meant for clients carry a stable code and become `application/problem+json` (RFC 9457). */
import type { Middleware } from 'koa';
import type { z } from 'zod';
import type { AppState } from './types.js';

export interface FieldProblem {
  path: string;
  message: string;
}

export class AppError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly errors?: FieldProblem[],
    readonly headers?: Record<string, string>,
    /** Further members of the problem document (RFC 9457 extensions), e.g. `triesLeft`. */
    readonly extensions?: Record<string, unknown>,
  ) {
    super(message);
    this.name = new.target.name;
  }
}

export class ValidationError extends AppError {
  constructor(errors: FieldProblem[], message = 'the request is not valid') {
    super(400, 'VALIDATION_FAILED', message, errors);
  }
  static fromZod(error: z.ZodError, where: string): ValidationError {
    return new ValidationError(
      error.issues.map((i) => ({ path: [where, ...i.path.map(String)].join('.'), message: i.message })),
    );
  }
}
export class UnauthorizedError extends AppError {
  constructor(message = 'authentication required', code = 'UNAUTHORIZED') {
    super(401, code, message, undefined, { 'WWW-Authenticate': 'Bearer' });
  }
}
export class ForbiddenError extends AppError {
  constructor(message = 'not allowed for your role', code = 'FORBIDDEN') {
    super(403, code, message);
  }
}
export class NotFoundError extends AppError {
  constructor(what = 'resource') {
    super(404, 'NOT_FOUND', `${what} not found`);
  }
}
export class ConflictError extends AppError {
  constructor(message: string, code = 'CONFLICT') {
    super(409, code, message);
  }
}
export class TooManyRequestsError extends AppError {
  constructor(retryAfterSeconds: number, message = 'too many requests') {
    super(429, 'RATE_LIMITED', message, undefined, { 'Retry-After': String(Math.max(1, Math.ceil(retryAfterSeconds))) });
  }
}
export class UnavailableError extends AppError {
  constructor(message: string, code = 'DEPENDENCY_UNAVAILABLE') {
    super(503, code, message, undefined, { 'Retry-After': '5' });
  }
}

const TITLES: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  406: 'Not Acceptable',
  409: 'Conflict',
  413: 'Payload Too Large',
  415: 'Unsupported Media Type',
  422: 'Unprocessable Content',
  429: 'Too Many Requests',
  499: 'Client Closed Request',
  500: 'Internal Server Error',
  501: 'Not Implemented',
  503: 'Service Unavailable',
  504: 'Gateway Timeout',
};

/** Codes for errors raised below the app (body parser, router) that carry only an HTTP status. */
const FRAMEWORK_CODES: Record<string, string> = {
  'entity.too.large': 'PAYLOAD_TOO_LARGE',
  'entity.parse.failed': 'MALFORMED_JSON',
  'encoding.unsupported': 'UNSUPPORTED_ENCODING',
  'charset.unsupported': 'UNSUPPORTED_ENCODING',
};
const STATUS_CODES: Record<number, string> = { 404: 'ROUTE_NOT_FOUND', 405: 'METHOD_NOT_ALLOWED', 501: 'NOT_IMPLEMENTED' };

/** What of an unexpected error may be logged: never the request body some parsers attach to it. */
function loggable(err: unknown): Record<string, unknown> {
  if (!(err instanceof Error)) return { value: String(err) };
  const { name, message, stack } = err;
  return { type: name, message, stack, code: (err as { code?: unknown }).code };
}

function fromUnknown(err: unknown, log: AppState['log'] | undefined): AppError {
  const e = err as { status?: number; statusCode?: number; expose?: boolean; type?: string };
  const status = e.status ?? e.statusCode ?? 500;
  if (status >= 400 && status < 500) {
    // The client's own mistake, caught below the app (body parser, router): nothing to log.
    const code = FRAMEWORK_CODES[e.type ?? ''] ?? (err instanceof SyntaxError ? 'MALFORMED_JSON' : 'BAD_REQUEST');
    // The parser's own message quotes the body, which may hold a password: never echo it.
    const detail = code === 'MALFORMED_JSON' ? 'the body is not valid JSON (an object or an array)'
      : code === 'PAYLOAD_TOO_LARGE' ? 'the body is larger than this route accepts'
      : (TITLES[status] ?? 'bad request');
    return new AppError(status, code, detail);
  }
  log?.error({ err: loggable(err) }, 'request failed');
  return new AppError(500, 'INTERNAL', 'something went wrong on our side');
}

/** Any error as the problem it is to the client: unexpected ones are logged here, never shown. */
export function asProblem(err: unknown, log: AppState['log'] | undefined): AppError {
  return err instanceof AppError ? err : fromUnknown(err, log);
}

/** The RFC 9457 document of a problem, as every error answer of the API carries it. */
export function problemDocument(problem: AppError, requestId: string | undefined): Record<string, unknown> {
  return {
    type: `https://docs.logistics.example/problems/${problem.code.toLowerCase().replace(/_/g, '-')}`,
    title: TITLES[problem.status] ?? 'Error',
    status: problem.status,
    detail: problem.message,
    code: problem.code,
    ...(problem.errors ? { errors: problem.errors } : {}),
    ...problem.extensions,
    ...(requestId ? { requestId } : {}),
  };
}

/** Runs first: everything thrown below becomes a problem document; unexpected errors are logged, not shown. */
export function problemHandler(): Middleware<AppState> {
  return async (ctx, next) => {
    try {
      await next();
      // A status without a body under the API (no route, wrong method) is a problem too.
      if (ctx.status >= 400 && ctx.body == null && ctx.path.startsWith('/api/')) {
        const code = STATUS_CODES[ctx.status] ?? 'ERROR';
        throw new AppError(ctx.status, code, ctx.status === 404 ? `no route ${ctx.method} ${ctx.path}` : (TITLES[ctx.status] ?? 'error'));
      }
    } catch (err) {
      const problem = asProblem(err, ctx.state.log);
      ctx.status = problem.status;
      for (const [k, v] of Object.entries(problem.headers ?? {})) ctx.set(k, v);
      ctx.type = 'application/problem+json';
      ctx.body = problemDocument(problem, ctx.state.requestId);
    }
  };
}
