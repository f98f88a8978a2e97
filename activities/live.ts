/** Pushes committed changes to Socket.IO rooms through Redis, from any process (DESIGN §3, §6). */
import { Emitter } from '@socket.io/redis-emitter';
import type { Redis } from 'ioredis';
import type { Delivery, TransitionRecord } from '../domain/delivery.js';
import { rooms, type DriverLocationEvent, type ServerToClientEvents } from '../domain/events.js';
import type { TransitionHook } from './read-model.js';

export interface LivePublisher {
  publishDelivery(delivery: Delivery, record?: TransitionRecord): Promise<void>;
  publishDriverLocation(location: DriverLocationEvent, deliveryIds: string[]): Promise<void>;
  publishDriverReleased(input: { deliveryId: string; driverId: string; reason: string }): Promise<void>;
  disconnectUser(userId: string, reason: string): Promise<void>;
}

/** The Redis key the API's adapter listens on; emitter and adapter must agree. */
export const socketIoKey = (prefix: string) => `${prefix}:socket.io`;

export function createLivePublisher(redis: Redis, prefix: string): LivePublisher {
  const io = new Emitter<ServerToClientEvents>(redis, { key: socketIoKey(prefix) });
  return {
    async publishDelivery(delivery, record) {
      const targets = [rooms.dispatch, rooms.delivery(delivery.id)];
      if (delivery.driver) targets.push(rooms.driver(delivery.driver.id));
      if (delivery.offer) targets.push(rooms.driver(delivery.offer.driverId));
      // An expired or declined offer must also vanish from that driver's screen.
      const formerOffer = record?.data.driverId;
      if (typeof formerOffer === 'string' && (record?.type === 'offer_expired' || record?.type === 'offer_declined')) {
        targets.push(rooms.driver(formerOffer));
      }
      io.to(targets).emit('delivery:updated', delivery);
      if (record?.type === 'alert') {
        const { kind, message, at } = record.data as { kind: 'unassigned'; message: string; at: string };
        io.to(rooms.dispatch).emit('alert:raised', { deliveryId: delivery.id, kind, message, at });
      }
    },
    async publishDriverLocation(location, deliveryIds) {
      io.to([rooms.dispatch, rooms.driver(location.driverId), ...deliveryIds.map(rooms.delivery)]).emit('driver:location', location);
    },
    async publishDriverReleased({ deliveryId, driverId, reason }) {
      io.to(rooms.driver(driverId)).emit('delivery:released', { deliveryId, reason });
    },
    async disconnectUser(userId, reason) {
      io.to(rooms.user(userId)).emit('session:revoked', { reason });
      io.in(rooms.user(userId)).disconnectSockets(true);
    },
  };
}

export function liveTransitionHook(live: LivePublisher): TransitionHook {
  return (record, delivery) => live.publishDelivery(delivery, record);
}
