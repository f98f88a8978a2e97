/** The tariff: what a delivery costs, line by line, in integer euro cents. */
import { hourOfDay } from './time.js';

export type Priority = 'standard' | 'express' | 'urgent';
export const PRIORITIES = ['standard', 'express', 'urgent'] as const satisfies readonly Priority[];

export interface ParcelSpec {
  weightKg: number;
  lengthCm?: number;
  widthCm?: number;
  heightCm?: number;
}

export interface PriceLine {
  code: string;
  label: string;
  amountCents: number;
}

export interface Price {
  amountCents: number;
  currency: 'EUR';
  distanceKm: number;
  breakdown: PriceLine[];
}

export interface QuoteInput {
  distanceKm: number;
  parcel: ParcelSpec;
  priority: Priority;
  requestedAt: string;
  /** The distance is the straight-line estimate, not a router's: the line says so. */
  distanceEstimated?: boolean;
}

export const PRICING = {
  currency: 'EUR',
  baseFeeCents: 490,
  perKmCents: 95,
  /** Fee by chargeable weight; the first tier that holds the parcel applies. */
  weightTiers: [
    { upToKg: 5, feeCents: 0 },
    { upToKg: 15, feeCents: 250 },
    { upToKg: 30, feeCents: 600 },
  ],
  /** Above the last tier: its fee plus this for every started kg beyond it. */
  perKgBeyondCents: 35,
  /** cm³ per kg: a bulky, light parcel is charged as if it weighed L×W×H / 5000. */
  volumetricDivisor: 5000,
  /** Applies to base + distance + weight; shown as its own line. */
  priorityMultiplier: { standard: 1, express: 1.5, urgent: 2.2 },
  /** Requests made from 22:00 until 06:00 (the hour written in `requestedAt`). */
  night: { fromHour: 22, untilHour: 6, surchargeCents: 400 },
  /** Every km beyond the threshold, for the empty drive back. */
  longDistance: { beyondKm: 50, perKmCents: 40 },
  /** Road km a last-mile quote covers at most: farther is freight, not a courier run, and is not quoted. */
  maxDistanceKm: 300,
} as const;

/** Whether a last-mile quote covers this road distance. */
export const isQuotableDistance = (distanceKm: number): boolean => distanceKm <= PRICING.maxDistanceKm;

const LAST_TIER = PRICING.weightTiers[PRICING.weightTiers.length - 1] ?? PRICING.weightTiers[0];

export function quotePrice(input: QuoteInput): Price {
  const { parcel, priority, requestedAt } = input;
  assertQuoteInput(input);
  // Priced on the figure the customer sees, so the distance line can be checked by hand.
  const distanceKm = Math.round(input.distanceKm * 10) / 10;
  const weightKg = chargeableWeightKg(parcel);

  const transport: PriceLine[] = [
    { code: 'base', label: 'Base fee', amountCents: PRICING.baseFeeCents },
    {
      code: 'distance',
      label: `Distance ${distanceKm} km${input.distanceEstimated ? ' (estimated)' : ''} × ${euros(PRICING.perKmCents)}/km`,
      amountCents: Math.round(distanceKm * PRICING.perKmCents),
    },
    { code: 'weight', label: weightLabel(parcel, weightKg), amountCents: weightFeeCents(weightKg) },
  ];
  const lines = [...transport];

  const multiplier = PRICING.priorityMultiplier[priority];
  if (multiplier !== 1) {
    // Whole percent first, so 2.2 - 1 never becomes 1.2000000000000002 before rounding.
    const upliftPercent = Math.round(multiplier * 100) - 100;
    const transportCents = sumCents(transport);
    lines.push({
      code: 'priority',
      label: `${capitalize(priority)} priority ×${multiplier}`,
      amountCents: Math.round((transportCents * upliftPercent) / 100),
    });
  }

  if (isNightHour(hourOfDay(requestedAt))) {
    const { fromHour, untilHour, surchargeCents } = PRICING.night;
    lines.push({ code: 'night', label: `Night surcharge (${clock(fromHour)}–${clock(untilHour)})`, amountCents: surchargeCents });
  }

  const { beyondKm, perKmCents } = PRICING.longDistance;
  if (distanceKm > beyondKm) {
    lines.push({
      code: 'long_distance',
      label: `Long distance beyond ${beyondKm} km`,
      amountCents: Math.round((distanceKm - beyondKm) * perKmCents),
    });
  }

  return { amountCents: sumCents(lines), currency: PRICING.currency, distanceKm, breakdown: lines };
}

/** The weight the tariff charges: the actual weight or, when all dimensions are known and larger, the volumetric one. */
export function chargeableWeightKg(parcel: ParcelSpec): number {
  return Math.max(parcel.weightKg, volumetricWeightKg(parcel) ?? 0);
}

function volumetricWeightKg({ lengthCm, widthCm, heightCm }: ParcelSpec): number | undefined {
  if (lengthCm === undefined || widthCm === undefined || heightCm === undefined) return undefined;
  return (lengthCm * widthCm * heightCm) / PRICING.volumetricDivisor;
}

function weightFeeCents(weightKg: number): number {
  for (const tier of PRICING.weightTiers) {
    if (weightKg <= tier.upToKg) return tier.feeCents;
  }
  return LAST_TIER.feeCents + Math.ceil(weightKg - LAST_TIER.upToKg) * PRICING.perKgBeyondCents;
}

function weightLabel(parcel: ParcelSpec, weightKg: number): string {
  const shown = `${Math.round(weightKg * 100) / 100} kg`;
  const volumetric = weightKg > parcel.weightKg ? ' volumetric' : '';
  const tier = PRICING.weightTiers.find((t) => weightKg <= t.upToKg);
  const band = tier ? `up to ${tier.upToKg} kg` : `over ${LAST_TIER.upToKg} kg`;
  return `Weight ${shown}${volumetric} (${band})`;
}

function isNightHour(hour: number): boolean {
  const { fromHour, untilHour } = PRICING.night;
  return hour >= fromHour || hour < untilHour;
}

function assertQuoteInput({ distanceKm, parcel, priority }: QuoteInput): void {
  if (!Number.isFinite(distanceKm) || distanceKm < 0) {
    throw new RangeError(`distanceKm must be a finite, non-negative number, got ${distanceKm}`);
  }
  if (!Number.isFinite(parcel.weightKg) || parcel.weightKg <= 0) {
    throw new RangeError(`parcel.weightKg must be a positive number, got ${parcel.weightKg}`);
  }
  for (const side of ['lengthCm', 'widthCm', 'heightCm'] as const) {
    const value = parcel[side];
    if (value !== undefined && (!Number.isFinite(value) || value <= 0)) {
      throw new RangeError(`parcel.${side} must be a positive number, got ${value}`);
    }
  }
  if (!Object.hasOwn(PRICING.priorityMultiplier, priority)) {
    throw new RangeError(`unknown priority ${JSON.stringify(priority)}`);
  }
}

const sumCents = (lines: readonly PriceLine[]) => lines.reduce((sum, line) => sum + line.amountCents, 0);
const euros = (cents: number) => `€${(cents / 100).toFixed(2)}`;
const clock = (hour: number) => `${String(hour).padStart(2, '0')}:00`;
const capitalize = (word: string) => word.charAt(0).toUpperCase() + word.slice(1);
