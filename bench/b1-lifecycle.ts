/**
 * B1: deliveries driven through the whole lifecycle over HTTP, as a customer and drivers would, `lanes`
 * at a time (one driver per lane, alone in their own area, accepting each offer the moment their socket
 * shows it). Baselines, driven with the Temporal client against the same server: the frozen bare workflow
 * of baseline-workflow.ts (the same Updates and activities) and the lean one of baseline-lean-workflow.ts
 * (one local activity per transition). B9: what a delivered delivery's history costs, against both.
 */
import { randomUUID } from 'node:crypto';
import type { Client } from '@temporalio/client';
import type { Delivery } from '../domain/delivery.js';
import { BASELINE_STEPS, FROZEN_SHAPE, stepUpdate, type BaselineStep } from './baseline-workflow.js';
import { ScreenProbe, transportBaseline, type ScreenResult } from './b2-milestone-to-screen.js';
import type { BenchContext, Figure } from './lib/context.js';
import { DEMO_PASSWORD, startWorker } from './lib/env.js';
import { describeCost, describePayload, meanHistoryCost, type HistoryCost } from './lib/history.js';
import { area, createDriverAt, deliveryBody, expectCall, login, waitForPositions, type Session } from './lib/http.js';
import { connectSocket, settle, type ClientSocket } from './lib/sockets.js';
import { Samples, summarize, timed, type Summary } from './lib/stats.js';
import { latencyTable } from './lib/table.js';

export interface LifecycleResult {
  n: number;
  lanes: number;
  wallMs: number;
  perSecond: number;
  calls: Record<string, Summary>;
}

/** The calls of one delivery, in order; the baseline's Updates carry the same names. */
export const CALLS = ['create', 'accept-quote', 'offer wait', 'accept_offer', 'arrived_pickup', 'picked_up', 'arrived_dropoff', 'delivered'] as const;

const MILESTONES: Array<{ type: (typeof CALLS)[number]; status: string; body?: Record<string, unknown> }> = [
  { type: 'accept_offer', status: 'ASSIGNED' },
  { type: 'arrived_pickup', status: 'AT_PICKUP' },
  { type: 'picked_up', status: 'IN_TRANSIT', body: { proof: { recipientName: 'Pat Baker' } } },
  { type: 'arrived_dropoff', status: 'AT_DROPOFF' },
  { type: 'delivered', status: 'DELIVERED', body: { proof: { recipientName: 'Maria Lopez', signature: `data:image/png;base64,${Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 1]).toString('base64')}` } } },
];

interface Lane {
  driver: Session;
  at: { lat: number; lng: number };
  socket: ClientSocket;
  offers: Map<string, number>;
  waiters: Map<string, () => void>;
}

export interface LifecycleSetup {
  apiUrl: string;
  customer: Session;
  dispatcher: Session;
  lanes: Lane[];
  /** Tracking codes of delivered deliveries (B3 reads one). */
  delivered: string[];
  /** Their workflow ids, for B9. */
  deliveredWorkflows: string[];
  close(): Promise<void>;
}

/** Logs in, places one driver per lane in its own area (`areaOffset` keeps runs apart) and opens their sockets. */
export async function prepareLifecycle(apiUrl: string, password: string, lanes: number, areaOffset: number): Promise<LifecycleSetup> {
  const customer = await login(apiUrl, 'customer@example.com', password);
  const dispatcher = await login(apiUrl, 'dispatcher@example.com', password);
  const placed = await Promise.all(
    Array.from({ length: lanes }, async (_, i) => {
      const at = area(areaOffset + i);
      return { at, driver: await createDriverAt(apiUrl, dispatcher, at, `Bench Driver ${areaOffset + i}`) };
    }),
  );
  await waitForPositions(apiUrl, dispatcher, placed.map((p) => p.driver.user.driverId!));
  const ready: Lane[] = await Promise.all(
    placed.map(async ({ at, driver }) => {
      const socket = await connectSocket(apiUrl, { token: driver.token });
      const lane: Lane = { driver, at, socket, offers: new Map(), waiters: new Map() };
      socket.on('delivery:updated', (d: Delivery) => {
        if (d.status !== 'DISPATCHING' || d.offer?.driverId !== driver.user.driverId || lane.offers.has(d.id)) return;
        lane.offers.set(d.id, performance.now());
        lane.waiters.get(d.id)?.();
      });
      return lane;
    }),
  );
  await settle();
  return {
    apiUrl,
    customer,
    dispatcher,
    lanes: ready,
    delivered: [],
    deliveredWorkflows: [],
    async close() {
      for (const lane of ready) lane.socket.disconnect();
      // Off duty, so later runs' deliveries never find these drivers.
      await Promise.all(ready.map((l) => expectCall(200, apiUrl, 'PUT', '/api/v1/drivers/me/duty', { token: l.driver.token, body: { onDuty: false } })));
    },
  };
}

function offerFor(lane: Lane, id: string, timeoutMs = 30_000): Promise<void> {
  if (lane.offers.has(id)) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no offer for delivery ${id} within ${timeoutMs} ms`)), timeoutMs);
    lane.waiters.set(id, () => {
      clearTimeout(timer);
      lane.waiters.delete(id);
      resolve();
    });
  });
}

async function oneDelivery(setup: LifecycleSetup, lane: Lane, samples: Samples, probe?: ScreenProbe): Promise<void> {
  const { apiUrl, customer } = setup;
  const created = await timed(samples, 'create', () =>
    expectCall<Delivery>(201, apiUrl, 'POST', '/api/v1/deliveries', { token: customer.token, body: deliveryBody(lane.at) }),
  );
  const id = created.id;
  const offered = offerFor(lane, id);
  offered.catch(() => {});
  await timed(samples, 'accept-quote', () => expectCall(200, apiUrl, 'POST', `/api/v1/deliveries/${id}/accept-quote`, { token: customer.token }));
  await timed(samples, 'offer wait', () => offered);
  for (const step of MILESTONES) {
    const sent = performance.now();
    const reply = await expectCall<Delivery>(200, apiUrl, 'POST', `/api/v1/deliveries/${id}/milestones`, {
      token: lane.driver.token,
      body: { type: step.type, ...step.body },
    });
    const returned = performance.now();
    samples.add(step.type, returned - sent);
    if (reply.status !== step.status) throw new Error(`${step.type} left delivery ${id} in ${reply.status}, not ${step.status}`);
    probe?.posted(reply, sent, returned);
  }
  setup.delivered.push(created.trackingCode);
  setup.deliveredWorkflows.push(created.workflowId);
}

/** Accumulates rounds of one side of a comparison. */
export class Tally {
  readonly samples = new Samples();
  n = 0;
  wallMs = 0;

  /** Runs `n` iterations of `one` over `lanes` lanes, timing the whole round. */
  async round(lanes: number, n: number, one: (lane: number) => Promise<void>): Promise<void> {
    let remaining = n;
    const started = performance.now();
    await Promise.all(
      Array.from({ length: lanes }, async (_, lane) => {
        while (remaining > 0) {
          remaining -= 1;
          await one(lane);
        }
      }),
    );
    this.wallMs += performance.now() - started;
    this.n += n;
  }

  result(lanes: number): LifecycleResult {
    return { n: this.n, lanes, wallMs: this.wallMs, perSecond: (this.n * 1000) / this.wallMs, calls: this.samples.summaries() };
  }
}

/** One delivery per lane, not counted: JIT, pools and caches warm up. */
export async function warmLifecycle(setup: LifecycleSetup): Promise<void> {
  await Promise.all(setup.lanes.map((lane) => oneDelivery(setup, lane, new Samples())));
}

export async function runLifecycle(setup: LifecycleSetup, n: number, tally = new Tally(), probe?: ScreenProbe): Promise<LifecycleResult> {
  await tally.round(setup.lanes.length, n, (lane) => oneDelivery(setup, setup.lanes[lane]!, tally.samples, probe));
  return tally.result(setup.lanes.length);
}

const BASELINE_NAMES: Record<BaselineStep, (typeof CALLS)[number]> = {
  quoteRecorded: 'create',
  acceptQuote: 'accept-quote',
  acceptOffer: 'accept_offer',
  arrivedAtPickup: 'arrived_pickup',
  confirmPickup: 'picked_up',
  arrivedAtDropoff: 'arrived_dropoff',
  confirmDelivery: 'delivered',
};

/** A baseline workflow type, and the workflows of it B1 ran. */
export interface BaselineKind {
  workflowType: 'baselineWorkflow' | 'leanBaselineWorkflow';
  tally: Tally;
  workflowIds: string[];
}

async function oneBaseline(client: Client, taskQueue: string, kind: BaselineKind, samples: Samples): Promise<void> {
  const workflowId = `bench-baseline-${randomUUID()}`;
  const started = performance.now();
  const handle = await client.workflow.start(kind.workflowType, { workflowId, taskQueue });
  for (const step of BASELINE_STEPS) {
    const from = step === 'quoteRecorded' ? started : performance.now();
    await handle.executeUpdate(stepUpdate, { args: [step] });
    samples.add(BASELINE_NAMES[step], performance.now() - from);
  }
  kind.workflowIds.push(workflowId);
}

export async function warmBaseline(client: Client, taskQueue: string, lanes: number, kind: BaselineKind): Promise<void> {
  await Promise.all(Array.from({ length: lanes }, () => oneBaseline(client, taskQueue, { ...kind, workflowIds: [] }, new Samples())));
}

export async function runBaseline(client: Client, taskQueue: string, n: number, lanes: number, kind: BaselineKind): Promise<LifecycleResult> {
  await kind.tally.round(lanes, n, () => oneBaseline(client, taskQueue, kind, kind.tally.samples));
  return kind.tally.result(lanes);
}

/** Histories read for B9, from the end of each side's measured deliveries. */
const HISTORY_SAMPLE = 10;

export function callTable(subject: LifecycleResult, baselines: Array<{ name: string; result: LifecycleResult }> = []): string {
  const f = (s?: Summary) => (s ? `${s.p50.toFixed(1)} / ${s.p99.toFixed(1)}` : '—');
  return latencyTable('  call (ms, p50 / p99)', ['HTTP lifecycle', ...baselines.map((b) => b.name)], CALLS.map((c) => {
    const row: [string, ...string[]] = [`  ${c}`, f(subject.calls[c])];
    for (const b of baselines) row.push(c === 'offer wait' ? '(in accept_offer)' : f(b.result.calls[c]));
    return row;
  }));
}

/** Rounds per comparison: subject and baseline alternate, so a change in the machine's load hits both. */
export const ROUNDS = 2;

/** B1 and B2: the HTTP lifecycle (with the screen probe on) and the bare workflow, alternating. */
export const lifecycleFigures: Figure = async (ctx) => {
  const { stack, sizes, log } = ctx;
  const setup = await prepareLifecycle(stack.apiUrl, DEMO_PASSWORD, sizes.lanes, ctx.nextAreaOffset(sizes.lanes));
  const taskQueue = `bench-baseline-${process.pid}`;
  const worker = await startWorker('baseline worker', 'bench/baseline-worker.ts', stack.client, { TEMPORAL_TASK_QUEUE: taskQueue }, {
    args: [stack.temporal.address, taskQueue],
  });
  const probe = await ScreenProbe.open(stack.apiUrl, setup.dispatcher.token);
  const subjectTally = new Tally();
  const frozen: BaselineKind = { workflowType: 'baselineWorkflow', tally: new Tally(), workflowIds: [] };
  const lean: BaselineKind = { workflowType: 'leanBaselineWorkflow', tally: new Tally(), workflowIds: [] };
  const transportSamples: number[] = [];
  let screen: ScreenResult;
  let costs: Record<'subject' | 'frozen' | 'lean', HistoryCost>;
  try {
    log(`B1: ${sizes.deliveries} deliveries over HTTP and as each bare workflow, ${sizes.lanes} at a time, in ${ROUNDS} alternating rounds`);
    await warmLifecycle(setup);
    setup.deliveredWorkflows.length = 0;
    await warmBaseline(stack.client, taskQueue, sizes.lanes, frozen);
    await warmBaseline(stack.client, taskQueue, sizes.lanes, lean);
    const perRound = Math.ceil(sizes.deliveries / ROUNDS);
    for (let round = 0; round < ROUNDS; round += 1) {
      await runLifecycle(setup, perRound, subjectTally, probe);
      // B2's baseline runs alongside B1's, as B2 runs alongside the lifecycle.
      const [, transport] = await Promise.all([
        runBaseline(stack.client, taskQueue, perRound, sizes.lanes, frozen),
        transportBaseline(stack.apiUrl, setup.dispatcher.token, stack.env.REDIS_PREFIX!, 50, 20),
      ]);
      transportSamples.push(...transport);
      await runBaseline(stack.client, taskQueue, perRound, sizes.lanes, lean);
    }
    screen = await probe.result();
    const sample = (ids: string[]) => meanHistoryCost(stack.client, ids.slice(-HISTORY_SAMPLE));
    costs = { subject: await sample(setup.deliveredWorkflows), frozen: await sample(frozen.workflowIds), lean: await sample(lean.workflowIds) };
  } finally {
    await worker.stop();
    probe.close();
    await setup.close();
  }
  ctx.trackingCodes.push(...setup.delivered);
  const subject = subjectTally.result(sizes.lanes);
  const baseline = frozen.tally.result(sizes.lanes);
  const leanResult = lean.tally.result(sizes.lanes);
  const transport = summarize(transportSamples);
  log(callTable(subject, [{ name: 'bare workflow', result: baseline }, { name: 'lean workflow', result: leanResult }]));
  for (const [name, cost] of Object.entries(costs)) log(`B9: ${name.padEnd(7)} ${describeCost(cost)}`);
  log(`B9: the product's payload by event: ${describePayload(costs.subject)}`);
  if (costs.frozen.activities !== FROZEN_SHAPE.activities || costs.frozen.updates !== FROZEN_SHAPE.updates) {
    throw new Error(`B1's frozen baseline no longer has its shape (${describeCost(costs.frozen)}; frozen: ${JSON.stringify(FROZEN_SHAPE)})`);
  }
  const ms = (x: Summary) => `p50 ${x.p50.toFixed(0)} / p99 ${x.p99.toFixed(0)} ms`;
  log(`B2: transition → dispatcher's screen ${ms(screen.transitionToScreen)}; transition → driver's POST returns ${ms(screen.transitionToReturn)}`);

  const ratio = subject.perSecond / baseline.perSecond;
  const leanRatio = subject.perSecond / leanResult.perSecond;
  const s = screen.fromReturn;
  const perDelivery = (c: HistoryCost) => `${Math.round(c.events)} events, ${(c.payloadBytes / 1024).toFixed(1)} KB, ${Math.round(c.actions)} actions`;
  return [
    {
      id: 'B1',
      name: 'lifecycle throughput',
      value: `${subject.perSecond.toFixed(1)} deliveries/s`,
      baseline: `${baseline.perSecond.toFixed(1)} deliveries/s (bare workflow, frozen: 17 activities)`,
      ratio,
      target: 'ratio ≥ 1.0',
      met: ratio >= 1.0,
      details: { subject, baseline },
    },
    {
      id: 'B1-lean',
      name: 'against the lean workflow',
      value: `${subject.perSecond.toFixed(1)} deliveries/s`,
      baseline: `${leanResult.perSecond.toFixed(1)} deliveries/s (one local activity per transition)`,
      ratio: leanRatio,
      target: '—',
      met: null,
      details: { lean: leanResult },
    },
    {
      id: 'B9',
      name: 'history per delivery',
      value: perDelivery(costs.subject),
      baseline: `${perDelivery(costs.frozen)} (frozen); ${perDelivery(costs.lean)} (lean)`,
      ratio: costs.frozen.events / costs.subject.events,
      target: '≤ 80 events, ≤ 16 KB',
      met: costs.subject.events <= 80 && costs.subject.payloadBytes <= 16 * 1024,
      details: costs,
    },
    {
      id: 'B2',
      name: 'milestone to screen',
      value: `p50 ${s.p50.toFixed(1)} / p99 ${s.p99.toFixed(1)} / max ${s.max.toFixed(1)} ms${screen.missing ? ` (${screen.missing} missing)` : ''}`,
      baseline: `p99 ${transport.p99.toFixed(1)} ms (emitter → socket)`,
      ratio: s.p99 > 0 ? transport.p99 / s.p99 : null,
      target: 'p99 ≤ 100 ms',
      met: screen.missing === 0 && s.p99 <= 100,
      details: { screen, transport },
    },
  ];
};

/** A delivered delivery's tracking code: one of B1's, or one driven through now. */
export async function deliveredTrackingCode(ctx: BenchContext): Promise<string> {
  if (ctx.trackingCodes[0]) return ctx.trackingCodes[0];
  const setup = await prepareLifecycle(ctx.stack.apiUrl, DEMO_PASSWORD, 1, ctx.nextAreaOffset(1));
  try {
    await warmLifecycle(setup);
  } finally {
    await setup.close();
  }
  ctx.trackingCodes.push(...setup.delivered);
  return setup.delivered[0]!;
}
