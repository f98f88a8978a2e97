/** Bulk orders: `POST /deliveries/import` takes a CSV; `GET /imports/:id` follows it. */
import type { Middleware } from 'koa';
import { z } from 'zod';
import { IMPORT_COLUMNS, IMPORT_MAX_ROWS } from '../../domain/imports.js';
import { AppError } from '../errors.js';
import { route, type Resource, type SignIn } from '../route.js';
import type { ImportsService } from '../services/imports-service.js';
import type { AppState } from '../types.js';

/** A thousand full rows stay well under this. */
export const CSV_LIMIT_BYTES = 2 * 1024 * 1024;

const csvBody = z.string().describe(
  `CSV with a header row naming columns among: ${IMPORT_COLUMNS.join(', ')}. At most ${IMPORT_MAX_ROWS} rows; ` +
    '`reference` is yours and unique per organisation: a reference booked before is skipped as a duplicate.',
);

/**
 * The raw body, as text, refusing anything but CSV and anything past the limit. Read with the other
 * bodies (api/app.ts), so the idempotency check sees the file as it sees a JSON body.
 */
export async function csvText(ctx: Parameters<Middleware<AppState>>[0]): Promise<string> {
  if (!ctx.is('text/csv')) throw new AppError(415, 'UNSUPPORTED_MEDIA_TYPE', 'send the file as text/csv');
  if (Number(ctx.get('content-length') || 0) > CSV_LIMIT_BYTES) throw new AppError(413, 'PAYLOAD_TOO_LARGE', 'the file is larger than 2 MB');
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of ctx.req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > CSV_LIMIT_BYTES) throw new AppError(413, 'PAYLOAD_TOO_LARGE', 'the file is larger than 2 MB');
    chunks.push(chunk);
  }
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(Buffer.concat(chunks));
  } catch {
    throw new AppError(400, 'CSV_UNREADABLE', 'the file is not UTF-8 text');
  }
}

export function importRoutes(deps: { imports: ImportsService; auth: SignIn }): Resource[] {
  const upload: Resource = {
    prefix: '/deliveries/import',
    authenticate: deps.auth,
    routes: [
      route({
        method: 'post', path: '/deliveries/import', apiKeyScope: 'deliveries:write',
        summary: `Book up to ${IMPORT_MAX_ROWS} deliveries from a CSV: each row checked, the good ones booked, by reference at most once`,
        roles: ['customer', 'dispatcher', 'admin'], body: csvBody, bodyType: 'text/csv', ok: 202,
        handler: (ctx) => deps.imports.start(ctx.state.user!, ctx.state.body),
      }),
    ],
  };
  const follow: Resource = {
    prefix: '/imports',
    authenticate: deps.auth,
    routes: [
      route({
        method: 'get', path: '/imports/:id', apiKeyScope: 'deliveries:read', summary: 'An import’s progress and every refused row with its reasons',
        roles: 'user', who: 'its uploader, or its organisation', ids: { id: 'import' }, ok: 200,
        handler: (ctx) => deps.imports.get(ctx.state.user!, ctx.params.id!),
      }),
    ],
  };
  return [upload, follow];
}
