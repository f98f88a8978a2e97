/**
 * What other processes tell this API instance to forget: ended sessions, changed deliveries. One Redis
 * subscription carries every channel. After it was down (Redis restarted, the connection dropped),
 * announcements may have been missed, so every listener forgets everything on each (re)connection.
 */
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';

export interface Evictions {
  /** One announcement, as published. */
  forget(message: string): void;
  forgetAll(): void;
}

/** Subscribes to each channel; returns the connection to close. */
export function listenForEvictions(redis: Redis, listeners: Record<string, Evictions>, log: Pick<Logger, 'warn'>): Redis {
  const subscriber = redis.duplicate({ enableOfflineQueue: true, maxRetriesPerRequest: null });
  subscriber.on('error', (err) => log.warn({ err: err.message }, 'eviction subscription problem'));
  subscriber.on('ready', () => {
    for (const listener of Object.values(listeners)) listener.forgetAll();
  });
  subscriber.on('message', (channel: string, message: string) => {
    if (Object.hasOwn(listeners, channel)) listeners[channel]!.forget(message);
  });
  void subscriber.subscribe(...Object.keys(listeners)).catch((err: Error) => log.warn({ err: err.message }, 'eviction subscription failed'));
  return subscriber;
}
