/** Named prepared statements, for the hot queries whose planning costs more than their running. */
import type pg from 'pg';
import { statementPool, type Database } from './connection.js';

/**
 * Runs a named prepared statement on the database's statement pool. Postgres plans it once per
 * connection instead of on every call: for the tracking view (a correlated aggregate over a join)
 * planning costs about four times as much as running it.
 */
export async function prepared<R extends pg.QueryResultRow>(db: Database, name: string, text: string, values: unknown[]): Promise<R[]> {
  return (await statementPool(db).query<R>({ name, text, values })).rows;
}
