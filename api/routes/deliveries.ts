import Router from '@koa/router';
import type { Middleware } from 'koa';
import type { ProofInput } from '../../domain/schemas.js';
import {
  assignSchema,
  cancelSchema,
  codeOverrideSchema,
  createDeliverySchema,
  listDeliveriesQuerySchema,
  milestoneSchema,
  type CreateDeliveryBody,
  type MilestoneBody,
} from '../../domain/schemas.js';
import { MILESTONE_ACTIONS, PROOF_MILESTONES } from '../../domain/status.js';
import type { PersonAction } from '../../workflows/messages.js';
import { requireRole } from '../auth/middleware.js';
import { NotFoundError } from '../errors.js';
import type { DeliveriesService, ListQuery } from '../services/deliveries-service.js';
import type { ProofsService } from '../services/proofs-service.js';
import type { AppState } from '../types.js';
import { assertClientTimes, clientTimeProblem, isUuid, noBodySchema, validate } from '../validate.js';

type State = AppState & { idempotencyKey?: string };
type Ctx = { params: Record<string, string | undefined>; state: State };

const id = (ctx: { params: Record<string, string | undefined> }): string => ctx.params.id ?? '';

/** An id that cannot exist is simply not found: it never reaches the database. */
const deliveryId: Middleware<State> = async (ctx, next) => {
  if (!isUuid(id(ctx as unknown as Ctx))) throw new NotFoundError('delivery');
  await next();
};

export function deliveryRoutes(deps: { deliveries: DeliveriesService; proofs: ProofsService; auth: Middleware<State> }): Router<State> {
  const { deliveries, proofs } = deps;
  const router = new Router<State>({ prefix: '/api/v1/deliveries' });
  router.use(deps.auth);

  router.post('/', requireRole('customer', 'dispatcher', 'admin'), validate('body', createDeliverySchema), async (ctx) => {
    ctx.status = 201;
    ctx.body = await deliveries.create(ctx.state.user!, ctx.state.body as CreateDeliveryBody, {
      requestId: ctx.state.requestId,
      idempotencyKey: ctx.state.idempotencyKey,
    });
  });

  router.get('/', validate('query', listDeliveriesQuerySchema), async (ctx) => {
    ctx.body = await deliveries.list(ctx.state.user!, ctx.state.query as ListQuery);
  });

  router.get('/:id', deliveryId, async (ctx) => {
    ctx.body = await deliveries.get(ctx.state.user!, id(ctx));
  });

  router.get('/:id/proofs/:proofId', deliveryId, async (ctx) => {
    await deliveries.get(ctx.state.user!, id(ctx), false);
    const proofId = ctx.params.proofId ?? '';
    const image = isUuid(proofId) ? await proofs.load(id(ctx), proofId) : null;
    if (!image) throw new NotFoundError('proof');
    ctx.type = image.contentType;
    ctx.set('Cache-Control', 'private, max-age=3600');
    ctx.body = image.bytes;
  });

  const act = (action: PersonAction, args: (ctx: Ctx) => Record<string, unknown> = () => ({})): Middleware<State> =>
    async (ctx) => {
      const c = ctx as unknown as Ctx;
      ctx.body = await deliveries.act(ctx.state.user!, id(c), action, args(c), ctx.state.idempotencyKey, ctx.state.requestId);
    };

  // The role is checked before the id: a caller who may never do this learns nothing about which ids exist.
  router.post('/:id/accept-quote', requireRole('customer', 'dispatcher', 'admin'), deliveryId, validate('body', noBodySchema), act('acceptQuote'));
  router.post('/:id/cancel', requireRole('customer', 'dispatcher', 'admin'), deliveryId, validate('body', cancelSchema),
    act('cancel', (ctx) => ({ reason: (ctx.state.body as { reason: string }).reason })));
  router.post('/:id/assign', requireRole('dispatcher', 'admin'), deliveryId, validate('body', assignSchema),
    act('assignDriver', (ctx) => ({ driverId: (ctx.state.body as { driverId: string }).driverId })));
  router.post('/:id/code-override', requireRole('dispatcher', 'admin'), deliveryId, validate('body', codeOverrideSchema),
    act('overrideDeliveryCode', (ctx) => ({ reason: (ctx.state.body as { reason: string }).reason })));

  router.post('/:id/milestones', requireRole('driver'), deliveryId, validate('body', milestoneSchema), async (ctx) => {
    const body = ctx.state.body as MilestoneBody;
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
    const delivery = await deliveries.act(user, id(ctx), MILESTONE_ACTIONS[body.type] as PersonAction, {
      at: body.at ? new Date(body.at).toISOString() : undefined,
      location: body.location,
      proof,
      reason: body.reason,
    }, ctx.state.idempotencyKey, ctx.state.requestId);
    if (prepared) await proofs.save(prepared);
    ctx.body = delivery;
  });

  return router;
}
