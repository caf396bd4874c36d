/**
 * Emulator time. It follows the wall clock (so objects created a moment apart get increasing
 * `created` values) plus an offset that tests move to expire codes and tokens without waiting.
 */
export interface Clock {
  /** Current emulator time, unix seconds. */
  now(): number;
  /** Moves emulator time forward (or back, with a negative value); returns the new time. */
  advance(seconds: number): number;
  /** Jumps emulator time to `unix`; it keeps ticking from there. */
  set(unix: number): number;
}

export function createClock(start?: number): Clock {
  const wall = () => Math.floor(Date.now() / 1000);
  let offset = start === undefined ? 0 : start - wall();
  const now = () => wall() + offset;
  return {
    now,
    advance(seconds) {
      offset += Math.trunc(seconds);
      return now();
    },
    set(unix) {
      offset = Math.trunc(unix) - wall();
      return now();
    },
  };
}
