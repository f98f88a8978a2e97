/** Deliveries: start the workflow, read the read model (scoped to who asks), send the workflow Updates. */
import { createHash, randomUUID } from 'node:crypto';
import { WorkflowExecutionAlreadyStartedError, type Client } from '@temporalio/client';
import type { Logger } from 'pino';
import { Op, type WhereOptions } from 'sequelize';
import { deliveryFromRow, deliveryFromState, type TemporalLinks } from '../../db/deliveries.js';
import { newTrackingCode } from '../../db/tracking.js';
import { DeliveryEventRow, DeliveryRow } from '../../db/models.js';
import type { Delivery, DeliveryTimings, DeliveryWorkflowInput } from '../../domain/delivery.js';
import { workflowIdFor } from '../../domain/delivery.js';
import { roadDistanceKm } from '../../domain/geo.js';
import { quotePrice } from '../../domain/pricing.js';
import type { CreateDeliveryBody } from '../../domain/schemas.js';
import { searchAttributes } from '../../domain/search-attributes.js';
import { DELIVERY_STATUSES, type DeliveryStatus } from '../../domain/status.js';
import { actionUpdates, quoteRecordedUpdate, type ActionArgs, type PersonAction } from '../../workflows/messages.js';
import { ValidationError, NotFoundError } from '../errors.js';
import { isUuid } from '../validate.js';
import type { AuthUser } from '../types.js';
import type { LivePublisher } from '../../activities/live.js';
import type { TrackingReads } from './tracking-reads.js';
import { temporalError, updateError } from './temporal-errors.js';

export interface DeliveriesServiceDeps {
  temporal: Client;
  taskQueue: string;
  links: TemporalLinks;
  timings: DeliveryTimings;
  aiDispatch: boolean;
  /**
   * Screens hear of a person's change from the API that applied it, as soon as its Update answers (the
   * change is then in the read model). The worker publishes every transition again, after recording,
   * with the tracking view and notifications; clients drop the `seq` they already have.
   */
  live?: Pick<LivePublisher, 'publishDelivery'>;
  /** Drops this instance's cached public view of a delivery the caller just changed. */
  tracking?: Pick<TrackingReads, 'changed'>;
  log?: Pick<Logger, 'warn'>;
}

/**
 * A retried create with the same Idempotency-Key and body gets the same delivery id, so even when the
 * stored answer is lost (a crash between starting the workflow and recording the reply) no second
 * workflow starts: Temporal refuses the duplicate id.
 */
export function deliveryIdFor(userId: string, idempotencyKey: string, body: CreateDeliveryBody): string {
  const h = createHash('sha256').update(`${userId}\n${idempotencyKey}\n${JSON.stringify(body)}`).digest('hex');
  // RFC 9562 version 8 (custom) layout.
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-8${h.slice(13, 16)}-${((parseInt(h[16]!, 16) & 3) | 8).toString(16)}${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

export { newTrackingCode };

/**
 * The scope a user may see, as a WHERE clause: authorization lives in the query. Acting in an
 * organisation (membership already checked for this request), anyone sees exactly its deliveries; a
 * customer acting for themselves sees their personal ones, not those they booked in an organisation
 * (those stay with it when they leave).
 */
export function visibleTo(user: AuthUser): WhereOptions<DeliveryRow> {
  if (user.organizationId) return { organizationId: user.organizationId };
  switch (user.role) {
    case 'admin':
    case 'dispatcher':
      return {};
    case 'customer':
      return { customerId: user.id, organizationId: null };
    case 'driver':
      return user.driverId ? { [Op.or]: [{ driverId: user.driverId }, { offeredDriverId: user.driverId }] } : { id: { [Op.in]: [] } };
  }
}

export interface ListQuery {
  status?: string;
  driverId?: string;
  customerId?: string;
  q?: string;
  limit: number;
  cursor?: string;
}

function decodeCursor(cursor: string): { createdAt: Date; id: string } {
  const [at, id] = Buffer.from(cursor, 'base64url').toString().split('|');
  const createdAt = new Date(at ?? '');
  if (!id || !isUuid(id) || !/^\d{4}-\d\d-\d\dT/.test(at ?? '') || Number.isNaN(createdAt.getTime())) {
    throw new ValidationError([{ path: 'query.cursor', message: 'not a cursor from this API' }]);
  }
  return { createdAt, id };
}
const encodeCursor = (row: DeliveryRow) => Buffer.from(`${row.createdAt.toISOString()}|${row.id}`).toString('base64url');

export class DeliveriesService {
  constructor(private readonly deps: DeliveriesServiceDeps) {}

  async create(user: AuthUser, body: CreateDeliveryBody, options: { requestId?: string; idempotencyKey?: string } = {}): Promise<Delivery> {
    const { requestId, idempotencyKey } = options;
    const now = new Date();
    const distanceKm = roadDistanceKm(body.pickup, body.dropoff);
    const price = quotePrice({ distanceKm, parcel: body.parcel, priority: body.priority, requestedAt: now.toISOString() });
    const deliveryId = idempotencyKey ? deliveryIdFor(user.organizationId ?? user.id, idempotencyKey, body) : randomUUID();
    const input: DeliveryWorkflowInput = {
      deliveryId,
      trackingCode: newTrackingCode(),
      customerId: user.id,
      ...(user.organizationId ? { organizationId: user.organizationId } : {}),
      pickup: body.pickup,
      dropoff: body.dropoff,
      parcel: body.parcel,
      priority: body.priority,
      notes: body.notes,
      quote: { ...price, expiresAt: new Date(now.getTime() + this.deps.timings.quoteTtlMs).toISOString() },
      autoAccept: body.autoAccept ?? false,
      timings: this.deps.timings,
      createdAt: now.toISOString(),
      aiDispatch: this.deps.aiDispatch,
      requestId,
    };
    try {
      const handle = await this.deps.temporal.workflow.start('deliveryWorkflow', {
        workflowId: workflowIdFor(deliveryId),
        taskQueue: this.deps.taskQueue,
        args: [input],
        memo: requestId ? { requestId } : undefined,
        workflowIdReusePolicy: 'REJECT_DUPLICATE',
        typedSearchAttributes: [
          { key: searchAttributes.status, value: 'QUOTED' },
          { key: searchAttributes.customerId, value: user.id },
          { key: searchAttributes.priority, value: body.priority },
          { key: searchAttributes.delayed, value: false },
        ],
      });
      return deliveryFromState(await handle.executeUpdate(quoteRecordedUpdate), this.deps.links);
    } catch (err) {
      if (err instanceof WorkflowExecutionAlreadyStartedError && idempotencyKey) return this.alreadyCreated(user, deliveryId);
      throw temporalError(err);
    }
  }

  /** The delivery an earlier try of the same create started: its live state, or its read model once closed. */
  private async alreadyCreated(user: AuthUser, deliveryId: string): Promise<Delivery> {
    try {
      const state = await this.deps.temporal.workflow.getHandle(workflowIdFor(deliveryId)).executeUpdate(quoteRecordedUpdate);
      if (state.customerId === user.id && (state.organizationId ?? undefined) === user.organizationId) return deliveryFromState(state, this.deps.links);
    } catch (err) {
      if (temporalError(err) !== err) throw temporalError(err);
    }
    return this.get(user, deliveryId);
  }

  async list(user: AuthUser, query: ListQuery): Promise<{ items: Delivery[]; nextCursor: string | null }> {
    const filters: WhereOptions<DeliveryRow>[] = [visibleTo(user)];
    if (query.status) {
      const statuses = query.status.split(',');
      const unknown = statuses.filter((s) => !DELIVERY_STATUSES.includes(s as DeliveryStatus));
      if (unknown.length) throw new ValidationError([{ path: 'query.status', message: `unknown status ${unknown.join(', ')}` }]);
      filters.push({ status: statuses as DeliveryStatus[] });
    }
    if (query.driverId) filters.push({ driverId: query.driverId });
    if (query.customerId) filters.push({ customerId: query.customerId });
    if (query.q) {
      const like = `%${query.q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
      filters.push({
        [Op.or]: [
          { trackingCode: { [Op.iLike]: like } },
          { pickup: { address: { [Op.iLike]: like } } },
          { dropoff: { address: { [Op.iLike]: like } } },
          { driverName: { [Op.iLike]: like } },
        ],
      } as WhereOptions<DeliveryRow>);
    }
    if (query.cursor) {
      const c = decodeCursor(query.cursor);
      filters.push({ [Op.or]: [{ createdAt: { [Op.lt]: c.createdAt } }, { createdAt: c.createdAt, id: { [Op.lt]: c.id } }] });
    }
    const rows = await DeliveryRow.findAll({
      where: { [Op.and]: filters },
      order: [['createdAt', 'DESC'], ['id', 'DESC']],
      limit: query.limit + 1,
    });
    const page = rows.slice(0, query.limit);
    return {
      items: page.map((r) => deliveryFromRow(r, this.deps.links)),
      nextCursor: rows.length > query.limit ? encodeCursor(page[page.length - 1]!) : null,
    };
  }

  async get(user: AuthUser, id: string, withTimeline = true): Promise<Delivery> {
    const row = await DeliveryRow.findOne({ where: { [Op.and]: [{ id }, visibleTo(user)] } });
    if (!row) throw new NotFoundError('delivery');
    const events = withTimeline ? await DeliveryEventRow.findAll({ where: { deliveryId: id }, order: [['seq', 'ASC']] }) : undefined;
    return deliveryFromRow(row, this.deps.links, events);
  }

  /** Sends one Update; the workflow's validator is the authority on whether it is allowed now. */
  async act(user: AuthUser, id: string, action: PersonAction, args: Omit<ActionArgs, 'actor'>, updateId?: string, requestId?: string): Promise<Delivery> {
    const row = await DeliveryRow.findOne({ where: { [Op.and]: [{ id }, visibleTo(user)] }, attributes: ['id', 'customerId'] });
    if (!row) throw new NotFoundError('delivery');
    // An organisation's delivery is the organisation's: any member may do what its booker may, so the
    // workflow's owner check sees the booker, and the timeline the member's own name.
    const userId = user.organizationId && user.role === 'customer' ? row.customerId : user.id;
    const handle = this.deps.temporal.workflow.getHandle(workflowIdFor(id));
    try {
      const result = await handle.executeUpdate(actionUpdates[action], {
        args: [{ ...args, actor: { kind: user.role, userId, driverId: user.driverId, name: user.name, ...(requestId ? { requestId } : {}) } }],
        ...(updateId ? { updateId: `${user.id}:${updateId}` } : {}),
      });
      const { applied, ...state } = result;
      const delivery = deliveryFromState(state, this.deps.links);
      // The change is in the read model: whoever tracks it, the caller first, must not be shown the old view.
      this.deps.tracking?.changed(delivery.trackingCode);
      if (applied && this.deps.live) {
        // Not awaited: the change is safely recorded, and a Redis outage must not hold up the answer.
        this.deps.live.publishDelivery(deliveryFromState(applied.state, this.deps.links), applied.event).catch((err: Error) => {
          this.deps.log?.warn({ err: err.message, deliveryId: id, seq: applied.event.seq }, 'live update not pushed by the API; the worker publishes it');
        });
      }
      return delivery;
    } catch (err) {
      throw updateError(err);
    }
  }
}
