/** Request bodies of the HTTP contract (DESIGN §5). The API validates with these and documents them. */
import { z } from 'zod';
import { MILESTONE_TYPES } from './status.js';
import { safeRawText, safeText } from './text.js';

export const latLngSchema = z.strictObject({
  lat: z.number().min(-90).max(90),
  lng: z.number().min(-180).max(180),
});

export const stopSchema = z.strictObject({
  address: safeText(300, 3),
  lat: z.number().min(-90).max(90),
  lng: z.number().min(-180).max(180),
  contactName: safeText(100, 1).optional(),
  contactPhone: safeText(25)
    .regex(/^\+?[0-9 ()-]{5,25}$/, 'a phone number of digits, spaces, dashes or parentheses')
    .optional(),
});
export type Stop = z.infer<typeof stopSchema>;

export const parcelSchema = z.strictObject({
  weightKg: z.number().positive().max(1000),
  lengthCm: z.number().positive().max(400).optional(),
  widthCm: z.number().positive().max(400).optional(),
  heightCm: z.number().positive().max(400).optional(),
  description: safeText(500).optional(),
});
export type Parcel = z.infer<typeof parcelSchema>;

export const prioritySchema = z.enum(['standard', 'express', 'urgent']);

const isoDateTime = z.iso.datetime({ offset: true });

/** Checked against the clock by the API (domain/windows.ts): in the future, from < to, at most 14 days ahead. */
export const timeWindowSchema = z.strictObject({ from: isoDateTime, to: isoDateTime });

export const createDeliverySchema = z.strictObject({
  pickup: stopSchema,
  dropoff: stopSchema,
  parcel: parcelSchema,
  priority: prioritySchema.default('standard'),
  notes: safeText(1000).optional(),
  autoAccept: z.boolean().optional(),
  pickupWindow: timeWindowSchema.optional(),
  dropoffWindow: timeWindowSchema.optional(),
  /** The recipient must give a 4–6 digit code before the parcel is handed over. */
  requireCode: z.boolean().optional(),
  /** The parcel may be left at the door; a photo is then the proof. */
  leaveAtDoor: z.boolean().optional(),
});
export type CreateDeliveryBody = z.infer<typeof createDeliverySchema>;

/** A data: URL of an image, capped so a proof never grows past what a phone camera needs. */
const imageDataUrl = (maxBytes: number) =>
  z
    .string()
    .regex(/^data:image\/(png|jpeg|webp);base64,[A-Za-z0-9+/=]+$/, 'a base64 data URL of a PNG, JPEG or WebP image')
    .refine((s) => Math.floor(((s.length - s.indexOf(',') - 1) * 3) / 4) <= maxBytes, {
      message: `image larger than ${Math.round(maxBytes / 1024)} KiB`,
    });

export const PROOF_LIMITS = { signatureBytes: 200 * 1024, photoBytes: 1024 * 1024 } as const;

export const proofInputSchema = z.strictObject({
  recipientName: safeText(100, 1).optional(),
  signature: imageDataUrl(PROOF_LIMITS.signatureBytes).optional(),
  photo: imageDataUrl(PROOF_LIMITS.photoBytes).optional(),
  /** The delivery code the recipient gives (4–6 digits). */
  otp: z.string().regex(/^[0-9]{4,6}$/).optional(),
});
export type ProofInput = z.infer<typeof proofInputSchema>;

export const milestoneSchema = z.strictObject({
  type: z.enum(MILESTONE_TYPES),
  at: isoDateTime.optional(),
  location: latLngSchema.optional(),
  proof: proofInputSchema.optional(),
  reason: safeText(300, 1).optional(),
});
export type MilestoneBody = z.infer<typeof milestoneSchema>;

export const cancelSchema = z.strictObject({ reason: safeText(300, 1) });
export const assignSchema = z.strictObject({ driverId: z.uuid() });
export const codeOverrideSchema = z.strictObject({ reason: z.string().trim().min(3).max(300) });

export const listAlertsQuerySchema = z.strictObject({
  state: z.enum(['open', 'acknowledged', 'resolved']).default('open'),
  limit: z.coerce.number().int().min(1).max(500).default(200),
  /** Only this delivery's alerts (the dispatcher's delivery panel). */
  deliveryId: z.uuid().optional(),
});

export const listDeliveriesQuerySchema = z.strictObject({
  status: z
    .string()
    .regex(/^[A-Z_]+(,[A-Z_]+)*$/)
    .optional(),
  driverId: z.uuid().optional(),
  customerId: z.uuid().optional(),
  q: safeText(100).optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
  cursor: safeRawText(200).optional(),
});

export const passwordSchema = safeRawText(128, 10);
export const emailSchema = safeText(1000).toLowerCase().pipe(z.email()).pipe(z.string().max(254));

export const registerSchema = z.strictObject({
  email: emailSchema,
  password: passwordSchema,
  name: safeText(100, 1),
});
export const loginSchema = z.strictObject({ email: emailSchema, password: z.string().min(1).max(128) });
export const refreshSchema = z.strictObject({ refreshToken: safeRawText(200, 20) });

export const vehicleSchema = z.strictObject({
  type: z.enum(['bike', 'cargo_bike', 'scooter', 'car', 'van', 'truck']),
  capacityKg: z.number().positive().max(5000),
});
export const createDriverSchema = z.strictObject({
  name: safeText(100, 1),
  email: emailSchema,
  password: passwordSchema,
  vehicle: vehicleSchema,
});
export const dutySchema = z.strictObject({ onDuty: z.boolean() });

export const locationPingSchema = z.strictObject({
  lat: z.number().min(-90).max(90),
  lng: z.number().min(-180).max(180),
  heading: z.number().min(0).max(360).optional(),
  speedKph: z.number().min(0).max(300).optional(),
  recordedAt: isoDateTime,
});
export type LocationPing = z.infer<typeof locationPingSchema>;
export const locationBodySchema = z.union([locationPingSchema, z.array(locationPingSchema).min(1).max(500)]);
