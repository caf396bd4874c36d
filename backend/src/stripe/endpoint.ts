/**
 * The endpoint a request counts against at Stripe: each named operation is one
 * (docs.stripe.com/rate-limits), so `GET /v1/customers/cus_1` and `GET /v1/customers/cus_2` are
 * both `GET /v1/customers/:id`. Paths alternate collections and ids (`/v1/invoices/:id/lines`),
 * except the named operations on a collection (`/v1/invoices/search`, `/v1/oauth/token`) and singletons (`/v1/account`).
 */
const OPERATIONS_ON_COLLECTIONS = new Set(['search', 'upcoming', 'token']);

export function endpointOf(method: string, path: string): string {
  const [version, ...segments] = (path.split('?')[0] ?? '').split('/').filter(Boolean);
  const named = segments.map((segment, i) => (i % 2 === 1 && !OPERATIONS_ON_COLLECTIONS.has(segment) ? ':id' : segment));
  return `${method.toUpperCase()} /${[version, ...named].join('/')}`;
}
