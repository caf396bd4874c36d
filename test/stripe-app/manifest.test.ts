import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv, type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import { describe, expect, it } from 'vitest';
import { everyBackendPath } from '../../stripe-app/src/api/paths.js';
import { APP_DIR, assembleManifest, problemsOf } from '../../stripe-app/scripts/assemble.mjs';
import { drawIcon } from '../../stripe-app/scripts/make-icon.mjs';
import { ROOT } from '../support/processes.js';

const SCHEMA_DIR = join(ROOT, 'vendor/stripe-reference');
const readJson = (path: string) => JSON.parse(readFileSync(path, 'utf8'));
const manifest = readJson(join(ROOT, 'stripe-app.json'));
const devManifest = readJson(join(ROOT, 'stripe-app.dev.json'));

const ajv = new Ajv({ allErrors: true, strict: false });
addFormats.default(ajv);
ajv.addSchema(readJson(join(SCHEMA_DIR, 'stripe-app.schema.json')));
ajv.addSchema(readJson(join(SCHEMA_DIR, 'stripe-app-local.schema.json')));
const validateManifest = ajv.getSchema('https://stripe.com/stripe-app.schema.json') as ValidateFunction;
const validateLocal = ajv.getSchema('https://stripe.com/stripe-app-local.schema.json') as ValidateFunction;

const VIEWPORTS = ['settings', 'stripe.dashboard.drawer.default', 'stripe.dashboard.customer.detail'];

/** A connect-src entry ending in `/` allows everything under it; otherwise only itself. */
const covers = (allowed: string[], url: string) => allowed.some((entry) => (entry.endsWith('/') ? url.startsWith(entry) : url === entry));

/** Every URL a view calls: the manifest's API_BASE constant (what the views read) plus each route. */
const urlsCalledBy = (m: { constants?: { API_BASE?: string } }) => everyBackendPath('cus_Example').map((path) => `${m.constants!.API_BASE}${path}`);

function pngSize(png: Buffer) {
  expect(png.subarray(0, 8)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
  expect(png.subarray(12, 16).toString('ascii')).toBe('IHDR');
  return { width: png.readUInt32BE(16), height: png.readUInt32BE(20) };
}

describe('stripe-app.json', () => {
  it('validates against Stripe\'s manifest schema', () => {
    const valid = validateManifest(manifest);
    expect(validateManifest.errors ?? []).toEqual([]);
    expect(valid).toBe(true);
  });

  it('is a public OAuth app whose name Stripe would accept', () => {
    expect(manifest).toMatchObject({ stripe_api_access_type: 'oauth', distribution_type: 'public' });
    expect(manifest.allowed_redirect_uris[0]).toMatch(/^https:\/\/.+\/connect\/stripe\/callback$/);
    expect(manifest.name).not.toMatch(/stripe|app|free|paid/i);
  });

  it('asks for every read permission the sync needs, each with a purpose', () => {
    const permissions = manifest.permissions.map((p: { permission: string }) => p.permission);
    expect(permissions).toEqual(
      expect.arrayContaining(['customer_read', 'subscription_read', 'invoice_read', 'product_read', 'plan_read', 'coupon_read', 'credit_note_read', 'event_read']),
    );
    for (const p of manifest.permissions) expect(p.purpose.length).toBeGreaterThan(20);
  });

  it('shows a view in settings, the drawer and the customer page, each a component that exists', () => {
    expect(manifest.ui_extension.views.map((v: { viewport: string }) => v.viewport).sort()).toEqual([...VIEWPORTS].sort());
    for (const view of manifest.ui_extension.views) {
      const file = join(ROOT, 'stripe-app/src/views', `${view.component}.tsx`);
      expect(existsSync(file), file).toBe(true);
      expect(readFileSync(file, 'utf8')).toMatch(new RegExp(`export default ${view.component};`));
    }
  });

  it('allows the views to call every backend route they use, over HTTPS', () => {
    const connectSrc: string[] = manifest.ui_extension.content_security_policy['connect-src'];
    expect(manifest.constants.API_BASE).toMatch(/^https:\/\//);
    for (const url of urlsCalledBy(manifest)) expect(covers(connectSrc, url), url).toBe(true);
    for (const entry of connectSrc) expect(entry).toMatch(/^https:\/\/[^/]+\/stripe-app\/$/);
  });

  it('has a 300×300 PNG icon, the one scripts/make-icon.mjs draws', () => {
    const icon = readFileSync(join(ROOT, manifest.icon));
    expect(pngSize(icon)).toEqual({ width: 300, height: 300 });
    expect(icon.equals(drawIcon())).toBe(true);
  });
});

describe('stripe-app.dev.json', () => {
  it('validates against Stripe\'s local manifest schema and extends stripe-app.json', () => {
    const valid = validateLocal(devManifest);
    expect(validateLocal.errors ?? []).toEqual([]);
    expect(valid).toBe(true);
    expect(devManifest.extends).toBe('stripe-app.json');
  });

  it('points the same views at a local backend, and allows every route there', () => {
    expect(devManifest.ui_extension.views).toEqual(manifest.ui_extension.views);
    expect(devManifest.constants.API_BASE).toMatch(/^http:\/\/localhost:\d+$/);
    const connectSrc: string[] = devManifest.ui_extension.content_security_policy['connect-src'];
    for (const url of urlsCalledBy(devManifest)) expect(covers(connectSrc, url), url).toBe(true);
    expect(devManifest.allowed_redirect_uris[0]).toBe(`${devManifest.constants.API_BASE}/connect/stripe/callback`);
  });
});

describe('the folder the Stripe CLI uploads (stripe-app/, assembled by scripts/assemble.mjs)', () => {
  it('gets valid manifests whose icon and components resolve from stripe-app/', () => {
    const assembled = assembleManifest(manifest);
    expect(assembled.icon).toBe('./icon.png');
    expect(validateManifest(assembled)).toBe(true);
    expect(problemsOf(assembled)).toEqual([]);
    expect(problemsOf(assembleManifest(devManifest))).toEqual([]);
    expect(existsSync(join(APP_DIR, 'package.json'))).toBe(true);
  });

  it('reports a view whose component is missing', () => {
    const broken = { ...manifest, ui_extension: { ...manifest.ui_extension, views: [{ viewport: 'settings', component: 'Missing' }] } };
    expect(problemsOf(assembleManifest(broken))).toEqual(['view settings: src/views/Missing.tsx does not exist']);
  });
});
