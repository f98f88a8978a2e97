import { describe, expect, it } from 'vitest';
import { clearedCause, severityOf } from './alerts.js';

describe('alerts', () => {
  it('clear when their cause does', () => {
    expect(clearedCause('no_candidates', { status: 'DISPATCHING' })).toBeNull();
    expect(clearedCause('no_candidates', { status: 'ASSIGNED' })).toBe('driver assigned');
    expect(clearedCause('pickup_late', { status: 'AT_PICKUP' })).toBeNull();
    expect(clearedCause('pickup_late', { status: 'IN_TRANSIT' })).toBe('picked up');
    expect(clearedCause('delivery_code_locked', { status: 'AT_DROPOFF' })).toBeNull();
    expect(clearedCause('delivery_code_locked', { status: 'AT_DROPOFF', codeOverride: { by: 'Dana', reason: 'ID shown' } })).toBe('dispatcher override');
    expect(clearedCause('window_missed', { status: 'DELIVERED' })).toBe('delivered');
    expect(clearedCause('some_future_kind', { status: 'CANCELLED' })).toBe('cancelled');
  });

  it('keep a flag on what a driver did until someone acknowledges it', () => {
    expect(clearedCause('far_from_stop', { status: 'DELIVERED' })).toBeNull();
  });

  it('rank the ones that stop a delivery first', () => {
    expect(severityOf('window_missed')).toBe('critical');
    expect(severityOf('far_from_stop')).toBe('info');
    expect(severityOf('activity_failed')).toBe('warning');
  });
});
