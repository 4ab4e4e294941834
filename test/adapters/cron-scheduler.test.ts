import { afterEach, describe, expect, it, vi } from 'vitest';
import { createCronScheduler, readCronSchedule, type Scheduler } from '../../src/adapters/cron-scheduler.js';
import { findNextRun } from '../../src/core/schedule.js';
import { createMemoryLogger } from '../support/memory-ports.js';

// Fake timers stand in for the wall clock and setTimeout alike (the scheduler reads the system clock by default).
afterEach(() => {
  vi.useRealTimers();
});

const schedulers: Scheduler[] = [];
const held: Array<() => void> = [];
afterEach(async () => {
  for (const release of held.splice(0)) release();
  await Promise.all(schedulers.splice(0).map((scheduler) => scheduler.stop()));
});

/** A started scheduler whose ticks record the (fake) time they ran at; `release` ends a tick held with `hold`. */
function startScheduler(cron: string, timezone: string, at: string, options: { hold?: boolean } = {}) {
  vi.useFakeTimers({ now: new Date(at) });
  const ticks: string[] = [];
  const logger = createMemoryLogger();
  const scheduler = createCronScheduler({
    cron,
    timezone,
    logger,
    onTick: async () => {
      ticks.push(new Date().toISOString());
      if (options.hold) await new Promise<void>((resolve) => held.push(resolve));
    },
  });
  schedulers.push(scheduler);
  scheduler.start();
  return { scheduler, ticks, logger, release: () => held.shift()?.() };
}

describe('readCronSchedule (node-cron fields and day rules, read as wall-clock times)', () => {
  it.each([
    ['30 8 * * 1-5', 'UTC', '2026-01-09T09:00:00Z', '2026-01-12T08:30:00.000Z'],
    ['0 0 L * *', 'UTC', '2026-02-01T00:00:00Z', '2026-02-28T00:00:00.000Z'],
    ['0 9 * * MON#1', 'UTC', '2026-01-06T00:00:00Z', '2026-02-02T09:00:00.000Z'],
    ['15 30 6 * * *', 'UTC', '2026-01-01T00:00:00Z', '2026-01-01T06:30:15.000Z'],
    ['@daily', 'Asia/Kolkata', '2026-01-01T12:00:00Z', '2026-01-01T18:30:00.000Z'],
    ['30 2 * * *', 'Europe/Paris', '2026-03-28T12:00:00Z', '2026-03-29T01:00:00.000Z'],
  ])('given "%s" in %s after %s, then the next run is %s', (cron, zone, after, expected) => {
    expect(findNextRun(readCronSchedule(cron), zone, new Date(after)).toISOString()).toBe(expected);
  });
});

describe('createCronScheduler', () => {
  it('given 02:30 in Europe/Paris on the day the clock jumps from 02:00 to 03:00, then it runs once, at 03:00, as nextRun said beforehand', async () => {
    const { scheduler, ticks } = startScheduler('30 2 * * *', 'Europe/Paris', '2026-03-29T00:00:00Z');
    expect(scheduler.nextRun().toISOString()).toBe('2026-03-29T01:00:00.000Z');
    await vi.advanceTimersByTimeAsync(3 * 3_600_000);
    expect(ticks).toEqual(['2026-03-29T01:00:00.000Z']);
    expect(scheduler.nextRun().toISOString()).toBe('2026-03-30T00:30:00.000Z');
  });

  it('given 02:30 in Europe/Paris on the day 02:00–03:00 is shown twice, then it runs once, at the first 02:30', async () => {
    const { ticks } = startScheduler('30 2 * * *', 'Europe/Paris', '2026-10-24T22:00:00Z');
    await vi.advanceTimersByTimeAsync(6 * 3_600_000);
    expect(ticks).toEqual(['2026-10-25T00:30:00.000Z']);
  });

  it('given ordinary days, then it runs at each scheduled time and nextRun always names the coming one', async () => {
    const { scheduler, ticks } = startScheduler('0 9 * * *', 'Europe/Paris', '2026-01-10T12:00:00Z');
    const announced: string[] = [];
    for (let day = 0; day < 3; day += 1) {
      announced.push(scheduler.nextRun().toISOString());
      await vi.advanceTimersByTimeAsync(24 * 3_600_000);
    }
    expect(ticks).toEqual(['2026-01-11T08:00:00.000Z', '2026-01-12T08:00:00.000Z', '2026-01-13T08:00:00.000Z']);
    expect(announced).toEqual(ticks);
  });

  it('given a stop while a tick runs, then nextRun still names the next scheduled time, during the stop and after it', async () => {
    const { scheduler, ticks, release } = startScheduler('0 9 * * *', 'UTC', '2026-01-10T08:59:00Z', { hold: true });
    await vi.advanceTimersByTimeAsync(60_000);
    expect(ticks).toEqual(['2026-01-10T09:00:00.000Z']);
    const stopped = scheduler.stop();
    expect(scheduler.nextRun().toISOString()).toBe('2026-01-11T09:00:00.000Z');
    release();
    await stopped;
    expect(scheduler.nextRun().toISOString()).toBe('2026-01-11T09:00:00.000Z');
    await vi.advanceTimersByTimeAsync(2 * 24 * 3_600_000);
    expect(ticks).toHaveLength(1);
  });

  it('given a tick that runs past the next scheduled time, then that time runs once right after it, not never and not twice', async () => {
    const { ticks, release } = startScheduler('*/10 * * * *', 'UTC', '2026-01-10T08:59:00Z', { hold: true });
    await vi.advanceTimersByTimeAsync(60_000);
    await vi.advanceTimersByTimeAsync(25 * 60_000);
    expect(ticks).toEqual(['2026-01-10T09:00:00.000Z']);
    release();
    await vi.advanceTimersByTimeAsync(1);
    expect(ticks).toEqual(['2026-01-10T09:00:00.000Z', '2026-01-10T09:25:00.000Z']);
    release();
    await vi.advanceTimersByTimeAsync(5 * 60_000);
    expect(ticks).toEqual(['2026-01-10T09:00:00.000Z', '2026-01-10T09:25:00.000Z', '2026-01-10T09:30:00.000Z']);
  });

  it('given the wall clock stepping forward past a scheduled time, then that run happens within a minute, once, and is logged as late', async () => {
    const { ticks, logger } = startScheduler('0 9 * * *', 'UTC', '2026-01-10T06:00:00Z');
    vi.setSystemTime(new Date('2026-01-10T11:00:00Z'));
    await vi.advanceTimersByTimeAsync(60_000);
    expect(ticks).toEqual(['2026-01-10T11:01:00.000Z']);
    expect(logger.lines.filter((line) => line.level === 'warn').map((line) => line.message)).toEqual([
      'the digest due Sat 10 Jan 2026, 09:00 UTC runs 7260 s late',
    ]);
    await vi.advanceTimersByTimeAsync(3_600_000);
    expect(ticks).toHaveLength(1);
  });

  it('given a failing tick, then it is logged and the next time still runs', async () => {
    vi.useFakeTimers({ now: new Date('2026-01-10T08:59:00Z') });
    const logger = createMemoryLogger();
    let calls = 0;
    const onTick = async () => {
      calls += 1;
      if (calls === 1) throw new Error('boom');
    };
    const scheduler = createCronScheduler({ cron: '0 * * * *', timezone: 'UTC', logger, onTick });
    schedulers.push(scheduler);
    scheduler.start();
    await vi.advanceTimersByTimeAsync(2 * 3_600_000);
    expect(calls).toBe(2);
    expect(logger.lines.filter((line) => line.level === 'error' && line.message === 'scheduled digest failed')).toHaveLength(1);
  });
});
