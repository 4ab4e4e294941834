import type { RunGate } from './scheduled-feed.js';

/**
 * A gate that lets at most `limit` pieces of work run at once, the others waiting in call order: a thousand feeds due
 * at the same minute post a few at a time instead of opening a thousand requests together.
 */
export function createRunGate(limit: number): RunGate {
  let active = 0;
  const waiting: Array<() => void> = [];
  const release = () => {
    active -= 1;
    waiting.shift()?.();
  };
  return async (work) => {
    if (active >= limit) await new Promise<void>((resolve) => waiting.push(resolve));
    active += 1;
    try {
      return await work();
    } finally {
      release();
    }
  };
}
