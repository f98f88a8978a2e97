/**
 * API keys: `lpk_` and 256 random bits, of which only a SHA-256 hash is stored.
 *
 * A password needs a slow, salted hash (argon2id) because people pick guessable ones; a key of 256
 * random bits cannot be guessed, so a slow hash would buy nothing and cost every request tens of
 * milliseconds and a lever for anyone who wants to burn the API's CPU. A fast unsalted hash also lets the
 * key be found by an index lookup (a salted one would mean hashing against every stored key).
 *
 * Live keys are remembered for a few seconds per API instance; revoking one announces its hash on
 * `apiKeysRevokedChannel`, which every instance's `listenForEvictions` turns into an eviction, so the
 * next request with it is refused everywhere within the time a Redis message takes.
 */
import { createHash, randomBytes } from 'node:crypto';
import type { Logger } from 'pino';
import type { ApiKeyRecord, OrganizationStore } from '../../db/organizations.js';
import { API_KEY_PREFIX } from '../../domain/organizations.js';
import { UnauthorizedError } from '../errors.js';
import type { Evictions } from '../evictions.js';
import { ShortLivedCache } from '../short-lived-cache.js';

export const apiKeysRevokedChannel = (prefix: string) => `${prefix}:api-keys:revoked`;

const KEY = /^lpk_[A-Za-z0-9_-]{43}$/;

export function newApiKey(): string {
  return `${API_KEY_PREFIX}${randomBytes(32).toString('base64url')}`;
}

export function hashApiKey(key: string): string {
  return createHash('sha256').update(key).digest('hex');
}

export const isApiKey = (token: string): boolean => token.startsWith(API_KEY_PREFIX);

/** Enough of a key for a person to tell it apart from their others (24 of its 256 bits). */
export const keyHint = (key: string): string => `${key.slice(0, API_KEY_PREFIX.length + 4)}…`;

export class ApiKeyAuth {
  private readonly cache: ShortLivedCache<ApiKeyRecord | null>;
  /** When each key's last use was last written, so most requests skip the write. */
  private readonly touched = new Map<string, number>();

  constructor(
    private readonly store: OrganizationStore,
    cacheMs: number,
    private readonly log?: Pick<Logger, 'warn'>,
  ) {
    // Only live keys are kept: an unknown or revoked one is looked up again, and stays refused.
    this.cache = new ShortLivedCache(cacheMs, 10_000, (key) => key !== null);
  }

  async authenticate(key: string): Promise<ApiKeyRecord> {
    if (!KEY.test(key)) throw new UnauthorizedError('invalid API key', 'INVALID_API_KEY');
    const hash = hashApiKey(key);
    const record = await this.cache.get(hash, () => this.store.liveKey(hash));
    if (!record) throw new UnauthorizedError('invalid or revoked API key', 'INVALID_API_KEY');
    this.noteUse(record.id);
    return record;
  }

  /** Forgets a revoked key on this instance (the others hear of it through Redis). */
  forget(keyHash: string): void {
    this.cache.forget([keyHash]);
  }

  evictions(): Evictions {
    return this.cache.evictions();
  }

  private noteUse(keyId: string): void {
    const now = Date.now();
    if (now - (this.touched.get(keyId) ?? 0) < 60_000) return;
    if (this.touched.size >= 10_000) this.touched.clear();
    this.touched.set(keyId, now);
    this.store.touchKey(keyId).catch((err: Error) => this.log?.warn({ err: err.message, keyId }, 'API key last use not recorded'));
  }
}
