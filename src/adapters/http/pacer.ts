import { performance } from 'node:perf_hooks';

/** Waits a number of milliseconds; injectable so tests check spacing without waiting it out. */
export type Sleep = (ms: number) => Promise<void>;

/** The real {@link Sleep}. */
export const realSleep: Sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** A clock that only moves forward, in milliseconds (not the time of day: only differences mean anything). */
export type MonotonicNow = () => number;

/** Runs tasks one at a time with at least a fixed pause between them, e.g. arXiv's one request every three seconds. */
export interface Pacer {
  run<T>(task: () => Promise<T>): Promise<T>;
}

/**
 * A pacer: each task starts only after the previous one has finished and `intervalMs` more have passed, so
 * requests never overlap (one connection) and start at least `intervalMs` apart. It waits only when a task is
 * due too early, so nothing is left pending after the last one (a command can exit at once).
 */
export function createPacer(intervalMs: number, sleep: Sleep = realSleep, now: MonotonicNow = () => performance.now()): Pacer {
  let turn: Promise<void> = Promise.resolve();
  let nextStart = Number.NEGATIVE_INFINITY;
  return {
    run<T>(task: () => Promise<T>): Promise<T> {
      const previous = turn;
      let release!: () => void;
      turn = new Promise((resolve) => {
        release = resolve;
      });
      return previous.then(async () => {
        try {
          const wait = nextStart - now();
          if (wait > 0) await sleep(wait);
          return await task();
        } finally {
          // The pause counts from the end of a task: a slow response does not eat into the next one's wait.
          nextStart = now() + intervalMs;
          release();
        }
      });
    },
  };
}
