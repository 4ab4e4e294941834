import { describe, expect, it, vi } from 'vitest';
import { createBotLifecycle, type BotLifecycleDeps, type HealthReporting, type Schedule } from '../../src/app/lifecycle.js';
import { PostError } from '../../src/app/ports.js';
import { createDigestRunner, type DigestDeps, type DigestRunner } from '../../src/app/run-digest.js';
import { createHeaderNonce } from '../../src/core/digest.js';
import type { HealthStatus } from '../../src/core/health.js';
import { scopeToFeed } from '../../src/app/feed-store.js';
import { createEmptyProgress, type FeedProgress, setNextDue, startDigest } from '../../src/core/state.js';
import { makeFeedState } from '../support/feed-state.js';
import {
  createFakePoster,
  createListCorpus,
  createManualClock,
  createMemoryLogger,
  createMemoryStore,
  makePapers,
  recordsOf,
  TEST_FEED,
} from '../support/memory-ports.js';

const NEXT_RUN = '2026-06-23T08:00:00.000Z';

/** A schedule that ticks only when the test says so. */
function createManualSchedule(next = NEXT_RUN) {
  let onTick: (() => Promise<void>) | null = null;
  const schedule: Schedule & { started: boolean; stopped: boolean; next: Date } = {
    started: false,
    stopped: false,
    next: new Date(next),
    start: () => void (schedule.started = true),
    stop: async () => void (schedule.stopped = true),
    nextRun: () => schedule.next,
  };
  return {
    schedule,
    create: (tick: () => Promise<void>) => ((onTick = tick), schedule),
    tick: () => onTick!(),
  };
}

/** Health reporting that keeps every status it was asked to write. */
function createRecordingHealth() {
  const health = { reports: [] as HealthStatus[], stopped: false, status: null as (() => HealthStatus) | null };
  const start = async (status: () => HealthStatus): Promise<HealthReporting> => {
    health.status = status;
    return { report: async () => void health.reports.push(status()), stop: async () => void (health.stopped = true) };
  };
  return { health, start };
}

/** A lifecycle over in-memory ports and the real digest runner, on a feed whose progress starts as `initial`. */
function setup(
  initial: FeedProgress = createEmptyProgress(),
  overrides: Partial<BotLifecycleDeps> = {},
  wrapRunner = (runner: DigestRunner) => runner,
  runnerOverrides: Partial<DigestDeps> = {},
) {
  const store = createMemoryStore({ progress: initial });
  const poster = createFakePoster();
  const corpus = createListCorpus(makePapers(10));
  const clock = createManualClock('2026-06-22T09:00:00.000Z');
  const logger = createMemoryLogger();
  const runner = createDigestRunner({
    store,
    feedId: store.feedId,
    poster,
    corpus,
    clock,
    logger,
    retryDelaysMs: [0, 0],
    ...runnerOverrides,
  });
  const schedule = createManualSchedule();
  const { health, start: startHealth } = createRecordingHealth();
  const session = { closed: false, healthStoppedFirst: false };
  const bot = createBotLifecycle({
    feed: scopeToFeed(store, store.feedId),
    runner: wrapRunner(runner),
    mode: 'discord',
    isConnected: () => true,
    clock,
    logger,
    timezone: 'UTC',
    catchUp: true,
    pid: 4242,
    corpusLocation: '/srv/corpus',
    createSchedule: schedule.create,
    startHealth,
    close: async () => {
      session.healthStoppedFirst = health.stopped;
      session.closed = true;
    },
    shutdownBudgetMs: 8000,
    ...overrides,
  });
  const digestsRun = () => logger.lines.filter((l) => l.message.startsWith('running a digest')).map((l) => l.fields.why);
  return {
    store,
    poster,
    corpus,
    clock,
    logger,
    runner,
    schedule,
    health,
    session,
    bot,
    digestsRun,
    dest: () => recordsOf(store),
  };
}

/** Starts the bot and waits for the start's own work (here: delivering owed notifications) to end, so a tick is not `busy`. */
async function startIdle(env: ReturnType<typeof setup>): Promise<void> {
  await env.bot.start();
  await vi.waitFor(() => expect(env.runner.isRunning()).toBe(false));
}

/** A state with digest #1 interrupted after it started at `startedAt`, and `dueAt` saved as the next due time. */
function interruptedState(startedAt: string, dueAt: string): FeedProgress {
  const ids = makePapers(3).map((p) => p.id);
  return setNextDue(
    startDigest(makeFeedState({ feedId: TEST_FEED }), {
      papers: ids,
      remainingAfter: 7,
      at: startedAt,
      headerNonce: createHeaderNonce(TEST_FEED, 1),
    }),
    dueAt,
  ).progress;
}

/** A gate a post waits at until the test opens it. */
function createGate() {
  let open!: () => void;
  const opened = new Promise<void>((resolve) => (open = resolve));
  return { open, opened };
}

describe('the bot lifecycle', () => {
  it('given a digest interrupted before a due time missed while down, then start resumes it, then catches up, and saves the next due time only after the catch-up', async () => {
    const env = setup(interruptedState('2026-06-22T07:00:00.000Z', '2026-06-22T08:00:00.000Z'));
    const dueAtEachPost: Array<string | null> = [];
    const post = env.poster.post.bind(env.poster);
    env.poster.post = async (message, nonce) => {
      dueAtEachPost.push(env.store.progress().nextDueAt);
      return post(message, nonce);
    };
    await env.bot.start();
    await vi.waitFor(() => expect(env.store.progress().nextDueAt).toBe(NEXT_RUN));
    expect(env.digestsRun()).toEqual([
      'resuming digest #1, interrupted before it finished',
      'catching up the run due Mon 22 Jun 2026, 08:00 UTC, missed while the bot was down',
    ]);
    expect(env.dest().digests).toBe(2);
    expect(Object.keys(env.dest().posted)).toEqual(makePapers(6).map((p) => p.id));
    expect(dueAtEachPost).toHaveLength(8);
    expect(new Set(dueAtEachPost)).toEqual(new Set(['2026-06-22T08:00:00.000Z']));
    expect(env.health.reports.map((r) => r.lastRun?.outcome)).toEqual(['posted', 'posted']);
  });

  it('given nothing owed at start, then no digest runs, owed notifications are delivered, and the next due time is saved at once', async () => {
    const deliveries: Array<AbortSignal | undefined> = [];
    const env = setup({ ...createEmptyProgress(), nextDueAt: '2026-06-22T10:00:00.000Z' }, {}, (runner) => ({
      ...runner,
      deliverNotifications: async (options) => void deliveries.push(options?.signal),
    }));
    await env.bot.start();
    expect(env.schedule.schedule.started).toBe(true);
    expect(env.store.progress().nextDueAt).toBe(NEXT_RUN);
    expect(deliveries).toHaveLength(1);
    expect(deliveries[0]!.aborted).toBe(false);
    expect(env.digestsRun()).toEqual([]);
    expect(env.logger.lines.map((l) => l.message)).toContain('next digest: Tue 23 Jun 2026, 08:00 UTC');
  });

  it('given a first start in console mode, then a first digest runs at once', async () => {
    const env = setup(createEmptyProgress(), { mode: 'console' });
    await env.bot.start();
    await vi.waitFor(() => expect(env.dest().lastRun?.outcome).toBe('posted'));
    expect(env.digestsRun()).toEqual(['first start in console mode: a first digest right away, then the schedule']);
  });

  it('given a step to prepare, then it runs after the schedule started and before the start-up decision', async () => {
    const env = setup(createEmptyProgress(), { mode: 'console' });
    const seen: boolean[] = [];
    await env.bot.start(async () => {
      seen.push(env.schedule.schedule.started);
      // Decided after this step: a digest that went through meanwhile means no first console digest.
      await env.runner.run();
    });
    expect(seen).toEqual([true]);
    expect(env.digestsRun()).toEqual([]);
  });

  it('given a scheduled tick, then the next due time is saved before the digest runs', async () => {
    const env = setup();
    await startIdle(env);
    env.schedule.schedule.next = new Date('2026-06-24T08:00:00.000Z');
    const dueAtEachPost: Array<string | null> = [];
    const post = env.poster.post.bind(env.poster);
    env.poster.post = async (message, nonce) => {
      dueAtEachPost.push(env.store.progress().nextDueAt);
      return post(message, nonce);
    };
    await env.schedule.tick();
    expect(env.digestsRun()).toEqual(['scheduled']);
    expect(new Set(dueAtEachPost)).toEqual(new Set(['2026-06-24T08:00:00.000Z']));
  });

  it('given a scheduled tick with live sources, then the next due time is saved after their fetch and before the first post', async () => {
    let dueAtFetch: string | null = null;
    const env = setup(createEmptyProgress(), {}, undefined, {
      beforeRun: async () => void (dueAtFetch = env.store.progress().nextDueAt),
    });
    await startIdle(env);
    env.schedule.schedule.next = new Date('2026-06-24T08:00:00.000Z');
    await env.schedule.tick();
    expect(dueAtFetch).toBe(NEXT_RUN);
    expect(env.store.progress().nextDueAt).toBe('2026-06-24T08:00:00.000Z');
    expect(env.poster.posts).toHaveLength(4);
  });

  it('given a stop while a scheduled digest fetches its sources, then nothing of it is recorded and its due time stays owed for the next start', async () => {
    let fetching!: () => void;
    const fetchStarted = new Promise<void>((resolve) => (fetching = resolve));
    const env = setup(createEmptyProgress(), {}, undefined, {
      // A fetch that only a shutdown ends (a source that hangs).
      beforeRun: (signal) =>
        new Promise<void>((resolve) => {
          fetching();
          signal?.addEventListener('abort', () => resolve());
        }),
    });
    await startIdle(env);
    env.schedule.schedule.next = new Date('2026-06-24T08:00:00.000Z');
    const ticking = env.schedule.tick();
    await fetchStarted;
    await env.bot.stop('received SIGTERM');
    await ticking;
    expect(await env.bot.exited).toBe(0);
    expect(env.poster.posts).toEqual([]);
    expect(env.dest().inFlight).toBeNull();
    expect(env.store.progress().nextDueAt).toBe(NEXT_RUN);
  });

  it('given live sources whose last fetch failed, then health is degraded with their concern', async () => {
    const env = setup(createEmptyProgress(), {
      sourceConcerns: () => ['the live source hf-daily failed at the last fetch (Mon 22 Jun 2026, 09:00 UTC): GET … returned an HTML page'],
    });
    await startIdle(env);
    expect(env.health.status!().concerns).toEqual([
      'the live source hf-daily failed at the last fetch (Mon 22 Jun 2026, 09:00 UTC): GET … returned an HTML page',
    ]);
  });

  it('given a stop during a post, then that post finishes, the rest of the digest waits for the next start, and health stops before the session closes with exit code 0', async () => {
    const env = setup();
    await startIdle(env);
    const gate = createGate();
    const post = env.poster.post.bind(env.poster);
    let arrived!: () => void;
    const blocked = new Promise<void>((resolve) => (arrived = resolve));
    env.poster.post = async (message, nonce) => {
      if (env.poster.posts.length === 1) {
        arrived();
        await gate.opened;
      }
      return post(message, nonce);
    };
    const ticking = env.schedule.tick();
    await blocked;
    const stopping = env.bot.stop('received SIGTERM');
    await new Promise((resolve) => setImmediate(resolve));
    expect(env.session.closed).toBe(false);
    gate.open();
    await stopping;
    await ticking;
    expect(await env.bot.exited).toBe(0);
    expect(env.poster.posts).toHaveLength(2);
    expect(env.dest().inFlight?.digest).toBe(1);
    expect(Object.keys(env.dest().posted)).toEqual([makePapers(1)[0]!.id]);
    expect([env.schedule.schedule.stopped, env.session.healthStoppedFirst, env.session.closed]).toEqual([true, true, true]);
    expect(env.logger.lines.map((l) => l.message)).toEqual(expect.arrayContaining(['stopping: received SIGTERM', 'stopped']));
  });

  it('given a stop while the start prepares (registering commands), then the start ends quietly, no start-up digest runs, no health stays up, and the exit code is 0', async () => {
    const env = setup(interruptedState('2026-06-22T07:00:00.000Z', '2026-06-22T08:00:00.000Z'));
    const gate = createGate();
    const starting = env.bot.start(async () => {
      await gate.opened;
      // What the closed session does to the preparation under way.
      if (env.session.closed) throw new Error('the connection was closed');
    });
    await env.bot.stop('received SIGTERM');
    gate.open();
    await expect(starting).resolves.toBeUndefined();
    expect(await env.bot.exited).toBe(0);
    expect(env.digestsRun()).toEqual([]);
    expect(env.health.status).toBeNull();
    expect(env.dest().inFlight?.digest).toBe(1);
  });

  it('given a stop before the start (a signal while the session opened), then the start starts no schedule, so the stopped process can exit', async () => {
    const env = setup(interruptedState('2026-06-22T07:00:00.000Z', '2026-06-22T08:00:00.000Z'));
    await env.bot.stop('received SIGTERM');
    expect(await env.bot.exited).toBe(0);
    let prepared = false;
    await env.bot.start(async () => void (prepared = true));
    expect(env.schedule.schedule.started).toBe(false);
    expect(prepared).toBe(false);
    expect(env.digestsRun()).toEqual([]);
    expect(env.health.status).toBeNull();
  });

  it('given a post that never returns, then a stop closes anyway once the shutdown budget is spent', async () => {
    const env = setup(createEmptyProgress(), { shutdownBudgetMs: 50 });
    await startIdle(env);
    env.poster.post = () => new Promise(() => undefined);
    void env.schedule.tick();
    await vi.waitFor(() => expect(env.runner.isRunning()).toBe(true));
    await env.bot.stop('received SIGTERM');
    expect(await env.bot.exited).toBe(0);
    expect(env.session.closed).toBe(true);
  });

  it('given a token Discord refuses, then the bot stops by itself with exit code 1', async () => {
    const env = setup();
    await startIdle(env);
    env.poster.failNext(new PostError('unauthorized', '401: Unauthorized', 401, 0));
    await env.schedule.tick();
    expect(await env.bot.exited).toBe(1);
    expect(env.session.closed).toBe(true);
  });

  it('given health that cannot start, then start fails, the schedule stops and the session closes', async () => {
    const env = setup(createEmptyProgress(), { startHealth: () => Promise.reject(new Error('cannot serve /healthz on 127.0.0.1:80')) });
    await expect(env.bot.start()).rejects.toThrow('cannot serve /healthz');
    expect([env.schedule.schedule.stopped, env.session.closed]).toEqual([true, true]);
  });

  it('given a failure only the admin can fix, then health reports it as the problem until a digest goes through', async () => {
    const env = setup();
    await startIdle(env);
    expect(env.health.status!()).toMatchObject({
      pid: 4242,
      mode: 'discord',
      connected: true,
      startedAt: '2026-06-22T09:00:00.000Z',
      nextRunAt: NEXT_RUN,
      problem: null,
      lastRun: null,
    });
    env.poster.failNext(new PostError('forbidden', 'Missing Access', 403, 50001));
    await env.schedule.tick();
    expect(env.health.reports.at(-1)).toMatchObject({ problem: 'Missing Access', lastRun: { outcome: 'failed' } });
    await env.schedule.tick();
    expect(env.health.reports.at(-1)).toMatchObject({ problem: null, lastRun: { outcome: 'posted' } });
  });
});
