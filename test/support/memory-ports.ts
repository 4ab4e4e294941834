import { readCompactPaperIds } from '../../src/core/compact-digest.js';
import { readExplanationKey } from '../../src/core/digest-supply.js';
import type { Clock, CorpusSource, HistoryRead, Logger, PostedMessage, Poster, Store } from '../../src/app/ports.js';
import { PostError } from '../../src/app/ports.js';
import { createMemoryStore as createStore } from '../../src/app/memory-store.js';
import { createStoreMemory } from '../../src/app/store-memory.js';
import type { Feed } from '../../src/core/feed.js';
import type { OutgoingMessage } from '../../src/core/format.js';
import { readDigestNumber, readPaperIdFromFooter } from '../../src/core/format.js';
import type { Paper } from '../../src/core/paper.js';
import type { PostedEntry, PostedLog } from '../../src/core/posted-log.js';
import { createEmptyProgress, type FeedProgress, type Subscriber } from '../../src/core/state.js';
import { createEmptyMeta, DUMP_FORMAT, DUMP_VERSION } from '../../src/core/store-dump.js';
import { selectAudience } from '../../src/core/subscriptions.js';
import type { AudienceOf } from '../../src/app/digest-messages.js';

/** The feed tests run unless they name another. */
export const TEST_FEED = 'test';
/** The server of the test feed. */
export const TEST_GUILD = '222222222222222222';

/** A feed for tests: the test feed in the test server, posting 3 papers in corpus order, in UTC. */
export function makeFeed(overrides: Partial<Feed> = {}): Feed {
  return {
    id: TEST_FEED,
    guildId: TEST_GUILD,
    channelId: '111111111111111111',
    schedule: { cron: '0 9 * * *', timezone: 'UTC' },
    size: 3,
    order: 'corpus',
    include: [],
    exclude: [],
    minUpvotes: null,
    paused: null,
    options: {},
    createdAt: '2026-01-01T00:00:00.000Z',
    updatedAt: '2026-01-01T00:00:00.000Z',
    ...overrides,
  };
}

/** What a test store starts with: one feed (its settings, progress and posts) and the members of its server. */
export interface TestStoreSetup {
  feed?: Partial<Feed>;
  progress?: Partial<FeedProgress>;
  posted?: PostedEntry[];
  /** Members of the feed's server, by id. */
  subscriptions?: Record<string, Subscriber>;
}

/** A test store: the in-memory store holding one feed, counting its writes and failing them on demand (a full disk). */
export type TestStore = Store & {
  saves: number;
  failWrites: boolean;
  readonly feedId: string;
  progress(): FeedProgress;
  log(): PostedLog;
};

/** A store in memory that validates every step it saves, like the real one. */
export function createMemoryStore(setup: TestStoreSetup = {}): TestStore {
  const feed = makeFeed(setup.feed);
  const posted = setup.posted ?? [];
  const inner = createStore(
    createStoreMemory({
      format: DUMP_FORMAT,
      version: DUMP_VERSION,
      exportedAt: '2026-01-01T00:00:00.000Z',
      meta: createEmptyMeta(),
      feeds: [
        {
          feed,
          progress: { ...createEmptyProgress(), postedCount: posted.reduce((n, p) => Math.max(n, p.seq), 0), ...setup.progress },
          posted,
        },
      ],
      subscriptions: Object.entries(setup.subscriptions ?? {}).map(([userId, s]) => ({ guildId: feed.guildId ?? '', userId, ...s })),
    }),
  );
  // The store's methods are closures over their store, not `this`: passing them around is safe.
  /* eslint-disable @typescript-eslint/unbound-method */
  const guarded =
    <A extends unknown[], R>(write: (...args: A) => Promise<R>) =>
    async (...args: A): Promise<R> => {
      if (store.failWrites) throw Object.assign(new Error('cannot save state: ENOSPC'), { name: 'StateWriteError' });
      const result = await write(...args);
      store.saves += 1;
      return result;
    };
  const store: TestStore = {
    ...inner,
    saves: 0,
    failWrites: false,
    feedId: feed.id,
    step: guarded(inner.step),
    saveFeed: guarded(inner.saveFeed),
    removeFeed: guarded(inner.removeFeed),
    updateSubscriber: guarded(inner.updateSubscriber),
    moveSubscriptions: guarded(inner.moveSubscriptions),
    updateMeta: guarded(inner.updateMeta),
    importDump: guarded(inner.importDump),
    progress: () => inner.read().progress.get(feed.id)!,
    log: () => inner.posted(feed.id),
  };
  /* eslint-enable @typescript-eslint/unbound-method */
  return store;
}

/** The audience of a feed's papers: the members of its server whose topics match (what the session wires). */
export function audienceOf(store: Store, guildId: string = TEST_GUILD): AudienceOf {
  return (paper) => selectAudience(paper, store.read().subscriptions.get(guildId) ?? []);
}

/** A message a fake poster accepted. */
export interface FakePost {
  id: string;
  nonce: string;
  message: OutgoingMessage;
}

/** A poster that keeps messages in memory, dedupes nonces like Discord, and fails on demand. */
export function createFakePoster(destination = 'channel:111111111111111111') {
  const posts: FakePost[] = [];
  const failures: Array<PostError | 'commit-then-fail'> = [];
  let counter = 0;
  const poster: Poster & {
    posts: FakePost[];
    historyProblem: string | null;
    dedupe: boolean;
    failNext(...f: Array<PostError | 'commit-then-fail'>): void;
    postedPaperIds(): string[];
  } = {
    destination,
    posts,
    /** Paper ids of the cards posted, in posting order (like the fake Discord's `postedPaperIds`). */
    postedPaperIds: () => posts.flatMap((p) => readPaperIdFromFooter(p.message.embeds?.[0]?.footer?.text) ?? []),
    failNext(...f) {
      failures.push(...f);
    },
    /** False once Discord's nonce window has passed: a repeated nonce then creates a second message. */
    dedupe: true,
    async post(message, nonce) {
      const existing = poster.dedupe ? posts.find((p) => p.nonce === nonce) : undefined;
      if (existing) return { messageId: existing.id };
      const failure = failures.shift();
      if (failure instanceof PostError) throw failure;
      counter += 1;
      const post = { id: String(1_000_000_000_000_000_000n + BigInt(counter)), nonce, message };
      posts.push(post);
      if (failure === 'commit-then-fail') throw new PostError('transient', 'timeout after the message was created');
      return { messageId: post.id };
    },
    /** While set, reads of the history prove nothing (e.g. the bot lacks Read Message History): an untrusted, empty read. */
    historyProblem: null as string | null,
    async readOwnMessages(): Promise<HistoryRead> {
      if (poster.historyProblem) return { messages: [], trusted: false, problem: poster.historyProblem };
      const messages: PostedMessage[] = posts.map((p) => ({
        messageId: p.id,
        paperId: readPaperIdFromFooter(p.message.embeds?.[0]?.footer?.text),
        digest: readDigestNumber(p.message.content),
        ...(readCompactPaperIds(p.message.content) ? { paperIds: readCompactPaperIds(p.message.content)! } : {}),
        ...(readExplanationKey(p.message.content) ? { explained: readExplanationKey(p.message.content)! } : {}),
      }));
      return { messages, trusted: true };
    },
  };
  return poster;
}

/** A corpus source over a fixed list of papers. */
export function createListCorpus(papers: Paper[]): CorpusSource & { papers: Paper[] } {
  const source = { papers, load: async () => ({ papers: source.papers, warnings: 0 }) };
  return source;
}

/** A clock that only moves when told to. */
export function createManualClock(start = '2026-06-22T09:00:00.000Z'): Clock & { advance(ms: number): void } {
  let now = Date.parse(start);
  return { now: () => new Date(now), advance: (ms) => (now += ms) };
}

/** A logger that remembers lines for assertions. */
export function createMemoryLogger(): Logger & { lines: Array<{ level: string; message: string; fields: Record<string, unknown> }> } {
  const lines: Array<{ level: string; message: string; fields: Record<string, unknown> }> = [];
  const log = (level: string) => (fields: Record<string, unknown>, message: string) => void lines.push({ level, message, fields });
  return { lines, debug: log('debug'), info: log('info'), warn: log('warn'), error: log('error') };
}

/** Papers for tests: `count` distinct ones with dates and footers. */
export function makePapers(count: number): Paper[] {
  return Array.from({ length: count }, (_, i) => ({
    id: `paper-${String(i + 1).padStart(3, '0')}-${(i + 1).toString(16).padStart(10, '0')}`,
    title: `Paper number ${i + 1}`,
    abstract: `Abstract of paper ${i + 1}. It has two sentences.`,
    authors: (i % 5) + 1,
    organization: null,
    published: `2025-01-${String((i % 28) + 1).padStart(2, '0')}`,
    comments: null,
    links: [],
    source: { file: 'test.txt', line: i * 6 + 1 },
  }));
}

/** A feed's progress with its posted log as a record by paper id, in posting order: what tests compare against. */
export function recordsOf(store: Store, feedId: string = TEST_FEED): FeedProgress & { posted: Record<string, PostedEntry> } {
  const progress = store.read().progress.get(feedId);
  if (!progress) throw new Error(`no feed ${feedId}`);
  return { ...progress, posted: Object.fromEntries([...store.posted(feedId).entries()].map((entry) => [entry.paperId, entry])) };
}
