/** What a milestone carries onto the timeline: where it was reported, and the proof without its secrets. */
import { distanceFromStopM } from '../../domain/proof-rules.js';
import type { Stop } from '../../domain/schemas.js';
import type { ActionArgs } from '../messages.js';
import type { Ledger } from './state.js';
import type { TimelineEventType } from '../../domain/timeline.js';

/** The location's distance from its stop when it is farther than the delivery tolerates, else null. */
function farFrom(d: Ledger, stop: Stop, args: ActionArgs): number | null {
  const limit = d.input.maxStopDistanceM;
  const distanceM = limit ? distanceFromStopM(args.location, stop) : null;
  return distanceM !== null && limit && distanceM > limit ? distanceM : null;
}

function locationData(args: ActionArgs): Record<string, unknown> {
  return args.location ? { location: args.location } : {};
}

/** Timeline data of a milestone at a stop: its location, and a flag when it was far from the stop. */
export function placeData(d: Ledger, stop: Stop, args: ActionArgs): Record<string, unknown> {
  const far = farFrom(d, stop, args);
  return far === null ? locationData(args) : { ...locationData(args), farFromStopM: far };
}

/** Raised after the milestone's own transition, so the flag and the alert follow it on the timeline. */
export function alertIfFar(d: Ledger, type: TimelineEventType, stop: Stop, args: ActionArgs): void {
  const far = farFrom(d, stop, args);
  if (far !== null) d.raiseAlert('far_from_stop', `${type} reported ${far} m from ${stop.address}`);
}

/** Proof without its code hash: the timeline and the read model never carry it. */
export function keptProof(proof: ActionArgs['proof'], at: string, codeChecked: boolean) {
  const { codeHash: _hash, ...rest } = proof ?? {};
  return { ...rest, ...(codeChecked ? { otpVerified: true } : {}), at };
}
