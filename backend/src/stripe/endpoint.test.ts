import { describe, expect, it } from 'vitest';
import { endpointOf } from './endpoint.js';

describe('endpointOf', () => {
  it('names one endpoint for every id, keeping named operations and sub-resources', () => {
    expect(endpointOf('GET', '/v1/customers?limit=100&starting_after=cus_1')).toBe('GET /v1/customers');
    expect(endpointOf('GET', '/v1/customers/cus_NffrFeUfNV2Hib')).toBe('GET /v1/customers/:id');
    expect(endpointOf('GET', '/v1/products/gold')).toBe('GET /v1/products/:id');
    expect(endpointOf('GET', '/v1/invoices/search?query=created%3E1')).toBe('GET /v1/invoices/search');
    expect(endpointOf('GET', '/v1/invoices/in_1/lines')).toBe('GET /v1/invoices/:id/lines');
    expect(endpointOf('GET', '/v1/customers/cus_1/balance_transactions/cbtxn_1')).toBe('GET /v1/customers/:id/balance_transactions/:id');
    expect(endpointOf('GET', '/v1/account')).toBe('GET /v1/account');
    expect(endpointOf('post', '/v1/oauth/token')).toBe('POST /v1/oauth/token');
  });
});
