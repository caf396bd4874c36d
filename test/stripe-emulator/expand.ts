/**
 * How stored objects are served: nested lists cut at 10 entries, fields Stripe only includes on
 * request (a price's `tiers`, a coupon's `applies_to`, …) left out, and `expand[]` paths applied:
 * ids at a dotted path are replaced by the stored objects, served the same way, and an includable
 * field named by a path is kept. Intermediate ids are expanded on the way (`discounts.source.coupon`
 * expands the discounts too, as Stripe does). Stored objects are never mutated: only the objects
 * along a path, or that lose a field, are copied.
 */
import { errors } from './errors.js';
import { EMBEDS_INCLUDABLE, INCLUDABLE, NESTED_FIELDS, type StripeObject } from './resources.js';

export type Resolve = (id: string) => StripeObject | undefined;

const NESTED_LIMIT = 10;
/** "Expansions have a maximum depth of four levels" (docs.stripe.com/api/expanding_objects); `data.` counts. */
export const MAX_EXPAND_DEPTH = 4;

/** The paths still to apply below one node, by their next segment. */
type PathTree = Map<string, PathTree>;
const NO_PATHS: PathTree = new Map();

function pathTree(paths: readonly string[]): PathTree {
  const root: PathTree = new Map();
  for (const path of paths) {
    let node = root;
    for (const segment of path.split('.')) {
      let next = node.get(segment);
      if (!next) node.set(segment, (next = new Map()));
      node = next;
    }
  }
  return root;
}

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

function renderArray(values: unknown[], paths: PathTree, resolve: Resolve | undefined, named: boolean): unknown[] {
  let copy: unknown[] | undefined;
  values.forEach((value, i) => {
    const rendered = render(value, paths, resolve, named);
    if (rendered !== value) (copy ??= [...values])[i] = rendered;
  });
  return copy ?? values;
}

/**
 * One node of a response. `named`: an expand path ends here or passes through, so an id here is
 * replaced by its object. Typed objects that cannot hold an includable field are only descended
 * into along expand paths: serving a large invoice page stays a lookup, not a walk.
 */
function render(value: unknown, paths: PathTree, resolve: Resolve | undefined, named: boolean): unknown {
  if (Array.isArray(value)) return renderArray(value, paths, resolve, named);
  let current = value;
  if (typeof current === 'string' && named && resolve) current = resolve(current) ?? current;
  if (!isRecord(current)) return current;
  const type = typeof current.object === 'string' && current.object !== 'list' ? current.object : undefined;
  const omitted = type ? INCLUDABLE[type] : undefined;
  const walk = !type || omitted !== undefined || EMBEDS_INCLUDABLE.has(type);
  if (!walk && paths.size === 0 && !NESTED_FIELDS[type!]) return current;
  let copy: Record<string, unknown> | undefined;
  for (const key of Object.keys(current)) {
    const below = paths.get(key);
    if (omitted?.includes(key) && !below) {
      copy ??= { ...current };
      delete copy[key];
      continue;
    }
    let child = current[key];
    if (type && NESTED_FIELDS[type]?.includes(key)) child = truncated(child);
    if (below || walk) child = render(child, below ?? NO_PATHS, resolve, below !== undefined);
    if (child !== current[key]) (copy ??= { ...current })[key] = child;
  }
  return copy ?? current;
}

/** A nested list as Stripe serves it: the first 10 entries and `has_more`. */
function truncated(list: unknown): unknown {
  if (!isRecord(list) || !Array.isArray(list.data) || list.data.length <= NESTED_LIMIT) return list;
  return { ...list, data: list.data.slice(0, NESTED_LIMIT), has_more: true };
}

const servedCache = new WeakMap<StripeObject, StripeObject>();

/**
 * An object as a response without `expand[]` shows it. Cached by identity (stored objects are
 * replaced on change, never mutated), so pre-rendered bytes of the served form stay valid.
 */
export function served(obj: StripeObject): StripeObject {
  let view = servedCache.get(obj);
  if (view === undefined) {
    view = render(obj, NO_PATHS, undefined, false) as StripeObject;
    servedCache.set(obj, view);
  }
  return view;
}

/** Checks every path's depth and against the type's expandable fields (Stripe answers 400 otherwise). */
export function checkExpandable(paths: readonly string[], expandable: readonly string[], prefix = ''): void {
  for (const path of paths) {
    if (path.split('.').length > MAX_EXPAND_DEPTH) throw errors.expandTooDeep();
    const relative = prefix && path.startsWith(prefix) ? path.slice(prefix.length) : path;
    if (!expandable.includes(relative)) throw errors.cannotExpand(path);
  }
}

export function expandObject(obj: StripeObject, paths: readonly string[], resolve: Resolve): StripeObject {
  if (paths.length === 0) return served(obj);
  return render(obj, pathTree(paths), resolve, false) as StripeObject;
}

/** For list responses: `data.customer` expands `customer` on every item. */
export function expandPage(items: readonly StripeObject[], paths: readonly string[], resolve: Resolve): StripeObject[] {
  const relative = paths.filter((path) => path.startsWith('data.')).map((path) => path.slice('data.'.length));
  return items.map((item) => expandObject(item, relative, resolve));
}
