/** `npm run seed`: demo accounts and drivers, once. Refused in production. */
import { loadConfig } from '../config/env.js';
import { createSequelize } from '../db/connection.js';
import { initModels } from '../db/models.js';
import { seedDemoData } from '../db/seed.js';

const config = loadConfig();
if (config.production) {
  console.error('seed: demo data is never loaded in production');
  process.exit(1);
}
const sequelize = createSequelize(config.DATABASE_URL);
initModels(sequelize);
const result = await seedDemoData(sequelize, config.DEMO_PASSWORD);
console.log(result.created ? 'seeded demo accounts' : 'demo accounts already present');
await sequelize.close();
