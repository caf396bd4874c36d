import type { WebhookEventInsert, WebhookRepository } from './repository.js';

const MAX_ROWS = 500;
/** Inserts running at once; what arrives meanwhile waits for one of them and goes in the next. */
const MAX_IN_FLIGHT = 2;

/**
 * Group commit for deliveries: the events of concurrent requests are inserted together, and each
 * request waits for the commit holding its row. A lone request costs a single insert at once;
 * under load, the events that arrive while inserts are running are gathered into the next one,
 * so a thousand events a second cost a few hundred statements and commits, not a thousand.
 * Resolves `false` for an id already stored, including a second copy within the same batch.
 */
export function createEventIntake(repository: Pick<WebhookRepository, 'insertMany'>) {
  const queue: { row: WebhookEventInsert; resolve(inserted: boolean): void; reject(error: unknown): void }[] = [];
  let scheduled = false;
  let inFlight = 0;

  async function flush(): Promise<void> {
    const batch = queue.splice(0, MAX_ROWS);
    const first = new Map<string, WebhookEventInsert>();
    for (const { row } of batch) if (!first.has(row.id)) first.set(row.id, row);
    inFlight += 1;
    try {
      const inserted = await repository.insertMany([...first.values()]);
      for (const item of batch) item.resolve(first.get(item.row.id) === item.row && inserted.has(item.row.id));
    } catch (error) {
      for (const item of batch) item.reject(error);
    } finally {
      inFlight -= 1;
      if (queue.length > 0) schedule();
    }
  }

  // After the current event-loop turn, so the requests parsed in the same turn share the insert.
  function schedule(): void {
    if (scheduled) return;
    scheduled = true;
    setImmediate(() => {
      scheduled = false;
      while (queue.length > 0 && inFlight < MAX_IN_FLIGHT) void flush();
    });
  }

  return function insert(row: WebhookEventInsert): Promise<boolean> {
    return new Promise((resolve, reject) => {
      queue.push({ row, resolve, reject });
      schedule();
    });
  };
}
