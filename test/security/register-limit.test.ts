/** Finding 6: sign-up from one address is held to a few an hour (an API of its own: the limit is small). */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { ownRedisPrefix, strongPassword, uniqueEmail, uniqueIp } from '../api/support.js';
import { call, startTestApi, type TestApi } from '../support/harness.js';

let limited: TestApi;
beforeAll(async () => {
  limited = await startTestApi({ REDIS_PREFIX: ownRedisPrefix('register'), REGISTER_PER_HOUR: '3', TRUST_PROXY: 'true' });
});
afterAll(() => limited?.close());

const signUp = (ip: string) =>
  call(limited.url, 'POST', '/api/v1/auth/register', { body: { email: uniqueEmail('limit'), password: strongPassword(), name: 'L' }, headers: { 'x-forwarded-for': ip } });

it('allows one address only a few sign-ups an hour, whatever the e-mails', async () => {
  const ip = uniqueIp();
  const statuses: number[] = [];
  for (let i = 0; i < 5; i++) statuses.push((await signUp(ip)).status);
  expect(statuses).toEqual([201, 201, 201, 429, 429]);
  // Another address is not held up by it.
  expect((await signUp(uniqueIp())).status).toBe(201);
});
