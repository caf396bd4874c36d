import type { WebhookEventInsert, WebhookRepository } from './repository.js';

const MAX_ROWS = 500;

/**
 * Group commit for deliveries: the events of concurrent requests are inserted together, in one
 * statement per event-loop turn (several may run at once), and each request waits for the commit
 * holding its row. Under load this turns a thousand inserts a second into a few dozen, while a
 * lone request still costs a single insert. Resolves `false` for an id already stored, including
 * a second copy within the same batch.
 */
export function createEventIntake(repository: Pick<WebhookRepository, 'insertMany'>) {
  let queue: { row: WebhookEventInsert; resolve(inserted: boolean): void; reject(error: unknown): void }[] = [];
  let scheduled = false;

  async function flush(): Promise<void> {
    scheduled = false;
    const batch = queue.slice(0, MAX_ROWS);
    queue = queue.slice(MAX_ROWS);
    if (queue.length > 0) schedule();
    const first = new Map<string, WebhookEventInsert>();
    for (const { row } of batch) if (!first.has(row.id)) first.set(row.id, row);
    try {
      const inserted = await repository.insertMany([...first.values()]);
      for (const item of batch) item.resolve(first.get(item.row.id) === item.row && inserted.has(item.row.id));
    } catch (error) {
      for (const item of batch) item.reject(error);
    }
  }

  function schedule(): void {
    if (scheduled) return;
    scheduled = true;
    setImmediate(() => void flush());
  }

  return function insert(row: WebhookEventInsert): Promise<boolean> {
    return new Promise((resolve, reject) => {
      queue.push({ row, resolve, reject });
      schedule();
    });
  };
}
