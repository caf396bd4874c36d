/**
 * A Stripe account for the emulator that encodes every vector of revenue-metrics.md as the API
 * would hold it: one customer per vector (two for the "qty 6 / qty 20" and JPY rows), products,
 * prices, coupons, discounts, subscriptions, invoices and credit notes referencing each other by
 * id. Subscription items embed their price the way lists return it (tiers and currency_options
 * only come with `expand[]` on the price list), discounts are ids on subscriptions and items (the
 * backfill expands them) and a full object on the customer. Vectors 33–36 extend the table (see
 * the end of `buildVectorAccount`).
 *
 * Discount levels vary on purpose (the figures do not depend on it): vectors 15–17 are
 * subscription-level, 18 and 20 item-level, 19 customer-level.
 */
import type Stripe from 'stripe';
import type { FixtureAccount } from '../stripe-emulator/generator.js';
import {
  addInterval,
  makeCoupon,
  makeCreditNote,
  makeCustomer,
  makeDiscount,
  makeInvoice,
  makeList,
  makePrice,
  makeProduct,
  makeSubscription,
  makeSubscriptionItem,
  newId,
  randomToken,
  wireDecimal,
} from '../stripe-emulator/objects.js';

/** 2026-11-01T00:00:00Z: the account's "now". */
export const NOW = 1_793_491_200;
const DAY = 86_400;

/** What the table says a participant must show. */
export interface VectorExpectation {
  vector: string;
  mrr: number;
  ltv: number;
  status: 'active' | 'trial' | 'churned' | 'none';
  currency: string;
  /** Product name of the main item (the spec's plan rule), null without subscriptions. */
  plan: string | null;
  /** Every product of the candidate subscriptions, main plan first. */
  planProducts: string[];
}

export interface VectorAccount {
  account: FixtureAccount;
  secretKey: string;
  /** By Stripe customer id. */
  expected: Map<string, VectorExpectation>;
}

/** mulberry32: ids are Stripe-shaped yet the same on every run. */
export function seeded(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

type Tier = { up_to: number | null; unit_amount: number; flat_amount?: number | null };

interface PriceSpec {
  unit?: number | string;
  interval?: Stripe.Price.Recurring.Interval;
  count?: number;
  metered?: boolean;
  currency?: string;
  tiers?: Tier[];
  tiersMode?: Stripe.Price.TiersMode;
  transform?: Stripe.Price.TransformQuantity;
  nickname?: string;
  taxBehavior?: Stripe.Price.TaxBehavior;
  /** Amounts in other currencies (the price's `currency` is its default). */
  currencyOptions?: Record<string, number>;
}

interface ItemSpec {
  price: Stripe.Price;
  quantity?: number;
  /** Item-level discount ids. */
  discounts?: string[];
  /** Seconds after the subscription's creation (plan ties go to the older item). */
  createdOffset?: number;
}

interface SubscriptionSpec {
  items: ItemSpec[];
  status?: Stripe.Subscription.Status;
  /** Subscription-level discount ids. */
  discounts?: string[];
  /** Defaults to the first item's price currency. */
  currency?: string;
  created?: number;
  periodStart?: number;
  /** Defaults to one billing interval after the start (a trial ends earlier). */
  periodEnd?: number;
  overrides?: Partial<Stripe.Subscription>;
}

interface InvoiceSpec {
  status: Stripe.Invoice.Status;
  paid: number;
  due?: number;
  subscription?: Stripe.Subscription;
  created?: number;
  billingReason?: Stripe.Invoice.BillingReason;
}

/** The latest period boundary at or before NOW, counting from the subscription's creation. */
function currentPeriodStart(created: number, recurring: Stripe.Price.Recurring): number {
  let start = created;
  for (let next = addInterval(start, recurring.interval, recurring.interval_count); next <= NOW; next = addInterval(start, recurring.interval, recurring.interval_count)) start = next;
  return start;
}

export function buildVectorAccount(): VectorAccount {
  const rng = seeded(20_261_101);
  const id = (prefix: string) => newId(prefix, rng);
  const accountId = id('acct');
  const secretKey = randomToken('sk_test', 99, rng);
  const account: FixtureAccount = {
    id: accountId,
    api_keys: [{ key: secretKey, permissions: 'all' }],
    customers: [],
    products: [],
    prices: [],
    subscriptions: [],
    invoices: [],
    credit_notes: [],
    coupons: [],
    discounts: [],
  };
  const expected = new Map<string, VectorExpectation>();
  let clock = NOW - 700 * DAY;
  /** Strictly increasing creation times keep list order (newest first) unambiguous. */
  const tick = () => (clock += 60);

  const products = new Map<string, Stripe.Product>();
  function product(name: string): Stripe.Product {
    const existing = products.get(name);
    if (existing) return existing;
    const created = tick();
    const made = makeProduct({ id: id('prod'), created, name, description: `${name} (revenue-metrics vectors)` });
    products.set(name, made);
    account.products.push(made);
    return made;
  }

  /** The catalog price (with tiers) and the form items embed (without). */
  const embedded = new Map<string, Stripe.Price>();
  function price(productName: string, spec: PriceSpec = {}): Stripe.Price {
    const unit = spec.unit ?? 2000;
    const tiered = spec.tiers !== undefined;
    const fractional = typeof unit === 'string';
    const full = makePrice({
      id: id('price'),
      created: tick(),
      currency: spec.currency ?? 'usd',
      product: product(productName).id,
      nickname: spec.nickname ?? null,
      recurring: {
        interval: spec.interval ?? 'month',
        interval_count: spec.count ?? 1,
        meter: spec.metered ? id('mtr') : null,
        trial_period_days: null,
        usage_type: spec.metered ? 'metered' : 'licensed',
      },
      billing_scheme: tiered ? 'tiered' : 'per_unit',
      tiers_mode: tiered ? (spec.tiersMode ?? 'volume') : null,
      transform_quantity: spec.transform ?? null,
      tax_behavior: spec.taxBehavior ?? 'exclusive',
      unit_amount: tiered || fractional ? null : unit,
      unit_amount_decimal: tiered ? null : wireDecimal(unit),
    });
    if (spec.tiers) {
      full.tiers = spec.tiers.map((t) => ({
        up_to: t.up_to,
        unit_amount: t.unit_amount,
        unit_amount_decimal: wireDecimal(t.unit_amount),
        flat_amount: t.flat_amount ?? null,
        flat_amount_decimal: t.flat_amount == null ? null : wireDecimal(t.flat_amount),
      }));
    }
    if (spec.currencyOptions) {
      full.currency_options = Object.fromEntries(
        Object.entries(spec.currencyOptions).map(([currency, amount]) => [currency, { custom_unit_amount: null, tax_behavior: 'exclusive', unit_amount: amount, unit_amount_decimal: wireDecimal(amount) }]),
      );
    }
    account.prices.push(full);
    const { tiers: _onlyWhenExpanded, currency_options: _alsoOnlyWhenExpanded, ...inItems } = full;
    embedded.set(full.id, inItems as Stripe.Price);
    return full;
  }

  function coupon(code: string, fields: Partial<Stripe.Coupon> & Pick<Stripe.Coupon, 'duration'>): Stripe.Coupon {
    const made = makeCoupon({ id: code, created: tick(), times_redeemed: 1, ...fields });
    account.coupons.push(made);
    return made;
  }

  function discount(of: Stripe.Coupon, customerId: string, fields: Partial<Stripe.Discount> & { start: number }): Stripe.Discount {
    const made = makeDiscount({ id: id('di'), customer: customerId, source: { coupon: of.id, type: 'coupon' }, ...fields });
    account.discounts.push(made);
    return made;
  }

  function customer(vector: string, currency = 'usd', fields: Partial<Stripe.Customer> = {}): Stripe.Customer {
    const n = account.customers.length + 1;
    const made = makeCustomer({
      id: id('cus'),
      created: tick(),
      currency,
      email: `vector.${vector.replace(/\W+/g, '-')}@example.com`,
      name: `Vector ${vector}`,
      metadata: { vector },
      phone: `+1415555${String(1000 + n)}`,
      ...fields,
    });
    account.customers.push(made);
    return made;
  }

  function subscription(cus: Stripe.Customer, spec: SubscriptionSpec): Stripe.Subscription {
    const subId = id('sub');
    const created = spec.created ?? NOW - 100 * DAY;
    const periodStart = spec.periodStart ?? currentPeriodStart(created, spec.items[0]!.price.recurring!);
    const items = spec.items.map((item) =>
      makeSubscriptionItem({
        id: id('si'),
        created: created + (item.createdOffset ?? 0),
        current_period_start: periodStart,
        ...(spec.periodEnd !== undefined ? { current_period_end: spec.periodEnd } : {}),
        price: embedded.get(item.price.id)!,
        ...(item.price.recurring?.usage_type === 'metered' ? {} : { quantity: item.quantity ?? 1 }),
        discounts: item.discounts ?? [],
        subscription: subId,
      }),
    );
    const made = makeSubscription({
      id: subId,
      created,
      customer: cus.id,
      currency: spec.currency ?? spec.items[0]!.price.currency,
      status: spec.status ?? 'active',
      discounts: spec.discounts ?? [],
      items: makeList(items, `/v1/subscription_items?subscription=${subId}`),
      ...spec.overrides,
    });
    account.subscriptions.push(made);
    return made;
  }

  let invoiceNumber = 0;
  function invoice(cus: Stripe.Customer, spec: InvoiceSpec): Stripe.Invoice {
    const due = spec.due ?? spec.paid;
    // Recent by default: after every subscription's start, a minute apart.
    const created = spec.created ?? NOW - 20 * DAY + 60 * (account.invoices.length + 1);
    const draft = spec.status === 'draft';
    const made = makeInvoice({
      id: id('in'),
      created,
      customer: cus.id,
      customer_email: cus.email,
      customer_name: cus.name,
      currency: cus.currency ?? 'usd',
      status: spec.status,
      number: draft ? null : `${cus.invoice_prefix}-${String(++invoiceNumber).padStart(4, '0')}`,
      billing_reason: spec.billingReason ?? (spec.subscription ? 'subscription_cycle' : 'manual'),
      amount_due: due,
      amount_paid: spec.paid,
      amount_remaining: spec.status === 'void' ? 0 : due - spec.paid,
      subtotal: due,
      subtotal_excluding_tax: due,
      total: due,
      total_excluding_tax: due,
      ending_balance: draft ? null : 0,
      effective_at: draft ? null : created,
      status_transitions: {
        finalized_at: draft ? null : created + 3600,
        paid_at: spec.status === 'paid' ? created + 3700 : null,
        marked_uncollectible_at: spec.status === 'uncollectible' ? created + 20 * DAY : null,
        voided_at: spec.status === 'void' ? created + 2 * DAY : null,
      },
      parent: spec.subscription
        ? { type: 'subscription_details', quote_details: null, subscription_details: { subscription: spec.subscription.id, metadata: {} } }
        : null,
    });
    account.invoices.push(made);
    return made;
  }

  function refund(on: Stripe.Invoice, amount: number): Stripe.CreditNote {
    const cnId = id('cn');
    const made = makeCreditNote({
      id: cnId,
      created: on.created + 5 * DAY,
      customer: typeof on.customer === 'string' ? on.customer : on.customer!.id,
      currency: on.currency,
      invoice: on.id,
      number: `${on.number}-CN-01`,
      amount,
      subtotal: amount,
      subtotal_excluding_tax: amount,
      total: amount,
      total_excluding_tax: amount,
      post_payment_amount: amount,
      out_of_band_amount: null,
      reason: 'duplicate',
      status: 'issued',
      refunds: [{ amount_refunded: amount, refund: id('re'), payment_record_refund: null, type: 'refund' }],
    });
    on.post_payment_credit_notes_amount += amount;
    account.credit_notes.push(made);
    return made;
  }

  function expect(cus: Stripe.Customer, vector: string, mrr: number, ltv: number, status: VectorExpectation['status'], plan: string | null, planProducts: string[] = plan ? [plan] : []) {
    expected.set(cus.id, { vector, mrr, ltv, status, currency: cus.currency ?? 'usd', plan, planProducts });
  }

  /** A subscription of one item, for the rows that need no more. */
  function simple(vector: string, productName: string, spec: PriceSpec & { quantity?: number }, subscriptionSpec: Omit<SubscriptionSpec, 'items'> = {}, currency = 'usd') {
    const cus = customer(vector, currency);
    const sub = subscription(cus, { ...subscriptionSpec, items: [{ price: price(productName, { currency, ...spec }), quantity: spec.quantity }] });
    return { cus, sub };
  }

  // 1 active 2000/mo; 3 paid invoices of 2000
  {
    const { cus, sub } = simple('1', 'V1 Monthly', { unit: 2000 });
    for (let i = 3; i >= 1; i--) invoice(cus, { status: 'paid', paid: 2000, subscription: sub, created: NOW - i * 30 * DAY });
    expect(cus, '1', 2000, 6000, 'active', 'V1 Monthly');
  }
  // 2 active 120000/year; one paid invoice 120000
  {
    const { cus, sub } = simple('2', 'V2 Yearly', { unit: 120000, interval: 'year' });
    invoice(cus, { status: 'paid', paid: 120000, subscription: sub, billingReason: 'subscription_create' });
    expect(cus, '2', 10000, 120000, 'active', 'V2 Yearly');
  }
  // 3 30000 every 3 months; 4 240000 every 2 years; 5 1000/week; 6 100/day
  for (const [vector, name, spec, mrr] of [
    ['3', 'V3 Quarterly', { unit: 30000, interval: 'month', count: 3 }, 10000],
    ['4', 'V4 Biennial', { unit: 240000, interval: 'year', count: 2 }, 10000],
    ['5', 'V5 Weekly', { unit: 1000, interval: 'week' }, 4333],
    ['6', 'V6 Daily', { unit: 100, interval: 'day' }, 3042],
  ] as const) {
    const { cus } = simple(vector, name, spec);
    expect(cus, vector, mrr, 0, 'active', name);
  }
  // 7 1500 × quantity 10
  {
    const { cus } = simple('7', 'V7 Seats', { unit: 1500, quantity: 10 });
    expect(cus, '7', 15000, 0, 'active', 'V7 Seats');
  }
  // 8 items 5000 + 1000 × 3 (plan: the 5000 item's product)
  {
    const cus = customer('8');
    // The seats item comes first (and is older): the plan must still be the larger item's product.
    subscription(cus, { items: [{ price: price('Extra seats', { unit: 1000 }), quantity: 3 }, { price: price('Pro', { unit: 5000 }), createdOffset: 60 }] });
    expect(cus, '8', 8000, 0, 'active', 'Pro', ['Pro', 'Extra seats']);
  }
  // 9 base 2000 + a metered item; invoices paid 5500
  {
    const cus = customer('9');
    const sub = subscription(cus, { items: [{ price: price('V9 Base', { unit: 2000 }) }, { price: price('V9 API usage', { unit: 10, metered: true }) }] });
    invoice(cus, { status: 'paid', paid: 2000, subscription: sub, created: NOW - 60 * DAY, billingReason: 'subscription_create' });
    invoice(cus, { status: 'paid', paid: 3500, subscription: sub, created: NOW - 30 * DAY });
    expect(cus, '9', 2000, 5500, 'active', 'V9 Base', ['V9 Base', 'V9 API usage']);
  }
  // 10 metered only; paid 3200
  {
    const { cus, sub } = simple('10', 'V10 Metered', { unit: 10, metered: true });
    invoice(cus, { status: 'paid', paid: 3200, subscription: sub });
    expect(cus, '10', 0, 3200, 'active', 'V10 Metered');
  }
  // 11 volume tiers ≤5 @700, ≤10 @650, ∞ @600; qty 6 / qty 20 — 12 the same graduated
  const tiers: Tier[] = [
    { up_to: 5, unit_amount: 700 },
    { up_to: 10, unit_amount: 650 },
    { up_to: null, unit_amount: 600 },
  ];
  for (const [vector, mode, figures] of [
    ['11', 'volume', [[6, 3900], [20, 12000]]],
    ['12', 'graduated', [[6, 4150], [20, 12750]]],
  ] as const) {
    const name = `V${vector} Team ${mode}`;
    const tiered = price(name, { tiers, tiersMode: mode });
    for (const [quantity, mrr] of figures) {
      const label = `${vector} qty ${quantity}`;
      const cus = customer(label);
      subscription(cus, { items: [{ price: tiered, quantity }] });
      expect(cus, label, mrr, 0, 'active', name);
    }
  }
  // 13 per unit 1000, transform divide_by 10 round up, qty 25
  {
    const { cus } = simple('13', 'V13 Audience', { unit: 1000, transform: { divide_by: 10, round: 'up' }, quantity: 25 });
    expect(cus, '13', 3000, 0, 'active', 'V13 Audience');
  }
  // 14 unit_amount_decimal "0.5" × qty 1000
  {
    const { cus } = simple('14', 'V14 Half cent', { unit: '0.5', quantity: 1000 });
    expect(cus, '14', 500, 0, 'active', 'V14 Half cent');
  }

  // Discounts: coupons as the coupons list serves them, discounts by id on what they apply to.
  const forever50 = coupon('FOREVER50', { duration: 'forever', percent_off: 50, name: '50% off forever' });
  const repeating25 = coupon('REPEAT25', { duration: 'repeating', duration_in_months: 3, percent_off: 25, name: '25% off for 3 months' });
  const once100 = coupon('ONCE100', { duration: 'once', percent_off: 100, name: 'First month free' });
  const off500 = coupon('OFF500', { duration: 'forever', amount_off: 500, currency: 'usd', name: '$5 off' });
  const off3000 = coupon('OFF3000', { duration: 'forever', amount_off: 3000, currency: 'usd', name: '$30 off' });

  // 15 forever 50% (subscription level)
  {
    const cus = customer('15');
    const created = NOW - 100 * DAY;
    const d = discount(forever50, cus.id, { start: created, end: null });
    const sub = subscription(cus, { created, discounts: [d.id], items: [{ price: price('V15 Monthly', { unit: 2000 }) }] });
    d.subscription = sub.id;
    expect(cus, '15', 1000, 0, 'active', 'V15 Monthly');
  }
  // 16 repeating 25%, end after current_period_start (subscription level)
  {
    const cus = customer('16');
    const created = NOW - 40 * DAY;
    const d = discount(repeating25, cus.id, { start: created, end: addInterval(created, 'month', 3) });
    const sub = subscription(cus, { created, discounts: [d.id], items: [{ price: price('V16 Monthly', { unit: 2000 }) }] });
    d.subscription = sub.id;
    if (!(d.end! > sub.items.data[0]!.current_period_start)) throw new Error('vector 16 needs a discount ending after the period start');
    expect(cus, '16', 1500, 0, 'active', 'V16 Monthly');
  }
  // 17 repeating 25%, end before current_period_start (subscription level)
  {
    const cus = customer('17');
    const created = NOW - 130 * DAY;
    const d = discount(repeating25, cus.id, { start: created, end: addInterval(created, 'month', 3) });
    const sub = subscription(cus, { created, discounts: [d.id], items: [{ price: price('V17 Monthly', { unit: 2000 }) }] });
    d.subscription = sub.id;
    if (!(d.end! < sub.items.data[0]!.current_period_start)) throw new Error('vector 17 needs a discount ending before the period start');
    expect(cus, '17', 2000, 0, 'active', 'V17 Monthly');
  }
  // 18 once 100% (item level)
  {
    const cus = customer('18');
    const created = NOW - 100 * DAY;
    const d = discount(once100, cus.id, { start: created, end: null });
    const sub = subscription(cus, { created, items: [{ price: price('V18 Monthly', { unit: 2000 }), discounts: [d.id] }] });
    Object.assign(d, { subscription: sub.id, subscription_item: sub.items.data[0]!.id });
    expect(cus, '18', 2000, 0, 'active', 'V18 Monthly');
  }
  // 19 forever amount_off 500 (customer level: the subscription has no discounts of its own)
  {
    const created = NOW - 100 * DAY;
    const cus = customer('19');
    const d = discount(off500, cus.id, { start: created - DAY, end: null });
    cus.discount = d;
    subscription(cus, { created, items: [{ price: price('V19 Monthly', { unit: 2000 }) }] });
    expect(cus, '19', 1500, 0, 'active', 'V19 Monthly');
  }
  // 20 forever amount_off 3000 (item level): never below 0
  {
    const cus = customer('20');
    const created = NOW - 100 * DAY;
    const d = discount(off3000, cus.id, { start: created, end: null });
    const sub = subscription(cus, { created, items: [{ price: price('V20 Monthly', { unit: 2000 }), discounts: [d.id] }] });
    Object.assign(d, { subscription: sub.id, subscription_item: sub.items.data[0]!.id });
    expect(cus, '20', 0, 0, 'active', 'V20 Monthly');
  }
  // 21 trialing 5000; a $0 trial invoice
  {
    const trialStart = NOW - 5 * DAY;
    const { cus, sub } = simple(
      '21',
      'V21 Trial',
      { unit: 5000 },
      { status: 'trialing', created: trialStart, periodStart: trialStart, periodEnd: trialStart + 14 * DAY, overrides: { trial_start: trialStart, trial_end: trialStart + 14 * DAY } },
    );
    invoice(cus, { status: 'paid', paid: 0, subscription: sub, created: trialStart, billingReason: 'subscription_create' });
    expect(cus, '21', 0, 0, 'trial', 'V21 Trial');
  }
  // 22 past_due 2000; one paid 2000, one open 0
  {
    const { cus, sub } = simple('22', 'V22 Monthly', { unit: 2000 }, { status: 'past_due' });
    invoice(cus, { status: 'paid', paid: 2000, subscription: sub, created: NOW - 40 * DAY });
    invoice(cus, { status: 'open', paid: 0, due: 2000, subscription: sub, created: NOW - 10 * DAY });
    expect(cus, '22', 2000, 2000, 'active', 'V22 Monthly');
  }
  // 23 unpaid 2000; two paid 2000
  {
    const { cus, sub } = simple('23', 'V23 Monthly', { unit: 2000 }, { status: 'unpaid' });
    invoice(cus, { status: 'paid', paid: 2000, subscription: sub, created: NOW - 70 * DAY });
    invoice(cus, { status: 'paid', paid: 2000, subscription: sub, created: NOW - 40 * DAY });
    expect(cus, '23', 0, 4000, 'churned', 'V23 Monthly');
  }
  // 24 active, cancel_at_period_end
  {
    const created = NOW - 100 * DAY;
    const periodEnd = addInterval(currentPeriodStart(created, { interval: 'month', interval_count: 1, meter: null, trial_period_days: null, usage_type: 'licensed' }), 'month');
    const { cus } = simple('24', 'V24 Monthly', { unit: 2000 }, { created, overrides: { cancel_at_period_end: true, cancel_at: periodEnd, canceled_at: NOW - 2 * DAY } });
    expect(cus, '24', 2000, 0, 'active', 'V24 Monthly');
  }
  // 25 only incomplete_expired (its first invoice was never paid and got voided)
  {
    const created = NOW - 50 * DAY;
    const { cus, sub } = simple('25', 'V25 Monthly', { unit: 2000 }, { status: 'incomplete_expired', created, periodStart: created, overrides: { ended_at: created + DAY } });
    invoice(cus, { status: 'void', paid: 0, due: 2000, subscription: sub, created, billingReason: 'subscription_create' });
    expect(cus, '25', 0, 0, 'churned', 'V25 Monthly');
  }
  // 26 active with pause_collection
  {
    const { cus } = simple('26', 'V26 Monthly', { unit: 2000 }, { overrides: { pause_collection: { behavior: 'void', resumes_at: null } } });
    expect(cus, '26', 0, 0, 'active', 'V26 Monthly');
  }
  // 27 no subscription; one-off invoice paid 5000
  {
    const cus = customer('27');
    invoice(cus, { status: 'paid', paid: 5000 });
    expect(cus, '27', 0, 5000, 'none', null);
  }
  // 28 paid 2000 + paid 2000 refunded in full by a credit note
  {
    const cus = customer('28');
    invoice(cus, { status: 'paid', paid: 2000, created: NOW - 60 * DAY });
    refund(invoice(cus, { status: 'paid', paid: 2000, created: NOW - 30 * DAY }), 2000);
    expect(cus, '28', 0, 2000, 'none', null);
  }
  // 29 invoices: paid 1000, open partially paid 300, uncollectible partially paid 200, void, draft
  {
    const cus = customer('29');
    invoice(cus, { status: 'paid', paid: 1000 });
    invoice(cus, { status: 'open', paid: 300, due: 1000 });
    invoice(cus, { status: 'uncollectible', paid: 200, due: 1000 });
    invoice(cus, { status: 'void', paid: 0, due: 1000 });
    invoice(cus, { status: 'draft', paid: 0, due: 1000 });
    expect(cus, '29', 0, 1500, 'none', null);
  }
  // 30 JPY 1000/month; JPY 1000/week
  {
    const monthly = simple('30 monthly', 'V30 JPY monthly', { unit: 1000 }, {}, 'jpy');
    expect(monthly.cus, '30 monthly', 1000, 0, 'active', 'V30 JPY monthly');
    const weekly = simple('30 weekly', 'V30 JPY weekly', { unit: 1000, interval: 'week' }, {}, 'jpy');
    expect(weekly.cus, '30 weekly', 4333, 0, 'active', 'V30 JPY weekly');
  }
  // 31 three items of 1000/week (ties on amount: the older item is the plan)
  {
    const cus = customer('31');
    const names = ['V31 Digest A', 'V31 Digest B', 'V31 Digest C'];
    subscription(cus, { items: names.map((name, i) => ({ price: price(name, { unit: 1000, interval: 'week' }), createdOffset: i })) });
    expect(cus, '31', 13000, 0, 'active', names[0]!, names);
  }
  // 32 1001 every 2 months
  {
    const { cus } = simple('32', 'V32 Bimonthly', { unit: 1001, count: 2 });
    expect(cus, '32', 501, 0, 'active', 'V32 Bimonthly');
  }

  // Beyond the table: figures that come out right only when the sync expands what Stripe includes
  // on request (a coupon's applies_to, a price's currency_options and tiers). Written by hand.

  // 33 forever 20% restricted to one product, on a subscription of that product 5000 + another 3000
  // (subscription level): 5000 × 0.8 + 3000 = 7000 (applied to both items it would be 6400)
  {
    const cus = customer('33');
    const created = NOW - 100 * DAY;
    const restricted = coupon('PRO20ONLY', { duration: 'forever', percent_off: 20, name: '20% off V33 Pro only', applies_to: { products: [product('V33 Pro').id] } });
    const d = discount(restricted, cus.id, { start: created, end: null });
    const sub = subscription(cus, { created, discounts: [d.id], items: [{ price: price('V33 Pro', { unit: 5000 }) }, { price: price('V33 Add-on', { unit: 3000 }), createdOffset: 60 }] });
    d.subscription = sub.id;
    expect(cus, '33', 7000, 0, 'active', 'V33 Pro', ['V33 Pro', 'V33 Add-on']);
  }
  // 34 a price of 2000 USD with a currency option of 1800 EUR, subscribed to in EUR: 1800 (EUR)
  // (without currency_options the price has no amount in EUR: 0)
  {
    const cus = customer('34', 'eur');
    subscription(cus, { currency: 'eur', items: [{ price: price('V34 Multi-currency', { unit: 2000, currency: 'usd', currencyOptions: { eur: 1800 } }) }] });
    expect(cus, '34', 1800, 0, 'active', 'V34 Multi-currency');
  }
  // 35 graduated tiers ≤10 @500 plus a flat 1000, ∞ @400; qty 15: 1000 + 10 × 500 + 5 × 400 = 8000
  // (without tiers a tiered price cannot be valued: 0)
  {
    const cus = customer('35');
    const tiered = price('V35 Graduated with flat fee', { tiers: [{ up_to: 10, unit_amount: 500, flat_amount: 1000 }, { up_to: null, unit_amount: 400 }], tiersMode: 'graduated' });
    subscription(cus, { items: [{ price: tiered, quantity: 15 }] });
    expect(cus, '35', 8000, 0, 'active', 'V35 Graduated with flat fee');
  }

  // 36 an inclusive price of 2400 with the subscription's default tax rate of 20% inclusive (no
  // rates on the item): 2400 / 1.2 = 2000 (a sync that drops default_tax_rates would show 2400)
  {
    const cus = customer('36');
    const vat: Stripe.TaxRate = {
      id: id('txr'),
      object: 'tax_rate',
      active: true,
      country: 'DE',
      created: tick(),
      description: 'VAT Germany',
      display_name: 'VAT',
      effective_percentage: 20,
      flat_amount: null,
      inclusive: true,
      jurisdiction: 'DE',
      jurisdiction_level: null,
      livemode: false,
      metadata: {},
      percentage: 20,
      rate_type: 'percentage',
      state: null,
      tax_type: 'vat',
    };
    subscription(cus, { items: [{ price: price('V36 Tax inclusive', { unit: 2400, taxBehavior: 'inclusive' }) }], overrides: { default_tax_rates: [vat] } });
    expect(cus, '36', 2000, 0, 'active', 'V36 Tax inclusive');
  }

  return { account, secretKey, expected };
}
