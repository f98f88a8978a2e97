/**
 * Bulk orders: one CSV row per delivery, checked against the same schema as `POST /deliveries`, and
 * keyed by the client's own reference so a file uploaded twice books nothing twice.
 */
import { createDeliverySchema, type CreateDeliveryBody } from './schemas.js';

export const IMPORT_MAX_ROWS = 1000;

export const importWorkflowId = (importId: string): string => `import-${importId}`;

/** The columns a file may have; `reference` and the stops' addresses and coordinates, and the weight, are required. */
export const IMPORT_COLUMNS = [
  'reference',
  'pickup_address', 'pickup_lat', 'pickup_lng', 'pickup_contact_name', 'pickup_contact_phone',
  'dropoff_address', 'dropoff_lat', 'dropoff_lng', 'dropoff_contact_name', 'dropoff_contact_phone',
  'weight_kg', 'length_cm', 'width_cm', 'height_cm', 'description',
  'priority', 'notes',
] as const;
export type ImportColumn = (typeof IMPORT_COLUMNS)[number];
export const REQUIRED_IMPORT_COLUMNS: ImportColumn[] = ['reference', 'pickup_address', 'pickup_lat', 'pickup_lng', 'dropoff_address', 'dropoff_lat', 'dropoff_lng', 'weight_kg'];

/** Where each field of the delivery body comes from, for errors that name the column. */
const COLUMN_OF: Record<string, ImportColumn> = {
  'pickup.address': 'pickup_address', 'pickup.lat': 'pickup_lat', 'pickup.lng': 'pickup_lng',
  'pickup.contactName': 'pickup_contact_name', 'pickup.contactPhone': 'pickup_contact_phone',
  'dropoff.address': 'dropoff_address', 'dropoff.lat': 'dropoff_lat', 'dropoff.lng': 'dropoff_lng',
  'dropoff.contactName': 'dropoff_contact_name', 'dropoff.contactPhone': 'dropoff_contact_phone',
  'parcel.weightKg': 'weight_kg', 'parcel.lengthCm': 'length_cm', 'parcel.widthCm': 'width_cm', 'parcel.heightCm': 'height_cm',
  'parcel.description': 'description', priority: 'priority', notes: 'notes',
};

const REFERENCE = /^[A-Za-z0-9._:/#-]{1,64}$/;
/** C0 and C1 controls and DEL: none belongs in a delivery field, and a NUL jams what stores it. */
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;

export interface RowProblem {
  column: string;
  message: string;
}

export type ImportedRow = { reference: string; body: CreateDeliveryBody } | { reference: string | null; problems: RowProblem[] };

/** One record (column → text) as a delivery request, or what is wrong with it. */
export function deliveryFromRow(record: Partial<Record<ImportColumn, string>>): ImportedRow {
  const problems: RowProblem[] = [];
  for (const [column, value] of Object.entries(record)) {
    if (value !== undefined && CONTROL.test(value)) problems.push({ column, message: 'contains a control character' });
  }
  const text = (c: ImportColumn) => {
    const v = record[c]?.trim();
    return v ? v : undefined;
  };
  const reference = text('reference') ?? null;
  if (!reference) problems.push({ column: 'reference', message: 'is required' });
  else if (!REFERENCE.test(reference)) problems.push({ column: 'reference', message: 'must be 1–64 letters, digits or . _ : / # -' });
  if (problems.length) return { reference, problems };

  const number = (c: ImportColumn): number | undefined => {
    const v = text(c);
    if (v === undefined) return undefined;
    const n = Number(v);
    if (!Number.isFinite(n)) problems.push({ column: c, message: 'is not a number' });
    return n;
  };
  const stop = (prefix: 'pickup' | 'dropoff') => ({
    address: text(`${prefix}_address`),
    lat: number(`${prefix}_lat`),
    lng: number(`${prefix}_lng`),
    ...(text(`${prefix}_contact_name`) ? { contactName: text(`${prefix}_contact_name`) } : {}),
    ...(text(`${prefix}_contact_phone`) ? { contactPhone: text(`${prefix}_contact_phone`) } : {}),
  });
  const candidate = {
    pickup: stop('pickup'),
    dropoff: stop('dropoff'),
    parcel: {
      weightKg: number('weight_kg'),
      ...(text('length_cm') ? { lengthCm: number('length_cm') } : {}),
      ...(text('width_cm') ? { widthCm: number('width_cm') } : {}),
      ...(text('height_cm') ? { heightCm: number('height_cm') } : {}),
      ...(text('description') ? { description: text('description') } : {}),
    },
    ...(text('priority') ? { priority: text('priority') } : {}),
    ...(text('notes') ? { notes: text('notes') } : {}),
  };
  if (problems.length) return { reference, problems };
  // The very schema of POST /deliveries, so every rule on a delivery (safe text included) applies here too.
  const parsed = createDeliverySchema.safeParse(candidate);
  if (!parsed.success) {
    return {
      reference,
      problems: parsed.error.issues.map((i) => {
        const path = i.path.map(String).join('.');
        return { column: COLUMN_OF[path] ?? (path || 'row'), message: i.message };
      }),
    };
  }
  return { reference: reference!, body: parsed.data };
}

export type ImportStatus = 'running' | 'done';

export interface ImportRowError {
  line: number;
  reference: string | null;
  problems: RowProblem[];
}

export interface ImportView {
  id: string;
  organizationId: string | null;
  status: ImportStatus;
  /** Rows in the file (the header not counted). */
  total: number;
  created: number;
  /** Rows whose reference was booked before (by an earlier upload, or earlier in this file's run). */
  duplicates: number;
  failed: number;
  /** Rows still to book. */
  pending: number;
  createdAt: string;
  finishedAt: string | null;
  /** Every refused row, by its line in the file (the header is line 1). */
  errors: ImportRowError[];
}

/** A progress update on the uploader's and the organisation's sockets (without the row errors). */
export type ImportProgress = Omit<ImportView, 'errors'>;
