/** For tests that write the read model without a workflow: a database handle and the demo customer. */
import { afterAll, beforeAll } from 'vitest';
import { createSequelize, type Database } from '../../db/connection.js';
import { closeSql, sql } from '../api/support.js';
import { env } from './harness.js';

export interface ReadModelDatabase {
  sequelize: Database;
  /** The seeded customer the rows belong to (deliveries reference a user). */
  customerId: string;
}

/** Opens the suite's database before the file's tests and closes it after; read its fields inside tests. */
export function useReadModelDatabase(): ReadModelDatabase {
  const held = {} as ReadModelDatabase;
  beforeAll(async () => {
    held.sequelize = createSequelize(env().DATABASE_URL!);
    held.customerId = (await sql<{ id: string }>(`SELECT id FROM users WHERE email = 'customer@example.com'`))[0]!.id;
  });
  afterAll(async () => {
    await held.sequelize?.close();
    await closeSql();
  });
  return held;
}
