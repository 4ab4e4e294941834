import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createCorpusCatalog } from '../../src/app/corpus-catalog.js';
import { UserFacingError } from '../../src/app/errors.js';
import { createSubscriptions, type Subscriptions } from '../../src/app/subscriptions.js';
import { openStateStore } from '../../src/adapters/fs-state-store.js';
import type { StateStore } from '../../src/app/ports.js';
import { MAX_TOPICS } from '../../src/core/subscriptions.js';
import { createListCorpus, createManualClock, createMemoryLogger, makePapers } from '../support/memory-ports.js';

const USER = '300000000000000001';
let dir: string;
let store: StateStore;
let subscriptions: Subscriptions;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'paperboy-subscriptions-'));
  // The real store: its updates are queued and applied one after another, as in the running bot.
  store = await openStateStore(join(dir, 'state.json'));
  const logger = createMemoryLogger();
  const catalog = await createCorpusCatalog({ source: createListCorpus(makePapers(5)), logger, now: () => 0 });
  subscriptions = createSubscriptions({ store, catalog, clock: createManualClock(), logger });
  for (let i = 0; i < MAX_TOPICS - 1; i += 1) await subscriptions.subscribe(USER, `topic number ${i}`);
});
afterEach(async () => {
  await store.close();
  await rm(dir, { recursive: true, force: true });
});

describe('subscribe at the topic limit', () => {
  it('given two concurrent /subscribe for the last free slot, then exactly one answers "added" and the other says it was not added', async () => {
    const outcomes = await Promise.allSettled([subscriptions.subscribe(USER, 'scaling laws'), subscriptions.subscribe(USER, 'quantization')]);
    const added = outcomes.flatMap((o) => (o.status === 'fulfilled' && o.value.kind === 'added' ? [o.value] : []));
    const refused = outcomes.flatMap((o) => (o.status === 'rejected' ? [o.reason as unknown] : []));
    expect(added).toHaveLength(1);
    expect(added[0]!.count).toBe(MAX_TOPICS);
    expect(refused).toHaveLength(1);
    expect(refused[0]).toBeInstanceOf(UserFacingError);
    expect((refused[0] as Error).message).toMatch(/already follow 25 topics.*\*\*(scaling laws|quantization)\*\* was not added/);
    // What the replies said is what was saved.
    const saved = JSON.parse(await readFile(join(dir, 'state.json'), 'utf8')).subscriptions[USER].topics as string[];
    expect(saved).toHaveLength(MAX_TOPICS);
    expect(saved.at(-1)).toBe(added[0]!.topic);
    expect(saved).not.toContain((refused[0] as Error).message.match(/\*\*(.+)\*\* was not added/)![1]);
  });

  it('given two concurrent /unsubscribe of the same topic, then only one says it was removed', async () => {
    const [a, b] = await Promise.all([subscriptions.unsubscribe(USER, 'topic number 3'), subscriptions.unsubscribe(USER, 'topic number 3')]);
    expect([a.removed, b.removed].sort()).toEqual([false, true]);
    expect(subscriptions.list(USER).topics).not.toContain('topic number 3');
  });
});
