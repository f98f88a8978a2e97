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
  409: 'Conflict',
  413: 'Payload Too Large',
  415: 'Unsupported Media Type',
  422: 'Unprocessable Content',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  503: 'Service Unavailable',
};

/** Runs first: everything thrown below becomes a problem document; unexpected errors are logged, not shown. */
export function problemHandler(): Middleware<AppState> {
  return async (ctx, next) => {
    try {
      await next();
      if (ctx.status === 404 && ctx.body === undefined && ctx.path.startsWith('/api/')) {
        throw new AppError(404, 'ROUTE_NOT_FOUND', `no route ${ctx.method} ${ctx.path}`);
      }
    } catch (err) {
      let problem: AppError;
      if (err instanceof AppError) {
        problem = err;
      } else {
        const e = err as { status?: number; statusCode?: number; expose?: boolean; message?: string; type?: string };
        const status = e.status ?? e.statusCode ?? 500;
        if (status >= 500 || !e.expose) {
          ctx.state.log?.error({ err }, 'request failed');
          problem = new AppError(status >= 400 && status < 500 ? status : 500, status >= 500 ? 'INTERNAL' : 'BAD_REQUEST', status >= 500 ? 'something went wrong on our side' : (e.message ?? 'bad request'));
        } else {
          const code = e.type === 'entity.too.large' ? 'PAYLOAD_TOO_LARGE' : e.type === 'entity.parse.failed' ? 'MALFORMED_JSON' : 'BAD_REQUEST';
          problem = new AppError(status, code, e.message ?? 'bad request');
        }
      }
      ctx.status = problem.status;
      for (const [k, v] of Object.entries(problem.headers ?? {})) ctx.set(k, v);
      ctx.type = 'application/problem+json';
      ctx.body = {
        type: `https://docs.logistics.example/problems/${problem.code.toLowerCase().replace(/_/g, '-')}`,
        title: TITLES[problem.status] ?? 'Error',
        status: problem.status,
        detail: problem.message,
        code: problem.code,
        ...(problem.errors ? { errors: problem.errors } : {}),
        ...(ctx.state.requestId ? { requestId: ctx.state.requestId } : {}),
      };
    }
  };
}
