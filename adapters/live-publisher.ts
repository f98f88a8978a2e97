/** Pushes committed changes to Socket.IO rooms through Redis, from any process (DESIGN §3, §6). */
import { Emitter } from '@socket.io/redis-emitter';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { AlertRecord } from '../domain/alerts.js';
import { timelineEventOf, type Alert, type Delivery, type TimelineEvent, type TrackingView } from '../domain/delivery.js';
import { rooms, type AlertEvent, type DriverLocationEvent, type ServerToClientEvents } from '../domain/events.js';
import type { ImportProgress } from '../domain/imports.js';

export interface LivePublisher {
  /** `tracking` is the public view of the same state, for tracking sockets; omitted, they get nothing. */
  publishDelivery(delivery: Delivery, record?: TimelineEvent, tracking?: TrackingView | null): Promise<void>;
  publishDriverLocation(location: DriverLocationEvent, deliveryIds: string[]): Promise<void>;
  publishDriverReleased(input: { deliveryId: string; driverId: string; reason: string }): Promise<void>;
  /** An alert that is not a transition of the delivery (see `activities/alerts.ts`), as it was raised. */
  publishAlertRaised(alert: AlertEvent): Promise<void>;
  /** An alert of the read model raised, acknowledged or resolved, to the dispatchers' board. */
  publishAlert(alert: AlertRecord): Promise<void>;
  /** Every socket of the account (disabled). */
  disconnectUser(userId: string, reason: string): Promise<void>;
  /** The sockets of these sign-ins only (logout, a revoked refresh family). */
  disconnectSessions(sessionIds: string[], reason: string): Promise<void>;
  /** A bulk import's progress, to the uploader's sockets and, for an organisation's, every member's. */
  publishImportProgress(progress: ImportProgress, userId: string): Promise<void>;
  /** A removed member's sockets in that organisation (their personal ones stay). */
  disconnectMember(organizationId: string, userId: string): Promise<void>;
}

/** The Redis key the API's adapter listens on; emitter and adapter must agree. */
export const socketIoKey = (prefix: string) => `${prefix}:socket.io`;

/** Where every committed change announces its tracking code, so API instances drop the cached public view. */
export const trackingChangedChannel = (prefix: string) => `${prefix}:tracking:changed`;

/**
 * Where every change to a delivery a driver holds (taken, moved on, released, ended) announces the
 * driver, so API instances drop the list of open deliveries their pings are sent to.
 */
export const driverDeliveriesChangedChannel = (prefix: string) => `${prefix}:driver-deliveries:changed`;

/** The emitter fires PUBLISH and forgets; this collects those replies so a failed publish fails the caller. */
function awaitedRedis(redis: Redis) {
  let pending: Array<Promise<unknown>> = [];
  return {
    client: {
      publish(channel: string, message: string | Buffer) {
        const reply = redis.publish(channel, message);
        pending.push(reply);
        return reply;
      },
    },
    async settle(): Promise<void> {
      const batch = pending;
      pending = [];
      await Promise.all(batch);
    },
  };
}

export function createLivePublisher(redis: Redis, prefix: string, log?: Pick<Logger, 'warn'>): LivePublisher {
  const link = awaitedRedis(redis);
  const io = new Emitter<ServerToClientEvents>(link.client, { key: socketIoKey(prefix) });
  const trackingChanged = trackingChangedChannel(prefix);
  const driverDeliveriesChanged = driverDeliveriesChangedChannel(prefix);
  const revoke = async (targets: string[], reason: string) => {
    if (targets.length === 0) return;
    // Told first, so the client stops reconnecting rather than retrying with a token that no longer works.
    io.to(targets).emit('session:revoked', { reason });
    io.in(targets).disconnectSockets(true);
    await link.settle();
  };
  return {
    async publishDelivery(delivery, record, tracking) {
      const targets = [rooms.dispatch, rooms.delivery(delivery.id)];
      if (delivery.organizationId) targets.push(rooms.organization(delivery.organizationId));
      if (delivery.driver) targets.push(rooms.driver(delivery.driver.id));
      if (delivery.offer) targets.push(rooms.driver(delivery.offer.driverId));
      const formerOffer = record?.data.driverId;
      if (typeof formerOffer === 'string' && (record?.type === 'offer_expired' || record?.type === 'offer_declined')) {
        // The expired or declined offer must vanish from that driver's screen, and they stop following it.
        targets.push(rooms.driver(formerOffer));
        io.in(rooms.driver(formerOffer)).socketsLeave(rooms.delivery(delivery.id));
      }
      if (record) io.to(targets).emit('delivery:updated', delivery, timelineEventOf(record));
      else io.to(targets).emit('delivery:updated', delivery);
      if (tracking) io.to(rooms.tracking(delivery.id)).emit('tracking:updated', tracking);
      void link.client.publish(trackingChanged, delivery.trackingCode);
      if (delivery.driver) void link.client.publish(driverDeliveriesChanged, delivery.driver.id);
      if (record?.type === 'alert') {
        const { kind, message, at } = record.data as unknown as Alert;
        io.to(rooms.dispatch).emit('alert:raised', { deliveryId: delivery.id, kind, message, at });
      }
      await link.settle();
    },
    async publishDriverLocation(location, deliveryIds) {
      const targets = [rooms.dispatch, rooms.driver(location.driverId)];
      for (const id of deliveryIds) targets.push(rooms.delivery(id), rooms.tracking(id));
      io.to(targets).emit('driver:location', location);
      // The ping is already accepted and buffered for Postgres; the next one supersedes a lost broadcast.
      await link.settle().catch((err) => log?.warn({ err, driverId: location.driverId }, 'driver location not broadcast'));
    },
    async publishDriverReleased({ deliveryId, driverId, reason }) {
      io.to(rooms.driver(driverId)).emit('delivery:released', { deliveryId, reason });
      // A subscription made while the delivery was theirs must not outlive it.
      io.in(rooms.driver(driverId)).socketsLeave(rooms.delivery(deliveryId));
      // Their pings must stop reaching the delivery's rooms now, not when an API instance's list expires.
      void link.client.publish(driverDeliveriesChanged, driverId);
      await link.settle();
    },
    async publishAlertRaised(alert) {
      io.to(rooms.dispatch).emit('alert:raised', alert);
      await link.settle();
    },
    async publishAlert(alert) {
      io.to(rooms.dispatch).emit('alert:updated', alert);
      await link.settle();
    },
    disconnectUser(userId, reason) {
      return revoke([rooms.user(userId)], reason);
    },
    disconnectSessions(sessionIds, reason) {
      return revoke(sessionIds.map(rooms.session), reason);
    },
    async publishImportProgress(progress, userId) {
      const targets = [rooms.user(userId)];
      if (progress.organizationId) targets.push(rooms.organization(progress.organizationId));
      io.to(targets).emit('import:progress', progress);
      await link.settle();
    },
    async disconnectMember(organizationId, userId) {
      // No `session:revoked`: the person stays signed in, only this organisation's connection ends.
      io.in(rooms.member(organizationId, userId)).disconnectSockets(true);
      await link.settle();
    },
  };
}
