import type Stripe from 'stripe';

export type ParticipantStatus = 'active' | 'trial' | 'churned' | 'none';

/** A: paying (or being dunned), T: trialing, C: ended or stopped. */
export type SubscriptionClass = 'A' | 'T' | 'C';

const CLASS_OF: ReadonlyMap<string, SubscriptionClass> = new Map(Object.entries({
  active: 'A',
  past_due: 'A',
  trialing: 'T',
  canceled: 'C',
  unpaid: 'C',
  incomplete_expired: 'C',
  paused: 'C',
} satisfies Record<string, SubscriptionClass>));

/** Undefined for `incomplete` (never started) and statuses Stripe may add later. */
export function subscriptionClass(subscription: Pick<Stripe.Subscription, 'status'>): SubscriptionClass | undefined {
  return CLASS_OF.get(subscription.status);
}

/** From statuses, not MRR: a free or metered-only active subscription is still an active customer. */
export function participantStatus(subscriptions: ReadonlyArray<Pick<Stripe.Subscription, 'status'>>): ParticipantStatus {
  const classes = new Set(subscriptions.map(subscriptionClass));
  if (classes.has('A')) return 'active';
  if (classes.has('T')) return 'trial';
  if (classes.has('C')) return 'churned';
  return 'none';
}
