/**
 * One reliability run: sign the load's users in, connect their screens, drive the load, inject each fault
 * of the plan with deliveries in flight, wait for green after each, drain, then check every delivery.
 */
import { Actor, sleep } from './actors.js';
import { AlertWatch, type AlertSighting } from './alerts.js';
import { FAULTS, inject, untilGreen, type FaultName, type Injected } from './faults.js';
import { Caller, RequestLog, type RequestRecord } from './http.js';
import type { SloInstance } from './instance.js';
import { DispatcherBoard, TrackingPage } from './screens.js';
import { CustomerSim, DriverSim, type Booking, type LoadShape } from './users.js';
import { verifyDeliveries, type DeliveryVerdict, type Verdicts } from './verify.js';

export interface SloPlan {
  faults: FaultName[];
  warmupMs: number;
  /** From one fault to the next, at least (the next waits for green and 10 s more). */
  spacingMs: number;
  /** How long the drivers get to finish what is open once booking stops. */
  drainMs: number;
  boards: number;
  shape: LoadShape;
}

export interface FaultRecord {
  name: FaultName;
  title: string;
  detail: string;
  at: number;
  /** Start of the next fault (or of the drain): the window this fault's effects are counted in. */
  windowEnd: number;
  inFlight: number;
  requests: number;
  failed: number;
  firstTroubleAt: number | undefined;
  greenAt: number | undefined;
  /** From the first failed request or missed event (or the injection) until all green and no more trouble. */
  recoveryMs: number | undefined;
  lost: number;
  duplicated: number;
  gaps: number;
  missedLive: number;
  alerts: AlertSighting[];
  deploy?: Injected['deploy'];
}

export interface SloResult {
  startedAt: number;
  endedAt: number;
  plan: SloPlan;
  requests: RequestRecord[];
  faults: FaultRecord[];
  verdicts: Verdicts;
  alertsOutsideFaults: AlertSighting[];
  bookings: number;
  /** Live events each dispatcher board received, and whether it was connected at the end. */
  boards: Array<{ events: number; connected: boolean }>;
  trackingPages: number;
  groqCalls: number;
}

const GREEN_TIMEOUT_MS = 5 * 60_000;

function recordFault(injected: Injected, windowEnd: number, greenAt: number | undefined, log: RequestLog, verdicts: DeliveryVerdict[], alerts: AlertWatch): FaultRecord {
  const { at } = injected;
  const requests = log.between(at, windowEnd);
  const failures = requests.filter((r) => r.failed);
  const inFlight = verdicts.filter((v) => v.bookedAt <= at && v.settledAt >= at);
  const missed = verdicts.flatMap((v) => v.missedLive).filter((m) => m.at >= at && m.at < windowEnd);
  const troubleTimes = [...failures.map((r) => r.at), ...missed.map((m) => m.at)];
  const troubleEnds = [...failures.map((r) => r.at + r.ms), ...missed.map((m) => m.at)];
  const firstTroubleAt = troubleTimes.length ? Math.min(...troubleTimes) : undefined;
  const recoveredAt = greenAt === undefined ? undefined : Math.max(greenAt, ...troubleEnds);
  return {
    name: injected.name,
    title: FAULTS[injected.name].title,
    detail: injected.detail,
    at,
    windowEnd,
    inFlight: inFlight.length,
    requests: requests.length,
    failed: failures.length,
    firstTroubleAt,
    greenAt,
    recoveryMs: recoveredAt === undefined ? undefined : recoveredAt - Math.min(at, firstTroubleAt ?? at),
    lost: inFlight.filter((v) => v.lost).length,
    duplicated: inFlight.filter((v) => v.duplicated.length).length,
    gaps: inFlight.filter((v) => v.gaps.length).length,
    missedLive: missed.length,
    alerts: alerts.raisedBetween(at, windowEnd),
    ...(injected.deploy ? { deploy: injected.deploy } : {}),
  };
}

export async function runSlo(instance: SloInstance, plan: SloPlan, say: (line: string) => void): Promise<SloResult> {
  const log = new RequestLog();
  const caller = new Caller(instance.cluster.urls.app, log);
  const dispatcher = new Actor(caller, 'dispatcher@example.com', instance.demoPassword);
  await dispatcher.login();

  const customers: Actor[] = [];
  for (let i = 0; i < plan.shape.customers; i++) {
    const email = `slo-customer-${i}-${Date.now()}@example.com`;
    const password = `slo-pw-${Math.random().toString(36).slice(2)}-${i}`;
    const reg = await caller.call('POST', '/api/v1/auth/register', { body: { email, password, name: `Customer ${i + 1}` } });
    if (reg.status !== 201) throw new Error(`register ${email}: ${reg.status} ${JSON.stringify(reg.body)}`);
    const actor = new Actor(caller, email, password);
    await actor.login();
    customers.push(actor);
  }
  const bookingsById = new Map<string, Booking>();
  const drivers: DriverSim[] = [];
  for (let i = 0; i < plan.shape.drivers; i++) {
    const email = `slo-driver-${i}-${Date.now()}@example.com`;
    const password = `slo-pw-${Math.random().toString(36).slice(2)}-${i}`;
    const created = await dispatcher.call('POST', '/api/v1/drivers', { body: { name: `Driver ${i + 1}`, email, password, vehicle: { type: 'van', capacityKg: 500 } } });
    if (created.status !== 201) throw new Error(`driver ${email}: ${created.status} ${JSON.stringify(created.body)}`);
    const actor = new Actor(caller, email, password);
    await actor.login();
    const driver = new DriverSim(actor, plan.shape, bookingsById);
    await driver.goOnDuty();
    drivers.push(driver);
  }

  const boards: DispatcherBoard[] = [];
  for (let i = 0; i < plan.boards; i++) {
    const actor = new Actor(caller, 'dispatcher@example.com', instance.demoPassword);
    await actor.login();
    const board = new DispatcherBoard(actor);
    board.open();
    boards.push(board);
  }
  const pages = new Set<TrackingPage>();
  let trackingPages = 0;
  const bookings: Booking[] = [];
  const onBooked = (booking: Booking) => {
    bookingsById.set(booking.id!, booking);
    const page = new TrackingPage(caller, booking.id!, booking.trackingCode!);
    page.open();
    pages.add(page);
    trackingPages += 1;
  };
  // A customer closes the tracking page a little after the parcel arrived.
  const pageCloser = setInterval(() => {
    for (const page of pages) {
      if (page.view && ['DELIVERED', 'RETURNED', 'CANCELLED', 'EXPIRED'].includes(page.view.status)) {
        page.close();
        pages.delete(page);
      }
    }
  }, 5000);

  if ((await untilGreen(instance, 120_000)) === undefined) throw new Error('the cluster is not green before the load starts');
  const alerts = new AlertWatch(instance.cluster.urls.prometheus, instance.cluster.urls.alertmanager);
  alerts.start();
  const startedAt = Date.now();
  let booking = true;
  let driving = true;
  const customerLoops = customers.map((actor) => new CustomerSim(actor, plan.shape, bookings, onBooked).run(() => booking));
  const driverLoops = drivers.map((d) => d.run(() => driving));
  say(`load running: ${customers.length} customers, ${drivers.length} drivers, ${boards.length} dispatcher boards; warming up ${plan.warmupMs / 1000} s`);
  await sleep(plan.warmupMs);

  const injected: Array<{ injected: Injected; greenAt: number | undefined }> = [];
  for (const name of plan.faults) {
    const open = bookings.filter((b) => b.id && !b.settled).length;
    say(`fault ${name} (${FAULTS[name].title}) with ${open} deliveries in flight`);
    const done = await inject(instance, name);
    const greenAt = await untilGreen(instance, GREEN_TIMEOUT_MS);
    say(`  ${done.detail}; ${greenAt === undefined ? 'NOT green within 5 min' : `green ${((greenAt - done.at) / 1000).toFixed(1)} s after the fault`}`);
    injected.push({ injected: done, greenAt });
    await sleep(Math.max(done.at + plan.spacingMs - Date.now(), (greenAt ?? Date.now()) + 10_000 - Date.now(), 0));
  }

  const drainStartedAt = Date.now();
  booking = false;
  await Promise.all(customerLoops);
  say(`draining: ${bookings.filter((b) => b.id && !b.settled).length} deliveries still open`);
  while (Date.now() - drainStartedAt < plan.drainMs && bookings.some((b) => b.id && !b.settled)) await sleep(1000);
  driving = false;
  await Promise.all(driverLoops);
  // The boards' last events and refetches.
  await sleep(3000);
  const endedAt = Date.now();
  await alerts.stop();
  const boardState = boards.map((b) => ({ events: b.events.length, connected: b.connected }));
  clearInterval(pageCloser);
  for (const page of pages) page.close();
  for (const board of boards) board.close();

  say(`verifying ${bookings.length} bookings…`);
  const verdicts = await verifyDeliveries({ bookings, customers, dispatcher, temporalAddress: instance.cluster.urls.temporal, boardEvents: boards.map((b) => b.events), endedAt });
  const faults = injected.map(({ injected: inj, greenAt }, i) => recordFault(inj, injected[i + 1]?.injected.at ?? drainStartedAt, greenAt, log, verdicts.deliveries, alerts));
  const firstFault = injected[0]?.injected.at ?? drainStartedAt;
  return {
    startedAt,
    endedAt,
    plan,
    requests: log.between(startedAt, endedAt),
    faults,
    verdicts,
    alertsOutsideFaults: [...alerts.raisedBetween(0, firstFault), ...alerts.raisedBetween(drainStartedAt, Number.MAX_SAFE_INTEGER)],
    bookings: bookings.length,
    boards: boardState,
    trackingPages,
    groqCalls: instance.groq.requests.length,
  };
}
