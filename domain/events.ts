/** Socket.IO event maps shared by the server, the worker's emitter and the web client (DESIGN §6). */
import type { Alert, Delivery } from './delivery.js';

export interface DriverLocationEvent {
  driverId: string;
  lat: number;
  lng: number;
  heading?: number;
  at: string;
}

export interface AlertEvent {
  deliveryId: string;
  kind: Alert['kind'];
  message: string;
  at: string;
}

export type SubscribeResult = { ok: true; delivery: Delivery } | { ok: false; code: string; message: string };

export interface ServerToClientEvents {
  'delivery:updated': (delivery: Delivery) => void;
  'driver:location': (location: DriverLocationEvent) => void;
  'alert:raised': (alert: AlertEvent) => void;
  /** To a driver who no longer carries a delivery (reassigned or cancelled). */
  'delivery:released': (info: { deliveryId: string; reason: string }) => void;
  'session:revoked': (info: { reason: string }) => void;
}

export interface ClientToServerEvents {
  'delivery:subscribe': (deliveryId: string, ack: (result: SubscribeResult) => void) => void;
}

export const rooms = {
  dispatch: 'dispatch',
  driver: (driverId: string) => `driver:${driverId}`,
  delivery: (deliveryId: string) => `delivery:${deliveryId}`,
  user: (userId: string) => `user:${userId}`,
} as const;
