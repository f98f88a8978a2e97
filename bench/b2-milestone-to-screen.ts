/**
 * B2: from a driver's milestone POST returning to the dispatcher's socket receiving that transition
 * (`delivery:updated` with the same `seq`), measured while B1 runs. Baseline: the transport alone — the
 * same Redis emitter the worker uses publishes to the dispatch room and the same socket receives it.
 */
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { createLivePublisher } from '../adapters/live-publisher.js';
import type { Delivery } from '../domain/delivery.js';
import { summarize, type Summary } from './lib/stats.js';
import { connectSocket, settle, type ClientSocket } from './lib/sockets.js';

export interface ScreenResult {
  /** Socket arrival minus the POST's return; negative when the screen had it first. */
  fromReturn: Summary;
  /** Socket arrival minus the moment the POST was sent. */
  fromSent: Summary;
  /** Where the time goes, by wall clock from the transition's `updatedAt` (set when the workflow made it). */
  transitionToScreen: Summary;
  transitionToReturn: Summary;
  /** Milestones whose update never reached the socket. */
  missing: number;
}

interface Arrival {
  at: number;
  wall: number;
  updatedAt: string;
}

export class ScreenProbe {
  private readonly arrivals = new Map<string, Arrival>();
  private readonly posts = new Map<string, { sent: number; returned: number; wall: number; updatedAt: string }>();

  private constructor(private readonly socket: ClientSocket) {
    socket.on('delivery:updated', (delivery) => {
      const key = `${delivery.id}:${delivery.seq}`;
      if (!this.arrivals.has(key)) this.arrivals.set(key, { at: performance.now(), wall: Date.now(), updatedAt: delivery.updatedAt });
    });
  }

  static async open(apiUrl: string, dispatcherToken: string): Promise<ScreenProbe> {
    const socket = await connectSocket(apiUrl, { token: dispatcherToken });
    await settle();
    return new ScreenProbe(socket);
  }

  posted(reply: Delivery, sent: number, returned: number): void {
    this.posts.set(`${reply.id}:${reply.seq}`, { sent, returned, wall: Date.now(), updatedAt: reply.updatedAt });
  }

  /** Waits briefly for stragglers, then pairs each POST with its socket arrival. */
  async result(graceMs = 2000): Promise<ScreenResult> {
    const deadline = Date.now() + graceMs;
    while (Date.now() < deadline && [...this.posts.keys()].some((k) => !this.arrivals.has(k))) await settle(50);
    const fromReturn: number[] = [];
    const fromSent: number[] = [];
    const toScreen: number[] = [];
    const toReturn: number[] = [];
    let missing = 0;
    for (const [key, post] of this.posts) {
      const arrival = this.arrivals.get(key);
      toReturn.push(post.wall - Date.parse(post.updatedAt));
      if (arrival === undefined) {
        missing += 1;
        continue;
      }
      fromReturn.push(arrival.at - post.returned);
      fromSent.push(arrival.at - post.sent);
      toScreen.push(arrival.wall - Date.parse(arrival.updatedAt));
    }
    return {
      fromReturn: summarize(fromReturn),
      fromSent: summarize(fromSent),
      transitionToScreen: summarize(toScreen),
      transitionToReturn: summarize(toReturn),
      missing,
    };
  }

  close(): void {
    this.socket.disconnect();
  }
}

/** The baseline: `count` publishes through the worker's emitter, `everyMs` apart, each timed to its arrival. */
export async function transportBaseline(apiUrl: string, dispatcherToken: string, redisPrefix: string, count: number, everyMs: number): Promise<number[]> {
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
  return samples;
}
