/**
 * Content-Security-Policy on every HTML page the API serves (the web app's index page and the API
 * reference). Scripts run only from our own origin or, when inline, by the SHA-256 of their text, so
 * markup injected into a page cannot run script. Styles stay inline-able: the pages set style attributes.
 */
import { createHash } from 'node:crypto';
import type { Middleware } from 'koa';
import type { AppState } from './types.js';

/** The hash source of every inline script (a `<script>` without `src`) in these pages. */
export function inlineScriptHashes(pages: string[]): string[] {
  const hashes = new Set<string>();
  for (const html of pages) {
    for (const m of html.matchAll(/<script(?![^>]*\bsrc=)[^>]*>([\s\S]*?)<\/script>/gi)) {
      hashes.add(`'sha256-${createHash('sha256').update(m[1]!, 'utf8').digest('base64')}'`);
    }
  }
  return [...hashes];
}

/**
 * Where the map's tiles come from (`MAP_TILE_URL`), as an img-src source: its origin, with a `{s}`
 * subdomain template as a wildcard. A relative template is our own origin.
 */
export function tileSource(tileUrl: string | undefined): string | null {
  if (!tileUrl || tileUrl.startsWith('/')) return null;
  const match = /^(https?):\/\/([^/]+)/.exec(tileUrl);
  if (!match) return null;
  const host = match[2]!.replace(/\{[a-z]\}/g, '*');
  return `${match[1]}://${host}`;
}

export function contentSecurityPolicy(pages: string[], tileUrl?: string): string {
  const tiles = tileSource(tileUrl);
  return [
    "default-src 'self'",
    `script-src 'self' ${inlineScriptHashes(pages).join(' ')}`.trim(),
    "style-src 'self' 'unsafe-inline'",
    // Proof photos are data:/blob: URLs before upload; map tiles come from any https server or the configured one.
    `img-src 'self' data: blob: https:${tiles && !tiles.startsWith('https:') ? ` ${tiles}` : ''}`,
    "connect-src 'self' ws: wss:",
    "font-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join('; ');
}

/** Sets the policy on every HTML answer; `pages` are all the HTML documents this app can serve. */
export function pagePolicy(pages: () => string[], tileUrl?: string): Middleware<AppState> {
  let policy: string | undefined;
  return (ctx, next) =>
    next().then(() => {
      // The media type as Koa reads it, without type-is parsing the header on every answer.
      if (ctx.response.type === 'text/html') ctx.set('Content-Security-Policy', (policy ??= contentSecurityPolicy(pages(), tileUrl)));
    });
}
