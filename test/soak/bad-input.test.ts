import { describe, expect, it } from 'vitest';
import { isPassing } from './report.js';
import { badInputPlan, run } from './scenarios/bad-input.js';

const SCALE = 0.05;
const count = (load: string, what: string): number => Number(new RegExp(`([\\d,]+) ${what}`).exec(load)?.[1]?.replace(/,/g, '') ?? NaN);

// The short version of the "bad input" soak scenario (`npm run soak` runs it at full scale).
describe('soak: bad input, short', () => {
  it('given fuzzed pages, files, papers and malformed interactions, then nothing throws, payloads are valid and the bot answers cleanly without crashing', async () => {
    const plan = badInputPlan(SCALE);
    const report = await run(SCALE);
    expect(report.problems).toEqual([]);
    expect(isPassing(report)).toBe(true);
    expect(count(report.load, 'corpus inputs')).toBeGreaterThanOrEqual(plan.corpusInputs);
    expect(count(report.load, 'corpus dirs')).toBeGreaterThanOrEqual(plan.corpusDirs);
    expect(count(report.load, 'papers formatted')).toBeGreaterThanOrEqual(plan.papers);
    expect(report.interactionsSent).toBeGreaterThanOrEqual(plan.valueLevel + plan.structural + plan.valid);
    expect(report.interactionsAnswered).toBeGreaterThanOrEqual(plan.valueLevel + plan.valid);
    expect(report.p99Ms).not.toBeNull();
    expect(report.peakRssMb).not.toBeNull();
  }, 120_000);
});
