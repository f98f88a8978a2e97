/** pg_dump / pg_restore driven from a DATABASE_URL, with the password in the environment instead of argv. */
import { spawn } from 'node:child_process';
import pg from 'pg';

export interface Target {
  database: string;
  where: string;
  env: NodeJS.ProcessEnv;
}

/** libpq reads PG* variables; `ps` never shows them, unlike a URL on the command line. */
export function libpqTarget(databaseUrl: string, database?: string): Target {
  const url = new URL(databaseUrl);
  const name = database ?? decodeURIComponent(url.pathname.slice(1));
  if (!/^[A-Za-z0-9_]+$/.test(name)) throw new Error(`database name ${JSON.stringify(name)} must be letters, digits and _`);
  const sslmode = url.searchParams.get('sslmode');
  return {
    database: name,
    where: `${url.hostname}:${url.port || 5432}/${name}`,
    env: {
      ...process.env,
      PGHOST: url.hostname,
      PGPORT: url.port || '5432',
      PGUSER: decodeURIComponent(url.username || 'postgres'),
      ...(url.password ? { PGPASSWORD: decodeURIComponent(url.password) } : {}),
      ...(sslmode ? { PGSSLMODE: sslmode } : {}),
      PGDATABASE: name,
    },
  };
}

export function urlFor(databaseUrl: string, database: string): string {
  const url = new URL(databaseUrl);
  url.pathname = `/${database}`;
  return url.toString();
}

/** Runs a client tool; resolves with its stderr, rejects with it (and a hint when the tool is missing). */
export function runTool(command: string, args: string[], env: NodeJS.ProcessEnv): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { env, stdio: ['ignore', 'inherit', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.once('error', (error: NodeJS.ErrnoException) =>
      reject(new Error(error.code === 'ENOENT' ? `${command} is not installed (Debian/Ubuntu: apt-get install postgresql-client)` : error.message)),
    );
    child.once('close', (code) => (code === 0 ? resolve(stderr) : reject(new Error(`${command} failed (exit ${code}): ${stderr.trim()}`))));
  });
}

/** Row counts of every table in the public schema, for a quick "did it all come back" check. */
export async function tableCounts(databaseUrl: string): Promise<Record<string, number>> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const tables = await client.query<{ name: string }>(
      "SELECT table_name AS name FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE' ORDER BY 1",
    );
    const counts: Record<string, number> = {};
    for (const { name } of tables.rows) {
      const result = await client.query<{ n: number }>(`SELECT count(*)::int AS n FROM "${name}"`);
      counts[name] = result.rows[0]!.n;
    }
    return counts;
  } finally {
    await client.end();
  }
}
