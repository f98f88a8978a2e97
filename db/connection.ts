import pg from 'pg';
import { Sequelize } from 'sequelize';
import { initModels } from './models.js';

export interface DatabaseOptions {
  /** Connections of each pool, Sequelize's and the statements'. */
  poolMax?: number;
  /** Where the statement pool reads (DATABASE_READ_URL, a replica); the primary when absent. */
  readUrl?: string;
  log?: { warn(obj: object, msg: string): void };
}

/** Each database's pool for named prepared statements; kept beside the class so a Database stays a Sequelize to the type checker. */
const statementPools = new WeakMap<Sequelize, pg.Pool>();

/**
 * The one handle on Postgres the other folders hold, and pass only to db/: Sequelize (models,
 * transactions, migrations, every ad hoc statement) plus a plain pg pool for the named prepared
 * statements of the hottest reads, which Sequelize cannot express. Both come from the same URL and
 * sizes, and `close()` ends both.
 */
export class Database extends Sequelize {
  constructor(databaseUrl: string, options: DatabaseOptions = {}) {
    const max = options.poolMax ?? 10;
    super(databaseUrl, {
      dialect: 'postgres',
      dialectModule: pg,
      logging: false,
      pool: { max, min: 0, idle: 10_000, acquire: 10_000 },
      define: { underscored: true },
    });
    const statements = new pg.Pool({ connectionString: options.readUrl ?? databaseUrl, max, idleTimeoutMillis: 10_000, connectionTimeoutMillis: 5000 });
    // An idle connection that breaks is replaced by the pool, not fatal to the process.
    statements.on('error', (err) => options.log?.warn({ err: err.message }, 'idle statement connection failed; the pool replaces it'));
    statementPools.set(this, statements);
  }

  override async close(): Promise<void> {
    const statements = statementPools.get(this)!;
    await Promise.all([super.close(), statements.ended ? undefined : statements.end()]);
  }
}

/**
 * Calls `listener` each time an idle connection of the statement pool breaks: Postgres restarted or
 * failed over, or the network cut it. The pool replaces it; a process can count it for an alert.
 */
export function onConnectionLost(db: Sequelize, listener: () => void): void {
  statementPool(db).on('error', listener);
}

/** The pool named prepared statements run on (see `prepared`). */
export function statementPool(db: Sequelize): pg.Pool {
  const pool = statementPools.get(db);
  if (!pool) throw new Error('prepared statements need a Database from db/connection.ts, not a bare Sequelize');
  return pool;
}

export function createSequelize(databaseUrl: string, options: DatabaseOptions = {}): Database {
  return new Database(databaseUrl, options);
}

/**
 * A process's database, with the models bound to it. Models are bound to one Sequelize at a time, so
 * each process opens one this way; further handles (tests, tools) come from `createSequelize`.
 */
export function openDatabase(databaseUrl: string, options: DatabaseOptions = {}): Database {
  const db = new Database(databaseUrl, options);
  initModels(db);
  return db;
}

/** Creates the database named in the URL when it does not exist yet (needs a maintenance db to connect to). */
export async function ensureDatabase(databaseUrl: string): Promise<'created' | 'exists'> {
  const url = new URL(databaseUrl);
  const name = decodeURIComponent(url.pathname.slice(1));
  if (!/^[A-Za-z0-9_]+$/.test(name)) throw new Error(`database name ${JSON.stringify(name)} must be letters, digits and _`);
  url.pathname = '/postgres';
  const client = new pg.Client({ connectionString: url.toString(), connectionTimeoutMillis: 5000 });
  await client.connect();
  try {
    const found = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    if (found.rowCount) return 'exists';
    await client.query(`CREATE DATABASE "${name}"`);
    return 'created';
  } finally {
    await client.end();
  }
}

export async function dropDatabase(databaseUrl: string): Promise<void> {
  const url = new URL(databaseUrl);
  const name = decodeURIComponent(url.pathname.slice(1));
  if (!/^[A-Za-z0-9_]+$/.test(name)) throw new Error('bad database name');
  url.pathname = '/postgres';
  const client = new pg.Client({ connectionString: url.toString() });
  await client.connect();
  try {
    await client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
  } finally {
    await client.end();
  }
}
