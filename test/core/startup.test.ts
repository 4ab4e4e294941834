import { describe, expect, it } from 'vitest';
import { decideStartup, type StartupFacts, type StartupPlan } from '../../src/core/startup.js';
import { createEmptyProgress, type FeedProgress } from '../../src/core/state.js';

const NOW = '2026-06-22T09:00:00.000Z';
const BEFORE = '2026-06-22T08:00:00.000Z';
const LATER = '2026-06-22T10:00:00.000Z';
const ZONE = 'Europe/Paris';

/** A destination that posted `digests` digests, with digest #`digests` interrupted at `startedAt` when given. */
function destination(digests: number, interruptedAt?: string): FeedProgress {
  const inFlight = interruptedAt
    ? { digest: digests, startedAt: interruptedAt, papers: ['p1'], remainingAfter: 3, header: { nonce: 'h', messageId: null } }
    : null;
  return { ...createEmptyProgress(), digests, inFlight };
}

function decide(dest: FeedProgress, nextDueAt: string | null, options: Partial<StartupFacts['options']> = {}): StartupPlan {
  return decideStartup({
    destination: dest,
    nextDueAt,
    now: new Date(NOW),
    timezone: ZONE,
    options: { catchUp: true, consoleMode: false, ...options },
  });
}

const RESUME = `resuming digest #4, interrupted before it finished`;
const CATCH_UP = `catching up the run due Mon 22 Jun 2026, 10:00 Europe/Paris, missed while the bot was down`;
const FIRST = 'first start in console mode: a first digest right away, then the schedule';

/** The expected plan in words, for the test name. */
function describePlan(plan: StartupPlan): string {
  const runs = plan.runs.length ? `it runs ${plan.runs.map((r) => r.kind).join(' then ')}` : 'no digest runs and owed notifications go out';
  return `${runs}; the next due time is saved ${plan.saveNextDue === 'now' ? 'now' : 'after the catch-up'}`;
}

type Row = [string, FeedProgress, string | null, Partial<StartupFacts['options']>, StartupPlan];

describe('decideStartup', () => {
  const rows: Row[] = [
    [
      'a first start in Discord mode (nothing saved)',
      destination(0),
      null,
      {},
      { runs: [], deliverNotifications: true, saveNextDue: 'now' },
    ],
    ['a due time still ahead', destination(3), LATER, {}, { runs: [], deliverNotifications: true, saveNextDue: 'now' }],
    [
      'a due time passed while the bot was down',
      destination(3),
      BEFORE,
      {},
      { runs: [{ kind: 'catch-up', reason: CATCH_UP }], deliverNotifications: false, saveNextDue: 'after-catch-up' },
    ],
    [
      'a due time that is exactly now',
      destination(3),
      NOW,
      {},
      {
        runs: [{ kind: 'catch-up', reason: expect.stringMatching(/^catching up the run due Mon 22 Jun 2026, 11:00/) }],
        deliverNotifications: false,
        saveNextDue: 'after-catch-up',
      },
    ],
    [
      'a due time passed, but DIGEST_CATCH_UP=false',
      destination(3),
      BEFORE,
      { catchUp: false },
      { runs: [], deliverNotifications: true, saveNextDue: 'now' },
    ],
    [
      'an interrupted digest and no due time passed',
      destination(4, BEFORE),
      LATER,
      {},
      { runs: [{ kind: 'resume', reason: RESUME }], deliverNotifications: false, saveNextDue: 'now' },
    ],
    [
      'an interrupted digest that started before the missed due time',
      destination(4, '2026-06-22T07:00:00.000Z'),
      BEFORE,
      {},
      {
        runs: [
          { kind: 'resume', reason: RESUME },
          { kind: 'catch-up', reason: CATCH_UP },
        ],
        deliverNotifications: false,
        saveNextDue: 'after-catch-up',
      },
    ],
    [
      'an interrupted digest that started at the missed due time (it is that catch-up)',
      destination(4, BEFORE),
      BEFORE,
      {},
      { runs: [{ kind: 'resume', reason: RESUME }], deliverNotifications: false, saveNextDue: 'now' },
    ],
    [
      'an interrupted digest that started after the missed due time',
      destination(4, '2026-06-22T08:30:00.000Z'),
      BEFORE,
      {},
      { runs: [{ kind: 'resume', reason: RESUME }], deliverNotifications: false, saveNextDue: 'now' },
    ],
    [
      'an interrupted digest, a due time passed, DIGEST_CATCH_UP=false',
      destination(4, '2026-06-22T07:00:00.000Z'),
      BEFORE,
      { catchUp: false },
      { runs: [{ kind: 'resume', reason: RESUME }], deliverNotifications: false, saveNextDue: 'now' },
    ],
    [
      'a first start in console mode',
      destination(0),
      null,
      { consoleMode: true },
      { runs: [{ kind: 'first-console', reason: FIRST }], deliverNotifications: false, saveNextDue: 'now' },
    ],
    [
      'a later start in console mode',
      destination(1),
      LATER,
      { consoleMode: true },
      { runs: [], deliverNotifications: true, saveNextDue: 'now' },
    ],
    [
      'a first console start with a due time passed (catch-up only, not a first digest too)',
      destination(0),
      BEFORE,
      { consoleMode: true },
      { runs: [{ kind: 'catch-up', reason: CATCH_UP }], deliverNotifications: false, saveNextDue: 'after-catch-up' },
    ],
    [
      'a first console start with a missed time but DIGEST_CATCH_UP=false',
      destination(0),
      BEFORE,
      { consoleMode: true, catchUp: false },
      { runs: [{ kind: 'first-console', reason: FIRST }], deliverNotifications: false, saveNextDue: 'now' },
    ],
  ];
  it.each(rows.map(([given, ...rest]) => [given, describePlan(rest[3]), ...rest] as const))(
    'given %s, then %s',
    (_given, _then, dest, nextDueAt, options, plan) => {
      expect(decide(dest, nextDueAt, options)).toEqual(plan);
    },
  );
});
