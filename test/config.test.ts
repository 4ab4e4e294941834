import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../src/config.js';

/** The problems loadConfig reports for an environment, or [] when it accepts it. */
function problemsOf(env: Record<string, string | undefined>): string[] {
  try {
    loadConfig(env);
    return [];
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
}

describe('DIGEST_ORDER', () => {
  it.each([
    [undefined, 'corpus'],
    ['', 'corpus'],
    ['  ', 'corpus'],
    ['corpus', 'corpus'],
    ['newest', 'newest'],
    ['upvotes', 'upvotes'],
  ])('given %j, then the digest order is %s', (value, expected) => {
    expect(loadConfig({ DIGEST_ORDER: value }).digest.order).toBe(expected);
  });

  it.each(['popular', 'Upvotes', 'votes', 'oldest'])('given %j, then one problem names every accepted value', (value) => {
    expect(problemsOf({ DIGEST_ORDER: value })).toEqual([
      `DIGEST_ORDER "${value}" must be "corpus" (page order), "newest" (newest publication date first) or "upvotes" (most upvoted first)`,
    ]);
  });
});
