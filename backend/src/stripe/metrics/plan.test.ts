import type Stripe from 'stripe';
import { describe, expect, it } from 'vitest';
import { planCandidates, planLabel } from './plan.js';
import {
  T0,
  discount,
  item,
  percentOff,
  price,
  product,
  simple,
  subscription,
  participantInput,
  type MetricsSpec,
} from '../../../../test/support/metrics-builders.js';
import { computeParticipantMetrics } from './index.js';
/** The rules under test, over a participant's objects (figures expected below are written by hand). */
const metricsOf = (spec?: MetricsSpec) => computeParticipantMetrics(participantInput(spec));

const DAY = 86_400;

describe('plan', () => {
  it('picks the largest normalized item before discounts; metered items count 0', () => {
    const yearly = product('Yearly');
    const monthly = product('Monthly');
    const metered = product('API calls');
    const subs = [
      subscription([item(price({ unit: 100000, product: metered, usage: 'metered' })), item(price({ unit: 1500, product: monthly }))]),
      simple({ unit: 12000 * 1.5 - 1, interval: 'year', product: yearly }),
    ];
    expect(metricsOf({ subscriptions: subs, products: [yearly, monthly, metered] }).plan).toBe('Monthly');
    const discounted = simple({ unit: 5000, product: yearly }, { discounts: [discount(percentOff(100))] });
    expect(metricsOf({ subscriptions: [discounted, simple({ unit: 1000, product: monthly })], products: [yearly, monthly] }).plan).toBe('Yearly');
  });

  it('breaks ties by subscription created, then item created, then item id', () => {
    const a = product('A');
    const b = product('B');
    const older = simple({ unit: 2000, product: b }, { created: T0 - 200 * DAY });
    const newer = simple({ unit: 2000, product: a }, { created: T0 - 100 * DAY });
    expect(metricsOf({ subscriptions: [newer, older], products: [a, b] }).plan).toBe('B');
    const byItemCreated = subscription([item(price({ unit: 2000, product: a }), { created: 20 }), item(price({ unit: 2000, product: b }), { created: 10 })]);
    expect(metricsOf({ subscriptions: [byItemCreated], products: [a, b] }).plan).toBe('B');
    const byItemId = subscription([item(price({ unit: 2000, product: b }), { created: 10, id: 'si_b' }), item(price({ unit: 2000, product: a }), { created: 10, id: 'si_a' })]);
    expect(metricsOf({ subscriptions: [byItemId], products: [a, b] }).plan).toBe('A');
  });

  it('names the product, else the price nickname, else the price id', () => {
    const named = product('Team');
    const products = new Map([[named.id, named]]);
    expect(planLabel(price({ product: named.id, nickname: 'team-monthly' }), products)).toBe('Team');
    expect(planLabel(price({ product: named }), new Map())).toBe('Team');
    expect(planLabel(price({ product: 'prod_unknown', nickname: 'team-monthly' }), products)).toBe('team-monthly');
    const bare = price({ product: 'prod_unknown' });
    expect(planLabel(bare, products)).toBe(bare.id);
    const deleted: Stripe.DeletedProduct = { id: 'prod_gone', object: 'product', deleted: true };
    expect(planLabel({ ...price({ nickname: 'legacy' }), product: deleted }, products)).toBe('legacy');
  });

  it('candidates: the active ones, else the trialing ones, else the one that ended last', () => {
    const active = simple({}, { status: 'past_due' });
    const trialing = simple({}, { status: 'trialing' });
    const endedEarly = simple({}, { status: 'canceled', ended_at: T0 - 50 * DAY });
    const endedLate = simple({}, { status: 'canceled', ended_at: T0 - 5 * DAY });
    const incomplete = simple({}, { status: 'incomplete' });
    expect(planCandidates([endedLate, trialing, active, incomplete])).toEqual([active]);
    expect(planCandidates([endedLate, trialing, incomplete])).toEqual([trialing]);
    expect(planCandidates([endedEarly, endedLate, incomplete])).toEqual([endedLate]);
    const sameEnd = { status: 'canceled', ended_at: T0 - 5 * DAY, created: T0 - 9 * DAY } as const;
    const [first, second] = [simple({}, { ...sameEnd, id: 'sub_a' }), simple({}, { ...sameEnd, id: 'sub_b' })];
    expect(planCandidates([first, second])).toEqual([second]);
    expect(planCandidates([second, first])).toEqual([second]);
    const unpaid = simple({}, { status: 'unpaid' });
    expect(planCandidates([endedLate, unpaid])).toEqual([unpaid]);
    expect(planCandidates([incomplete])).toEqual([]);
  });

  it('a churned participant keeps the plan of the subscription that ended last', () => {
    const old = product('Old');
    const last = product('Last');
    const subs = [
      simple({ unit: 9000, product: old }, { status: 'canceled', ended_at: T0 - 300 * DAY }),
      simple({ unit: 1000, product: last }, { status: 'canceled', ended_at: T0 - 3 * DAY }),
    ];
    expect(metricsOf({ subscriptions: subs, products: [old, last] })).toMatchObject({ status: 'churned', plan: 'Last', planProducts: ['Last'] });
  });

  it('lists every product when the candidates span several, main plan first', () => {
    const base = product('Base');
    const addon = product('Add-on');
    const other = product('Other');
    const subs = [
      subscription([item(price({ unit: 1000, product: addon })), item(price({ unit: 5000, product: base }))]),
      simple({ unit: 2000, product: other }),
      simple({ unit: 99999, product: product('Trial only') }, { status: 'trialing' }),
    ];
    expect(metricsOf({ subscriptions: subs, products: [base, addon, other] })).toMatchObject({ plan: 'Base', planProducts: ['Base', 'Other', 'Add-on'] });
    expect(metricsOf({ subscriptions: [simple({ unit: 1, product: base })], products: [base] }).planProducts).toEqual(['Base']);
  });

  it('a trialing participant has the trial’s plan', () => {
    const pro = product('Pro');
    expect(metricsOf({ subscriptions: [simple({ unit: 5000, product: pro }, { status: 'trialing' })], products: [pro] })).toMatchObject({ status: 'trial', plan: 'Pro', mrr: 0 });
  });
});

describe('signup date', () => {
  it("is the customer's created", () => {
    expect(metricsOf().signupAt).toEqual(new Date((T0 - 365 * DAY) * 1000));
  });
});
