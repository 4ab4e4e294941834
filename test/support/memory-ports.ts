import type { Clock, CorpusSource, HistoryRead, Logger, PostedMessage, Poster, StateStore } from '../../src/app/ports.js';
import { PostError } from '../../src/app/ports.js';
import type { OutgoingMessage } from '../../src/core/format.js';
import { readDigestNumber, readPaperIdFromFooter } from '../../src/core/format.js';
import type { Paper } from '../../src/core/paper.js';
import { createEmptyState, stateSchema, type State } from '../../src/core/state.js';

/** A state store in memory that validates every state it saves, like the real one. */
export function createMemoryStore(initial: State = createEmptyState()): StateStore & { saves: number; failWrites: boolean } {
  let current = initial;
  const store = {
    saves: 0,
    failWrites: false,
    read: () => current,
    async update(change: (s: State) => State) {
      const next = change(current);
      stateSchema.parse(next);
      if (store.failWrites) throw Object.assign(new Error('cannot save state: ENOSPC'), { name: 'StateWriteError' });
      current = next;
      store.saves += 1;
      return current;
    },
    async close() {},
  };
  return store;
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
