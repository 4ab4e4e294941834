// Cost of one state step in the database as the posted history grows, with 10,000 subscribers
// (`npm run bench -- state`, or `node --expose-gc --import tsx test/bench/state-bench.ts`).
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import pg from 'pg';
import { openPostgresStore } from '../../src/adapters/postgres/postgres-store.js';
import { openSqliteStore } from '../../src/adapters/sqlite/sqlite-store.js';
import type { Store } from '../../src/app/ports.js';
import { recordPosted, recordPostIntent } from '../../src/app/digest-records.js';
import { DUMP_FORMAT, DUMP_VERSION, type StoreDump, createEmptyMeta } from '../../src/core/store-dump.js';
import { createEmptyProgress, newestKnownMessage } from '../../src/core/state.js';
import { selectAudience } from '../../src/core/subscriptions.js';
import { makeFeed } from '../support/memory-ports.js';
import { startTestPostgres, type TestPostgres } from '../support/postgres.js';
import { percentile } from '../support/stats.js';

/** The figures of the JSON state file this replaced (README before the database): save p50 / p99 in ms. */
export const JSON_STORE_SAVE_MS: Record<number, { p50: number; p99: number }> = {
  1_000: { p50: 6.7, p99: 9.7 },
  10_000: { p50: 34, p99: 96 },
  100_000: { p50: 634, p99: 753 },
};

const FEED = 'bench';
const GUILD = '900000000000000001';
const AT = '2026-03-01T09:00:00.000Z';

/** One size of the history: the database's size, how long opening it takes, and a step's latency, in milliseconds. */
export interface StateBenchRow {
  posted: number;
  subscribers: number;
  databaseBytes: number;
  openMs: number;
  /** A post's two steps (intent with its audience, then posted with what it owes), each one transaction with fsync. */
  stepMs: { p50: number; p99: number; max: number };
  /** The same steps' pure part (transitions and validation), without the transaction. */
  planMs: { p50: number };
}

/** What the store holds in memory, per posted paper and per subscriber (heap bytes, after a full GC). */
export interface StateMemoryRow {
  bytesPerPosted: number;
  bytesPerSubscriber: number;
}

/** A dump of one feed with `posted` papers and `subscribers` members in its server. */
function dumpWith(posted: number, subscribers: number): StoreDump {
  const entries = Array.from({ length: posted }, (_, i) => ({
    paperId: `${2400 + Math.floor(i / 20_000)}.${String(i % 20_000).padStart(5, '0')}`,
    messageId: String(1_200_000_000_000_000_000n + BigInt(i)),
    postedAt: '2026-01-01T09:00:00.000Z',
    digest: Math.floor(i / 10) + 1,
    seq: i + 1,
  }));
  return {
    format: DUMP_FORMAT,
    version: DUMP_VERSION,
    exportedAt: AT,
    meta: createEmptyMeta(),
    feeds: [
      {
        feed: makeFeed({ id: FEED, guildId: GUILD }),
        progress: {
          ...createEmptyProgress(),
          postedCount: posted,
          lastMessageId: entries.at(-1)?.messageId ?? null,
          digests: Math.ceil(posted / 10),
        },
        posted: entries,
      },
    ],
    subscriptions: Array.from({ length: subscribers }, (_, i) => ({
      guildId: GUILD,
      userId: String(500_000_000_000_000_000n + BigInt(i)),
      // Three topics each; one member in a hundred follows what every bench paper is about (100 to notify per post).
      topics: [`topic ${i % 500}`, `field ${i % 37}`, ...(i % 100 === 0 ? ['diffusion models'] : [])],
      dm: i % 5 === 0,
      updatedAt: AT,
    })),
  };
}

/** Where the bench keeps a database: SQLite in a temp folder (the default), or a PostgreSQL server. */
export interface BenchBackend {
  name: string;
  /** A new, empty database: its store opener, its size on disk, and how to throw it away. */
  create(): Promise<{ open(): Promise<Store>; bytes(): Promise<number>; dispose(): Promise<void> }>;
}

/** SQLite in a temp folder. */
export const sqliteBackend: BenchBackend = {
  name: 'SQLite',
  async create() {
    const dir = await mkdtemp(join(tmpdir(), 'paperboy-state-bench-'));
    const file = join(dir, 'paperboy.sqlite');
    const size = (path: string) =>
      stat(path).then(
        (s) => s.size,
        () => 0,
      );
    return {
      open: () => openSqliteStore(file),
      bytes: async () => (await size(file)) + (await size(`${file}-wal`)),
      dispose: () => rm(dir, { recursive: true, force: true }),
    };
  },
};

/** A database per size on the PostgreSQL server of `server`. */
export function postgresBackend(server: TestPostgres): BenchBackend {
  return {
    name: 'PostgreSQL',
    async create() {
      const url = await server.createDatabase();
      return {
        open: () => openPostgresStore(url),
        async bytes() {
          const client = new pg.Client({ connectionString: url });
          await client.connect();
          try {
            return Number((await client.query<{ size: string }>('SELECT pg_database_size(current_database()) AS size')).rows[0]!.size);
          } finally {
            await client.end();
          }
        },
        dispose: async () => undefined,
      };
    },
  };
}

async function withDatabase<T>(
  dump: StoreDump,
  backend: BenchBackend,
  work: (store: Store, bytes: () => Promise<number>, openMs: number) => Promise<T>,
): Promise<T> {
  const database = await backend.create();
  try {
    const loader = await database.open();
    await loader.importDump(dump, { replace: true });
    await loader.close();
    const started = performance.now();
    const store = await database.open();
    const openMs = performance.now() - started;
    try {
      return await work(store, () => database.bytes(), openMs);
    } finally {
      await store.close();
    }
  } finally {
    await database.dispose();
  }
}

/** Measures a post's two steps (`steps` posts) at each size of the posted history, with `subscribers` members. */
export async function benchState(
  sizes = [1_000, 10_000, 100_000],
  subscribers = 10_000,
  posts = 500,
  backend: BenchBackend = sqliteBackend,
): Promise<StateBenchRow[]> {
  const rows: StateBenchRow[] = [];
  for (const posted of sizes) {
    rows.push(
      await withDatabase(dumpWith(posted, subscribers), backend, async (store, databaseBytes, openMs) => {
        const members = store.read().subscriptions.get(GUILD)!;
        const times: number[] = [];
        const plans: number[] = [];
        for (let i = 0; i < posts; i += 1) {
          const paperId = `bench.${i}`;
          const paper = { title: `Diffusion models at scale ${i}`, abstract: 'We study diffusion models and scaling.' };
          // The audience is chosen before the step (selectAudience reads the members; the step only records it).
          const audience = { title: paper.title, ...selectAudience(paper, members) };
          const intent = (s: Parameters<typeof recordPostIntent>[0]) =>
            recordPostIntent(s, paperId, { nonce: `n${i}`, at: AT, after: newestKnownMessage(s.progress), audience });
          const done = (s: Parameters<typeof recordPosted>[0]) =>
            recordPosted(s, paperId, String(1_300_000_000_000_000_000n + BigInt(i)), AT);
          for (const change of [intent, done]) {
            const planned = performance.now();
            change({ feedId: FEED, progress: store.read().progress.get(FEED)!, posted: store.posted(FEED), logChanges: [] });
            plans.push(performance.now() - planned);
            const started = performance.now();
            await store.step(FEED, change);
            times.push(performance.now() - started);
          }
          // The notifications a post owes are delivered between posts: clear them so the progress stays a digest's size.
          await store.step(FEED, (s) => ({ ...s, progress: { ...s.progress, notices: undefined, directDue: undefined } }));
          // Between two posts the runner waits on Discord: the event loop turns, and the store checkpoints then.
          await new Promise((resolve) => setTimeout(resolve, 1));
        }
        const bytes = await databaseBytes();
        return {
          posted,
          subscribers,
          databaseBytes: bytes,
          openMs: round(openMs),
          stepMs: { p50: round(percentile(times, 50) ?? 0), p99: round(percentile(times, 99) ?? 0), max: round(Math.max(...times)) },
          planMs: { p50: round(percentile(plans, 50) ?? 0, 100) },
        };
      }),
    );
  }
  return rows;
}

/** Heap bytes the store keeps per posted paper and per subscriber (needs `--expose-gc`; null without it). */
export async function benchStateMemory(posted = 100_000, subscribers = 10_000): Promise<StateMemoryRow | null> {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (!gc) return null;
  const heapOf = async (dump: StoreDump) =>
    withDatabase(dump, sqliteBackend, async () => {
      gc();
      return process.memoryUsage().heapUsed;
    });
  gc();
  const empty = await heapOf(dumpWith(0, 0));
  const withPosted = await heapOf(dumpWith(posted, 0));
  const withMembers = await heapOf(dumpWith(0, subscribers));
  return { bytesPerPosted: Math.round((withPosted - empty) / posted), bytesPerSubscriber: Math.round((withMembers - empty) / subscribers) };
}

function round(value: number, scale = 100): number {
  return Math.round(value * scale) / scale;
}

/** Prints the rows as `npm run bench -- state` shows them, beside the JSON state file's figures. */
export function printStateBench(rows: StateBenchRow[], memory: StateMemoryRow | null): void {
  console.log('\n## State steps in the database (one transaction each, WAL, synchronous=FULL), 10,000 subscribers');
  console.table(
    rows.map((r) => ({
      posted: r.posted,
      'database MB': (r.databaseBytes / 1e6).toFixed(1),
      'open ms': r.openMs,
      'step p50 ms': r.stepMs.p50,
      'step p99 ms': r.stepMs.p99,
      'step max ms': r.stepMs.max,
      'transitions p50 ms': r.planMs.p50,
      'JSON file save p50 / p99 ms (before)': `${JSON_STORE_SAVE_MS[r.posted]?.p50 ?? '–'} / ${JSON_STORE_SAVE_MS[r.posted]?.p99 ?? '–'}`,
    })),
  );
  if (memory)
    console.log(`memory: ${memory.bytesPerPosted} B per posted paper, ${memory.bytesPerSubscriber} B per subscriber (heap, after GC)`);
  else console.log('memory: run with --expose-gc to measure it');
}

/**
 * The same steps on PostgreSQL (a throwaway local server with fsync on, see test/support/postgres.ts), or why they
 * could not run here.
 */
export async function benchPostgresState(
  sizes = [1_000, 10_000, 100_000],
  subscribers = 10_000,
  posts = 500,
): Promise<StateBenchRow[] | string> {
  const { server, skip } = await startTestPostgres({ durable: true });
  if (!server) return skip;
  try {
    return await benchState(sizes, subscribers, posts, postgresBackend(server));
  } finally {
    await server.stop();
  }
}

/** Prints SQLite's and PostgreSQL's step latencies side by side. */
export function printPostgresComparison(sqlite: StateBenchRow[], postgres: StateBenchRow[] | string): void {
  console.log('\n## State steps: SQLite beside PostgreSQL (a local server, fsync on; one BEGIN…COMMIT per step), 10,000 subscribers');
  if (typeof postgres === 'string') {
    console.log(`PostgreSQL not measured: ${postgres}`);
    return;
  }
  console.table(
    sqlite.map((r) => {
      const p = postgres.find((row) => row.posted === r.posted);
      return {
        posted: r.posted,
        'SQLite step p50 / p99 ms': `${r.stepMs.p50} / ${r.stepMs.p99}`,
        'PostgreSQL step p50 / p99 ms': p ? `${p.stepMs.p50} / ${p.stepMs.p99}` : '–',
        'PostgreSQL step max ms': p?.stepMs.max ?? '–',
        'SQLite open ms': r.openMs,
        'PostgreSQL open ms': p?.openMs ?? '–',
        'PostgreSQL database MB': p ? (p.databaseBytes / 1e6).toFixed(1) : '–',
      };
    }),
  );
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const sqlite = await benchState();
  printStateBench(sqlite, await benchStateMemory());
  printPostgresComparison(sqlite, await benchPostgresState());
}
