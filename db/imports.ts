/** Bulk imports and their rows. The owner (organisation or person) is part of every query that reads them. */
import { QueryTypes, type Sequelize } from 'sequelize';
import type { CreateDeliveryBody } from '../domain/schemas.js';
import type { ImportProgress, ImportRowError, ImportView, RowProblem } from '../domain/imports.js';
import { ownerCondition, ownerReplacements, type Owner } from './owner.js';

export type ImportRowStatus = 'pending' | 'created' | 'duplicate' | 'failed';

export interface NewImportRow {
  line: number;
  reference: string | null;
  deliveryId: string | null;
  body: CreateDeliveryBody | null;
  problems: RowProblem[] | null;
}

/** A row ready to book, as the import's workflow needs it. */
export interface PendingImportRow {
  line: number;
  reference: string;
  deliveryId: string;
  body: CreateDeliveryBody;
  customerId: string;
  organizationId: string | null;
}

const iso = (v: Date | string | null) => (v === null ? null : new Date(v).toISOString());

const PROGRESS = `i.id, i.organization_id AS "organizationId", i.user_id AS "userId", i.status, i.total, i.created, i.duplicates, i.failed,
  (i.total - i.created - i.duplicates - i.failed) AS pending, i.created_at AS "createdAt", i.finished_at AS "finishedAt"`;

type RawProgress = Omit<ImportProgress, 'createdAt' | 'finishedAt'> & { userId: string; createdAt: Date; finishedAt: Date | null };

const toProgress = ({ userId: _userId, ...r }: RawProgress): ImportProgress => ({ ...r, createdAt: iso(r.createdAt)!, finishedAt: iso(r.finishedAt) });

export function createImportStore(sequelize: Sequelize) {
  const select = <T extends object>(sql: string, replacements: Record<string, unknown>) =>
    sequelize.query<T>(sql, { type: QueryTypes.SELECT, replacements });

  return {
    /**
     * The import and all its rows in one transaction; rows whose delivery already exists (an earlier
     * upload of the same reference) are counted as duplicates at once, and never reach the workflow.
     */
    async create(id: string, owner: Owner, rows: NewImportRow[]): Promise<void> {
      await sequelize.transaction(async (transaction) => {
        await sequelize.query('INSERT INTO imports (id, user_id, organization_id, total) VALUES (:id, :user, :org, :total)', {
          replacements: { id, user: owner.userId, org: owner.organizationId, total: rows.length }, transaction,
        });
        // One statement for the whole file: a thousand rows as one JSON array.
        await sequelize.query(
          `INSERT INTO import_rows (import_id, line, reference, delivery_id, body, status, errors)
           SELECT :id, r.line, r.reference, r."deliveryId", r.body, CASE WHEN r.problems IS NULL THEN 'pending' ELSE 'failed' END, r.problems
           FROM jsonb_to_recordset(:rows::jsonb) AS r(line int, reference text, "deliveryId" uuid, body jsonb, problems jsonb)`,
          { replacements: { id, rows: JSON.stringify(rows) }, transaction },
        );
        await sequelize.query(
          `UPDATE import_rows r SET status = 'duplicate' FROM deliveries d
           WHERE r.import_id = :id AND r.status = 'pending' AND d.id = r.delivery_id`,
          { replacements: { id }, transaction },
        );
        await sequelize.query(
          `UPDATE imports SET
             failed = (SELECT count(*) FROM import_rows WHERE import_id = :id AND status = 'failed'),
             duplicates = (SELECT count(*) FROM import_rows WHERE import_id = :id AND status = 'duplicate')
           WHERE id = :id`,
          { replacements: { id }, transaction },
        );
      });
    },

    /** The import as its owner sees it, with every refused row; null when it is not theirs. */
    async view(id: string, owner: Owner): Promise<ImportView | null> {
      const [row] = await select<RawProgress>(`SELECT ${PROGRESS} FROM imports i WHERE i.id = :id AND ${ownerCondition(owner, 'i')}`, { id, ...ownerReplacements(owner) });
      if (!row) return null;
      const errors = await select<ImportRowError>(
        `SELECT line, reference, errors AS problems FROM import_rows WHERE import_id = :id AND status = 'failed' ORDER BY line`,
        { id },
      );
      return { ...toProgress(row), errors };
    },

    // --- The import's workflow ---

    async pending(id: string, limit: number): Promise<PendingImportRow[]> {
      return select<PendingImportRow>(
        `SELECT r.line, r.reference, r.delivery_id AS "deliveryId", r.body, i.user_id AS "customerId", i.organization_id AS "organizationId"
         FROM import_rows r JOIN imports i ON i.id = r.import_id
         WHERE r.import_id = :id AND r.status = 'pending' ORDER BY r.line LIMIT :limit`,
        { id, limit },
      );
    },

    /** Records what became of a batch; a repeated call changes nothing (only pending rows move). */
    async record(id: string, outcomes: Array<{ line: number; status: 'created' | 'duplicate' }>): Promise<{ progress: ImportProgress; userId: string }> {
      await sequelize.transaction(async (transaction) => {
        await sequelize.query(
          `UPDATE import_rows r SET status = o.status FROM jsonb_to_recordset(:outcomes::jsonb) AS o(line int, status text)
           WHERE r.import_id = :id AND r.line = o.line AND r.status = 'pending'`,
          { replacements: { id, outcomes: JSON.stringify(outcomes) }, transaction },
        );
        await sequelize.query(
          `UPDATE imports SET
             created = (SELECT count(*) FROM import_rows WHERE import_id = :id AND status = 'created'),
             duplicates = (SELECT count(*) FROM import_rows WHERE import_id = :id AND status = 'duplicate')
           WHERE id = :id`,
          { replacements: { id }, transaction },
        );
      });
      return this.progress(id);
    },

    async finish(id: string): Promise<{ progress: ImportProgress; userId: string }> {
      await sequelize.query("UPDATE imports SET status = 'done', finished_at = COALESCE(finished_at, now()) WHERE id = :id", { replacements: { id } });
      return this.progress(id);
    },

    async progress(id: string): Promise<{ progress: ImportProgress; userId: string }> {
      const [row] = await select<RawProgress>(`SELECT ${PROGRESS} FROM imports i WHERE i.id = :id`, { id });
      return { progress: toProgress(row!), userId: row!.userId };
    },
  };
}
export type ImportStore = ReturnType<typeof createImportStore>;
