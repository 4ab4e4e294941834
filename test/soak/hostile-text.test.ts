import { describe, expect, it } from 'vitest';
import { isPassing } from './report.js';
import { run } from './scenarios/hostile-text.js';

// The short version of the "hostile text" soak scenario (`npm run soak` runs it at full scale).
describe('soak: hostile text, short', () => {
  it('given papers whose text tries to ping, link, format and hide, then every card and /paper reply shows it literally and pings only subscribers', async () => {
    const report = await run(0.05);
    expect(report.problems).toEqual([]);
    expect(isPassing(report)).toBe(true);
    expect(report.papersExpected).toBeGreaterThanOrEqual(12);
    expect(report.papersPosted).toBe(report.papersExpected);
    expect(report.interactionsAnswered).toBe(report.interactionsSent);
    expect(report.interactionsSent).toBeGreaterThanOrEqual(5);
  }, 120_000);
});
