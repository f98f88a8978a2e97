import type { ProofInput } from '../../domain/schemas.js';
import {
  assignSchema,
  cancelSchema,
  codeOverrideSchema,
  createDeliverySchema,
  listDeliveriesQuerySchema,
  milestoneSchema,
} from '../../domain/schemas.js';
import { MILESTONE_ACTIONS, PROOF_MILESTONES } from '../../domain/status.js';
import type { PersonAction } from '../../workflows/messages.js';
import { NotFoundError } from '../errors.js';
import { route, type Resource, type RouteContext, type SignIn } from '../route.js';
import type { DeliveriesService, ListQuery } from '../services/deliveries-service.js';
import type { ProofsService } from '../services/proofs-service.js';
import { assertClientTimes, clientTimeProblem, isUuid, noBodySchema } from '../validate.js';

const id = (ctx: RouteContext): string => ctx.params.id ?? '';
/** An id that cannot exist is simply not found: it never reaches the database. */
const ids = { id: 'delivery' };

export function deliveryRoutes(deps: { deliveries: DeliveriesService; proofs: ProofsService; auth: SignIn }): Resource {
  const { deliveries, proofs } = deps;
  const act = <B>(ctx: RouteContext<B>, action: PersonAction, args: Record<string, unknown> = {}) =>
    deliveries.act(ctx.state.user!, id(ctx), action, args, ctx.state.idempotencyKey, ctx.state.requestId);

  return {
    prefix: '/deliveries',
    authenticate: deps.auth,
    routes: [
      route({
        method: 'post', path: '/deliveries', apiKeyScope: 'deliveries:write', summary: 'Request a delivery: starts its workflow, returns the quote',
        roles: ['customer', 'dispatcher', 'admin'], body: createDeliverySchema, waitsOnWorkflow: true, ok: 201,
        handler: (ctx) => deliveries.create(ctx.state.user!, ctx.state.body, { requestId: ctx.state.requestId, idempotencyKey: ctx.state.idempotencyKey }),
      }),
      route({
        method: 'get', path: '/deliveries', apiKeyScope: 'deliveries:read', summary: 'List deliveries you may see', roles: 'user', who: 'scoped',
        query: listDeliveriesQuerySchema, ok: 200,
        handler: (ctx) => deliveries.list(ctx.state.user!, ctx.state.query as ListQuery),
      }),
      route({
        method: 'get', path: '/deliveries/:id', apiKeyScope: 'deliveries:read', summary: 'One delivery with its timeline', roles: 'user', who: 'scoped', ids, ok: 200,
        handler: (ctx) => deliveries.get(ctx.state.user!, id(ctx)),
      }),
      route({
        method: 'get', path: '/deliveries/:id/proofs/:proofId', summary: 'A proof image (signature or photo)', roles: 'user', who: 'scoped', ids, ok: 200,
        handler: async (ctx) => {
          await deliveries.get(ctx.state.user!, id(ctx), false);
          const proofId = ctx.params.proofId ?? '';
          const image = isUuid(proofId) ? await proofs.load(id(ctx), proofId) : null;
          if (!image) throw new NotFoundError('proof');
          ctx.type = image.contentType;
          ctx.set('Cache-Control', 'private, max-age=3600');
          ctx.body = image.bytes;
        },
      }),
      route({
        method: 'post', path: '/deliveries/:id/accept-quote', apiKeyScope: 'deliveries:write', summary: 'Accept the quote: dispatch starts',
        roles: ['customer', 'dispatcher', 'admin'], who: 'owner customer, dispatcher, admin', ids,
        body: noBodySchema, bodyOptional: true, waitsOnWorkflow: true, ok: 200,
        handler: (ctx) => act(ctx, 'acceptQuote'),
      }),
      route({
        method: 'post', path: '/deliveries/:id/cancel', apiKeyScope: 'deliveries:write', summary: 'Cancel (customers before pickup)',
        roles: ['customer', 'dispatcher', 'admin'], who: 'owner customer, dispatcher, admin', ids,
        body: cancelSchema, waitsOnWorkflow: true, ok: 200,
        handler: (ctx) => act(ctx, 'cancel', { reason: ctx.state.body.reason }),
      }),
      route({
        method: 'post', path: '/deliveries/:id/assign', summary: 'Assign or reassign a driver', roles: ['dispatcher', 'admin'], ids,
        body: assignSchema, waitsOnWorkflow: true, ok: 200,
        handler: (ctx) => act(ctx, 'assignDriver', { driverId: ctx.state.body.driverId }),
      }),
      route({
        method: 'post', path: '/deliveries/:id/code-override',
        summary: 'Let the driver hand over without the delivery code (after too many wrong codes); the reason goes on the timeline',
        roles: ['dispatcher', 'admin'], ids, body: codeOverrideSchema, waitsOnWorkflow: true, ok: 200,
        handler: (ctx) => act(ctx, 'overrideDeliveryCode', { reason: ctx.state.body.reason }),
      }),
      route({
        method: 'post', path: '/deliveries/:id/milestones',
        summary: 'A driver milestone (offer answer, arrival, pickup, delivery, failed attempt, return). 422 PROOF_REQUIRED names the missing proof (`missing`); 422 DELIVERY_CODE_MISMATCH carries `triesLeft`; 422 DELIVERY_CODE_LOCKED after the last try',
        roles: ['driver'], who: 'offered or assigned driver', ids, body: milestoneSchema, waitsOnWorkflow: true, ok: 200,
        // Proof images ride in the body.
        bodyLimit: '2mb',
        handler: async (ctx) => {
          const body = ctx.state.body;
          const user = ctx.state.user!;
          // Offline taps carry their original time, but not one from the future or from days ago.
          assertClientTimes([body.at ? clientTimeProblem(body.at, 'body.at') : null]);
          // Only a driver who can see the delivery may upload images for it.
          await deliveries.get(user, id(ctx), false);
          // Images are checked now but stored only once the workflow has accepted the milestone, and only for
          // milestones that keep a proof: a refused or proof-less milestone leaves nothing behind.
          const prepared = body.proof && PROOF_MILESTONES.includes(body.type) ? proofs.prepare(id(ctx), user.id, body.proof as ProofInput) : undefined;
          // Only a hand-over checks a code; elsewhere an entered code is ignored rather than carried.
          const codeHash = body.type === 'delivered' && body.proof?.otp ? deliveries.codeHash(id(ctx), body.proof.otp) : undefined;
          const proof = codeHash ? { ...prepared?.proof, codeHash } : prepared?.proof;
          const delivery = await act(ctx, MILESTONE_ACTIONS[body.type] as PersonAction, {
            at: body.at ? new Date(body.at).toISOString() : undefined,
            location: body.location,
            proof,
            reason: body.reason,
          });
          if (prepared) await proofs.save(prepared);
          return delivery;
        },
      }),
    ],
  };
}
