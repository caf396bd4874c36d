#!/usr/bin/env node
/**
 * The Stripe CLI wants the manifest next to `package.json` and `src/views/`, while this repository
 * keeps `stripe-app.json` (and `stripe-app.dev.json`) at its root. This script copies both into
 * `stripe-app/`, with the icon path made relative to it, after checking that every view component
 * and the icon exist. The copies are build output (git-ignored): edit the root manifests.
 *
 *   node stripe-app/scripts/assemble.mjs   then, in stripe-app/:   stripe apps upload
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const APP_DIR = fileURLToPath(new URL('..', import.meta.url));
export const ROOT = resolve(APP_DIR, '..');
export const MANIFESTS = ['stripe-app.json', 'stripe-app.dev.json'];

const toPosix = (path) => path.split('\\').join('/');

/** A manifest path (relative to `fromDir`) re-expressed relative to `toDir`, in the `./…` form Stripe wants. */
export function rebase(path, fromDir, toDir) {
  const moved = toPosix(relative(toDir, resolve(fromDir, path)));
  return moved.startsWith('.') ? moved : `./${moved}`;
}

/** The manifest as the Stripe CLI must see it from `appDir`. */
export function assembleManifest(manifest, { root = ROOT, appDir = APP_DIR } = {}) {
  const assembled = { ...manifest };
  if (typeof manifest.icon === 'string' && manifest.icon !== '') assembled.icon = rebase(manifest.icon, root, appDir);
  return assembled;
}

/** Every problem that would make the upload fail or a view break: missing components or icon. */
export function problemsOf(manifest, appDir = APP_DIR) {
  const problems = [];
  for (const view of manifest.ui_extension?.views ?? []) {
    const file = join(appDir, 'src/views', `${view.component}.tsx`);
    if (!existsSync(file)) problems.push(`view ${view.viewport}: ${toPosix(relative(appDir, file))} does not exist`);
  }
  if (manifest.icon && !existsSync(resolve(appDir, manifest.icon))) problems.push(`icon ${manifest.icon} does not exist`);
  return problems;
}

export function assemble({ root = ROOT, appDir = APP_DIR } = {}) {
  const written = [];
  for (const name of MANIFESTS) {
    const source = join(root, name);
    if (!existsSync(source)) continue;
    const manifest = assembleManifest(JSON.parse(readFileSync(source, 'utf8')), { root, appDir });
    const problems = problemsOf(manifest, appDir);
    if (problems.length > 0) throw new Error(`${name}: ${problems.join('; ')}`);
    const target = join(appDir, name);
    writeFileSync(target, `${JSON.stringify(manifest, null, 2)}\n`);
    written.push(target);
  }
  return written;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  try {
    for (const file of assemble()) process.stdout.write(`wrote ${toPosix(relative(ROOT, file))}\n`);
    process.stdout.write(`now, in ${toPosix(relative(process.cwd(), APP_DIR)) || '.'}: stripe apps upload (or stripe apps start --manifest stripe-app.dev.json)\n`);
  } catch (error) {
    process.stderr.write(`${error.message}\n`);
    process.exitCode = 1;
  }
}
