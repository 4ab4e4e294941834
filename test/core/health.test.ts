import { describe, expect, it } from 'vitest';
import { evaluateHealth, type HealthStatus, LAG_CONCERN_SECONDS, listDigestConcerns, overdueSeconds } from '../../src/core/health.js';
import { createEmptyProgress } from '../../src/core/state.js';

const NOW = new Date('2026-06-22T09:00:30.000Z');
const base: HealthStatus = {
  pid: 1,
  mode: 'discord',
  connected: true,
  heartbeatAt: '2026-06-22T09:00:20.000Z',
  startedAt: '2026-06-22T08:00:00.000Z',
  nextRunAt: null,
  lastRun: { at: '2026-06-22T09:00:00.000Z', outcome: 'posted' },
  problem: null,
};

describe('evaluateHealth', () => {
  it('given a status written before concerns existed, then it is ok', () => {
    expect(evaluateHealth(base, NOW)).toMatchObject({
      ok: true,
      state: 'ok',
      summary: expect.stringMatching(/^ok: discord mode, last digest posted/),
    });
  });

  it('given concerns, then it is degraded (still ok for probes) with every concern as the reason', () => {
    const verdict = evaluateHealth(
      { ...base, concerns: ['the corpus at /srv/corpus has no papers', '1 paper may already be in the channel'] },
      NOW,
    );
    expect(verdict).toEqual({
      ok: true,
      state: 'degraded',
      summary: expect.any(String),
      reason: 'the corpus at /srv/corpus has no papers; 1 paper may already be in the channel',
    });
  });

  it('given a last run that failed because the corpus cannot be read, then it is degraded, not unhealthy', () => {
    const lastRun = {
      at: base.heartbeatAt,
      outcome: 'failed',
      error: 'corpus directory /srv/corpus does not exist',
      reason: 'corpus-unavailable',
    };
    expect(
      evaluateHealth({ ...base, lastRun, concerns: ['no digest can be posted: corpus directory /srv/corpus does not exist'] }, NOW),
    ).toMatchObject({ ok: true, state: 'degraded' });
  });

  it('given a last run that failed for another reason, or a problem, then it is unhealthy whatever the concerns', () => {
    const failed = { ...base, lastRun: { at: base.heartbeatAt, outcome: 'failed', error: 'ENOSPC' }, concerns: ['x'] };
    expect(evaluateHealth(failed, NOW)).toEqual({ ok: false, state: 'unhealthy', reason: 'the last digest failed: ENOSPC' });
    expect(evaluateHealth({ ...base, problem: 'cannot save state', concerns: ['x'] }, NOW)).toEqual({
      ok: false,
      state: 'unhealthy',
      reason: 'cannot save state',
    });
  });
});

describe('feeds owned and lag', () => {
  it('given the feeds a process owns and its lag, then the summary says them', () => {
    const verdict = evaluateHealth({ ...base, shards: [1], feeds: { running: 12, paused: 1 }, lagSeconds: 30 }, NOW);
    expect(verdict).toMatchObject({ ok: true, state: 'ok', summary: expect.stringMatching(/, 12 feeds running, lag 30 s$/) });
  });

  it('given a digest overdue by more than the allowed lag, then the process is degraded and says so', () => {
    const verdict = evaluateHealth({ ...base, feeds: { running: 1, paused: 0 }, lagSeconds: LAG_CONCERN_SECONDS + 60 }, NOW);
    expect(verdict).toMatchObject({ ok: true, state: 'degraded', reason: expect.stringMatching(/^a digest is 11 min overdue/) });
  });

  it('given due times and digests under way, then the lag runs from the earliest past one, and is 0 when none is past', () => {
    const now = new Date('2026-06-22T09:10:00.000Z');
    const digest = { digest: 1, papers: [], remainingAfter: 0, header: { nonce: 'n', messageId: null } };
    expect(overdueSeconds([], now)).toBe(0);
    expect(
      overdueSeconds(
        [
          { nextDueAt: '2026-06-22T09:15:00.000Z', inFlight: null },
          { nextDueAt: null, inFlight: null },
        ],
        now,
      ),
    ).toBe(0);
    expect(
      overdueSeconds(
        [
          { nextDueAt: '2026-06-22T09:09:00.000Z', inFlight: null },
          { nextDueAt: '2026-06-23T09:00:00.000Z', inFlight: { ...digest, startedAt: '2026-06-22T09:05:00.000Z' } },
        ],
        now,
      ),
    ).toBe(300);
  });
});

describe('listDigestConcerns for corpus files that give nothing', () => {
  it('given skipped and quarantined files, then one concern names each (three at most) with why, and where to look', () => {
    const problems = [
      { file: 'hf-daily/2026-10-05.json', problem: 'no corpus format recognises it' },
      { file: 'copied.txt', problem: 'quarantined: read as plain-text, but its entries do not look like papers' },
    ];
    expect(listDigestConcerns(createEmptyProgress(), { location: '/srv/corpus', problems })).toEqual([
      '2 corpus files at /srv/corpus give no papers: hf-daily/2026-10-05.json (no corpus format recognises it); copied.txt (quarantined: read as plain-text, but its entries do not look like papers). Run `paperboy corpus` for the details, then fix or remove them',
    ]);
    const many = Array.from({ length: 5 }, (_, i) => ({ file: `f${i}.md`, problem: 'no corpus format recognises it' }));
    expect(listDigestConcerns(createEmptyProgress(), { problems: many })[0]).toMatch(
      /^5 corpus files give no papers: f0\.md .*f2\.md \(no corpus format recognises it\), and 2 more\. Run/,
    );
    expect(listDigestConcerns(createEmptyProgress(), { problems: [] })).toEqual([]);
  });
});
