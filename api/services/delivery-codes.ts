/**
 * Delivery codes: the recipient's 4–6 digit code lives once in Postgres, readable by the booking
 * customer and dispatchers. The workflow holds only a keyed hash, so neither its history nor the
 * Temporal UI shows the code, and a 6-digit code cannot be found by hashing every candidate.
 */
import { createHmac, randomInt } from 'node:crypto';
import { QueryTypes, type Sequelize } from 'sequelize';

export const DELIVERY_CODE_DIGITS = 6;

export class DeliveryCodes {
  private readonly key: Buffer;

  constructor(private readonly sequelize: Sequelize, secret: string) {
    // A key of its own, derived from the server secret: a leaked hash says nothing about tokens.
    this.key = createHmac('sha256', secret).update('delivery-codes').digest();
  }

  /** What the workflow compares: never the code itself. */
  hash(deliveryId: string, code: string): string {
    return createHmac('sha256', this.key).update(`${deliveryId}:${code}`).digest('base64url');
  }

  /** The delivery's code, made on first call; a retried create gets the same one. */
  async issue(deliveryId: string): Promise<string> {
    const fresh = String(randomInt(0, 10 ** DELIVERY_CODE_DIGITS)).padStart(DELIVERY_CODE_DIGITS, '0');
    await this.sequelize.query('INSERT INTO delivery_codes (delivery_id, code) VALUES (:deliveryId, :fresh) ON CONFLICT (delivery_id) DO NOTHING', {
      replacements: { deliveryId, fresh },
    });
    return (await this.codeOf(deliveryId))!;
  }

  /** The codes of several deliveries at once (a customer's list). */
  async codesOf(deliveryIds: string[]): Promise<Map<string, string>> {
    if (deliveryIds.length === 0) return new Map();
    const rows = await this.sequelize.query<{ delivery_id: string; code: string }>('SELECT delivery_id, code FROM delivery_codes WHERE delivery_id IN (:deliveryIds)', {
      type: QueryTypes.SELECT,
      replacements: { deliveryIds },
    });
    return new Map(rows.map((r) => [r.delivery_id, r.code]));
  }

  async codeOf(deliveryId: string): Promise<string | null> {
    const [row] = await this.sequelize.query<{ code: string }>('SELECT code FROM delivery_codes WHERE delivery_id = :deliveryId', {
      type: QueryTypes.SELECT,
      replacements: { deliveryId },
    });
    return row?.code ?? null;
  }
}
