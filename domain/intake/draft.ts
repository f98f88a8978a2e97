/** What intake produces: a partial `POST /deliveries` body, and the fields it still lacks. */
import { z } from 'zod';
import { safeText } from '../text.js';
import { PRIORITIES } from '../pricing.js';

const draftStopSchema = z.object({
  address: safeText(300, 1),
  lat: z.number().min(-90).max(90).optional(),
  lng: z.number().min(-180).max(180).optional(),
  contactName: safeText(100, 1).optional(),
});

/** A partial `POST /deliveries` body. Not strict: extra keys from a model's answer are dropped, not fatal. */
export const draftDeliverySchema = z.object({
  pickup: draftStopSchema.optional(),
  dropoff: draftStopSchema.optional(),
  parcel: z
    .object({
      weightKg: z.number().positive().optional(),
      description: safeText(500, 1).optional(),
      count: z.number().int().positive().optional(),
    })
    .optional(),
  priority: z.enum(PRIORITIES).optional(),
  notes: safeText(1000, 1).optional(),
  deadline: z.iso.datetime({ offset: true }).optional(),
  pickupWindow: z.object({ from: z.iso.datetime({ offset: true }), to: z.iso.datetime({ offset: true }) }).optional(),
  dropoffWindow: z.object({ from: z.iso.datetime({ offset: true }), to: z.iso.datetime({ offset: true }) }).optional(),
});
export type DraftDelivery = z.infer<typeof draftDeliverySchema>;
export type DraftStop = z.infer<typeof draftStopSchema>;
export type DraftParcel = NonNullable<DraftDelivery['parcel']>;

/** What a draft needs before it is a valid `POST /deliveries` body (priority always defaults). */
export const REQUIRED_DRAFT_FIELDS = [
  'pickup.address',
  'pickup.lat',
  'pickup.lng',
  'dropoff.address',
  'dropoff.lat',
  'dropoff.lng',
  'parcel.weightKg',
] as const;

export function missingFields(draft: DraftDelivery): string[] {
  const present: Record<(typeof REQUIRED_DRAFT_FIELDS)[number], unknown> = {
    'pickup.address': draft.pickup?.address,
    'pickup.lat': draft.pickup?.lat,
    'pickup.lng': draft.pickup?.lng,
    'dropoff.address': draft.dropoff?.address,
    'dropoff.lat': draft.dropoff?.lat,
    'dropoff.lng': draft.dropoff?.lng,
    'parcel.weightKg': draft.parcel?.weightKg,
  };
  return REQUIRED_DRAFT_FIELDS.filter((field) => present[field] === undefined);
}
