import { createTask, type ScheduledTask } from 'node-cron';
import type { Logger } from '../app/ports.js';

/** A cron schedule in a time zone that calls `onTick`; it never decides whether to post, only when to ask. */
export interface Scheduler {
  start(): void;
  /** Stops future ticks; resolves once a tick under way has returned. */
  stop(): Promise<void>;
  /** The next tick, or null when stopped. */
  nextRun(): Date | null;
}

/** Wraps node-cron: one named task, no overlapping ticks, every tick and failure logged. */
export function createCronScheduler(options: { cron: string; timezone: string; logger: Logger; onTick: () => Promise<void> }): Scheduler {
  const { logger } = options;
  let task: ScheduledTask | null = null;
  let current: Promise<void> | null = null;

  const tick = async () => {
    logger.debug({ cron: options.cron }, 'scheduled digest tick');
    current = options.onTick().catch((error: unknown) => {
      // A failing job never crashes the process: it is logged and the next tick tries again.
      logger.error({ err: error instanceof Error ? error.stack : String(error) }, 'scheduled digest failed');
    });
    try {
      await current;
    } finally {
      current = null;
    }
  };

  return {
    start() {
      task = createTask(options.cron, tick, {
        name: 'paperboy-digest',
        timezone: options.timezone,
        noOverlap: true,
        logger: {
          info: (m) => logger.debug({}, `node-cron: ${m}`),
          warn: (m) => logger.warn({}, `node-cron: ${m}`),
          error: (m) => logger.error({}, `node-cron: ${m instanceof Error ? m.message : m}`),
          debug: (m) => logger.debug({}, `node-cron: ${m instanceof Error ? m.message : m}`),
        },
      });
      void task.start();
    },
    async stop() {
      if (task) await task.stop();
      task = null;
      await current;
    },
    nextRun: () => task?.getNextRun() ?? null,
  };
}
