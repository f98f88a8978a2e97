/**
 * The dispatcher assistant without a model: the common questions (late, waiting for a driver, drivers
 * on duty, counts by status) answered from the same snapshot the model would get.
 */
import { DELIVERY_STATUSES, TERMINAL_STATUSES, type DeliveryStatus } from '../../domain/status.js';
import type { OperationsSnapshot, SnapshotDelivery, SnapshotDriver } from '../../db/operations-snapshot.js';

type Topic = 'late' | 'unassigned' | 'drivers' | 'counts';

const TOPICS: [Topic, RegExp][] = [
  ['late', /\b(?:late|delay(?:s|ed)?|overdue|behind|miss(?:ed|ing)?\b.*\b(?:promise|deadline)|sla)\b/i],
  ['unassigned', /\b(?:unassigned|not (?:yet )?assigned|no driver|without (?:a )?driver|waiting|dispatch(?:ing)?|queue[ds]?|pending)\b/i],
  ['drivers', /\b(?:drivers?|couriers?|on duty|available|free|idle|busy|capacity|fleet)\b/i],
  ['counts', /\b(?:how many|count|number of|status(?:es)?|summary|overview|totals?|today|how (?:are|is) (?:we|it|things))\b/i],
];

/** Words people use for a status; the rest are read from the status names themselves. */
const STATUS_WORDS: [RegExp, DeliveryStatus][] = [
  [/\bin transit\b|\bon the (?:way|road)\b/i, 'IN_TRANSIT'],
  [/\bfailed attempts?\b|\battempt(?:s)? failed\b/i, 'ATTEMPT_FAILED'],
  [/\bat (?:the )?pick-?up\b/i, 'AT_PICKUP'],
  [/\bat (?:the )?drop-?off\b/i, 'AT_DROPOFF'],
  [/\bcancel(?:l)?ed\b|\bcancellations?\b/i, 'CANCELLED'],
  ...DELIVERY_STATUSES.map((s): [RegExp, DeliveryStatus] => [new RegExp(`\\b${s.toLowerCase().replace(/_/g, ' ')}\\b`, 'i'), s]),
];

const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;
const clock = (iso: string | null) => (iso ? `${iso.slice(11, 16)} UTC` : 'no time set');
const more = (total: number, shown: number) => (total > shown ? `, and ${total - shown} more` : '');

function deliveryLine(d: SnapshotDelivery, what: 'late' | 'waiting'): string {
  if (what === 'late') return `${d.trackingCode} (${d.status}, ${d.driverName ?? 'no driver'}, promised by ${clock(d.promisedBy)})`;
  return `${d.trackingCode} (${d.priority}, waiting since ${clock(d.createdAt)}, pickup ${d.pickup})`;
}

function driverLine(d: SnapshotDriver): string {
  return `${d.name} (${plural(d.activeDeliveries, 'active delivery', 'active deliveries')}, ${Math.round(d.loadKg * 10) / 10} of ${d.capacityKg} kg)`;
}

function lateAnswer(s: OperationsSnapshot): string {
  if (s.late.total === 0) return 'No open delivery is late.';
  const shown = s.late.items.slice(0, 5);
  return `${plural(s.late.total, 'delivery is', 'deliveries are')} late: ${shown.map((d) => deliveryLine(d, 'late')).join('; ')}${more(s.late.total, shown.length)}.`;
}

function unassignedAnswer(s: OperationsSnapshot): string {
  if (s.unassigned.total === 0) return 'No delivery is waiting for a driver.';
  const shown = s.unassigned.items.slice(0, 5);
  const verb = s.unassigned.total === 1 ? 'is' : 'are';
  return `${plural(s.unassigned.total, 'delivery', 'deliveries')} ${verb} waiting for a driver: ${shown.map((d) => deliveryLine(d, 'waiting')).join('; ')}${more(s.unassigned.total, shown.length)}.`;
}

function driversAnswer(s: OperationsSnapshot, question: string): string {
  const { total, items } = s.driversOnDuty;
  if (total === 0) return 'No driver is on duty.';
  if (/\b(?:available|free|idle)\b/i.test(question)) {
    const idle = items.filter((d) => d.activeDeliveries === 0);
    if (idle.length === 0) return `${plural(total, 'driver is', 'drivers are')} on duty and all of them are carrying deliveries.`;
    return `${plural(idle.length, 'driver', 'drivers')} on duty with nothing to carry: ${idle.slice(0, 8).map((d) => d.name).join(', ')}${more(idle.length, Math.min(idle.length, 8))}.`;
  }
  const shown = items.slice(0, 8);
  return `${plural(total, 'driver', 'drivers')} on duty: ${shown.map(driverLine).join('; ')}${more(total, shown.length)}.`;
}

function countsAnswer(s: OperationsSnapshot, only?: DeliveryStatus): string {
  const counts = s.countsByStatus;
  if (only) {
    const n = counts[only] ?? 0;
    const scope = TERMINAL_STATUSES.includes(only) ? ' in the last 24 hours' : ' right now';
    return `${plural(n, 'delivery', 'deliveries')} ${TERMINAL_STATUSES.includes(only) ? 'reached' : n === 1 ? 'is' : 'are'} ${only}${scope}.`;
  }
  const list = (statuses: readonly DeliveryStatus[]) =>
    statuses.filter((st) => (counts[st] ?? 0) > 0).map((st) => `${st} ${counts[st]}`).join(', ') || 'none';
  const open = DELIVERY_STATUSES.filter((st) => !TERMINAL_STATUSES.includes(st));
  return `Open deliveries: ${list(open)}. Finished in the last 24 hours: ${list(TERMINAL_STATUSES)}.`;
}

export function answerFromSnapshot(question: string, snapshot: OperationsSnapshot): string {
  const status = STATUS_WORDS.find(([pattern]) => pattern.test(question))?.[1];
  const topics = new Set(TOPICS.filter(([, pattern]) => pattern.test(question)).map(([topic]) => topic));
  if (status === 'DISPATCHING') topics.add('unassigned');
  const parts: string[] = [];
  // A named status ("how many in transit?") is a count question even without "how many".
  if (status && status !== 'DISPATCHING') parts.push(countsAnswer(snapshot, status));
  if (topics.has('late')) parts.push(lateAnswer(snapshot));
  if (topics.has('unassigned')) parts.push(unassignedAnswer(snapshot));
  if (topics.has('drivers')) parts.push(driversAnswer(snapshot, question));
  if (topics.has('counts') && parts.length === 0) parts.push(countsAnswer(snapshot));
  if (parts.length > 0) return parts.join(' ');
  return (
    `${countsAnswer(snapshot)} ${lateAnswer(snapshot)} ${unassignedAnswer(snapshot)} ` +
    'Without the language model I can answer about late deliveries, deliveries waiting for a driver, drivers on duty and counts by status.'
  );
}
