/** Camera photos shrunk in the browser before upload: phones take 4–12 MB pictures, a proof needs far less. */

/**
 * The API's proof limits (PROOF_LIMITS in domain/schemas.ts). Copied, not imported: that module builds
 * zod schemas on load and would add zod to the phone's download. photo.test.ts keeps the two equal.
 */
export const PHOTO_LIMIT_BYTES = 1024 * 1024;
export const SIGNATURE_LIMIT_BYTES = 200 * 1024;

/** Decoded size of a base64 data URL. */
export const dataUrlBytes = (url: string): number => Math.floor(((url.length - url.indexOf(',') - 1) * 3) / 4);

export async function downscalePhoto(file: File, maxSide = 1280): Promise<string> {
  if (!file.type.startsWith('image/')) throw new Error('choose an image file');
  const bitmap = await createImageBitmap(file);
  const scale = Math.min(1, maxSide / Math.max(bitmap.width, bitmap.height));
  const canvas = document.createElement('canvas');
  canvas.width = Math.max(1, Math.round(bitmap.width * scale));
  canvas.height = Math.max(1, Math.round(bitmap.height * scale));
  canvas.getContext('2d')!.drawImage(bitmap, 0, 0, canvas.width, canvas.height);
  bitmap.close();
  // Lower the quality until the picture fits the API's limit (base64 is 4/3 of the bytes).
  for (const quality of [0.8, 0.65, 0.5, 0.35]) {
    const url = canvas.toDataURL('image/jpeg', quality);
    if (dataUrlBytes(url) <= PHOTO_LIMIT_BYTES) return url;
  }
  throw new Error('the photo is too large even after shrinking; take it again closer up');
}
