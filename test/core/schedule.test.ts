import { describe, expect, it } from 'vitest';
import { findNextRun, type WallSchedule } from '../../src/core/schedule.js';

/** Every day at the given local times. */
function daily(hours: number[], minutes = [0], seconds = [0]): WallSchedule {
  return { hours, minutes, seconds, firesOn: () => true };
}

/** Hourly at minute 0. */
const hourly = daily(Array.from({ length: 24 }, (_, hour) => hour));

/** The next `count` runs after `after`, as ISO strings. */
function runsAfter(schedule: WallSchedule, zone: string, after: string, count: number): string[] {
  const runs: string[] = [];
  let at = new Date(after);
  for (let i = 0; i < count; i += 1) {
    at = findNextRun(schedule, zone, at);
    runs.push(at.toISOString());
  }
  return runs;
}

describe('findNextRun', () => {
  it.each([
    // [case, schedule, zone, after, next run]
    ['a normal winter day in Paris (UTC+1)', daily([9]), 'Europe/Paris', '2026-01-10T12:00:00Z', '2026-01-11T08:00:00.000Z'],
    ['a normal summer day in Paris (UTC+2)', daily([9]), 'Europe/Paris', '2026-07-10T12:00:00Z', '2026-07-11T07:00:00.000Z'],
    ['later the same day', daily([9, 18]), 'Europe/Paris', '2026-01-10T09:00:00Z', '2026-01-10T17:00:00.000Z'],
    ['times given out of order', daily([18, 6]), 'UTC', '2026-01-10T00:00:00Z', '2026-01-10T06:00:00.000Z'],
    ['exactly at a run: the next one, strictly after', daily([9]), 'UTC', '2026-01-10T09:00:00Z', '2026-01-11T09:00:00.000Z'],
    ['just before a run, with milliseconds', daily([9]), 'UTC', '2026-01-10T08:59:59.999Z', '2026-01-10T09:00:00.000Z'],
    [
      '02:30 skipped by the spring jump in Paris (02:00 → 03:00): at 03:00 that day',
      daily([2], [30]),
      'Europe/Paris',
      '2026-03-28T12:00:00Z',
      '2026-03-29T01:00:00.000Z',
    ],
    ['02:30 the day after the jump: 02:30 again', daily([2], [30]), 'Europe/Paris', '2026-03-29T01:00:00Z', '2026-03-30T00:30:00.000Z'],
    [
      '02:30 skipped in New York (EST → EDT): at 03:00 EDT',
      daily([2], [30]),
      'America/New_York',
      '2026-03-07T12:00:00Z',
      '2026-03-08T07:00:00.000Z',
    ],
    [
      '00:30 skipped in Santiago, whose clock jumps at midnight: at 01:00',
      daily([0], [30]),
      'America/Santiago',
      '2026-09-05T12:00:00Z',
      '2026-09-06T04:00:00.000Z',
    ],
    [
      '02:15 skipped by Lord Howe Island’s half-hour jump (02:00 → 02:30): at 02:30',
      daily([2], [15]),
      'Australia/Lord_Howe',
      '2026-10-03T00:00:00Z',
      '2026-10-03T15:30:00.000Z',
    ],
    [
      '02:30 shown twice in Paris in autumn: its first showing (CEST)',
      daily([2], [30]),
      'Europe/Paris',
      '2026-10-24T12:00:00Z',
      '2026-10-25T00:30:00.000Z',
    ],
    [
      'after that first showing: the next day, not the second showing',
      daily([2], [30]),
      'Europe/Paris',
      '2026-10-25T00:30:00Z',
      '2026-10-26T01:30:00.000Z',
    ],
    [
      'from inside the second showing of the repeated hour: the next day',
      daily([2], [30]),
      'Europe/Paris',
      '2026-10-25T01:15:00Z',
      '2026-10-26T01:30:00.000Z',
    ],
    ['03:00 right after the repeated hour', daily([3]), 'Europe/Paris', '2026-10-25T01:15:00Z', '2026-10-25T02:00:00.000Z'],
  ])('given %s, then it runs at the right instant', (_case, schedule, zone, after, expected) => {
    expect(findNextRun(schedule, zone, new Date(after)).toISOString()).toBe(expected);
  });

  it('given an hourly schedule across the spring jump, then 02:00 (skipped) runs once at 03:00 and 03:00 is not run twice', () => {
    expect(runsAfter(hourly, 'Europe/Paris', '2026-03-28T23:30:00Z', 3)).toEqual([
      '2026-03-29T00:00:00.000Z',
      '2026-03-29T01:00:00.000Z',
      '2026-03-29T02:00:00.000Z',
    ]);
  });

  it('given an hourly schedule across the autumn overlap, then the repeated 02:00 runs once, at its first showing', () => {
    expect(runsAfter(hourly, 'Europe/Paris', '2026-10-24T22:30:00Z', 4)).toEqual([
      '2026-10-24T23:00:00.000Z', // 01:00 CEST
      '2026-10-25T00:00:00.000Z', // 02:00 CEST
      '2026-10-25T02:00:00.000Z', // 03:00 CET (02:00 CET, the second showing, is not run again)
      '2026-10-25T03:00:00.000Z',
    ]);
  });

  it('given a day test, then only those days run (weekdays: a Friday evening leads to Monday)', () => {
    const weekdays: WallSchedule = {
      ...daily([8], [30]),
      firesOn: (year, month, day) => ![0, 6].includes(new Date(Date.UTC(year, month - 1, day)).getUTCDay()),
    };
    expect(findNextRun(weekdays, 'Europe/Paris', new Date('2026-01-09T18:00:00Z')).toISOString()).toBe('2026-01-12T07:30:00.000Z');
  });

  it('given a day that never comes, then it says so instead of looping', () => {
    const never: WallSchedule = { ...daily([9]), firesOn: () => false };
    expect(() => findNextRun(never, 'UTC', new Date('2026-01-01T00:00:00Z'))).toThrow(
      /^the schedule never fires in the 29 years after 2026-01-01T00:00:00\.000Z$/,
    );
  });
});
