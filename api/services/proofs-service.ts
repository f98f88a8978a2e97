/** Proof images live once in Postgres; workflows and timelines carry only their ids. */
import { createHash, randomUUID } from 'node:crypto';
import { QueryTypes, type Sequelize } from 'sequelize';
import type { Proof } from '../../domain/delivery.js';
import type { ProofInput } from '../../domain/schemas.js';
import { ValidationError } from '../errors.js';

const MAGIC: Record<string, (b: Buffer) => boolean> = {
  'image/png': (b) => b.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])),
  'image/jpeg': (b) => b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff,
  'image/webp': (b) => b.subarray(0, 4).toString() === 'RIFF' && b.subarray(8, 12).toString() === 'WEBP',
};

function decodeImage(dataUrl: string, field: string): { contentType: string; bytes: Buffer } {
  const comma = dataUrl.indexOf(',');
  const contentType = dataUrl.slice(5, dataUrl.indexOf(';'));
  const bytes = Buffer.from(dataUrl.slice(comma + 1), 'base64');
  if (!MAGIC[contentType]?.(bytes)) throw new ValidationError([{ path: `body.proof.${field}`, message: `not a ${contentType} image` }]);
  return { contentType, bytes };
}

export class ProofsService {
  constructor(private readonly sequelize: Sequelize) {}

  /** Stores the images of a proof (idempotent by content) and returns the proof the workflow keeps. */
  async store(deliveryId: string, userId: string, input: ProofInput): Promise<Omit<Proof, 'at'>> {
    const proof: Omit<Proof, 'at'> = {};
    if (input.recipientName) proof.recipientName = input.recipientName;
    // The delivery code is not proof the API keeps: the route turns it into the workflow's keyed hash.
    for (const kind of ['signature', 'photo'] as const) {
      const dataUrl = input[kind];
      if (!dataUrl) continue;
      const { contentType, bytes } = decodeImage(dataUrl, kind);
      const sha256 = createHash('sha256').update(bytes).digest('hex');
      const [row] = await this.sequelize.query<{ id: string }>(
        `INSERT INTO proofs (id, delivery_id, kind, content_type, bytes, sha256, created_by)
         VALUES (:id, :deliveryId, :kind, :contentType, :bytes, :sha256, :userId)
         ON CONFLICT (delivery_id, kind, sha256) DO UPDATE SET sha256 = EXCLUDED.sha256
         RETURNING id`,
        { type: QueryTypes.SELECT, replacements: { id: randomUUID(), deliveryId, kind, contentType, bytes, sha256, userId } },
      );
      proof[kind === 'signature' ? 'signatureId' : 'photoId'] = row!.id;
    }
    return proof;
  }

  async load(deliveryId: string, proofId: string): Promise<{ contentType: string; bytes: Buffer } | null> {
    const [row] = await this.sequelize.query<{ content_type: string; bytes: Buffer }>(
      'SELECT content_type, bytes FROM proofs WHERE id = :proofId AND delivery_id = :deliveryId',
      { type: QueryTypes.SELECT, replacements: { proofId, deliveryId } },
    );
    return row ? { contentType: row.content_type, bytes: row.bytes } : null;
  }
}
