import { describe, expect, it } from 'vitest';
import { scratchStores } from './scratch.js';

describe('scratchStores', () => {
  it('names the databases by tag and run, and the Redis prefix by tag and process', () => {
    expect(scratchStores('ct', '17_42', { databaseUrl: 'postgres://u@db:5433/postgres', redisUrl: 'redis://r:6380' })).toEqual({
      postgresUrl: 'postgres://u@db:5433',
      databases: { app: 'logistics_ct_17_42', temporal: 'temporal_ct_17_42', visibility: 'temporal_vis_ct_17_42' },
      redisUrl: 'redis://r:6380',
      redisPrefix: `lpct${process.pid}`,
    });
  });

  it('falls back to the local servers', () => {
    const stores = scratchStores('imgc', '1', {});
    expect([stores.postgresUrl, stores.redisUrl]).toEqual(['postgres://postgres@127.0.0.1:5432', 'redis://127.0.0.1:6379']);
  });
});
