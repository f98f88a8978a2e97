/**
 * The driver's taps that have not reached the server yet, kept in IndexedDB so they survive a dead
 * network, a reload or a closed tab. Each carries the Idempotency-Key it is sent with, every time.
 */
import type { MilestoneBody } from '../../../domain/schemas.js';

export interface QueuedMilestone {
  /** The Idempotency-Key: one per tap, reused on every replay. */
  key: string;
  deliveryId: string;
  body: MilestoneBody;
  queuedAt: string;
  attempts: number;
  lastError?: string;
}

export interface OutboxStore {
  all(): Promise<QueuedMilestone[]>;
  put(item: QueuedMilestone): Promise<void>;
  delete(key: string): Promise<void>;
}

const DB = 'lp-driver';
const STORE = 'outbox';

function request<T>(req: IDBRequest<T>): Promise<T> {
  return new Promise((resolve, reject) => {
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error ?? new Error('IndexedDB request failed'));
  });
}

/** One database per signed-in driver: two drivers sharing a phone never replay each other's taps. */
export async function openOutbox(ownerId: string): Promise<OutboxStore> {
  if (!globalThis.indexedDB) return memoryOutbox();
  const open = indexedDB.open(`${DB}:${ownerId}`, 1);
  open.onupgradeneeded = () => {
    open.result.createObjectStore(STORE, { keyPath: 'key' });
  };
  const db = await request(open);
  const tx = (mode: IDBTransactionMode) => db.transaction(STORE, mode).objectStore(STORE);
  return {
    async all() {
      const items = await request(tx('readonly').getAll() as IDBRequest<QueuedMilestone[]>);
      return items.sort((a, b) => a.queuedAt.localeCompare(b.queuedAt));
    },
    async put(item) {
      await request(tx('readwrite').put(item));
    },
    async delete(key) {
      await request(tx('readwrite').delete(key));
    },
  };
}

/** Where IndexedDB is missing (private modes of old browsers): the queue lasts as long as the tab. */
function memoryOutbox(): OutboxStore {
  const items = new Map<string, QueuedMilestone>();
  return {
    all: async () => [...items.values()].sort((a, b) => a.queuedAt.localeCompare(b.queuedAt)),
    put: async (item) => void items.set(item.key, structuredClone(item)),
    delete: async (key) => void items.delete(key),
  };
}
