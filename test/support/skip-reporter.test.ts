import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import config from '../../vitest.config.js';

const FIXTURE_DIR = fileURLToPath(new URL('../fixtures/skips/', import.meta.url));
const VITEST = fileURLToPath(new URL('../../node_modules/vitest/vitest.mjs', import.meta.url));

function runFixture(...args: string[]): string {
  const run = spawnSync(process.execPath, [VITEST, 'run', '--config', 'vitest.config.ts', ...args], {
    cwd: FIXTURE_DIR,
    encoding: 'utf8',
    env: { ...process.env, NO_COLOR: '1', CI: '1' },
  });
  expect(run.status, run.stderr).toBe(0);
  return run.stdout;
}

describe('skips are named in the summary', () => {
  it('given tests that cannot run here, then each is skipped, not run, and listed with its reason after the summary', () => {
    const out = runFixture();
    expect(out).toMatch(/1 passed \| 2 skipped/);
    const summary = out.slice(out.indexOf('Duration'));
    expect(summary).toContain('2 tests were skipped, so not checked on this machine:');
    expect(summary).toContain('SKIPPED: skips.fixture.ts > given a frobnicator, then it frobs — this machine has no frobnicator');
    expect(summary).toContain('SKIPPED: skips.fixture.ts > given a bare skip, then the summary still names it — no reason given');
  });

  it('given a -t filter, then the tests it leaves out are not listed as skipped', () => {
    const out = runFixture('-t', 'nothing special');
    expect(out).toMatch(/1 passed \| 2 skipped/);
    expect(out).not.toContain('SKIPPED:');
  });

  it('given the project configuration, then every run uses the skip reporter after the default one', () => {
    expect(config.test?.reporters).toEqual(['default', './test/support/skip-reporter.ts']);
  });
});
