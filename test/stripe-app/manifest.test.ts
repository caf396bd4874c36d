import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv } from 'ajv';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../support/processes.js';

const SCHEMA_DIR = join(ROOT, '../shared/stripe-reference');
const readJson = (path: string) => JSON.parse(readFileSync(path, 'utf8'));
const manifest = readJson(join(ROOT, 'stripe-app.json'));

describe('stripe-app.json', () => {
  it('validates against Stripe\'s manifest schema', () => {
    const ajv = new Ajv({ allErrors: true, strict: false });
    const validate = ajv.compile(readJson(join(SCHEMA_DIR, 'stripe-app.schema.json')));
    const valid = validate(manifest);
    expect(validate.errors ?? []).toEqual([]);
    expect(valid).toBe(true);
  });

  it('is a public OAuth app whose name Stripe would accept', () => {
    expect(manifest).toMatchObject({ stripe_api_access_type: 'oauth', distribution_type: 'public' });
    expect(manifest.allowed_redirect_uris[0]).toMatch(/\/connect\/stripe\/callback$/);
    expect(manifest.name).not.toMatch(/stripe|app|free|paid/i);
  });

  it('asks for every read permission the sync needs, each with a purpose', () => {
    const permissions = manifest.permissions.map((p: { permission: string }) => p.permission);
    expect(permissions).toEqual(
      expect.arrayContaining(['customer_read', 'subscription_read', 'invoice_read', 'product_read', 'plan_read', 'coupon_read', 'credit_note_read', 'event_read']),
    );
    for (const p of manifest.permissions) expect(p.purpose.length).toBeGreaterThan(20);
  });

  it('names only view components that exist', () => {
    for (const view of manifest.ui_extension.views) {
      expect(existsSync(join(ROOT, 'stripe-app/src/views', `${view.component}.tsx`))).toBe(true);
    }
  });
});
