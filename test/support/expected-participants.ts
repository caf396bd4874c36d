import Stripe from 'stripe';
import { computeParticipantMetrics } from '@ui/backend/src/stripe/metrics/index.js';
import type { Emulator } from '../stripe-emulator/index.js';

/** The account as Stripe's API gives it (full objects, not what we stored), subscriptions with all their items. */
export async function stripeAccount(emulator: Emulator, secretKey: string) {
  const stripe = new Stripe(secretKey, { host: '127.0.0.1', port: emulator.port, protocol: 'http' });
  const all = async <T>(list: Stripe.ApiListPromise<T>) => {
    const objects: T[] = [];
    for await (const object of list) objects.push(object);
    return objects;
  };
  const [customers, subscriptions, invoices, creditNotes, products, prices, coupons] = await Promise.all([
    all(stripe.customers.list({ limit: 100 })),
    all(stripe.subscriptions.list({ limit: 100, status: 'all', expand: ['data.discounts', 'data.items.data.discounts'] })),
    all(stripe.invoices.list({ limit: 100 })),
    all(stripe.creditNotes.list({ limit: 100 })),
    all(stripe.products.list({ limit: 100 })),
    // Fields Stripe includes only on request, as a faithful reader must ask for them.
    all(stripe.prices.list({ limit: 100, expand: ['data.tiers', 'data.currency_options'] })),
    all(stripe.coupons.list({ limit: 100, expand: ['data.applies_to', 'data.currency_options'] })),
  ]);
  const priceById = new Map(prices.map((p) => [p.id, p]));
  const full = await Promise.all(
    subscriptions.map(async (s) => {
      const items = s.items.has_more ? await all(stripe.subscriptionItems.list({ subscription: s.id, limit: 100 })) : s.items.data;
      return { ...s, items: { ...s.items, data: items.map((i) => ({ ...i, price: priceById.get(i.price.id) ?? i.price })) } };
    }),
  );
  return { customers, subscriptions: full, invoices, creditNotes, products, coupons };
}

export const customerOf = (o: { customer: unknown }) => (typeof o.customer === 'string' ? o.customer : (o.customer as { id: string }).id);

/** Each customer and the figures the metric rules give for it, computed from Stripe's full objects. */
export async function expectedParticipants(emulator: Emulator, secretKey: string, creditNotesAvailable = true) {
  const { customers, subscriptions, invoices, creditNotes, products, coupons } = await stripeAccount(emulator, secretKey);
  const byCustomer = <T extends { customer: unknown }>(list: T[]) => {
    const groups = new Map<string, T[]>();
    for (const o of list) {
      const group = groups.get(customerOf(o)) ?? [];
      group.push(o);
      groups.set(customerOf(o), group);
    }
    return (id: string) => groups.get(id) ?? [];
  };
  const [subscriptionsOf, invoicesOf, creditNotesOf] = [byCustomer(subscriptions), byCustomer(invoices), byCustomer(creditNotes)];
  const productMap = new Map(products.map((p) => [p.id, p]));
  const couponMap = new Map(coupons.map((c) => [c.id, c]));
  return new Map(
    customers.map((customer) => [
      customer.id,
      {
        customer,
        metrics: computeParticipantMetrics({
          customer,
          subscriptions: subscriptionsOf(customer.id),
          invoices: invoicesOf(customer.id),
          creditNotes: creditNotesOf(customer.id),
          products: productMap,
          coupons: couponMap,
          creditNotesAvailable,
        }),
      },
    ]),
  );
}
