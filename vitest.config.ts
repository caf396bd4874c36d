import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['backend/src/**/*.test.ts', 'shared/src/**/*.test.ts', 'test/**/*.test.ts', 'stripe-app/src/**/*.test.{ts,tsx}'],
    globals: true,
    testTimeout: 30_000,
    hookTimeout: 60_000,
  },
});
