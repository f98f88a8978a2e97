/**
 * Delivery codes: the recipient's 4–6 digit code lives once in Postgres, readable by the booking
 * customer and dispatchers. The workflow holds only a keyed hash, so neither its history nor the
 * Temporal UI shows the code, and a 6-digit code cannot be found by hashing every candidate.
 */
import { createHmac, randomInt } from 'node:crypto';
import type { DeliveryCodeStore } from '../../db/delivery-codes.js';

export const DELIVERY_CODE_DIGITS = 6;

export class DeliveryCodes {
  private readonly key: Buffer;

  constructor(private readonly store: DeliveryCodeStore, secret: string) {
    // A key of its own, derived from the server secret: a leaked hash says nothing about tokens.
    this.key = createHmac('sha256', secret).update('delivery-codes').digest();
  }

  /** What the workflow compares: never the code itself. */
  hash(deliveryId: string, code: string): string {
    return createHmac('sha256', this.key).update(`${deliveryId}:${code}`).digest('base64url');
  }

  /** The delivery's code, made on first call; a retried create gets the same one. */
  async issue(deliveryId: string): Promise<string> {
    return this.store.issue(deliveryId, String(randomInt(0, 10 ** DELIVERY_CODE_DIGITS)).padStart(DELIVERY_CODE_DIGITS, '0'));
  }

  /** The codes of several deliveries at once (a customer's list). */
  codesOf(deliveryIds: string[]): Promise<Map<string, string>> {
    return this.store.codesOf(deliveryIds);
  }

  codeOf(deliveryId: string): Promise<string | null> {
    return this.store.codeOf(deliveryId);
  }
}
