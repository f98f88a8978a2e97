import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { QueryInterface, Sequelize } from 'sequelize';
import { SequelizeStorage, Umzug, type MigrationFn as UmzugMigrationFn } from 'umzug';
import { migrations } from '../migrations/index.js';

export type MigrationFn = UmzugMigrationFn<QueryInterface>;

const here = path.dirname(fileURLToPath(import.meta.url));
/** Works from the sources (tsx) and from dist/ after a build. */
const migrationsDir = path.resolve(here, '..', 'migrations');

export function createMigrator(sequelize: Sequelize, logger?: { info: (msg: string) => void }) {
  return new Umzug({
    migrations: migrations.map((m) => ({ name: m.name, up: m.up, down: m.down })),
    context: sequelize.getQueryInterface(),
    storage: new SequelizeStorage({ sequelize, tableName: 'schema_migrations' }),
    logger: logger ? { info: (m) => logger.info(JSON.stringify(m)), warn: console.warn, error: console.error, debug: () => {} } : undefined,
    create: {
      folder: migrationsDir,
      template: (filepath) => [
        [
          filepath.replace(/\.js$/, '.ts'),
          [
            "import type { MigrationFn } from '../db/migrator.js';",
            '',
            'export const up: MigrationFn = async ({ context: qi }) => {',
            "  await qi.sequelize.query('');",
            '};',
            '',
            'export const down: MigrationFn = async ({ context: qi }) => {',
            "  await qi.sequelize.query('');",
            '};',
            '',
          ].join('\n'),
        ],
      ],
    },
  });
}
