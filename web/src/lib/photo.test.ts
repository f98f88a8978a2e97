import { describe, expect, it } from 'vitest';
import { PROOF_LIMITS } from '../../../domain/schemas.js';
import { dataUrlBytes, PHOTO_LIMIT_BYTES, SIGNATURE_LIMIT_BYTES } from './photo.js';

describe('proof image limits in the browser', () => {
  it('match the limits the API enforces', () => {
    expect(PHOTO_LIMIT_BYTES).toBe(PROOF_LIMITS.photoBytes);
    expect(SIGNATURE_LIMIT_BYTES).toBe(PROOF_LIMITS.signatureBytes);
  });

  it('measures the decoded bytes of a data URL', () => {
    const bytes = new Uint8Array(3000).fill(7);
    const url = `data:image/png;base64,${Buffer.from(bytes).toString('base64')}`;
    expect(dataUrlBytes(url)).toBe(3000);
  });
});
