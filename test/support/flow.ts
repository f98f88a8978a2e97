/** Steps of a delivery's life as the API's users take them, for tests that start mid-way. */
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { historyToJSON } from '@temporalio/common/lib/proto-utils.js';
import { expect } from 'vitest';
import type { Delivery } from '../../domain/delivery.js';
import { call, deliveryBody, env, proofFor, waitForDelivery, type Session } from './harness.js';

type Area = { lat: number; lng: number };

/** A customer's request for a quote: the new delivery, QUOTED. */
export async function requestQuote(base: string, customer: Session, area: Area, overrides: Record<string, unknown> = {}): Promise<Delivery> {
  const created = await call(base, 'POST', '/api/v1/deliveries', { token: customer.token, body: deliveryBody(area, overrides) });
  expect(created.status, JSON.stringify(created.body)).toBe(201);
  return created.body;
}

export async function book(base: string, customer: Session, area: Area, overrides: Record<string, unknown> = {}): Promise<string> {
  return (await requestQuote(base, customer, area, overrides)).id;
}

export async function acceptQuote(base: string, customer: Session, id: string): Promise<void> {
  const accepted = await call(base, 'POST', `/api/v1/deliveries/${id}/accept-quote`, { token: customer.token });
  expect(accepted.status, JSON.stringify(accepted.body)).toBe(200);
}

export async function bookAndAccept(base: string, customer: Session, area: Area, overrides: Record<string, unknown> = {}): Promise<string> {
  const id = await book(base, customer, area, overrides);
  await acceptQuote(base, customer, id);
  return id;
}

export function milestone(base: string, driver: Session, id: string, type: string, extra: Record<string, unknown> = {}) {
  return call(base, 'POST', `/api/v1/deliveries/${id}/milestones`, { token: driver.token, body: { type, ...extra } });
}

/** Taps a milestone that must move the delivery to `status`; without `extra`, with the proof the policy asks for. */
export async function expectMilestone(base: string, driver: Session, id: string, type: string, status: string, extra: Record<string, unknown> = proofFor(type)) {
  const res = await milestone(base, driver, id, type, extra);
  expect(res.status, `${type}: ${JSON.stringify(res.body)}`).toBe(200);
  expect(res.body.status).toBe(status);
  return res.body;
}

export function waitForOffer(base: string, token: string, id: string, driver: Session, timeoutMs?: number) {
  return waitForDelivery(base, token, id, (d) => d.offer?.driverId === driver.user.driverId, timeoutMs);
}

/** Waits for the offer to reach `driver`, then takes it. */
export async function takeOffer(base: string, dispatcher: Session, driver: Session, id: string) {
  await waitForOffer(base, dispatcher.token, id, driver);
  return expectMilestone(base, driver, id, 'accept_offer', 'ASSIGNED');
}

/** From booking to IN_TRANSIT with one driver. */
export async function runToInTransit(base: string, customer: Session, dispatcher: Session, driver: Session, area: Area) {
  const id = await bookAndAccept(base, customer, area);
  await takeOffer(base, dispatcher, driver, id);
  await expectMilestone(base, driver, id, 'arrived_pickup', 'AT_PICKUP');
  await expectMilestone(base, driver, id, 'picked_up', 'IN_TRANSIT');
  return id;
}

/** The delivery as its reader sees it; a refusal fails with its answer, not a TypeError further on. */
async function readDelivery(base: string, token: string, id: string) {
  const res = await call(base, 'GET', `/api/v1/deliveries/${id}`, { token });
  if (res.status !== 200) throw new Error(`GET delivery ${id}: ${res.status} ${JSON.stringify(res.body)}`);
  return res;
}

export async function timelineTypes(base: string, token: string, id: string): Promise<string[]> {
  const res = await readDelivery(base, token, id);
  return res.body.timeline.map((e: { type: string }) => e.type);
}

/** Every timeline runs 1..n: no duplicate, no gap. */
export async function expectContiguousTimeline(base: string, token: string, id: string) {
  const res = await readDelivery(base, token, id);
  const seqs = res.body.timeline.map((e: { seq: number }) => e.seq);
  expect(seqs).toEqual(seqs.map((_: number, i: number) => i + 1));
  expect(res.body.seq).toBe(seqs.length);
  return res.body;
}

let client: Promise<Client> | undefined;
export function temporalClient(): Promise<Client> {
  client ??= Connection.connect({ address: env().TEMPORAL_ADDRESS! }).then((connection) => new Client({ connection, namespace: env().TEMPORAL_NAMESPACE }));
  return client;
}

/**
 * With RECORD_HISTORIES=1, saves the finished workflow's history as a replay fixture, so later code
 * changes that would break running deliveries fail the replay test.
 */
export async function recordHistory(deliveryId: string, name: string): Promise<void> {
  if (!process.env.RECORD_HISTORIES) return;
  const history = await (await temporalClient()).workflow.getHandle(`delivery-${deliveryId}`).fetchHistory();
  const dir = path.resolve('workflows', 'histories');
  await mkdir(dir, { recursive: true });
  await writeFile(path.join(dir, `${name}.json`), historyToJSON(history));
}
