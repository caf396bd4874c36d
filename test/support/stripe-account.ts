import Stripe from 'stripe';
import type { Emulator } from '../stripe-emulator/index.js';

/**
 * The account as Stripe's API gives it (full objects, not what we stored), subscriptions with all
 * their items: for checks of what was copied (emails, names, memberships). Expected figures never
 * come from here through the product's metric code: they are written by hand (vector-account.ts).
 */
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
