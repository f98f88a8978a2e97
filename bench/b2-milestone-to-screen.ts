/**
 * B2: from a driver's milestone POST returning to the dispatcher's socket receiving that transition
 * (`delivery:updated` with the same `seq`), measured while B1 runs. Baseline: the transport alone — the
 * same Redis emitter the worker uses publishes to the dispatch room and the same socket receives it.
 */
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { createLivePublisher } from '../activities/live.js';
import type { Delivery } from '../domain/delivery.js';
import { summarize, type Summary } from './lib/stats.js';
import { connectSocket, settle, type ClientSocket } from './lib/sockets.js';

export interface ScreenResult {
  /** Socket arrival minus the POST's return; negative when the screen had it first. */
  fromReturn: Summary;
  /** Socket arrival minus the moment the POST was sent. */
  fromSent: Summary;
  /** Milestones whose update never reached the socket. */
  missing: number;
}

export class ScreenProbe {
  private readonly arrivals = new Map<string, number>();
  private readonly posts = new Map<string, { sent: number; returned: number }>();

  private constructor(private readonly socket: ClientSocket) {
    socket.on('delivery:updated', (delivery) => {
      const key = `${delivery.id}:${delivery.seq}`;
      if (!this.arrivals.has(key)) this.arrivals.set(key, performance.now());
    });
  }

  static async open(apiUrl: string, dispatcherToken: string): Promise<ScreenProbe> {
    const socket = await connectSocket(apiUrl, { token: dispatcherToken });
    await settle();
    return new ScreenProbe(socket);
  }

  posted(deliveryId: string, seq: number, sent: number, returned: number): void {
    this.posts.set(`${deliveryId}:${seq}`, { sent, returned });
  }

  /** Waits briefly for stragglers, then pairs each POST with its socket arrival. */
  async result(graceMs = 2000): Promise<ScreenResult> {
    const deadline = Date.now() + graceMs;
    while (Date.now() < deadline && [...this.posts.keys()].some((k) => !this.arrivals.has(k))) await settle(50);
    const fromReturn: number[] = [];
    const fromSent: number[] = [];
    let missing = 0;
    for (const [key, post] of this.posts) {
      const at = this.arrivals.get(key);
      if (at === undefined) missing += 1;
      else {
        fromReturn.push(at - post.returned);
        fromSent.push(at - post.sent);
      }
    }
    return { fromReturn: summarize(fromReturn), fromSent: summarize(fromSent), missing };
  }

  close(): void {
    this.socket.disconnect();
  }
}

/** The baseline: `count` publishes through the worker's emitter, `everyMs` apart, timed to arrival on `socket`. */
export async function transportBaseline(apiUrl: string, dispatcherToken: string, redisPrefix: string, count: number, everyMs: number): Promise<Summary> {
  const socket = await connectSocket(apiUrl, { token: dispatcherToken });
  await settle();
  const redis = new Redis('redis://127.0.0.1:6379', { maxRetriesPerRequest: 1 });
  const live = createLivePublisher(redis, redisPrefix);
  const waiting = new Map<string, (at: number) => void>();
  socket.on('delivery:updated', (delivery) => waiting.get(delivery.id)?.(performance.now()));
  const samples: number[] = [];
  try {
    for (let i = 0; i < count; i += 1) {
      const id = randomUUID();
      const arrived = new Promise<number>((resolve, reject) => {
        waiting.set(id, resolve);
        setTimeout(() => reject(new Error('a transport probe never arrived')), 5000).unref();
      });
      const started = performance.now();
      await live.publishDelivery({ id, seq: 1, status: 'DISPATCHING' } as Delivery);
      samples.push((await arrived) - started);
      waiting.delete(id);
      await settle(everyMs);
    }
  } finally {
    socket.disconnect();
    redis.disconnect();
  }
  return summarize(samples);
}
