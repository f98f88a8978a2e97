import Router from '@koa/router';
import type { Middleware } from 'koa';
import type { ProofInput } from '../../domain/schemas.js';
import {
  assignSchema,
  cancelSchema,
  createDeliverySchema,
  listDeliveriesQuerySchema,
  milestoneSchema,
  type CreateDeliveryBody,
  type MilestoneBody,
} from '../../domain/schemas.js';
import { MILESTONE_ACTIONS } from '../../domain/status.js';
import type { PersonAction } from '../../workflows/messages.js';
import { requireRole } from '../auth/middleware.js';
import { NotFoundError } from '../errors.js';
import type { DeliveriesService, ListQuery } from '../services/deliveries-service.js';
import type { ProofsService } from '../services/proofs-service.js';
import type { AppState } from '../types.js';
import { isUuid, validate } from '../validate.js';

type State = AppState & { idempotencyKey?: string };

const id = (ctx: { params: Record<string, string | undefined> }): string => ctx.params.id ?? '';

const deliveryId: Middleware<State> = async (ctx, next) => {
  if (!isUuid(id(ctx as unknown as { params: Record<string, string> }))) throw new NotFoundError('delivery');
  await next();
};

export function deliveryRoutes(deps: { deliveries: DeliveriesService; proofs: ProofsService; auth: Middleware<State> }): Router<State> {
  const { deliveries, proofs } = deps;
  const router = new Router<State>({ prefix: '/api/v1/deliveries' });
  router.use(deps.auth);

  router.post('/', requireRole('customer', 'dispatcher', 'admin'), validate('body', createDeliverySchema), async (ctx) => {
    ctx.status = 201;
    ctx.body = await deliveries.create(ctx.state.user!, ctx.state.body as CreateDeliveryBody, ctx.state.requestId);
  });

  router.get('/', validate('query', listDeliveriesQuerySchema), async (ctx) => {
    ctx.body = await deliveries.list(ctx.state.user!, ctx.state.query as ListQuery);
  });

  router.get('/:id', deliveryId, async (ctx) => {
    ctx.body = await deliveries.get(ctx.state.user!, id(ctx));
  });

  router.get('/:id/proofs/:proofId', deliveryId, async (ctx) => {
    await deliveries.get(ctx.state.user!, id(ctx), false);
    const image = isUuid((ctx.params.proofId ?? '')) ? await proofs.load(id(ctx), (ctx.params.proofId ?? '')) : null;
    if (!image) throw new NotFoundError('proof');
    ctx.type = image.contentType;
    ctx.set('Cache-Control', 'private, max-age=3600');
    ctx.body = image.bytes;
  });

  const act = (action: PersonAction, args: (ctx: { state: State }) => Record<string, unknown> = () => ({})): Middleware<State> =>
    async (ctx) => {
      const c = ctx as unknown as { params: { id: string }; state: State };
      ctx.body = await deliveries.act(ctx.state.user!, c.params.id, action, args(c), ctx.state.idempotencyKey);
    };

  router.post('/:id/accept-quote', deliveryId, requireRole('customer', 'dispatcher', 'admin'), act('acceptQuote'));
  router.post('/:id/cancel', deliveryId, requireRole('customer', 'dispatcher', 'admin'), validate('body', cancelSchema),
    act('cancel', (ctx) => ({ reason: (ctx.state.body as { reason: string }).reason })));
  router.post('/:id/assign', deliveryId, requireRole('dispatcher', 'admin'), validate('body', assignSchema),
    act('assignDriver', (ctx) => ({ driverId: (ctx.state.body as { driverId: string }).driverId })));

  router.post('/:id/milestones', deliveryId, requireRole('driver'), validate('body', milestoneSchema), async (ctx) => {
    const body = ctx.state.body as MilestoneBody;
    const user = ctx.state.user!;
    // Only a driver who can see the delivery may upload images for it.
    await deliveries.get(user, id(ctx), false);
    const proof = body.proof ? await proofs.store(id(ctx), user.id, body.proof as ProofInput) : undefined;
    ctx.body = await deliveries.act(user, id(ctx), MILESTONE_ACTIONS[body.type] as PersonAction, {
      at: body.at,
      location: body.location,
      proof,
      reason: body.reason,
    }, ctx.state.idempotencyKey);
  });

  return router;
}
