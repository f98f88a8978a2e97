/** The read model's deliveries, and the maps between the workflow's state, the row and the contract's `Delivery`. */
import { Op, type WhereOptions } from 'sequelize';
import type { Booking, Delivery, DeliveryState, TimelineEvent } from '../domain/delivery.js';
import { workflowIdFor } from '../domain/delivery.js';
import type { Stop } from '../domain/schemas.js';
import type { DeliveryStatus, Role } from '../domain/status.js';
import { DeliveryEventRow, DeliveryRow } from './models.js';

export interface TemporalLinks {
  uiUrl: string;
  namespace: string;
}

export function temporalUiUrl(links: TemporalLinks, workflowId: string): string {
  return `${links.uiUrl.replace(/\/$/, '')}/namespaces/${encodeURIComponent(links.namespace)}/workflows/${encodeURIComponent(workflowId)}`;
}

export const iso = (d: Date | string | null | undefined): string | null => (d ? new Date(d).toISOString() : null);

/** The row's columns that hold the booking. */
export const BOOKING_COLUMNS = [
  'trackingCode', 'customerId', 'organizationId', 'clientReference', 'priority', 'pickup', 'dropoff', 'parcel', 'notes', 'quote',
  'createdAt', 'pickupWindow', 'dropoffWindow', 'dispatchAt', 'codeRequired', 'leaveAtDoor',
] as const satisfies ReadonlyArray<keyof DeliveryRow>;

/** What a delivery was booked with, as its row keeps it: the same values the workflow's state starts from. */
export function bookingFromRow(row: Pick<DeliveryRow, (typeof BOOKING_COLUMNS)[number]>): Booking {
  return {
    trackingCode: row.trackingCode,
    customerId: row.customerId,
    ...(row.organizationId ? { organizationId: row.organizationId } : {}),
    ...(row.clientReference ? { reference: row.clientReference } : {}),
    priority: row.priority,
    pickup: row.pickup,
    dropoff: row.dropoff,
    parcel: row.parcel,
    ...(row.notes !== null ? { notes: row.notes } : {}),
    quote: row.quote,
    createdAt: iso(row.createdAt)!,
    pickupWindow: row.pickupWindow ?? null,
    dropoffWindow: row.dropoffWindow ?? null,
    dispatchAt: iso(row.dispatchAt),
    codeRequired: row.codeRequired ?? false,
    leaveAtDoor: row.leaveAtDoor ?? false,
  };
}

export function deliveryFromState(state: DeliveryState, links: TemporalLinks): Delivery {
  const workflowId = workflowIdFor(state.deliveryId);
  return {
    id: state.deliveryId,
    trackingCode: state.trackingCode,
    status: state.status,
    seq: state.seq,
    delayed: state.delayed,
    priority: state.priority,
    pickup: state.pickup,
    dropoff: state.dropoff,
    parcel: state.parcel,
    notes: state.notes ?? null,
    quote: state.quote,
    customerId: state.customerId,
    organizationId: state.organizationId ?? null,
    reference: state.reference ?? null,
    driver: state.driver,
    offer: state.offer ? { driverId: state.offer.driverId, expiresAt: state.offer.expiresAt } : null,
    eta: state.eta,
    promisedBy: state.promisedBy,
    attempts: state.attempts,
    proof: state.proof,
    cancellation: state.cancellation,
    pickupWindow: state.pickupWindow ?? null,
    dropoffWindow: state.dropoffWindow ?? null,
    dispatchAt: state.dispatchAt ?? null,
    codeRequired: state.codeRequired ?? false,
    leaveAtDoor: state.leaveAtDoor ?? false,
    createdAt: state.createdAt,
    updatedAt: state.updatedAt,
    workflowId,
    temporalUiUrl: temporalUiUrl(links, workflowId),
  };
}

export function deliveryFromRow(row: DeliveryRow, links: TemporalLinks, events?: DeliveryEventRow[]): Delivery {
  const delivery: Delivery = {
    id: row.id,
    trackingCode: row.trackingCode,
    status: row.status,
    seq: row.seq,
    delayed: row.delayed,
    priority: row.priority,
    pickup: row.pickup,
    dropoff: row.dropoff,
    parcel: row.parcel,
    notes: row.notes,
    quote: row.quote,
    customerId: row.customerId,
    organizationId: row.organizationId,
    reference: row.clientReference,
    driver: row.driverId ? { id: row.driverId, name: row.driverName ?? '' } : null,
    offer: row.offeredDriverId ? { driverId: row.offeredDriverId, expiresAt: iso(row.offerExpiresAt)! } : null,
    eta: iso(row.eta),
    promisedBy: iso(row.promisedBy),
    attempts: row.attempts,
    proof: row.proof,
    cancellation: row.cancellation as Delivery['cancellation'],
    pickupWindow: row.pickupWindow ?? null,
    dropoffWindow: row.dropoffWindow ?? null,
    dispatchAt: iso(row.dispatchAt),
    codeRequired: row.codeRequired ?? false,
    leaveAtDoor: row.leaveAtDoor ?? false,
    createdAt: iso(row.createdAt)!,
    updatedAt: iso(row.updatedAt)!,
    workflowId: row.workflowId,
    temporalUiUrl: temporalUiUrl(links, row.workflowId),
  };
  if (events) delivery.timeline = events.map(timelineEventFromRow);
  return delivery;
}

export function timelineEventFromRow(e: DeliveryEventRow): TimelineEvent {
  return { seq: e.seq, type: e.type, at: new Date(e.at).toISOString(), actor: e.actor, data: e.data };
}

/** The newest delivery's tracking code, for the start banner's example link. */
export async function latestTrackingCode(): Promise<string | undefined> {
  const row = await DeliveryRow.findOne({ order: [['createdAt', 'DESC']], attributes: ['trackingCode'] });
  return row?.trackingCode;
}

/** Who reads: the scope of every delivery query is built from this. */
export interface DeliveryViewer {
  id: string;
  role: Role;
  driverId?: string;
  organizationId?: string;
}

/**
 * A customer sees only their deliveries, a driver those offered or assigned to them, dispatchers and
 * admins all, and an organisation's member the organisation's.
 */
function visibleTo(viewer: DeliveryViewer): WhereOptions<DeliveryRow> {
  if (viewer.organizationId) return { organizationId: viewer.organizationId };
  switch (viewer.role) {
    case 'admin':
    case 'dispatcher':
      return {};
    case 'customer':
      return { customerId: viewer.id, organizationId: null };
    case 'driver':
      return viewer.driverId ? { [Op.or]: [{ driverId: viewer.driverId }, { offeredDriverId: viewer.driverId }] } : { id: { [Op.in]: [] } };
  }
}

export interface DeliveryFilter {
  statuses?: DeliveryStatus[];
  driverId?: string;
  customerId?: string;
  /** Part of the tracking code, an address or the driver's name, any case. */
  text?: string;
  /** Only deliveries listed after this one, newest first. */
  after?: { createdAt: Date; id: string };
}

/** The read model's deliveries, always scoped to who reads. */
export function createDeliveryStore(links: TemporalLinks) {
  return {
    /** Up to `limit` deliveries newest first, and whether more follow. */
    async list(viewer: DeliveryViewer, filter: DeliveryFilter, limit: number): Promise<{ items: Delivery[]; more: boolean }> {
      const filters: WhereOptions<DeliveryRow>[] = [visibleTo(viewer)];
      if (filter.statuses) filters.push({ status: filter.statuses });
      if (filter.driverId) filters.push({ driverId: filter.driverId });
      if (filter.customerId) filters.push({ customerId: filter.customerId });
      if (filter.text) {
        const like = `%${filter.text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
        filters.push({
          [Op.or]: [
            { trackingCode: { [Op.iLike]: like } },
            { pickup: { address: { [Op.iLike]: like } } },
            { dropoff: { address: { [Op.iLike]: like } } },
            { driverName: { [Op.iLike]: like } },
          ],
        } as WhereOptions<DeliveryRow>);
      }
      if (filter.after) {
        const { createdAt, id } = filter.after;
        filters.push({ [Op.or]: [{ createdAt: { [Op.lt]: createdAt } }, { createdAt, id: { [Op.lt]: id } }] });
      }
      const rows = await DeliveryRow.findAll({ where: { [Op.and]: filters }, order: [['createdAt', 'DESC'], ['id', 'DESC']], limit: limit + 1 });
      return { items: rows.slice(0, limit).map((r) => deliveryFromRow(r, links)), more: rows.length > limit };
    },

    /** The delivery if the viewer may see it, with its timeline when asked. */
    async find(viewer: DeliveryViewer, id: string, withTimeline: boolean): Promise<Delivery | null> {
      const row = await DeliveryRow.findOne({ where: { [Op.and]: [{ id }, visibleTo(viewer)] } });
      if (!row) return null;
      const events = withTimeline ? await DeliveryEventRow.findAll({ where: { deliveryId: id }, order: [['seq', 'ASC']] }) : undefined;
      return deliveryFromRow(row, links, events);
    },

    /** What the delivery was booked with (and by whom), if the viewer may see it. */
    async bookingOf(viewer: DeliveryViewer, id: string): Promise<Booking | null> {
      const row = await DeliveryRow.findOne({ where: { [Op.and]: [{ id }, visibleTo(viewer)] }, attributes: [...BOOKING_COLUMNS] });
      return row ? bookingFromRow(row) : null;
    },

    /** What the public route line of a tracking code (upper case) needs. */
    async routeOf(trackingCode: string): Promise<{ status: DeliveryStatus; driverId: string | null; pickup: Stop; dropoff: Stop } | null> {
      const row = await DeliveryRow.findOne({ where: { trackingCode }, attributes: ['status', 'driverId', 'pickup', 'dropoff'] });
      return row ? { status: row.status, driverId: row.driverId, pickup: row.pickup, dropoff: row.dropoff } : null;
    },
  };
}
export type DeliveryStore = ReturnType<typeof createDeliveryStore>;
