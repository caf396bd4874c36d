import { describe, expect, it } from 'vitest';
import { participantStatus, subscriptionClass } from './status.js';

const subs = (...statuses: string[]) => statuses.map((status) => ({ status }));

describe('status', () => {
  it('classifies subscriptions; incomplete and unknown statuses are ignored', () => {
    expect(subs('active', 'past_due', 'trialing', 'canceled', 'unpaid', 'incomplete_expired', 'paused', 'incomplete', 'someday').map(subscriptionClass))
      .toEqual(['A', 'A', 'T', 'C', 'C', 'C', 'C', undefined, undefined]);
  });

  it('active beats trial beats churned beats none', () => {
    expect(participantStatus(subs('canceled', 'trialing', 'past_due'))).toBe('active');
    expect(participantStatus(subs('canceled', 'trialing'))).toBe('trial');
    expect(participantStatus(subs('canceled', 'incomplete'))).toBe('churned');
    expect(participantStatus(subs('incomplete'))).toBe('none');
    expect(participantStatus([])).toBe('none');
  });
});
