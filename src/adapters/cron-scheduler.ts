import { createTask, parse } from 'node-cron';
import type { Clock, Logger } from '../app/ports.js';
import { findNextRun, type WallSchedule } from '../core/schedule.js';
import { formatLocalTime } from '../core/time.js';
import { systemClock } from './system-clock.js';

/** A cron schedule in a time zone that calls `onTick`; it never decides whether to post, only when to ask. */
export interface Scheduler {
  start(): void;
  /** Stops future ticks; resolves once a tick under way has returned. */
  stop(): Promise<void>;
  /** When the schedule fires next: a property of the schedule, so a stopped or stopping scheduler still tells it. */
  nextRun(): Date;
}

/** Options of {@link createCronScheduler}. */
export interface CronSchedulerOptions {
  cron: string;
  timezone: string;
  logger: Logger;
  onTick: () => Promise<void>;
  /** Default: the system clock. */
  clock?: Clock;
  /** Longest sleep before the clock is read again, so a clock step delays a run by this much at most; default 60 s. */
  recheckMs?: number;
}

// A tick this late (the process was suspended, or busy with a tick that ran past the next one) is logged.
const LATE_MS = 60_000;

/** Reads a cron expression (5 or 6 fields, as node-cron accepts them) as local wall-clock times. */
export function readCronSchedule(cron: string): WallSchedule {
  const fields = parse(cron);
  // node-cron in UTC matches wall-clock fields exactly (UTC has no DST): its day rules (L, W, #, names) stay its own.
  // The task is never started, and is destroyed at once so it leaves nothing in node-cron's registry.
  const matcher = createTask(cron, () => undefined, { timezone: 'UTC' });
  void matcher.destroy();
  const [second, minute, hour] = [Math.min(...fields.second), Math.min(...fields.minute), Math.min(...fields.hour)];
  return {
    seconds: fields.second,
    minutes: fields.minute,
    hours: fields.hour,
    firesOn: (year, month, day) => matcher.match(new Date(Date.UTC(year, month - 1, day, hour, minute, second))),
  };
}

/**
 * Runs `onTick` at each time of the schedule (DST rules of {@link findNextRun}), one tick at a time: a tick due
 * while another runs, or while the process was suspended, runs once as soon as possible; every tick and failure is
 * logged. Our own timer rather than node-cron's: node-cron silently skips a time the clock jumps over in spring, and
 * a tick more than a second late.
 */
export function createCronScheduler(options: CronSchedulerOptions): Scheduler {
  const { logger, timezone } = options;
  const clock = options.clock ?? systemClock;
  const recheckMs = options.recheckMs ?? 60_000;
  const schedule = readCronSchedule(options.cron);
  const nextAfter = (at: Date) => findNextRun(schedule, timezone, at);
  let due = nextAfter(clock.now());
  let running = false;
  let timer: NodeJS.Timeout | null = null;
  let current: Promise<void> | null = null;

  const arm = () => {
    if (!running || current) return;
    // Never one long sleep: the wall clock may step while we sleep (NTP), and the due time is a wall-clock instant.
    timer = setTimeout(wake, Math.max(0, Math.min(due.getTime() - clock.now().getTime(), recheckMs)));
  };

  const wake = () => {
    timer = null;
    if (!running) return;
    const now = clock.now();
    if (now.getTime() < due.getTime()) {
      arm();
      return;
    }
    const slot = due;
    // The next due time moves on before the tick runs: a stop during the tick must not lose it. Times missed while
    // the process could not run (suspended, or a tick that ran long) collapse into this one late tick.
    due = nextAfter(now.getTime() > slot.getTime() ? now : slot);
    const lateMs = now.getTime() - slot.getTime();
    if (lateMs > LATE_MS)
      logger.warn(
        { due: slot.toISOString(), lateMs },
        `the digest due ${formatLocalTime(slot, timezone)} runs ${Math.round(lateMs / 1000)} s late`,
      );
    current = tick(slot).finally(() => {
      current = null;
      arm();
    });
  };

  const tick = async (slot: Date) => {
    logger.debug({ cron: options.cron, due: slot.toISOString() }, 'scheduled digest tick');
    try {
      await options.onTick();
    } catch (error) {
      // A failing job never crashes the process: it is logged and the next tick tries again.
      logger.error({ err: error }, 'scheduled digest failed');
    }
  };

  return {
    start() {
      if (running) return;
      running = true;
      due = nextAfter(clock.now());
      logger.debug({ cron: options.cron, timezone, due: due.toISOString() }, 'schedule started');
      arm();
    },
    async stop() {
      running = false;
      if (timer) clearTimeout(timer);
      timer = null;
      await current;
    },
    nextRun: () => due,
  };
}
