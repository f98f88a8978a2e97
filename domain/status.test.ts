import { describe, expect, it } from 'vitest';
import { DRIVER_HELD_STATUSES, TERMINAL_STATUSES, TRANSITIONS } from './status.js';

describe('statuses that hold a driver', () => {
  const rules = Object.values(TRANSITIONS);

  it('include every status the assigned driver acts from', () => {
    const actedFrom = rules.filter((r) => r.driverBound === 'assigned').flatMap((r) => r.from);
    for (const status of actedFrom) expect(DRIVER_HELD_STATUSES).toContain(status);
  });

  it('stay held until the delivery ends: no step leads from a held status to an unheld open one', () => {
    for (const rule of rules) {
      if (rule.to === null) continue;
      for (const from of rule.from.filter((s) => DRIVER_HELD_STATUSES.includes(s))) {
        expect([...DRIVER_HELD_STATUSES, ...TERMINAL_STATUSES], `${from} → ${rule.to}`).toContain(rule.to);
      }
    }
  });

  it('leave out deliveries not yet assigned and those that ended', () => {
    for (const status of ['QUOTED', 'DISPATCHING', ...TERMINAL_STATUSES] as const) expect(DRIVER_HELD_STATUSES).not.toContain(status);
  });
});
