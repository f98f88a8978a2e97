/** Delivery codes: one per delivery, readable by who may hand it on (the service decides who). */
import { QueryTypes, type Sequelize } from 'sequelize';

export function createDeliveryCodeStore(sequelize: Sequelize) {
  const codeOf = async (deliveryId: string): Promise<string | null> => {
    const [row] = await sequelize.query<{ code: string }>('SELECT code FROM delivery_codes WHERE delivery_id = :deliveryId', {
      type: QueryTypes.SELECT,
      replacements: { deliveryId },
    });
    return row?.code ?? null;
  };

  return {
    codeOf,

    /** Keeps the first code a delivery was given: a retried create gets the same one back. */
    async issue(deliveryId: string, fresh: string): Promise<string> {
      await sequelize.query('INSERT INTO delivery_codes (delivery_id, code) VALUES (:deliveryId, :fresh) ON CONFLICT (delivery_id) DO NOTHING', {
        replacements: { deliveryId, fresh },
      });
      return (await codeOf(deliveryId))!;
    },

    async codesOf(deliveryIds: string[]): Promise<Map<string, string>> {
      if (deliveryIds.length === 0) return new Map();
      const rows = await sequelize.query<{ delivery_id: string; code: string }>('SELECT delivery_id, code FROM delivery_codes WHERE delivery_id IN (:deliveryIds)', {
        type: QueryTypes.SELECT,
        replacements: { deliveryIds },
      });
      return new Map(rows.map((r) => [r.delivery_id, r.code]));
    },
  };
}
export type DeliveryCodeStore = ReturnType<typeof createDeliveryCodeStore>;
