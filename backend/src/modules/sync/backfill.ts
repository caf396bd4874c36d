import pLimit from 'p-limit';
import Stripe from 'stripe';
import type { FastifyBaseLogger } from 'fastify';
import type { Db } from '../../db/database.js';
import type { RangeCursor, StatusMessage, SyncCursor } from '../../db/schema/index.js';
import { createCheckpointer } from './checkpointer.js';
import { createdFilter, cursorAfter, largestRange, pendingSlices, planRanges, searchQuery, splitLargest, STRIPE_EPOCH, type RangeProgress } from './list-ranges.js';
import { CATALOG_TYPES, CUSTOMER_TYPES, listSubscriptionItems, objectType, storeSubscription, type ListParams, type StoredObject, type StripeObjectType } from '../../stripe/registry.js';
import { ConnectionUnusableError, type ConnectionCredentials } from '../connections/credentials.js';
import type { ConnectionRepository, ConnectionRow } from '../connections/repository.js';
import type { ParticipantRepository } from '../participants/repository.js';
import type { SegmentRepository } from '../segments/repository.js';
import type { ObjectStore } from './object-store.js';
import { loadCatalog, type Recompute } from './recompute.js';
import type { SyncRunRepository } from './sync-runs.js';
import { withStripeRetry, type RetryOptions } from './stripe-retry.js';

export interface BackfillDeps {
  connections: ConnectionRepository;
  credentials: ConnectionCredentials;
  objects: ObjectStore;
  participants: ParticipantRepository;
  segments: SegmentRepository;
  runs: SyncRunRepository;
  recompute: Recompute;
  /** Runs `work` in one database transaction. */
  transaction<T>(work: (tx: Db) => Promise<T>): Promise<T>;
  logger: FastifyBaseLogger;
  /** Requests in flight per account (the Stripe client's limiter holds them to it): ranges read in parallel per list. */
  limits: { concurrency: number };
  /** Whether a backfill reads the oldest part of a long list through Stripe's Search API, beside the list (STRIPE_SEARCH_READS). */
  searchReads?: boolean;
  retry?: RetryOptions;
}

const PAGE = 100;
const RECOMPUTE_BATCH = 500;
const RECOMPUTE_PARALLEL = 2;
/** Pages read per split allowed (see readRanges). */
const SPLIT_COST_PAGES = 50;
/**
 * Search reads: the oldest SEARCH_SHARE of a long list's time span, in SEARCH_SLICES slices,
 * read by SEARCH_READERS readers of the search endpoint (20/s at Stripe, its own budget) from
 * the oldest, and by the list's readers from the newest once their own ranges are done: the
 * slices go to whichever endpoint has a reader free. Stripe's search index lags writes ("under
 * 1 minute"): only objects created SEARCH_LAG_MARGIN seconds before the sync started are searched.
 */
const SEARCH_SHARE = 0.9;
const SEARCH_SLICES = 48;
const SEARCH_READERS = 5;
const SEARCH_LAG_MARGIN = 300;
const SEARCH_RETRY_MS = 250;
/** Estimated pages (from the first page's span) below which the oldest part is not worth slicing. */
const SEARCH_MIN_PAGES = 2 * SEARCH_SLICES;

/** What one run reads: catalog types first (then segments), then customer data, optionally since a time. */
interface SyncPlan {
  kind: 'backfill' | 'resync_mrr' | 'resync_ltv';
  catalog: StripeObjectType['type'][];
  customerData: StripeObjectType['type'][];
  /** Unix seconds: only objects created from then on (LTV resync). */
  since?: number;
}

interface RunState {
  plan: SyncPlan;
  connection: ConnectionRow & { workspaceId: string };
  stripe: Stripe;
  /** Every Stripe request of the run: retried on 429/5xx; the client paces each attempt per endpoint and account (client.ts). */
  call: <T>(request: () => Promise<T>) => Promise<T>;
  /** Lower bound for `created` ranges; asked of Stripe once, on first need. */
  accountCreated(): Promise<number>;
  runId: string;
  cursors: Record<string, SyncCursor>;
  counts: Record<string, number>;
  checkpoints: ReturnType<typeof createCheckpointer>;
  /** Range pages read and splits made by this process, over every type (see readRanges). */
  splits: { pagesRead: number; made: number };
  /** The lists being read in parallel ranges right now, one per type. */
  lists: Set<ListBeingRead>;
  /** Set by the first list that fails: the others stop reading instead of running on detached. */
  failure?: unknown;
}

/** A list read in parallel ranges, as the readers of other lists see it. */
interface ListBeingRead {
  /** Estimated pages left in its largest range. */
  pagesLeft(): number;
  /** Splits its largest range, if worth it, and starts a reader on the piece. */
  addReader(): void;
}

/** Logs how long each phase took and the CPU this process spent on it, for operators and the backfill benchmark. */
function timer(log: FastifyBaseLogger): (phase: string) => void {
  let last = performance.now();
  let cpu = process.cpuUsage();
  return (phase) => {
    const now = performance.now();
    const used = process.cpuUsage(cpu);
    log.info({ phase, ms: Math.round(now - last), cpuMs: Math.round((used.user + used.system) / 1000) }, 'backfill phase done');
    last = now;
    cpu = process.cpuUsage();
  };
}

/** Checkpoints outlive the process, so the skipped steps are read back from them. */
function skippedMessages(cursors: Record<string, SyncCursor>): StatusMessage[] {
  return [...CATALOG_TYPES, ...CUSTOMER_TYPES]
    .map(objectType)
    .filter((type) => cursors[type.type]?.skipped)
    .map((type) => ({ code: `missing_${type.permission}`, message: `The connection lacks ${type.permission}: ${type.skipped} were skipped.` }));
}

/**
 * The first sync (and any full resync) of a connection: catalog and subscriptions, then segments
 * (`segments_synced`), then customers, invoices and credit notes, then metrics (`complete`).
 * Only list endpoints, 100 objects a page; each page is checkpointed, so a run killed midway
 * resumes after its last saved page.
 */
export function createSyncRunner(deps: BackfillDeps) {
  const checkpoint = (state: Pick<RunState, 'runId' | 'cursors' | 'counts' | 'connection'>) => async () => {
    await deps.runs.checkpoint(state.runId, state.cursors, state.counts);
    await deps.connections.update(state.connection.id, { syncProgress: state.counts });
  };

  function accountCreated(stripe: Stripe, call: RunState['call']): () => Promise<number> {
    let created: Promise<number> | undefined;
    return () =>
      (created ??= call(() => stripe.accounts.retrieveCurrent()).then(
        (account) => account.created ?? STRIPE_EPOCH,
        () => STRIPE_EPOCH,
      ));
  }

  /** Items past the first 10 of a subscription come from their own list. */
  async function completeItems(state: RunState, subscription: StoredObject): Promise<StoredObject> {
    const items = subscription.items as { has_more?: boolean } | undefined;
    if (!items?.has_more) return subscription;
    const all: unknown[] = [];
    let startingAfter: string | undefined;
    for (;;) {
      const page = await state.call(() => listSubscriptionItems(state.stripe, subscription.id, startingAfter, PAGE));
      all.push(...page.data);
      if (!page.has_more) break;
      startingAfter = page.data.at(-1)!.id;
    }
    return storeSubscription({ ...subscription, items: { object: 'list', data: all, has_more: false } });
  }

  /**
   * One list page, trimmed to what is stored as soon as it is parsed: the full objects (an
   * invoice page parses to megabytes) are garbage before the page waits for its turn to be stored.
   */
  const listPage = async (state: RunState, type: StripeObjectType, params: ListParams) => {
    const observedAt = Date.now();
    const page = await state.call(() => type.list(state.stripe, params));
    return { data: page.data.map((object) => type.store(object) as StoredObject & { created: number }), hasMore: page.has_more, observedAt };
  };

  type RangePosition = Pick<RangeCursor, 'startingAfter' | 'cursorCreated' | 'cursorSecond'>;

  /** Stripe's answer to a `starting_after` naming an object no longer in the list (deleted meanwhile). */
  const cursorGone = (error: unknown) =>
    error instanceof Stripe.errors.StripeInvalidRequestError && error.code === 'resource_missing' && error.param === 'starting_after';

  /**
   * The range's next page after `at`. When Stripe no longer knows the cursor (deleted), the range
   * goes on from the cursor's second instead: every object created up to then, newest first, of
   * which readRange drops those of that second it read already. A checkpoint from before
   * `cursorCreated` was kept finds it in the store (a page is stored before its cursor is saved);
   * not knowing which objects of that second it read, it reads them all again: stored once
   * (every write is an upsert) but counted again.
   */
  const fetchPage = (state: RunState, type: StripeObjectType, range: RangeCursor, at: RangePosition) =>
    listPage(state, type, { limit: PAGE, ...createdFilter(range), ...(at.startingAfter ? { starting_after: at.startingAfter } : {}) }).catch(async (error: unknown) => {
      if (!cursorGone(error) || !at.startingAfter) throw error;
      const created = at.cursorCreated ?? (await deps.objects.createdOf(state.connection.workspaceId, at.startingAfter));
      if (created === undefined) throw error;
      deps.logger.info({ connectionId: state.connection.id, type: type.type, cursor: at.startingAfter, created }, 'list cursor gone from Stripe: going on from its second');
      return listPage(state, type, { limit: PAGE, ...createdFilter(range, created) });
    });

  /**
   * Reads one range page by page, checkpointing after each stored page. The next page is asked
   * for before this one is stored, so storing overlaps the request's latency instead of adding to it.
   */
  async function readRange(state: RunState, type: StripeObjectType, range: RangeCursor, seen: RangeProgress): Promise<void> {
    let next = range.done ? undefined : fetchPage(state, type, range, range);
    while (next) {
      const page = await next;
      // A split may have raised the range's floor while the page was on its way: what lies below is the new range's.
      const inRange = range.gte === undefined ? page.data : page.data.filter((o) => o.created >= range.gte!);
      const more = page.hasMore && inRange.length === page.data.length;
      // Only pages read again from a gone cursor's second hold objects read before (more than a page of them, in a crowded second).
      const read = new Set(range.cursorSecond);
      const data = read.size === 0 ? inRange : inRange.filter((o) => o.created !== range.cursorCreated || !read.has(o.id));
      // The cursor is the page's last object even when it was one read before: the next page starts after it.
      const position: RangePosition = cursorAfter(range, inRange) ?? { startingAfter: range.startingAfter, cursorCreated: range.cursorCreated, cursorSecond: range.cursorSecond };
      if (state.failure !== undefined) throw new Error(`stopped reading ${type.type}: the sync failed elsewhere`);
      next = more ? fetchPage(state, type, range, position) : undefined;
      // Known before the page is stored: a split made meanwhile then cuts below this page, never into it.
      if (inRange.length > 0) Object.assign(seen, { pages: seen.pages + 1, newest: seen.pages === 0 ? inRange[0]!.created : seen.newest, oldest: inRange.at(-1)!.created });
      try {
        await storePage(state, type, data, page.observedAt);
      } catch (error) {
        next?.catch(() => undefined); // the run fails with the store's error; the read-ahead is moot
        throw error;
      }
      // Count and cursor move together, with no await between: a checkpoint never holds one without the other.
      count(state, type, data.length);
      Object.assign(range, position);
      range.done = !more;
      state.splits.pagesRead += 1;
      state.checkpoints.request();
    }
  }

  /**
   * Reads a slice through the Search API, page by page (`next_page`), storing and counting each.
   * Search pages come in an order Stripe does not document, so a slice is never split, and a
   * run resumed midway reads it again from its start (see readRanges).
   */
  async function readSearchRange(state: RunState, type: StripeObjectType, range: RangeCursor): Promise<void> {
    let next: string | undefined;
    while (!range.done) {
      if (state.failure !== undefined) throw new Error(`stopped reading ${type.type}: the sync failed elsewhere`);
      const observedAt = Date.now();
      const result = await state.call(() => type.search!(state.stripe, { query: searchQuery(range), limit: PAGE, ...(next ? { page: next } : {}) }));
      const data = result.data.map((object) => type.store(object));
      await storePage(state, type, data, observedAt);
      count(state, type, data.length);
      range.counted = (range.counted ?? 0) + data.length;
      next = result.next_page ?? undefined;
      range.done = !result.has_more || next === undefined;
      state.splits.pagesRead += 1;
      state.checkpoints.request();
    }
  }

  /** A pending slice, the oldest for a search reader, the newest for a list reader (which reads it as a range of its own). */
  function takeSlice(ranges: RangeCursor[], via: 'search' | 'list'): RangeCursor | undefined {
    let taken: RangeCursor | undefined;
    for (const range of ranges) {
      if (range.via !== 'pending') continue;
      if (!taken || (via === 'search') === (range.gte ?? -Infinity) < (taken.gte ?? -Infinity)) taken = range;
    }
    if (!taken) return undefined;
    if (via === 'search') taken.via = 'search';
    else delete taken.via;
    return taken;
  }

  /**
   * Each reader works its range, then halves whichever range has the most left, until none is
   * worth splitting; then it goes to help the list (of another type read at the same time) with
   * the most left. The types share the rate limit, so without that a shorter list (customers
   * beside the invoices) could end last, read by a few readers while the limit sits idle. A split
   * costs about one partial page: at most one per SPLIT_COST_PAGES pages read in the run, so the
   * requests stay close to the minimum.
   */
  async function readRanges(state: RunState, type: StripeObjectType, ranges: RangeCursor[]): Promise<void> {
    const lower = state.plan.since ?? (await state.accountCreated());
    const progress = new Map<RangeCursor, RangeProgress>();
    const running = new Set<Promise<void>>();
    // A search slice cut off midway is read again from its start: what it counted is taken back first.
    for (const range of ranges) {
      if (range.via !== 'search' || range.done) continue;
      count(state, type, -(range.counted ?? 0));
      Object.assign(range, { via: 'pending', counted: 0 });
    }
    const split = () => {
      if (state.failure !== undefined || (state.splits.made + 1) * SPLIT_COST_PAGES > state.splits.pagesRead) return undefined;
      const piece = splitLargest(progress, lower);
      if (piece) state.splits.made++;
      return piece;
    };
    const reader = async (first: RangeCursor) => {
      for (let range: RangeCursor | undefined = first; range; range = takeSlice(ranges, 'list') ?? split()) {
        if (range !== first && !ranges.includes(range)) ranges.push(range);
        const seen = { pages: 0, newest: 0, oldest: 0 };
        progress.set(range, seen);
        await readRange(state, type, range, seen);
        progress.delete(range);
      }
      let busiest: ListBeingRead | undefined;
      for (const other of state.lists) if (other !== list && other.pagesLeft() > (busiest?.pagesLeft() ?? 0)) busiest = other;
      busiest?.addReader();
    };
    const start = (range: RangeCursor) => {
      const reading = reader(range).finally(() => running.delete(reading));
      // The wait below reports the first failure; a reader that joined after it began, failing
      // once the run has already failed, must not become an unhandled rejection.
      reading.catch(() => undefined);
      running.add(reading);
    };
    const list: ListBeingRead = {
      pagesLeft: () => largestRange(progress, lower)?.pages ?? 0,
      addReader: () => {
        const piece = takeSlice(ranges, 'list') ?? split();
        if (!piece) return;
        if (!ranges.includes(piece)) ranges.push(piece);
        start(piece);
      },
    };
    const searchable = state.cursors[type.type]?.searchBefore;
    /**
     * Once the slices are gone, a search reader takes the older half of the list range with the
     * most left, as an idle list reader would; a piece too recent for the index goes to a list reader.
     */
    const searchWork = (): RangeCursor | undefined => {
      const slice = takeSlice(ranges, 'search');
      if (slice) return slice;
      const piece = split();
      if (!piece) return undefined;
      ranges.push(piece);
      if (piece.lt !== undefined && searchable !== undefined && piece.lt <= searchable) return Object.assign(piece, { via: 'search' as const });
      start(piece);
      return undefined;
    };
    // Splits are rationed (see split): a search reader with nothing to take waits while the list's ranges are read.
    const searchReader = async () => {
      while (state.failure === undefined) {
        const work = searchWork();
        if (work) await readSearchRange(state, type, work);
        else if (progress.size === 0) return;
        else await new Promise((resolve) => setTimeout(resolve, SEARCH_RETRY_MS));
      }
    };
    for (const range of ranges.filter((r) => !r.done && r.via === undefined)) start(range);
    if (deps.searchReads && type.search && ranges.some((r) => r.via === 'pending')) {
      for (let i = 0; i < SEARCH_READERS; i++) {
        const reading = searchReader().finally(() => running.delete(reading));
        reading.catch(() => undefined);
        running.add(reading);
      }
    }
    // Slices no search reader takes (search reads off since) go to the list's readers.
    if (!deps.searchReads) for (let slice = takeSlice(ranges, 'list'); slice; slice = takeSlice(ranges, 'list')) start(slice);
    state.lists.add(list);
    try {
      // Readers lent by other lists join while this waits.
      while (running.size > 0) await Promise.all(running);
    } catch (error) {
      // Every reader of the run stops at its next page; none may still write once the job's retry starts.
      state.failure ??= error;
      while (running.size > 0) await Promise.allSettled(running);
      throw error;
    } finally {
      state.lists.delete(list);
    }
  }

  const count = (state: RunState, type: StripeObjectType, n: number) => {
    state.counts[type.type] = (state.counts[type.type] ?? 0) + n;
  };

  async function storePage(state: RunState, type: StripeObjectType, objects: StoredObject[], observedAt: number): Promise<void> {
    let stored = objects;
    if (type.type === 'subscription') stored = await Promise.all(stored.map((s) => completeItems(state, s)));
    const workspaceId = state.connection.workspaceId;
    if (type.type !== 'customer') return deps.objects.upsert(workspaceId, type, stored, observedAt);
    // A customer page writes two tables: both or neither.
    await deps.transaction(async (tx) => {
      await deps.objects.upsert(workspaceId, type, stored, observedAt, tx);
      await deps.participants.upsertFromCustomers(workspaceId, stored, observedAt, tx);
    });
  }

  /**
   * A long list's ranges; with search reads, a backfill's oldest part goes to pending slices
   * (see SEARCH_SHARE), only as far as objects created well before the sync started.
   */
  function planListRanges(state: RunState, type: StripeObjectType, cursor: SyncCursor, firstPage: { created: number; id: string }[], lower: number): RangeCursor[] {
    const since = state.plan.since;
    // Stripe's clock, not ours: the newest object it listed was created no later than its now.
    const searchBefore = Math.min(firstPage[0]!.created, Math.floor(Date.now() / 1000)) - SEARCH_LAG_MARGIN;
    const cut = Math.min(Math.floor(lower + SEARCH_SHARE * (firstPage.at(-1)!.created - lower)), searchBefore);
    // Each slice costs about a partial page: a list too short to fill the slices is read as a list only.
    const span = Math.max(1, firstPage[0]!.created - firstPage.at(-1)!.created);
    const pagesToSearch = (cut - lower) / span;
    if (!deps.searchReads || !type.search || since !== undefined || pagesToSearch < SEARCH_MIN_PAGES) return planRanges(firstPage, lower, deps.limits.concurrency, since);
    cursor.searchBefore = searchBefore;
    return [...planRanges(firstPage, cut, deps.limits.concurrency, cut), ...pendingSlices(lower, cut, SEARCH_SLICES)];
  }

  /**
   * The first page tells how long the list is; a long one is split into `created` ranges read in
   * parallel (see list-ranges.ts). A type the connection may not read is skipped and reported.
   */
  async function fetchType(state: RunState, type: StripeObjectType): Promise<void> {
    const cursor: SyncCursor = state.cursors[type.type] ?? { done: false };
    state.cursors[type.type] = cursor;
    if (cursor.done) return;
    try {
      if (!cursor.ranges) {
        const since = state.plan.since;
        // Asked alongside the first page rather than after it: a long list needs it before its ranges can start.
        if (since === undefined) void state.accountCreated();
        const page = await listPage(state, type, { limit: PAGE, ...(since ? { created: { gte: since } } : {}) });
        const lower = page.hasMore ? (since ?? (await state.accountCreated())) : 0;
        await storePage(state, type, page.data, page.observedAt);
        count(state, type, page.data.length);
        cursor.ranges = page.hasMore ? planListRanges(state, type, cursor, page.data, lower) : [];
        state.checkpoints.request();
      }
      if (cursor.ranges.some((range) => !range.done)) await readRanges(state, type, cursor.ranges);
      cursor.done = true;
    } catch (error) {
      if (!(error instanceof Stripe.errors.StripePermissionError)) {
        state.failure ??= error;
        throw error;
      }
      state.cursors[type.type] = { done: true, skipped: true };
    }
    await state.checkpoints.flush();
  }

  /**
   * Every participant's metrics from the stored objects, a batch at a time. The mirror was just
   * filled, so its statistics are refreshed first (otherwise the planner still sees an empty
   * table and scans the workspace for every batch); batches run two at a time to keep both the
   * database and this process busy.
   */
  async function recomputeAll(state: RunState): Promise<void> {
    const workspaceId = state.connection.workspaceId;
    await Promise.all([deps.objects.analyze(), deps.participants.analyze()]);
    const creditNotesAvailable = !state.cursors.credit_note?.skipped;
    const catalog = await loadCatalog(deps.objects, workspaceId, creditNotesAvailable);
    const batches: Awaited<ReturnType<ParticipantRepository['stripeLinkedPage']>>[] = [];
    for (let after: string | null = null; ; ) {
      const page = await deps.participants.stripeLinkedPage(workspaceId, after, RECOMPUTE_BATCH);
      if (page.length === 0) break;
      batches.push(page);
      after = page.at(-1)!.id;
    }
    const inParallel = pLimit(RECOMPUTE_PARALLEL);
    await Promise.all(batches.map((batch) => inParallel(() => deps.recompute(workspaceId, batch, catalog, { refreshTotals: false }))));
    await deps.segments.refreshTotals(workspaceId);
  }

  async function run(connectionId: string, planOf: (connection: ConnectionRow) => Promise<SyncPlan>): Promise<void> {
    const connection = await deps.connections.findById(connectionId);
    if (!connection?.workspaceId || connection.status === 'disconnected' || connection.status === 'needs_reauth') return;
    let stripe: Stripe;
    try {
      stripe = await deps.credentials.stripeFor(connection);
    } catch (error) {
      if (error instanceof ConnectionUnusableError) return;
      throw error;
    }
    const plan = await planOf(connection);
    const { run, resumed } = await deps.runs.resumeOrStart(connection.id, plan.kind, connection.connectedAt);
    const call: RunState['call'] = (request) => withStripeRetry(request, deps.retry);
    const base = { connection: { ...connection, workspaceId: connection.workspaceId }, runId: run.id, cursors: structuredClone(run.cursors), counts: { ...run.counts } };
    const state: RunState = { ...base, plan, stripe, call, accountCreated: accountCreated(stripe, call), checkpoints: createCheckpointer(checkpoint(base)), splits: { pagesRead: 0, made: 0 }, lists: new Set() };
    const log = deps.logger.child({ connectionId, syncRun: run.id, kind: plan.kind });
    log.info({ resumed, since: plan.since }, resumed ? 'resuming sync' : 'starting sync');
    const status = (value: ConnectionRow['status']) => (plan.kind === 'backfill' ? { status: value } : {});
    // A resumed backfill whose segments were built keeps `segments_synced`: the status only moves forward.
    const starting = resumed && connection.status === 'segments_synced' ? {} : status('syncing');
    await deps.connections.update(connection.id, { ...starting, lastError: null, syncProgress: state.counts, ...(resumed ? {} : { lastSyncStartedAt: new Date() }) });
    try {
      const phase = timer(log);
      // Each list has an endpoint (and a budget at Stripe) of its own: the lists stored as objects
      // only (all but customers, whose pages write participants) are read from the first second,
      // beside the catalog, so the longest (invoices), which sets the pace, starts at once.
      const early = plan.customerData.filter((type) => type !== 'customer');
      const earlyReads = Promise.all(early.map((type) => fetchType(state, objectType(type))));
      const catalogThenCustomers = (async () => {
        await Promise.all(plan.catalog.map((type) => fetchType(state, objectType(type))));
        phase('catalog and subscriptions read');
        if (plan.catalog.includes('product')) {
          const workspaceId = state.connection.workspaceId;
          const products = (await deps.objects.ofType(workspaceId, 'product')).map((p) => ({ id: p.id, name: String(p.name ?? p.id) }));
          await deps.segments.ensureStripeSegments(workspaceId, products);
        }
        await deps.connections.update(connection.id, status('segments_synced'));
        await Promise.all(plan.customerData.filter((type) => type === 'customer').map((type) => fetchType(state, objectType(type))));
      })();
      try {
        await Promise.all([catalogThenCustomers, earlyReads]);
      } catch (error) {
        // No reader may still write once the job's retry starts; the first failure is the run's.
        state.failure ??= error;
        await Promise.allSettled([catalogThenCustomers, earlyReads]);
        throw state.failure;
      }
      phase('customers, invoices and credit notes read');
      await recomputeAll(state);
      phase('metrics and segments computed');
      await deps.runs.finish(run.id, { status: 'succeeded' });
      // Its own messages only (`missing_…`): the webhook drain keeps others on the same row.
      if (plan.kind === 'backfill') await deps.connections.replaceStatusMessages(connection.id, 'missing_', skippedMessages(state.cursors));
      await deps.connections.update(connection.id, {
        ...status('complete'),
        lastSyncFinishedAt: new Date(),
        syncProgress: state.counts,
      });
      log.info({ counts: state.counts }, 'sync complete');
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      await deps.connections.update(connection.id, { lastError: `Sync failed: ${message}` });
      log.error({ err: error }, 'sync failed; it resumes from its last checkpoint on retry');
      throw error;
    }
  }

  /** Invoices can turn paid weeks after they were created: the LTV window reaches back this far. */
  const LTV_LOOKBACK_SECONDS = 35 * 24 * 3600;

  return {
    /** The first sync, and any full resync: everything, with the status moving through its steps. */
    backfill: (connectionId: string) => run(connectionId, async () => ({ kind: 'backfill', catalog: [...CATALOG_TYPES], customerData: [...CUSTOMER_TYPES] })),
    /**
     * Scheduled resyncs. MRR: subscriptions and catalog again (a subscription's changes do not
     * show in `created`). LTV: invoices and credit notes created since the last successful LTV
     * resync (or backfill) minus a lookback, so a missed run is caught up and a repeated one is cheap.
     */
    resync: (connectionId: string, kind: 'mrr' | 'ltv') =>
      run(connectionId, async (connection) => {
        if (kind === 'mrr') return { kind: 'resync_mrr', catalog: [...CATALOG_TYPES], customerData: [] };
        const last = await deps.runs.lastSucceeded(connection.id, ['resync_ltv', 'backfill']);
        const since = last ? Math.floor(last.getTime() / 1000) - LTV_LOOKBACK_SECONDS : undefined;
        return { kind: 'resync_ltv', catalog: [], customerData: ['invoice', 'credit_note'], since };
      }),
  };
}

export type SyncRunner = ReturnType<typeof createSyncRunner>;
