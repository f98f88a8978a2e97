/** Bulk orders: a CSV checked row by row at once, then booked by an import workflow (workflows/import.ts). */
import { createHash, randomUUID } from 'node:crypto';
import type { Client } from '@temporalio/client';
import { parse } from 'csv-parse/sync';
import type { ImportStore, NewImportRow } from '../../db/imports.js';
import type { DeliveryTimings } from '../../domain/delivery.js';
import {
  deliveryFromRow,
  IMPORT_COLUMNS,
  IMPORT_MAX_ROWS,
  importWorkflowId,
  REQUIRED_IMPORT_COLUMNS,
  type ImportColumn,
  type ImportView,
} from '../../domain/imports.js';
import { AppError, NotFoundError, ValidationError } from '../errors.js';
import type { AuthUser } from '../types.js';
import { ownerOf, type Owner } from './owner.js';
import { temporalError } from './temporal-errors.js';

/**
 * The delivery id of a reference, the same for every upload by the same owner: Temporal refuses a second
 * workflow with it, and the read model's primary key a second row.
 */
export function importedDeliveryId(owner: Owner, reference: string): string {
  const h = createHash('sha256').update(`import\n${owner.organizationId ?? `user:${owner.userId}`}\n${reference}`).digest('hex');
  // RFC 9562 version 8 (custom) layout.
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-8${h.slice(13, 16)}-${((parseInt(h[16]!, 16) & 3) | 8).toString(16)}${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

/** The file's records, keyed by column, or a 400 naming what is wrong with the file as a whole. */
export function readCsv(text: string): Array<Partial<Record<ImportColumn, string>>> {
  let records: string[][];
  try {
    records = parse(text, { bom: true, skip_empty_lines: true, relax_column_count: true, max_record_size: 8192 }) as string[][];
  } catch (err) {
    throw new AppError(400, 'CSV_UNREADABLE', `the file is not readable CSV: ${(err as Error).message.slice(0, 200)}`);
  }
  const [header, ...rows] = records;
  if (!header) throw new AppError(400, 'CSV_EMPTY', 'the file has no header row');
  const columns = header.map((c) => c.trim().toLowerCase());
  const unknown = columns.filter((c) => !(IMPORT_COLUMNS as readonly string[]).includes(c));
  const missing = REQUIRED_IMPORT_COLUMNS.filter((c) => !columns.includes(c));
  if (unknown.length || missing.length) {
    throw new ValidationError([
      ...unknown.map((c) => ({ path: 'header', message: `unknown column ${JSON.stringify(c.slice(0, 40))}` })),
      ...missing.map((c) => ({ path: 'header', message: `missing column ${c}` })),
    ], `the header must name columns among: ${IMPORT_COLUMNS.join(', ')}`);
  }
  if (rows.length === 0) throw new AppError(400, 'CSV_EMPTY', 'the file has no rows under its header');
  if (rows.length > IMPORT_MAX_ROWS) throw new AppError(400, 'TOO_MANY_ROWS', `a file holds at most ${IMPORT_MAX_ROWS} rows; this one has ${rows.length}`);
  return rows.map((cells) => Object.fromEntries(columns.map((c, i) => [c, cells[i] ?? ''])) as Partial<Record<ImportColumn, string>>);
}

export class ImportsService {
  constructor(
    private readonly deps: { store: ImportStore; temporal: Client; taskQueue: string; timings: DeliveryTimings; aiDispatch: boolean },
  ) {}

  /** Every row checked now; the good ones are booked by the workflow, whose progress the answer starts. */
  async start(user: AuthUser, csv: string): Promise<ImportView> {
    const owner = ownerOf(user);
    const seen = new Set<string>();
    const rows: NewImportRow[] = readCsv(csv).map((record, i) => {
      const line = i + 2;
      const row = deliveryFromRow(record);
      if ('problems' in row) return { line, reference: row.reference, deliveryId: null, body: null, problems: row.problems };
      if (seen.has(row.reference)) {
        return { line, reference: row.reference, deliveryId: null, body: null, problems: [{ column: 'reference', message: 'appears on an earlier line of this file' }] };
      }
      seen.add(row.reference);
      return { line, reference: row.reference, deliveryId: importedDeliveryId(owner, row.reference), body: row.body, problems: null };
    });
    const id = randomUUID();
    await this.deps.store.create(id, owner, rows);
    try {
      await this.deps.temporal.workflow.start('importWorkflow', {
        workflowId: importWorkflowId(id),
        taskQueue: this.deps.taskQueue,
        args: [{ importId: id, timings: this.deps.timings, aiDispatch: this.deps.aiDispatch }],
      });
    } catch (err) {
      throw temporalError(err);
    }
    return (await this.deps.store.view(id, owner))!;
  }

  async get(user: AuthUser, id: string): Promise<ImportView> {
    const view = await this.deps.store.view(id, ownerOf(user));
    if (!view) throw new NotFoundError('import');
    return view;
  }
}
