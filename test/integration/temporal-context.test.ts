/** Switching the Temporal connection's AsyncLocalStorage off between calls: calls keep working, and it ends up off. */
import { randomUUID } from 'node:crypto';
import { Client, Connection } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { keepPromiseHooksOff } from '../../api/temporal-context.js';
import { env } from '../support/harness.js';

describe('Temporal calls with promise hooks switched off between them', () => {
  let connection: Connection;
  let client: Client;
  /** Node's own flag on an AsyncLocalStorage: true while it hooks promises. */
  const hooking = () => (connection.callContextStorage as unknown as { enabled: boolean }).enabled;

  beforeAll(async () => {
    connection = await Connection.connect({ address: env().TEMPORAL_ADDRESS! });
    client = new Client({ connection, namespace: env().TEMPORAL_NAMESPACE });
  });
  afterAll(() => connection?.close());

  it('keeps namespaced calls working while it is switched off every millisecond', async () => {
    const hooks = keepPromiseHooksOff(connection, 1);
    try {
      for (let i = 0; i < 30; i++) {
        const [namespace, missing] = await Promise.all([
          connection.workflowService.describeNamespace({ namespace: env().TEMPORAL_NAMESPACE }),
          client.workflow.getHandle(`missing-${randomUUID()}`).describe().catch((err: Error) => err),
        ]);
        expect(namespace.namespaceInfo?.name).toBe(env().TEMPORAL_NAMESPACE);
        expect(String(missing)).toMatch(/not found/i);
        await new Promise((r) => setTimeout(r, i % 3));
      }
    } finally {
      hooks.stop();
    }
  });

  it('is switched on by a call and off again by the next switch-off', async () => {
    await client.workflow.getHandle(`missing-${randomUUID()}`).describe().catch(() => undefined);
    expect(hooking()).toBe(true);
    const hooks = keepPromiseHooksOff(connection, 10);
    try {
      await new Promise((r) => setTimeout(r, 40));
      expect(hooking()).toBe(false);
    } finally {
      hooks.stop();
    }
  });
});
