/**
 * On-call commands.
 * - `npm run ops -- stuck [--json] [--min-attempt N]`: open deliveries whose workflow has an activity
 *   that has failed at least once and is still retrying, with its last failure; and (not with --json)
 *   how many recorded transitions wait in the outbox to be published, and for how long.
 * - `npm run ops -- catch-up`: after a restore of the read model, writes into it every transition the
 *   deliveries' histories hold beyond it (RUNBOOK.md, "Restoring a backup").
 */
import { Client, Connection } from '@temporalio/client';
import { loadConfig } from '../config/env.js';
import { createSequelize } from '../db/connection.js';
import { outboxBacklog } from '../db/transition-outbox.js';
import { UPDATE_CHECKS, updatesInFlight } from '../db/updates-in-flight.js';
import { catchUpReadModel } from './lib/dr/catch-up.js';
import { knownDeliveries } from './lib/dr/verify.js';
import { findStuckDeliveries } from './lib/stuck.js';

const [command, ...args] = process.argv.slice(2);
const flag = (name: string) => args.includes(name);
const option = (name: string) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
};

if (command !== 'stuck' && command !== 'catch-up') {
  console.error('usage: npm run ops -- stuck [--json] [--min-attempt N] | catch-up');
  process.exit(2);
}

const config = loadConfig();
const connection = await Connection.connect({ address: config.TEMPORAL_ADDRESS }).catch((err: Error) => {
  console.error(`cannot reach Temporal at ${config.TEMPORAL_ADDRESS} (TEMPORAL_ADDRESS): ${err.message}`);
  process.exit(1);
});
try {
  const client = new Client({ connection, namespace: config.TEMPORAL_NAMESPACE });
  if (command === 'catch-up') {
    const sequelize = createSequelize(config.DATABASE_URL, { poolMax: 2 });
    try {
      const started = Date.now();
      const ids = await knownDeliveries(client, sequelize);
      const written = await catchUpReadModel({ client, sequelize, deliveryIds: ids, links: { uiUrl: config.TEMPORAL_UI_URL, namespace: config.TEMPORAL_NAMESPACE } });
      console.log(`${ids.length} deliveries read; ${written} transitions written from their histories in ${((Date.now() - started) / 1000).toFixed(1)} s`);
    } finally {
      await sequelize.close();
    }
    await connection.close();
    process.exit(0);
  }
  const stuck = await findStuckDeliveries(client, { minAttempt: Number(option('--min-attempt') ?? 2) });
  if (flag('--json')) {
    console.log(JSON.stringify(stuck, null, 2));
  } else if (stuck.length === 0) {
    console.log('no stuck deliveries: no open delivery has an activity past its first attempt');
  } else {
    for (const s of stuck) {
      console.log(`${s.deliveryId}  ${s.status ?? '?'}  ${s.activity} attempt ${s.attempt}  last failed ${s.lastAttemptAt ?? '?'}  next ${s.nextAttemptAt ?? '?'}`);
      console.log(`  ${s.lastFailure.slice(0, 300)}`);
      console.log(`  ${config.TEMPORAL_UI_URL.replace(/\/$/, '')}/namespaces/${config.TEMPORAL_NAMESPACE}/workflows/${s.workflowId}`);
    }
    console.log(`${stuck.length} stuck`);
  }
  if (!flag('--json')) {
    const sequelize = createSequelize(config.DATABASE_URL, { poolMax: 1 });
    try {
      const { waiting, oldestSeconds } = await outboxBacklog(sequelize);
      console.log(
        waiting === 0
          ? 'every recorded transition is published'
          : `${waiting} recorded transitions wait to be published, the oldest for ${oldestSeconds.toFixed(0)} s (Redis down? the workers' relays sweep them every second)`,
      );
      const inFlight = await updatesInFlight(sequelize);
      if (inFlight.open > 0) {
        console.log(`${inFlight.open} updates wait for their answer to be recorded, the oldest for ${inFlight.oldestSeconds.toFixed(0)} s (the APIs check those older than ${UPDATE_CHECKS.afterMs / 1000} s every ${UPDATE_CHECKS.everyMs / 1000} s)`);
      }
    } finally {
      await sequelize.close();
    }
  }
} finally {
  await connection.close();
}
