import { describe, expect, it } from 'vitest';
import { buildHealthStatus, updateProblem } from '../../src/app/health-status.js';
import type { DigestResult } from '../../src/app/run-digest.js';
import { createEmptyProgress } from '../../src/core/state.js';

const result = (outcome: DigestResult['outcome'], errorKind?: DigestResult['errorKind'], error?: string): DigestResult => ({
  outcome,
  digest: null,
  posted: [],
  failed: [],
  remaining: 0,
  durationMs: 0,
  ...(errorKind ? { errorKind } : {}),
  ...(error ? { error } : {}),
});

describe('updateProblem', () => {
  it.each<[string, string | null, DigestResult, string | null]>([
    ['a run refused for missing permissions', null, result('failed', 'forbidden', 'Missing Access'), 'Missing Access'],
    ['a failure the admin must fix without a message', null, result('failed', 'unknown-channel'), 'unknown-channel'],
    ['a state that cannot be saved', 'earlier', result('failed', 'state', 'ENOSPC'), 'ENOSPC'],
    ['a transient failure (it heals itself)', 'earlier', result('failed', 'transient', '503'), 'earlier'],
    ['an unreadable corpus (degraded, not a problem)', null, result('failed', 'corpus', 'no such folder'), null],
    ['a failure of no known kind', 'earlier', result('failed'), 'earlier'],
    ['a busy runner', 'earlier', result('busy'), 'earlier'],
    ['a digest that went through', 'earlier', result('posted'), null],
    ['a partial digest', 'earlier', result('partial'), null],
    ['an empty digest', 'earlier', result('empty'), null],
  ])('given %s after problem %j, then the problem is %j', (_name, previous, run, expected) => {
    expect(updateProblem(previous, run)).toBe(expected);
  });
});

describe('buildHealthStatus', () => {
  const facts = {
    pid: 42,
    mode: 'discord' as const,
    connected: false,
    now: new Date('2026-06-22T09:00:00.000Z'),
    startedAt: '2026-06-22T08:00:00.000Z',
    nextRun: new Date('2026-06-23T08:00:00.000Z'),
    destination: createEmptyProgress(),
    problem: 'cannot save state',
    corpusLocation: '/srv/corpus',
  };

  it('given a bot that never ran a digest, then the status says so, with the heartbeat now and the next run', () => {
    expect(buildHealthStatus(facts)).toEqual({
      pid: 42,
      mode: 'discord',
      connected: false,
      heartbeatAt: '2026-06-22T09:00:00.000Z',
      startedAt: '2026-06-22T08:00:00.000Z',
      nextRunAt: '2026-06-23T08:00:00.000Z',
      lastRun: null,
      problem: 'cannot save state',
      concerns: [],
    });
  });

  it('given a last run with no error or reason, then lastRun carries neither key', () => {
    const destination = {
      ...createEmptyProgress(),
      lastRun: { at: '2026-06-22T08:30:00.000Z', outcome: 'posted' as const, posted: 3, remaining: 4 },
    };
    expect(buildHealthStatus({ ...facts, destination }).lastRun).toStrictEqual({ at: '2026-06-22T08:30:00.000Z', outcome: 'posted' });
  });

  it('given an empty corpus at the last run, then lastRun says why and the concerns name the corpus folder', () => {
    const destination = {
      ...createEmptyProgress(),
      lastRun: { at: '2026-06-22T08:30:00.000Z', outcome: 'empty' as const, posted: 0, remaining: 0, reason: 'corpus-empty' as const },
    };
    const status = buildHealthStatus({ ...facts, destination, nextRun: null });
    expect(status.lastRun).toStrictEqual({ at: '2026-06-22T08:30:00.000Z', outcome: 'empty', reason: 'corpus-empty' });
    expect(status.nextRunAt).toBeNull();
    expect(status.concerns).toEqual([expect.stringMatching(/^the corpus at \/srv\/corpus has no papers/)]);
  });
});
