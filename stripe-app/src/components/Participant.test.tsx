import { describe, expect, it } from 'vitest';
import { ListItem } from '@stripe/ui-extension-sdk/ui';
import { render } from '@stripe/ui-extension-sdk/testing';
import type { AppCustomerResponse, AppParticipant } from '@ui/shared';
import { textOf } from '../testing/views';
import { Participant } from './Participant';

const participant: AppParticipant = {
  id: 'p1',
  name: null,
  email: 'max@example.com',
  currency: 'kwd',
  mrr: 12500,
  ltv: 0,
  plan: 'Team',
  plan_products: ['Team', 'Add-on seats'],
  status: 'churned',
  signup_at: null,
  deleted_in_stripe: false,
  last_synced_at: null,
  last_sync_error: null,
};

// The backend returns invites once the studies module provides them: their display, from data.
describe('a participant\'s record', () => {
  it('lists interview invites with their status in words', () => {
    const customer: AppCustomerResponse = {
      customer_id: 'cus_Max',
      participant,
      segments: [],
      invites: [
        { study_name: 'Pricing interviews', status: 'completed', updated_at: '2026-11-02T09:00:00.000Z' },
        { study_name: 'Onboarding', status: 'bounced', updated_at: null },
        { study_name: 'Churn reasons', status: 'awaiting_reply', updated_at: null },
      ],
    };
    const { wrapper } = render(<Participant customer={customer} participant={participant} />);
    expect(wrapper.findAll(ListItem).map((item) => [item.prop('title'), item.prop('value')])).toEqual([
      ['Pricing interviews', 'Interview completed'],
      ['Onboarding', 'Email bounced'],
      ['Churn reasons', 'Awaiting reply'],
    ]);
    const text = textOf(wrapper);
    expect(text).toContain('max@example.com');
    expect(text).toContain('MRR KWD\u00a012.500');
    expect(text).toContain('Plan Team (also Add-on seats)');
    expect(text).toContain('Status Churned');
    expect(text).toContain('Customer since Unknown');
    expect(text).toContain('Last synced Not yet');
  });
});
