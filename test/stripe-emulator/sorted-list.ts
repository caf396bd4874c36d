/**
 * Entries kept newest first by (created, seq). `seq` is the insertion order, so objects created
 * in the same second still have one total order and cursors never skip or repeat them.
 * Positions are found by binary search on that key, so an entry need not be in the list it
 * positions (a cursor from the full list used on an index bucket).
 */
export interface Entry<T> {
  readonly id: string;
  readonly created: number;
  readonly seq: number;
  obj: T;
  deleted: boolean;
}

/** True when `a` sorts before `b` (is newer). */
function newer(a: Entry<unknown>, b: { created: number; seq: number }): boolean {
  return a.created !== b.created ? a.created > b.created : a.seq > b.seq;
}

export class SortedList<T> {
  private items: Entry<T>[] = [];

  get length(): number {
    return this.items.length;
  }

  at(index: number): Entry<T> | undefined {
    return this.items[index];
  }

  /** Index of the first entry not newer than `key` (the entry itself when present). */
  position(key: { created: number; seq: number }): number {
    let lo = 0;
    let hi = this.items.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (newer(this.items[mid]!, key)) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** Index of the first entry with `created <= seconds`. */
  firstAtOrBefore(seconds: number): number {
    return this.position({ created: seconds, seq: Number.POSITIVE_INFINITY });
  }

  insert(entry: Entry<T>): void {
    const index = this.position(entry);
    // Fast paths: new objects usually carry the newest timestamp, fixtures arrive presorted.
    if (index === 0) this.items.unshift(entry);
    else if (index === this.items.length) this.items.push(entry);
    else this.items.splice(index, 0, entry);
  }

  remove(entry: Entry<T>): void {
    const index = this.position(entry);
    if (this.items[index] === entry) this.items.splice(index, 1);
  }

  /** Builds the list in one sort; used when loading fixtures. */
  static from<T>(entries: Entry<T>[]): SortedList<T> {
    const list = new SortedList<T>();
    list.items = entries.slice().sort((a, b) => (a.created !== b.created ? b.created - a.created : b.seq - a.seq));
    return list;
  }
}
