/** The OpenAPI 3.1 document, generated from the same zod schemas the routes validate with. */
import { z } from 'zod';
import {
  assignSchema,
  cancelSchema,
  codeOverrideSchema,
  createDeliverySchema,
  createDriverSchema,
  dutySchema,
  listDeliveriesQuerySchema,
  locationBodySchema,
  loginSchema,
  milestoneSchema,
  refreshSchema,
  registerSchema,
} from '../domain/schemas.js';
import { ORGANIZATION_HEADER } from '../domain/organizations.js';
import { scopeFor } from './auth/api-key-routes.js';
import { noBodySchema } from './validate.js';

interface Operation {
  method: 'get' | 'post' | 'put' | 'delete';
  path: string;
  summary: string;
  roles: string;
  body?: z.ZodType;
  /** The body may be left out (actions that take none refuse any field sent). */
  bodyOptional?: boolean;
  query?: z.ZodObject;
  ok: number;
  /** The route waits on the delivery's workflow: past the API's deadline it answers 504 WORKFLOW_PENDING. */
  waitsOnWorkflow?: boolean;
  /** Another media type than JSON for the body (the bulk import takes text/csv). */
  bodyType?: string;
}

export const operations: Operation[] = [
  { method: 'post', path: '/auth/register', summary: 'Register a customer account', roles: 'anyone', body: registerSchema, ok: 201 },
  { method: 'post', path: '/auth/login', summary: 'Log in: access and refresh tokens', roles: 'anyone', body: loginSchema, ok: 200 },
  { method: 'post', path: '/auth/refresh', summary: 'Rotate a refresh token; reuse revokes the family', roles: 'anyone', body: refreshSchema, ok: 200 },
  { method: 'post', path: '/auth/logout', summary: 'Revoke the session', roles: 'user', body: refreshSchema, ok: 204 },
  { method: 'get', path: '/auth/me', summary: 'The signed-in account', roles: 'user', ok: 200 },
  { method: 'post', path: '/deliveries', summary: 'Request a delivery: starts its workflow, returns the quote', roles: 'customer, dispatcher', body: createDeliverySchema, waitsOnWorkflow: true, ok: 201 },
  { method: 'get', path: '/deliveries', summary: 'List deliveries you may see', roles: 'scoped', query: listDeliveriesQuerySchema, ok: 200 },
  { method: 'get', path: '/deliveries/{id}', summary: 'One delivery with its timeline', roles: 'scoped', ok: 200 },
  { method: 'get', path: '/deliveries/{id}/proofs/{proofId}', summary: 'A proof image (signature or photo)', roles: 'scoped', ok: 200 },
  { method: 'post', path: '/deliveries/{id}/accept-quote', summary: 'Accept the quote: dispatch starts', roles: 'owner customer, dispatcher', body: noBodySchema, bodyOptional: true, waitsOnWorkflow: true, ok: 200 },
  { method: 'post', path: '/deliveries/{id}/cancel', summary: 'Cancel (customers before pickup)', roles: 'owner customer, dispatcher', body: cancelSchema, waitsOnWorkflow: true, ok: 200 },
  { method: 'post', path: '/deliveries/{id}/assign', summary: 'Assign or reassign a driver', roles: 'dispatcher', body: assignSchema, waitsOnWorkflow: true, ok: 200 },
  { method: 'post', path: '/deliveries/{id}/milestones', summary: 'A driver milestone (offer answer, arrival, pickup, delivery, failed attempt, return). 422 PROOF_REQUIRED names the missing proof (`missing`); 422 DELIVERY_CODE_MISMATCH carries `triesLeft`; 422 DELIVERY_CODE_LOCKED after the last try', roles: 'offered or assigned driver', body: milestoneSchema, waitsOnWorkflow: true, ok: 200 },
  { method: 'post', path: '/deliveries/{id}/code-override', summary: 'Let the driver hand over without the delivery code (after too many wrong codes); the reason goes on the timeline', roles: 'dispatcher', body: codeOverrideSchema, waitsOnWorkflow: true, ok: 200 },
  { method: 'get', path: '/track/{trackingCode}', summary: 'Public tracking view', roles: 'anyone', ok: 200 },
  { method: 'get', path: '/drivers', summary: 'Drivers with duty, position and load', roles: 'dispatcher', ok: 200 },
  { method: 'post', path: '/drivers', summary: 'Create a driver account', roles: 'admin, dispatcher', body: createDriverSchema, ok: 201 },
  { method: 'put', path: '/drivers/me/duty', summary: 'Go on or off duty', roles: 'driver', body: dutySchema, ok: 200 },
  { method: 'post', path: '/drivers/me/location', summary: 'One location ping or a batch', roles: 'driver', body: locationBodySchema, ok: 202 },
  { method: 'post', path: '/users/{id}/disable', summary: 'Disable an account: every session, socket and duty ends', roles: 'admin', body: noBodySchema, bodyOptional: true, ok: 200 },
  { method: 'get', path: '/health', summary: 'Liveness', roles: 'ops', ok: 200 },
  { method: 'get', path: '/ready', summary: 'Readiness of database, redis and temporal, and which instance (host:pid) answered', roles: 'ops', ok: 200 },
  { method: 'get', path: '/metrics', summary: 'Prometheus metrics', roles: 'ops', ok: 200 },
];

/** Later features add their operations here before the document is built. */
export function registerOperations(more: Operation[]): void {
  operations.push(...more);
}

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

function errorStatuses(op: Operation, idempotent: boolean): number[] {
  if (op.roles === 'ops') return [503];
  const statuses = [400, 401, 404, 409, 429, 503];
  if (op.roles !== 'anyone') statuses.push(403);
  if (op.body) statuses.push(413, 415);
  if (idempotent) statuses.push(422);
  if (op.waitsOnWorkflow) statuses.push(504);
  return statuses.sort((a, b) => a - b);
}

export function buildOpenApi(serverUrl: string) {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const op of operations) {
    const params = [...op.path.matchAll(/\{(\w+)\}/g)].map((m) => ({ name: m[1], in: 'path', required: true, schema: { type: 'string' } }));
    const query = op.query
      ? Object.entries(op.query.shape).map(([name, schema]) => ({ name, in: 'query', required: false, schema: z.toJSONSchema(schema as z.ZodType, { io: 'input', unrepresentable: 'any' }) }))
      : [];
    const open = op.roles === 'anyone' || op.roles === 'ops';
    // Signed-in POSTs pass through the idempotency middleware; the public ones (login, register) do not.
    const idempotent = op.method === 'post' && !open;
    const keyScope = open ? null : scopeFor(op.method.toUpperCase(), `/api/v1${op.path.replace(/\{\w+\}/g, 'x')}`);
    const inOrganization = !open && ORGANIZATION_SCOPED.test(op.path);
    paths[op.path] ??= {};
    paths[op.path]![op.method] = {
      summary: op.summary,
      description: `Who: ${op.roles}.${keyScope ? ` API keys with the ${keyScope} scope too.` : ''}`,
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
    servers: [{ url: `${serverUrl.replace(/\/$/, '')}/api/v1` }],
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
