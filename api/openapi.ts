/** The OpenAPI 3.1 document, generated from the same zod schemas the routes validate with. */
import { z } from 'zod';
import { ORGANIZATION_HEADER } from '../domain/organizations.js';
import { API_BASE, isOpen, type Access, type Route } from './route.js';

const problem = {
  description: 'Problem (RFC 9457)',
  content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } },
};

const idempotencyKey = {
  name: 'Idempotency-Key',
  in: 'header',
  required: false,
  description: 'Same key and body within 24 h: the first answer again; another body: 422; while the first runs: 409.',
  schema: { type: 'string', pattern: '^[A-Za-z0-9_.:-]{8,200}$' },
};

const organizationHeader = {
  name: ORGANIZATION_HEADER,
  in: 'header',
  required: false,
  description: 'Act in this organisation (you must be a member): its deliveries, webhooks, notifications and imports instead of your own. API keys act in their own organisation and may leave it out.',
  schema: { type: 'string', format: 'uuid' },
};

/** Resources that belong to an organisation when the request acts in one. */
const ORGANIZATION_SCOPED = /^\/(deliveries|webhooks|notifications|imports)(\/|$)/;

/** Who may call, in words: the finer rule where the declaration gives one, else its roles. */
const who = (roles: Access, rule?: string): string => rule ?? (typeof roles === 'string' ? roles : roles.join(', '));

function errorStatuses(op: Route, idempotent: boolean): number[] {
  if (op.roles === 'ops') return [503];
  const statuses = [400, 401, 404, 409, 429, 503];
  if (op.roles !== 'anyone') statuses.push(403);
  if (op.body) statuses.push(413, 415);
  if (idempotent) statuses.push(422);
  if (op.waitsOnWorkflow) statuses.push(504);
  return statuses.sort((a, b) => a - b);
}

/** The document of the declared routes, as mounted under /api/v1. */
export function buildOpenApi(serverUrl: string, routes: readonly Route[]) {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const op of routes) {
    const path = op.path.replace(/:(\w+)/g, '{$1}');
    const params = [...path.matchAll(/\{(\w+)\}/g)].map((m) => ({ name: m[1], in: 'path', required: true, schema: { type: 'string' } }));
    const query = op.query
      ? Object.entries(op.query.shape).map(([name, schema]) => ({ name, in: 'query', required: false, schema: z.toJSONSchema(schema as z.ZodType, { io: 'input', unrepresentable: 'any' }) }))
      : [];
    const open = isOpen(op.roles);
    // Signed-in POSTs pass through the idempotency middleware; the public ones (login, register) do not.
    const idempotent = op.method === 'post' && !open;
    const keyScope = open ? undefined : op.apiKeyScope;
    const inOrganization = !open && ORGANIZATION_SCOPED.test(path);
    paths[path] ??= {};
    paths[path]![op.method] = {
      summary: op.summary,
      description: `Who: ${who(op.roles, op.who)}.${keyScope ? ` API keys with the ${keyScope} scope too.` : ''}`,
      ...(open ? { security: [] } : keyScope ? { security: [{ bearer: [] }, { apiKey: [] }], 'x-api-key-scope': keyScope } : {}),
      parameters: [...params, ...query, ...(inOrganization ? [organizationHeader] : []), ...(idempotent ? [idempotencyKey] : [])],
      ...(op.body
        ? { requestBody: { required: !op.bodyOptional, content: { [op.bodyType ?? 'application/json']: { schema: z.toJSONSchema(op.body, { io: 'input', unrepresentable: 'any' }) } } } }
        : {}),
      responses: {
        [op.ok]: { description: 'OK' },
        ...Object.fromEntries(errorStatuses(op, idempotent).map((s) => [s, problem])),
      },
    };
  }
  return {
    openapi: '3.1.0',
    info: { title: 'Logistics platform API', version: '1.0.0', description: 'Every delivery is a durable Temporal workflow.' },
    servers: [{ url: `${serverUrl.replace(/\/$/, '')}${API_BASE}` }],
    components: {
      securitySchemes: {
        bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' },
        apiKey: {
          type: 'http',
          scheme: 'bearer',
          bearerFormat: 'lpk_',
          description: 'An organisation API key, `Authorization: Bearer lpk_…`. Accepted only on operations that list this scheme, with the scope in their `x-api-key-scope`; never on account routes or sockets.',
        },
      },
      schemas: {
        Problem: {
          type: 'object',
          required: ['type', 'title', 'status', 'code'],
          properties: {
            type: { type: 'string' }, title: { type: 'string' }, status: { type: 'integer' }, detail: { type: 'string' },
            code: { type: 'string' }, errors: { type: 'array', items: { type: 'object', properties: { path: { type: 'string' }, message: { type: 'string' } } } },
          },
        },
      },
    },
    security: [{ bearer: [] }],
    paths,
  };
}

/** A self-contained reference page: no CDN, so it works on a closed network. */
export const DOCS_HTML = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>API reference</title>
<meta name="viewport" content="width=device-width,initial-scale=1">
<style>body{font:15px/1.5 system-ui,sans-serif;max-width:960px;margin:2rem auto;padding:0 1rem;color:#1b1f24}
h1{font-size:1.5rem}.op{border:1px solid #d0d7de;border-radius:8px;margin:.75rem 0;padding:.5rem .75rem}
.m{display:inline-block;min-width:4rem;font-weight:700;text-transform:uppercase}.get{color:#0969da}.post{color:#1a7f37}.put{color:#9a6700}
code{background:#f6f8fa;padding:.1rem .3rem;border-radius:4px}pre{background:#f6f8fa;padding:.5rem;overflow:auto;font-size:12px}</style></head>
<body><h1>Logistics platform API</h1><p>Machine-readable: <a href="openapi.json">openapi.json</a>. Errors are <code>application/problem+json</code>.</p>
<div id="ops">Loading…</div><script>
fetch('openapi.json').then(r=>r.json()).then(spec=>{const root=document.getElementById('ops');root.textContent='';
for(const [path,ops] of Object.entries(spec.paths))for(const [m,op] of Object.entries(ops)){const d=document.createElement('details');d.className='op';
const s=document.createElement('summary');s.innerHTML='<span class="m '+m+'"></span><code></code> ';s.querySelector('.m').textContent=m;s.querySelector('code').textContent=path;
s.append(op.summary+' — '+op.description);d.append(s);if(op.requestBody){const pre=document.createElement('pre');
pre.textContent=JSON.stringify(Object.values(op.requestBody.content)[0].schema,null,2);d.append(pre)}root.append(d)}});
</script></body></html>`;
