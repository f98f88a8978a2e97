/** `npm run db:backup` then `npm run db:restore` into a scratch database gives back every row, byte for byte. */
import { execFile } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtemp, readdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { QueryTypes } from 'sequelize';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSequelize, dropDatabase, ensureDatabase } from '../../db/connection.js';
import { createMigrator } from '../../db/migrator.js';
import { initModels } from '../../db/models.js';
import { seedDemoData } from '../../db/seed.js';
import { tableCounts, urlFor } from '../../scripts/lib/pg-tools.js';
import { env } from '../support/harness.js';

const root = path.resolve(import.meta.dirname, '..', '..');
const run = promisify(execFile);
const tsx = (script: string, args: string[], extraEnv: Record<string, string>) =>
  run(process.execPath, ['--import', 'tsx', path.join(root, 'scripts', script), ...args], { cwd: root, env: { ...process.env, ...extraEnv } });

describe('database backup and restore', () => {
  const stamp = `${process.pid}_${Date.now()}`;
  const source = urlFor(env().DATABASE_URL!, `logistics_backup_src_${stamp}`);
  const restoredName = `logistics_backup_dst_${stamp}`;
  const restored = urlFor(env().DATABASE_URL!, restoredName);
  const proofBytes = randomBytes(4096);
  let backupDir: string;

  // A database of its own: other test files write to the shared one while this one counts rows.
  beforeAll(async () => {
    backupDir = await mkdtemp(path.join(tmpdir(), 'backups-'));
    await ensureDatabase(source);
    const sequelize = createSequelize(source, { poolMax: 2 });
    initModels(sequelize);
    await createMigrator(sequelize).up();
    await seedDemoData(sequelize, 'backup-test-password');
    const [customer] = await sequelize.query<{ id: string }>("SELECT id FROM users WHERE email = 'customer@example.com'", { type: QueryTypes.SELECT });
    for (let i = 0; i < 12; i++) {
      const id = randomUUID();
      const stop = JSON.stringify({ address: `Street ${i}`, lat: 52.5, lng: 13.4 });
      await sequelize.query(
        `INSERT INTO deliveries (id, tracking_code, customer_id, status, seq, priority, pickup, dropoff, parcel, quote, workflow_id, created_at, updated_at)
         VALUES (:id, :code, :customer, 'DELIVERED', 3, 'standard', :stop, :stop, '{"weightKg":2}', '{"amountCents":900,"currency":"EUR"}', :wf, now(), now())`,
        { replacements: { id, code: `CODE${i}${stamp}`.slice(0, 20), customer: customer!.id, stop, wf: `delivery-${id}` } },
      );
      for (const [seq, type] of ['quoted', 'assigned', 'delivered'].entries()) {
        await sequelize.query(`INSERT INTO delivery_events (delivery_id, seq, type, at, actor) VALUES (:id, :seq, :type, now(), '{"kind":"system"}')`, {
          replacements: { id, seq: seq + 1, type },
        });
      }
      if (i === 0) {
        await sequelize.query(
          `INSERT INTO proofs (id, delivery_id, kind, content_type, bytes, sha256, created_by) VALUES (:pid, :id, 'photo', 'image/png', :bytes, 'x', :customer)`,
          { replacements: { pid: randomUUID(), id, bytes: proofBytes, customer: customer!.id } },
        );
      }
    }
    await sequelize.close();
  });

  afterAll(async () => {
    await dropDatabase(source).catch(() => {});
    await dropDatabase(restored).catch(() => {});
  });

  it('dumps to a timestamped file and restores every table with the same row counts and bytes', async () => {
    const backup = await tsx('backup.ts', [], { DATABASE_URL: source, BACKUP_DIR: backupDir });
    const files = await readdir(backupDir);
    expect(files).toEqual([expect.stringMatching(new RegExp(`^logistics_backup_src_${stamp}-\\d{8}T\\d{6}Z\\.dump$`))]);
    expect(backup.stdout).toContain(path.join(backupDir, files[0]!));

    const restore = await tsx('restore.ts', [path.join(backupDir, files[0]!), '--target-db', restoredName], { DATABASE_URL: source });
    expect(restore.stdout).toMatch(/deliveries\s+12/);

    const [expected, actual] = await Promise.all([tableCounts(source), tableCounts(restored)]);
    expect(Object.keys(actual).length).toBeGreaterThanOrEqual(8);
    expect(expected).toMatchObject({ deliveries: 12, delivery_events: 36, proofs: 1, users: 8, drivers: 5 });
    expect(actual).toEqual(expected);

    const sequelize = createSequelize(restored, { poolMax: 1 });
    const [proof] = await sequelize.query<{ bytes: Buffer }>('SELECT bytes FROM proofs', { type: QueryTypes.SELECT });
    await sequelize.close();
    expect(Buffer.compare(proof!.bytes, proofBytes)).toBe(0);
  });

  it('refuses to restore over a database that has tables unless told to', async () => {
    const [file] = await readdir(backupDir);
    const refused = await tsx('restore.ts', [path.join(backupDir, file!), '--target-db', restoredName], { DATABASE_URL: source }).catch((e) => e);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/already has \d+ tables: add --force/);

    const forced = await tsx('restore.ts', [path.join(backupDir, file!), '--target-db', restoredName, '--force'], { DATABASE_URL: source });
    expect(forced.stdout).toMatch(/deliveries\s+12/);
  });

  it('names a missing backup file instead of failing obscurely', async () => {
    const missing = await tsx('restore.ts', ['/nonexistent/backup.dump'], { DATABASE_URL: source }).catch((e) => e);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('no such backup file: /nonexistent/backup.dump');
  });
});
