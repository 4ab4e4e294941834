import { performance } from 'node:perf_hooks';

/** Waits a number of milliseconds (less when `signal` aborts); injectable so tests check spacing without waiting it out. */
export type Sleep = (ms: number, signal?: AbortSignal) => Promise<void>;

/** The real {@link Sleep}: an abort ends the wait at once and clears its timer, so a stopping process can exit. */
export const realSleep: Sleep = (ms, signal) =>
  new Promise((resolve) => {
    if (signal?.aborted) {
      resolve();
      return;
    }
    const done = () => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal?.addEventListener('abort', done, { once: true });
  });

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
