import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createCorpusCatalog } from '../../src/app/corpus-catalog.js';
import { UserFacingError } from '../../src/app/errors.js';
import { createSubscriptions, type Subscriptions } from '../../src/app/subscriptions.js';
import { openSqliteStore, readSqliteDatabase } from '../../src/adapters/sqlite/sqlite-store.js';
import type { Store } from '../../src/app/ports.js';
import { MAX_TOPICS } from '../../src/core/subscriptions.js';
import type { Paper } from '../../src/core/paper.js';
import {
  createListCorpus,
  createManualClock,
  createMemoryLogger,
  createMemoryStore,
  makePapers,
  TEST_GUILD,
} from '../support/memory-ports.js';

const USER = '300000000000000001';
const OTHER = '300000000000000002';
const GUILD = TEST_GUILD;

describe('subscribe at the topic limit, on the real store', () => {
  let dir: string;
  let store: Store;
  let subscriptions: Subscriptions;

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'paperboy-subscriptions-'));
    // The real store: its writes are applied one after another, as in the running bot.
    store = await openSqliteStore(join(dir, 'paperboy.sqlite'));
    const logger = createMemoryLogger();
    const catalog = await createCorpusCatalog({ source: createListCorpus(makePapers(5)), logger, now: () => 0 });
    subscriptions = createSubscriptions({ store, catalog, clock: createManualClock(), logger });
    for (let i = 0; i < MAX_TOPICS - 1; i += 1) await subscriptions.subscribe(GUILD, USER, `topic number ${i}`);
  });
  afterEach(async () => {
    await store.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('given two concurrent /subscribe for the last free slot, then exactly one answers "added" and the other says it was not added', async () => {
    const outcomes = await Promise.allSettled([
      subscriptions.subscribe(GUILD, USER, 'scaling laws'),
      subscriptions.subscribe(GUILD, USER, 'quantization'),
    ]);
    const added = outcomes.flatMap((o) => (o.status === 'fulfilled' && o.value.kind === 'added' ? [o.value] : []));
    const refused = outcomes.flatMap((o) => (o.status === 'rejected' ? [o.reason as unknown] : []));
    expect(added).toHaveLength(1);
    expect(added[0]!.count).toBe(MAX_TOPICS);
    expect(refused).toHaveLength(1);
    expect(refused[0]).toBeInstanceOf(UserFacingError);
    expect((refused[0] as Error).message).toMatch(/already follow 25 topics.*\*\*(scaling laws|quantization)\*\* was not added/);
    // What the replies said is what was saved.
    const saved = readSqliteDatabase(join(dir, 'paperboy.sqlite')).subscriptions.get(GUILD)!.get(USER)!.topics;
    expect(saved).toHaveLength(MAX_TOPICS);
    expect(saved.at(-1)).toBe(added[0]!.topic);
    expect(saved).not.toContain((refused[0] as Error).message.match(/\*\*(.+)\*\* was not added/)![1]);
  });

  it('given two concurrent /unsubscribe of the same topic, then only one says it was removed', async () => {
    const [a, b] = await Promise.all([
      subscriptions.unsubscribe(GUILD, USER, 'topic number 3'),
      subscriptions.unsubscribe(GUILD, USER, 'topic number 3'),
    ]);
    expect([a.removed, b.removed].sort()).toEqual([false, true]);
    expect(subscriptions.list(GUILD, USER).topics).not.toContain('topic number 3');
  });
});

/** The use cases over the memory store and a catalog of `papers` (five by default, each "Paper number N"). */
async function setup(papers: Paper[] = makePapers(5)) {
  const store = createMemoryStore();
  const logger = createMemoryLogger();
  const clock = createManualClock('2026-06-22T09:00:00.000Z');
  const catalog = await createCorpusCatalog({ source: createListCorpus(papers), logger, now: () => 0 });
  const subscriptions = createSubscriptions({ store, catalog, clock, logger });
  return { store, clock, subscriptions, saved: (userId = USER) => store.read().subscriptions.get(GUILD)?.get(userId) };
}

/** The UserFacingError a call rejects with (fails the test if it resolves or rejects with anything else). */
async function refusal(call: Promise<unknown>): Promise<string> {
  const error = await call.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(UserFacingError);
  return (error as Error).message;
}

describe('subscribe', () => {
  // [typed topic, saved topic, papers of the five it matches]
  it.each([
    ['sentences', 'sentences', 5],
    ['  Two   SENTENCES ', 'two sentences', 5],
    ['Ｓｅｎｔｅｎｃｅｓ', 'sentences', 5],
    ['two\u200Bsentences', 'two sentences', 5],
    ['quantization', 'quantization', 0],
    ['Über-Modelle', 'uber-modelle', 0],
  ])(
    'given a new topic typed as %j, then it is saved as %j and the answer counts %i matching papers of 5',
    async (typed, topic, matches) => {
      const { subscriptions, saved } = await setup();
      expect(await subscriptions.subscribe(GUILD, USER, typed)).toEqual({
        kind: 'added',
        topic,
        matches,
        atLeast: false,
        total: 5,
        dm: false,
        count: 1,
      });
      expect(saved()).toEqual({ topics: [topic], dm: false, updatedAt: '2026-06-22T09:00:00.000Z' });
    },
  );

  it.each([
    ['', 'Please give a topic: a word or a short phrase, like "scaling laws".'],
    ['   ', 'Please give a topic: a word or a short phrase, like "scaling laws".'],
    ['\u200B\u200D', 'Please give a topic: a word or a short phrase, like "scaling laws".'],
    ['!!! ???', 'A topic needs letters or digits; punctuation alone matches no paper.'],
    ['a', 'A topic needs at least 2 characters.'],
    ['word '.repeat(25), 'A topic can be at most 100 characters; keep it to a few words.'],
    ['the of and', 'A topic needs a word less common than "the" or "of", like "quantization".'],
  ])('given the topic %j, then it is refused with a message for the member and nothing is saved', async (typed, message) => {
    const { subscriptions, store, saved } = await setup();
    expect(await refusal(subscriptions.subscribe(GUILD, USER, typed))).toBe(message);
    expect(saved()).toBeUndefined();
    expect(store.saves).toBe(0);
  });

  // [topics followed before, dm before, the call, the answer, the dm saved]
  it.each([
    ['a new topic without a dm choice keeps DMs off', [], undefined, 'robotics', undefined, { kind: 'added', dm: false }, false],
    [
      'a new topic with dm:true turns DMs on for every topic',
      ['sentences'],
      false,
      'robotics',
      true,
      { kind: 'added', dm: true, count: 2 },
      true,
    ],
    [
      'a new topic without a dm choice keeps DMs on',
      ['sentences'],
      true,
      'robotics',
      undefined,
      { kind: 'added', dm: true, count: 2 },
      true,
    ],
    ['a new topic with dm:false turns DMs off', ['sentences'], true, 'robotics', false, { kind: 'added', dm: false, count: 2 }, false],
    [
      'a followed topic again changes nothing',
      ['sentences'],
      false,
      'sentences',
      undefined,
      { kind: 'already', topic: 'sentences', dm: false, dmChanged: false },
      false,
    ],
    [
      'a followed topic with the same dm changes nothing',
      ['sentences'],
      true,
      'Sentences',
      true,
      { kind: 'already', topic: 'sentences', dm: true, dmChanged: false },
      true,
    ],
    [
      'a followed topic with dm:true turns DMs on',
      ['sentences'],
      false,
      'sentences',
      true,
      { kind: 'already', topic: 'sentences', dm: true, dmChanged: true },
      true,
    ],
    [
      'a followed topic with dm:false turns DMs off',
      ['sentences'],
      true,
      'sentences',
      false,
      { kind: 'already', topic: 'sentences', dm: false, dmChanged: true },
      false,
    ],
  ] as const)('given %s', async (_what, before, dmBefore, typed, dm, answer, dmAfter) => {
    const { subscriptions, saved } = await setup();
    for (const topic of before) await subscriptions.subscribe(GUILD, USER, topic, dmBefore);
    expect(await subscriptions.subscribe(GUILD, USER, typed, dm)).toMatchObject(answer);
    expect(saved()!.dm).toBe(dmAfter);
    expect(saved()!.topics).toEqual([...new Set([...before, typed.toLowerCase()])]);
  });

  it('given a dm change on a followed topic, then it is saved with the time of the change', async () => {
    const { subscriptions, clock, saved, store } = await setup();
    await subscriptions.subscribe(GUILD, USER, 'sentences');
    clock.advance(60_000);
    await subscriptions.subscribe(GUILD, USER, 'sentences');
    expect(saved()!.updatedAt).toBe('2026-06-22T09:00:00.000Z');
    await subscriptions.subscribe(GUILD, USER, 'sentences', true);
    expect(saved()).toEqual({ topics: ['sentences'], dm: true, updatedAt: '2026-06-22T09:01:00.000Z' });
    expect(store.saves).toBe(3);
  });

  it(`given ${MAX_TOPICS} topics followed, then a new one is refused (markdown in it escaped) without a save, and a followed one is still "already"`, async () => {
    const { subscriptions, saved, store } = await setup();
    for (let i = 0; i < MAX_TOPICS; i += 1) await subscriptions.subscribe(GUILD, USER, `topic number ${i}`);
    const saves = store.saves;
    expect(await refusal(subscriptions.subscribe(GUILD, USER, 'a_b*c topic'))).toBe(
      `You already follow ${MAX_TOPICS} topics, the most a member can have, so **a\\_b\\*c topic** was not added. Drop one with /unsubscribe first.`,
    );
    expect(store.saves).toBe(saves);
    expect(await subscriptions.subscribe(GUILD, USER, 'topic number 3')).toMatchObject({ kind: 'already', topic: 'topic number 3' });
    expect(saved()!.topics).toHaveLength(MAX_TOPICS);
    // The limit is per member.
    expect(await subscriptions.subscribe(GUILD, OTHER, 'a_b*c topic')).toMatchObject({ kind: 'added', count: 1 });
  });

  it('given a corpus over 5,000 papers, then only the best 100 hits are checked and the count says "at least"', async () => {
    const { subscriptions } = await setup(makePapers(5001));
    expect(await subscriptions.subscribe(GUILD, USER, 'sentences')).toEqual({
      kind: 'added',
      topic: 'sentences',
      matches: 100,
      atLeast: true,
      total: 5001,
      dm: false,
      count: 1,
    });
    expect(await subscriptions.subscribe(GUILD, USER, 'quantization')).toMatchObject({ matches: 0, atLeast: false, total: 5001 });
  });
});

describe('unsubscribe', () => {
  // [topics followed, typed, the answer]
  it.each([
    [['sentences', 'robotics'], 'sentences', { removed: true, topic: 'sentences', left: ['robotics'] }],
    [['sentences', 'robotics'], '  ROBOTICS ', { removed: true, topic: 'robotics', left: ['sentences'] }],
    [['two sentences'], 'two\u200Bsentences', { removed: true, topic: 'two sentences', left: [] }],
    [['sentences'], 'robotics', { removed: false, topic: 'robotics', left: ['sentences'] }],
    [[], 'robotics', { removed: false, topic: 'robotics', left: [] }],
    // A topic that cannot be normalised cannot be followed either: it is answered as not followed, not refused.
    [['sentences'], ' !!! ', { removed: false, topic: '!!!', left: ['sentences'] }],
    [['sentences'], '', { removed: false, topic: '', left: ['sentences'] }],
  ] as const)('given %j followed and %j typed, then the answer is %j', async (before, typed, answer) => {
    const { subscriptions, saved } = await setup();
    for (const topic of before) await subscriptions.subscribe(GUILD, USER, topic);
    expect(await subscriptions.unsubscribe(GUILD, USER, typed)).toEqual(answer);
    expect(saved()?.topics ?? []).toEqual(answer.left);
  });

  it('given a topic not followed, then nothing is saved', async () => {
    const { subscriptions, store } = await setup();
    await subscriptions.subscribe(GUILD, USER, 'sentences');
    await subscriptions.unsubscribe(GUILD, USER, 'robotics');
    await subscriptions.unsubscribe(GUILD, OTHER, 'sentences');
    expect(store.saves).toBe(1);
  });

  it('given the last topic removed, then the member is forgotten, DM choice included', async () => {
    const { subscriptions, store } = await setup();
    await subscriptions.subscribe(GUILD, USER, 'sentences', true);
    await subscriptions.unsubscribe(GUILD, USER, 'sentences');
    expect(store.read().subscriptions.size).toBe(0);
    expect(subscriptions.list(GUILD, USER)).toEqual({ topics: [], dm: false });
    expect(await subscriptions.subscribe(GUILD, USER, 'robotics')).toMatchObject({ dm: false });
  });
});

describe('list', () => {
  it.each([
    ['a member who follows nothing', [], undefined, { topics: [], dm: false }],
    [
      'a member with topics, in the order followed',
      ['sentences', 'Robotics', 'sentences'],
      undefined,
      { topics: ['sentences', 'robotics'], dm: false },
    ],
    ['a member with DMs on', ['sentences'], true, { topics: ['sentences'], dm: true }],
  ] as const)('given %s, then the list says so', async (_what, topics, dm, expected) => {
    const { subscriptions } = await setup();
    for (const topic of topics) await subscriptions.subscribe(GUILD, USER, topic, dm);
    await subscriptions.subscribe(GUILD, OTHER, 'quantization', !dm);
    expect(subscriptions.list(GUILD, USER)).toEqual(expected);
  });
});

describe('members in two servers', () => {
  it('given a member following topics in two servers, then each server keeps its own topics and DM choice', async () => {
    const { subscriptions, store } = await setup();
    const ELSEWHERE = '222222222222222999';
    await subscriptions.subscribe(GUILD, USER, 'sentences', true);
    await subscriptions.subscribe(ELSEWHERE, USER, 'robotics');
    expect(subscriptions.list(GUILD, USER)).toEqual({ topics: ['sentences'], dm: true });
    expect(subscriptions.list(ELSEWHERE, USER)).toEqual({ topics: ['robotics'], dm: false });
    expect(await subscriptions.unsubscribe(ELSEWHERE, USER, 'sentences')).toMatchObject({ removed: false, left: ['robotics'] });
    await subscriptions.unsubscribe(GUILD, USER, 'sentences');
    expect([...store.read().subscriptions.keys()]).toEqual([ELSEWHERE]);
  });
});
