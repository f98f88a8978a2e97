/** Proof images, stored once per delivery and content; workflows and timelines carry only their ids. */
import { QueryTypes, type Sequelize } from 'sequelize';

export interface ProofImage {
  id: string;
  deliveryId: string;
  kind: 'signature' | 'photo';
  contentType: string;
  bytes: Buffer;
  sha256: string;
  userId: string;
}

export function createProofStore(sequelize: Sequelize) {
  return {
    /** Safe to repeat: an image already stored (same id) is left as it is. */
    async save(images: ProofImage[]): Promise<void> {
      for (const image of images) {
        await sequelize.query(
          `INSERT INTO proofs (id, delivery_id, kind, content_type, bytes, sha256, created_by)
           VALUES (:id, :deliveryId, :kind, :contentType, :bytes, :sha256, :userId)
           ON CONFLICT DO NOTHING`,
          { replacements: { ...image } },
        );
      }
    },

    async load(deliveryId: string, proofId: string): Promise<{ contentType: string; bytes: Buffer } | null> {
      const [row] = await sequelize.query<{ contentType: string; bytes: Buffer }>(
        'SELECT content_type AS "contentType", bytes FROM proofs WHERE id = :proofId AND delivery_id = :deliveryId',
        { type: QueryTypes.SELECT, replacements: { proofId, deliveryId } },
      );
      return row ?? null;
    },
  };
}
export type ProofStore = ReturnType<typeof createProofStore>;
