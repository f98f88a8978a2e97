/** `npm run migrate -- up | down | pending | create <name>` against DATABASE_URL (created when missing). */
import { loadConfig } from '../config/env.js';
import { createSequelize, ensureDatabase } from '../db/connection.js';
import { createMigrator } from '../db/migrator.js';

const [command = 'up', name] = process.argv.slice(2);
const config = loadConfig();
if (command === 'up') await ensureDatabase(config.DATABASE_URL);
const sequelize = createSequelize(config.DATABASE_URL);
const migrator = createMigrator(sequelize, { info: (m) => console.log(m) });
try {
  switch (command) {
    case 'up':
      console.log(`applied: ${(await migrator.up()).map((m) => m.name).join(', ') || 'nothing (up to date)'}`);
      break;
    case 'down':
      console.log(`reverted: ${(await migrator.down()).map((m) => m.name).join(', ') || 'nothing'}`);
      break;
    case 'pending':
      console.log((await migrator.pending()).map((m) => m.name).join('\n') || 'none');
      break;
    case 'create': {
      if (!name || !/^[a-z0-9-]+$/.test(name)) throw new Error('usage: npm run migrate -- create <kebab-case-name>');
      const stamp = new Date().toISOString().replace(/\D/g, '').slice(0, 14);
      await migrator.create({ name: `${stamp}-${name}.ts`, prefix: 'NONE' });
      console.log(`created migrations/${stamp}-${name}.ts: add it to migrations/index.ts`);
      break;
    }
    default:
      throw new Error(`unknown command ${command}; use up, down, pending or create <name>`);
  }
} finally {
  await sequelize.close();
}
