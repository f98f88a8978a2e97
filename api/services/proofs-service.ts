/** Proof images live once in Postgres; workflows and timelines carry only their ids. */
import { createHash } from 'node:crypto';
import type { ProofImage, ProofStore } from '../../db/proofs.js';
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

/** The id of an image of a delivery, from its content: the same image sent again (a retry) has the same id. */
function proofIdFor(deliveryId: string, kind: string, sha256: string): string {
  const h = createHash('sha256').update(`${deliveryId}\n${kind}\n${sha256}`).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-8${h.slice(13, 16)}-${((parseInt(h[16]!, 16) & 3) | 8).toString(16)}${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

/** A proof checked and given its ids, not yet stored: `images` are written only once its milestone is accepted. */
export interface PreparedProof {
  proof: Omit<Proof, 'at'>;
  images: ProofImage[];
}

export class ProofsService {
  constructor(private readonly store: ProofStore) {}

  /** Checks the images of a proof and names them by content, without storing anything. */
  prepare(deliveryId: string, userId: string, input: ProofInput): PreparedProof {
    const proof: Omit<Proof, 'at'> = {};
    const images: ProofImage[] = [];
    if (input.recipientName) proof.recipientName = input.recipientName;
    // The delivery code is not proof the API keeps: the route turns it into the workflow's keyed hash.
    for (const kind of ['signature', 'photo'] as const) {
      const dataUrl = input[kind];
      if (!dataUrl) continue;
      const { contentType, bytes } = decodeImage(dataUrl, kind);
      const sha256 = createHash('sha256').update(bytes).digest('hex');
      const id = proofIdFor(deliveryId, kind, sha256);
      images.push({ id, deliveryId, kind, contentType, bytes, sha256, userId });
      proof[kind === 'signature' ? 'signatureId' : 'photoId'] = id;
    }
    return { proof, images };
  }

  /**
   * Stores the images of a proof whose milestone the workflow accepted. Safe to repeat (a retried
   * request stores nothing twice); a refused milestone never gets here, so it leaves no image behind.
   */
  async save(prepared: PreparedProof): Promise<void> {
    await this.store.save(prepared.images);
  }

  load(deliveryId: string, proofId: string): Promise<{ contentType: string; bytes: Buffer } | null> {
    return this.store.load(deliveryId, proofId);
  }
}
