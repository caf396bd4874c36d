/**
 * Every backend route the views call, relative to the backend's origin. The manifest test checks
 * that connect-src covers each of them and the backend tests that each one exists and is signed.
 */
export const BACKEND_PREFIX = '/stripe-app';

const customer = (id: string) => `${BACKEND_PREFIX}/customers/${encodeURIComponent(id)}`;

export const backendPaths = {
  connection: () => `${BACKEND_PREFIX}/connection`,
  segments: () => `${BACKEND_PREFIX}/segments`,
  sync: () => `${BACKEND_PREFIX}/sync`,
  disconnect: () => `${BACKEND_PREFIX}/disconnect`,
  customer,
  customerSync: (id: string) => `${customer(id)}/sync`,
} as const;

/** Each path, with `customerId` standing in for the customer the view shows. */
export const everyBackendPath = (customerId = 'cus_Example'): string[] => Object.values(backendPaths).map((path) => path(customerId));
