/**
 * Finding a driver: candidates near the pickup, ranked (by score, or by the AI when asked), offered one
 * at a time until one accepts, a dispatcher assigns one, or the delivery is cancelled.
 */
import { condition, log } from '@temporalio/workflow';
import type { RankedCandidate } from '../../domain/scoring.js';
import { acts, aiActs, localActs, localReads, locallyFirst } from './activities.js';
import { SYSTEM, type Ledger } from './state.js';
import { watchDispatchSla } from './watchers.js';

export async function dispatchDriver(d: Ledger): Promise<void> {
  const { state } = d;
  const dispatching = () => state.status === 'DISPATCHING';
  void watchDispatchSla(d);
  while (dispatching()) {
    const query = {
      deliveryId: state.deliveryId,
      pickup: { lat: state.pickup.lat, lng: state.pickup.lng },
      weightKg: state.parcel.weightKg,
      priority: state.priority,
      excludeDriverIds: state.declinedDriverIds,
    };
    const candidates = await findCandidates(d, query);
    if (!dispatching()) return;
    const ranked = await rankCandidates(d, candidates);
    for (const candidate of ranked) {
      if (!dispatching()) return;
      if (state.declinedDriverIds.includes(candidate.driverId)) continue;
      await offerTo(d, candidate);
    }
    if (dispatching()) {
      if (candidates.length === 0 && !state.alerts.some((a) => a.kind === 'no_candidates')) {
        d.raiseAlert('no_candidates', 'no driver on duty with capacity near the pickup');
      }
      await d.untilChanged(d.input.timings.dispatchRetryMs);
    }
  }
}

/**
 * A read of Postgres: in the workflow task for lean deliveries (one marker instead of an activity's task).
 * In a task that answers an Update (a quote accepted, an offer declined) the answer waits for it and
 * carries the offer it leads to; should the one short try fail, the search runs as an activity and the
 * answer goes without it.
 */
async function findCandidates(d: Ledger, query: Parameters<typeof acts.findCandidates>[0]): Promise<RankedCandidate[]> {
  if (!d.lean) return acts.findCandidates(query);
  if (d.handsOverWhatFollows) {
    return d.inTurn(() => locallyFirst('the candidate search', () => d.awaitedByHandOver(() => localReads.findCandidates(query)), () => acts.findCandidates(query)));
  }
  return d.inTurn(() => locallyFirst('the candidate search', () => localActs.findCandidates(query), () => acts.findCandidates(query)));
}

async function rankCandidates(d: Ledger, candidates: RankedCandidate[]): Promise<RankedCandidate[]> {
  const { state } = d;
  if (!d.input.aiDispatch || candidates.length < 2) return candidates;
  try {
    const ranking = await aiActs.rankCandidatesWithAi({
      deliveryId: state.deliveryId,
      priority: state.priority,
      weightKg: state.parcel.weightKg,
      candidates,
    });
    d.transition('ai', SYSTEM, () => {}, { use: 'dispatch', ...ranking.record, order: ranking.driverIds, rationale: ranking.rationale, source: ranking.source });
    const byId = new Map(candidates.map((c) => [c.driverId, c]));
    return ranking.driverIds.map((id) => byId.get(id)).filter((c): c is RankedCandidate => c !== undefined);
  } catch (err) {
    log.warn('AI ranking unavailable, using the scored order', { error: String(err) });
    return candidates;
  }
}

/** Offers the delivery to one driver and waits for their answer (an Update) or the offer's expiry. */
async function offerTo(d: Ledger, candidate: RankedCandidate): Promise<void> {
  const { state } = d;
  const { offerTimeoutMs } = d.input.timings;
  const expiresAt = new Date(Date.now() + offerTimeoutMs).toISOString();
  d.transition('offer_sent', SYSTEM, () => {
    state.offer = { driverId: candidate.driverId, name: candidate.name, expiresAt };
  }, { driverId: candidate.driverId, score: candidate.score, distanceKm: candidate.distanceKm, travelMinutes: candidate.travelMinutes ?? null, estimated: candidate.estimated !== false, expiresAt });
  const answered = await condition(() => state.offer?.driverId !== candidate.driverId || state.status !== 'DISPATCHING', offerTimeoutMs);
  if (!answered) {
    d.transition('offer_expired', SYSTEM, () => {
      state.offer = null;
    }, { driverId: candidate.driverId });
  }
}
