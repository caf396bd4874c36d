/**
 * One account's objects. Each listable type keeps its entries sorted newest first plus
 * secondary indexes for the filters that would otherwise scan (customer, subscription, …), so a
 * list request costs O(log n + page) even with 100,000 customers.
 */
import { NESTED_FIELDS, RESOURCES, type ResourceType, type StripeObject } from './resources.js';
import { SortedList, type Entry } from './sorted-list.js';

export class Collection {
  readonly all: SortedList<StripeObject>;
  private readonly entries = new Map<string, Entry<StripeObject>>();
  private readonly indexed = new Map<string, Map<string, SortedList<StripeObject>>>();

  constructor(
    readonly type: ResourceType,
    initial: Entry<StripeObject>[] = [],
  ) {
    this.all = SortedList.from(initial);
    for (const entry of initial) this.entries.set(entry.id, entry);
    for (const [name, keyOf] of Object.entries(type.indexes)) {
      const groups = new Map<string, Entry<StripeObject>[]>();
      for (const entry of initial) {
        const key = keyOf(entry.obj);
        if (key === undefined) continue;
        const group = groups.get(key);
        if (group) group.push(entry);
        else groups.set(key, [entry]);
      }
      this.indexed.set(name, new Map([...groups].map(([key, list]) => [key, SortedList.from(list)])));
    }
  }

  /** The entry for `id`, including deleted ones (they still answer retrieves and cursors). */
  get(id: string): Entry<StripeObject> | undefined {
    return this.entries.get(id);
  }

  get size(): number {
    return this.all.length;
  }

  /** The list to scan: an index bucket when one answers the filter exactly, else everything. */
  source(index: string | undefined, key: string | undefined): SortedList<StripeObject> {
    if (index === undefined || key === undefined) return this.all;
    return this.indexed.get(index)?.get(key) ?? new SortedList();
  }

  add(entry: Entry<StripeObject>): void {
    this.entries.set(entry.id, entry);
    this.all.insert(entry);
    this.file(entry, entry.obj, 'insert');
  }

  replace(entry: Entry<StripeObject>, obj: StripeObject): void {
    const before = entry.obj;
    for (const [name, keyOf] of Object.entries(this.type.indexes)) {
      if (keyOf(before) === keyOf(obj)) continue;
      this.bucket(name, keyOf(before))?.remove(entry);
      this.bucket(name, keyOf(obj), true)?.insert(entry);
    }
    entry.obj = obj;
  }

  remove(entry: Entry<StripeObject>): void {
    entry.deleted = true;
    this.all.remove(entry);
    this.file(entry, entry.obj, 'remove');
  }

  private file(entry: Entry<StripeObject>, obj: StripeObject, how: 'insert' | 'remove'): void {
    for (const [name, keyOf] of Object.entries(this.type.indexes)) {
      this.bucket(name, keyOf(obj), how === 'insert')?.[how](entry);
    }
  }

  private bucket(name: string, key: string | undefined, create = false): SortedList<StripeObject> | undefined {
    if (key === undefined) return undefined;
    const buckets = this.indexed.get(name);
    let list = buckets?.get(key);
    if (!list && create && buckets) buckets.set(key, (list = new SortedList()));
    return list;
  }
}

/** Every object reachable by id in an account, nested ones included (for expansion). */
export class AccountStore {
  private readonly collections = new Map<string, Collection>();
  private readonly objects = new Map<string, StripeObject>();
  private seq = 0;

  /** Loads fixture objects in one sort per type; later objects win ties (as if created later). */
  constructor(objects: Iterable<StripeObject> = []) {
    const grouped = new Map<string, Entry<StripeObject>[]>();
    for (const obj of objects) {
      this.register(obj);
      const type = RESOURCES.find((candidate) => candidate.object === obj.object);
      if (!type) continue;
      const list = grouped.get(type.object) ?? [];
      list.push(this.entryFor(obj));
      grouped.set(type.object, list);
    }
    for (const type of RESOURCES) this.collections.set(type.object, new Collection(type, grouped.get(type.object)));
  }

  collection(object: string): Collection {
    const collection = this.collections.get(object);
    if (!collection) throw new Error(`no collection for ${object}`);
    return collection;
  }

  /** Any object by id: top-level, nested (subscription items, lines) or a discount. */
  lookup(id: string): StripeObject | undefined {
    return this.objects.get(id);
  }

  /** Top-level object by type and id; `undefined` when missing, the entry (maybe deleted) otherwise. */
  entry(object: string, id: string): Entry<StripeObject> | undefined {
    return this.collections.get(object)?.get(id);
  }

  /** Inserts a new object or replaces the stored version; returns the previous version. */
  put(obj: StripeObject): StripeObject | undefined {
    this.register(obj);
    const collection = this.collections.get(obj.object);
    if (!collection) return undefined;
    const existing = collection.get(obj.id);
    if (!existing) {
      collection.add(this.entryFor(obj));
      return undefined;
    }
    const previous = existing.obj;
    collection.replace(existing, obj);
    return previous;
  }

  /** Removes an object from lists; retrieve keeps answering with a deleted stub. */
  delete(object: string, id: string): StripeObject | undefined {
    const collection = this.collections.get(object);
    const entry = collection?.get(id);
    if (!collection || !entry || entry.deleted) return undefined;
    collection.remove(entry);
    return entry.obj;
  }

  /** Every top-level object (deleted ones included). */
  *topLevel(): Iterable<StripeObject> {
    for (const obj of this.objects.values()) if (this.collections.has(obj.object) && this.entry(obj.object, obj.id)?.obj === obj) yield obj;
  }

  counts(): Record<string, number> {
    return Object.fromEntries([...this.collections].map(([object, collection]) => [object, collection.size]));
  }

  private entryFor(obj: StripeObject): Entry<StripeObject> {
    return { id: obj.id, created: typeof obj.created === 'number' ? obj.created : 0, seq: this.seq++, obj, deleted: false };
  }

  private register(obj: StripeObject): void {
    this.objects.set(obj.id, obj);
    for (const name of NESTED_FIELDS[obj.object] ?? []) {
      const list = obj[name] as { data?: StripeObject[] } | undefined;
      for (const child of list?.data ?? []) this.objects.set(child.id, child);
    }
  }
}
