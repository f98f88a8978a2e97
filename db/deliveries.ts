/** Maps between the workflow's state, the read-model row and the contract's `Delivery`. */
import type { Delivery, DeliveryState, TimelineEvent } from '../domain/delivery.js';
import { workflowIdFor } from '../domain/delivery.js';
import type { DeliveryEventRow, DeliveryRow } from './models.js';

export interface TemporalLinks {
  uiUrl: string;
  namespace: string;
}

export function temporalUiUrl(links: TemporalLinks, workflowId: string): string {
  return `${links.uiUrl.replace(/\/$/, '')}/namespaces/${encodeURIComponent(links.namespace)}/workflows/${encodeURIComponent(workflowId)}`;
}

export const iso = (d: Date | string | null | undefined): string | null => (d ? new Date(d).toISOString() : null);

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
