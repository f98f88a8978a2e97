/**
 * The browser's refresh token lives in an httpOnly, SameSite=Strict cookie scoped to the auth routes, so
 * script injected into a page can never read it. A client opts in per request with the header
 * `X-Refresh-Token-Transport: cookie`; then the token travels only in the cookie, never in a body.
 * Without the header the JSON contract is unchanged (API clients send and receive `refreshToken`).
 */
import type { Context } from 'koa';
import type { SessionTokens } from './auth-service.js';

export const REFRESH_COOKIE = 'lp_refresh';
export const REFRESH_TRANSPORT_HEADER = 'x-refresh-token-transport';
const PATH = '/api/v1/auth';

export const wantsRefreshCookie = (ctx: Context): boolean => ctx.get(REFRESH_TRANSPORT_HEADER).toLowerCase() === 'cookie';

export const refreshTokenFromCookie = (ctx: Context): string | undefined => ctx.cookies.get(REFRESH_COOKIE) || undefined;

/** Puts the refresh token in the cookie and answers without it. */
export function answerWithCookie(ctx: Context, tokens: SessionTokens, ttlSeconds: number): Omit<SessionTokens, 'refreshToken'> {
  ctx.cookies.set(REFRESH_COOKIE, tokens.refreshToken, {
    httpOnly: true,
    sameSite: 'strict',
    secure: ctx.secure,
    path: PATH,
    maxAge: ttlSeconds * 1000,
    overwrite: true,
  });
  const { refreshToken: _kept, ...rest } = tokens;
  return rest;
}

export function clearRefreshCookie(ctx: Context): void {
  ctx.cookies.set(REFRESH_COOKIE, '', { httpOnly: true, sameSite: 'strict', secure: ctx.secure, path: PATH, maxAge: 0, overwrite: true });
}
