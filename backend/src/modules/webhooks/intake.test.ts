import { describe, expect, it } from 'vitest';
import { createEventIntake } from './intake.js';
import type { WebhookEventInsert } from './repository.js';

const row = (id: string): WebhookEventInsert => ({ id, type: 'customer.created', account: 'acct_1', livemode: false, created: 1, status: 'pending' });

/** A repository whose inserts stay open until the test ends them, recording each statement's rows. */
function heldRepository() {
  const statements: { ids: string[]; end(error?: Error): void }[] = [];
  const stored = new Set<string>();
  return {
    statements,
    repository: {
      insertMany: (rows: WebhookEventInsert[]) =>
        new Promise<Set<string>>((resolve, reject) => {
          statements.push({
            ids: rows.map((r) => r.id),
            end: (error) => {
              if (error) return reject(error);
              const inserted = new Set(rows.map((r) => r.id).filter((id) => !stored.has(id)));
              for (const id of inserted) stored.add(id);
              resolve(inserted);
            },
          });
        }),
    },
  };
}

const turn = () => new Promise((resolve) => setImmediate(resolve));

describe('createEventIntake: group commit of deliveries', () => {
  it('writes a lone event at once, and the events of one event-loop turn in one statement', async () => {
    const { statements, repository } = heldRepository();
    const insert = createEventIntake(repository);
    const lone = insert(row('evt_1'));
    await turn();
    expect(statements.map((s) => s.ids)).toEqual([['evt_1']]);
    statements[0]!.end();
    expect(await lone).toBe(true);

    const together = [insert(row('evt_2')), insert(row('evt_3'))];
    await turn();
    expect(statements[1]!.ids).toEqual(['evt_2', 'evt_3']);
    statements[1]!.end();
    expect(await Promise.all(together)).toEqual([true, true]);
  });

  it('runs two statements at most: what arrives meanwhile waits and goes in the next one', async () => {
    const { statements, repository } = heldRepository();
    const insert = createEventIntake(repository);
    const first = insert(row('evt_a'));
    await turn();
    const second = insert(row('evt_b'));
    await turn();
    const waiting = [insert(row('evt_c')), insert(row('evt_d'))];
    await turn();
    const later = insert(row('evt_e'));
    await turn();
    expect(statements.map((s) => s.ids)).toEqual([['evt_a'], ['evt_b']]);

    statements[0]!.end();
    await first;
    await turn();
    expect(statements.map((s) => s.ids)).toEqual([['evt_a'], ['evt_b'], ['evt_c', 'evt_d', 'evt_e']]);
    statements[1]!.end();
    statements[2]!.end();
    expect(await Promise.all([second, ...waiting, later])).toEqual([true, true, true, true]);
  });

  it('answers false for an id already stored or repeated in the batch, and fails only the requests of a failed statement', async () => {
    const { statements, repository } = heldRepository();
    const insert = createEventIntake(repository);
    const stored = insert(row('evt_x'));
    await turn();
    statements[0]!.end();
    await stored;

    const results = [insert(row('evt_x')), insert(row('evt_y')), insert(row('evt_y'))];
    await turn();
    expect(statements[1]!.ids).toEqual(['evt_x', 'evt_y']);
    statements[1]!.end();
    expect(await Promise.all(results)).toEqual([false, true, false]);

    const failing = insert(row('evt_z'));
    await turn();
    statements[2]!.end(new Error('connection lost'));
    await expect(failing).rejects.toThrow('connection lost');
    const retried = insert(row('evt_z'));
    await turn();
    statements[3]!.end();
    expect(await retried).toBe(true);
  });
});
