/**
 * Coalesces checkpoint writes: parallel ranges ask for a save after every page without waiting
 * for it, and at most one write runs at a time, always of the latest state. A page's objects are
 * stored before its cursor can be saved, so a checkpoint that lags only means a few pages are
 * read again after a crash, never that one is skipped.
 */
export function createCheckpointer(write: () => Promise<void>) {
  let running: Promise<void> | undefined;
  let dirty = false;
  let failure: unknown;

  async function drain(): Promise<void> {
    while (dirty) {
      dirty = false;
      try {
        await write();
      } catch (error) {
        failure = error;
      }
    }
    running = undefined;
  }

  return {
    request(): void {
      dirty = true;
      running ??= drain();
    },
    /** Resolves once the latest state is written; rethrows a failed write. */
    async flush(): Promise<void> {
      this.request();
      while (running) await running;
      if (failure) {
        const error = failure;
        failure = undefined;
        throw error;
      }
    },
  };
}
