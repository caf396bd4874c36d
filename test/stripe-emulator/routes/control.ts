/**
 * /_emulator/*: JSON control routes for tests and demos driving the emulator from outside the
 * process (changes, clock, faults, webhook and OAuth switches, stats). Each maps to a function
 * of the library API, so both stay equivalent.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { withRequest } from '../events.js';
import type { EmulatorControls } from '../controls.js';

type Body = Record<string, unknown>;

function body<T = Body>(request: FastifyRequest): T {
  const value = request.body;
  return (value && typeof value === 'object' ? value : {}) as T;
}

function id(request: FastifyRequest): string {
  return (request.params as { id: string }).id;
}

export function registerControlRoutes(app: FastifyInstance, controls: EmulatorControls): void {
  const change = <T>(run: (request: FastifyRequest) => T) => async (request: FastifyRequest) => withRequest({ id: request.id }, () => run(request));

  app.get('/_emulator/accounts', async () => ({ accounts: controls.accounts() }));
  app.get('/_emulator/stats', async () => controls.stats());
  app.post('/_emulator/stats/reset', async () => {
    controls.resetStats();
    return controls.stats();
  });

  app.post('/_emulator/customers', change((request) => controls.createCustomer(body(request))));
  app.post('/_emulator/customers/:id', change((request) => controls.updateCustomer(id(request), body(request))));
  app.delete('/_emulator/customers/:id', change((request) => controls.deleteCustomer(id(request))));

  app.post('/_emulator/subscriptions', change((request) => controls.createSubscription(body(request))));
  app.post('/_emulator/subscriptions/:id', change((request) => controls.updateSubscription(id(request), body(request))));
  app.delete('/_emulator/subscriptions/:id', change((request) => controls.cancelSubscription(id(request))));
  app.post('/_emulator/subscriptions/:id/cancel', change((request) => controls.cancelSubscription(id(request))));
  app.post('/_emulator/subscriptions/:id/pause', change((request) => controls.pauseSubscription(id(request))));
  app.post('/_emulator/subscriptions/:id/resume', change((request) => controls.resumeSubscription(id(request))));

  app.post('/_emulator/products', change((request) => controls.createProduct(body(request))));
  app.post('/_emulator/prices', change((request) => controls.createPrice(body(request))));
  app.post('/_emulator/invoices', change((request) => controls.createInvoice(body(request))));
  app.post('/_emulator/invoices/:id/pay', change((request) => controls.payInvoice(id(request))));
  app.post('/_emulator/credit_notes', change((request) => controls.createCreditNote(body(request))));
  app.post('/_emulator/accounts/:id/api-version', async (request) => controls.setAccountApiVersion(body<{ apiVersion?: string }>(request).apiVersion || undefined, id(request)));
  app.post('/_emulator/accounts/:id/deauthorize', change((request) => ({ id: controls.deauthorize(id(request)).id, connected: false })));

  app.get('/_emulator/clock', async () => ({ now: controls.clock.now() }));
  app.post('/_emulator/clock', async (request) => {
    const { advance, set } = body<{ advance?: number; set?: number }>(request);
    if (typeof set === 'number') controls.clock.set(set);
    if (typeof advance === 'number') controls.clock.advance(advance);
    return { now: controls.clock.now() };
  });

  app.post('/_emulator/faults', async (request) => controls.setFaults(body(request)));
  app.post('/_emulator/rate-limit', async (request) => controls.setRateLimit(body<{ perSecond?: number }>(request).perSecond));
  app.post('/_emulator/rate-limits', async (request) => controls.setRateLimits(body(request)));
  app.post('/_emulator/oauth', async (request) => controls.setOAuth(body(request)));
  app.post('/_emulator/webhooks', async (request) => {
    const { url, secret, apiVersion, ...switches } = body<{ url?: string; secret?: string; apiVersion?: string; duplicate?: boolean; reorder?: boolean; delayMs?: number }>(request);
    if (url !== undefined) controls.setWebhookEndpoint(url && secret ? { url, secret, ...(apiVersion ? { apiVersion } : {}) } : undefined);
    return controls.setWebhookDelivery(switches);
  });
  app.post('/_emulator/webhooks/flush', async () => {
    await controls.flushWebhooks();
    return { flushed: true };
  });
}
