// Cost of one durable state update as the posted history grows (`npx tsx test/bench/state-bench.ts`).
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { openStateStore, serializeState } from '../../src/adapters/fs-state-store.js';
import { listStateProblems } from '../../src/core/state-migrations.js';
import { createEmptyDestination, createEmptyState, markPosted, type State } from '../../src/core/state.js';
import { percentile } from '../support/stats.js';

/** One size of the state: how big its file is and how long an update takes, in milliseconds. */
export interface StateBenchRow {
  posted: number;
  bytes: number;
  /** The `markPosted` transition alone (core/state.ts copies the posted record). */
  changeMs: number;
  validateMs: number;
  serializeMs: number;
  saveMs: { p50: number; p99: number };
}

/** Measures `update(markPosted)` end to end (change, validate, serialize, write, fsync, rename, fsync dir) for each size. */
export async function benchState(sizes = [1_000, 10_000, 100_000], updates = 40): Promise<StateBenchRow[]> {
  const rows: StateBenchRow[] = [];
  for (const posted of sizes) {
    const dir = await mkdtemp(join(tmpdir(), 'paperboy-state-bench-'));
    try {
      const file = join(dir, 'state.json');
      const store = await openStateStore(file);
      await store.update(() => createStateWithPosted(posted));
      const changeMs = median(timeEach(5, () => markPosted(store.read(), 'channel:1', 'bench.x', '1', '2026-03-01T09:00:00.000Z')));
      const validateMs = median(timeEach(5, () => listStateProblems(store.read())));
      const serializeMs = median(timeEach(5, () => serializeState(store.read())));
      const saves: number[] = [];
      for (let i = 0; i < updates; i += 1) {
        const started = performance.now();
        await store.update((state) =>
          markPosted(state, 'channel:1', `bench.${i}`, `${1_300_000_000_000_000_000n + BigInt(i)}`, '2026-03-01T09:00:00.000Z'),
        );
        saves.push(performance.now() - started);
      }
      await store.close();
      rows.push({
        posted,
        bytes: (await stat(file)).size,
        changeMs,
        validateMs,
        serializeMs,
        saveMs: { p50: roundedPercentile(saves, 50), p99: roundedPercentile(saves, 99) },
      });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }
  return rows;
}

function createStateWithPosted(count: number): State {
  const posted: State['destinations'][string]['posted'] = {};
  for (let i = 0; i < count; i += 1) {
    const id = `${2400 + Math.floor(i / 20_000)}.${String(i % 20_000).padStart(5, '0')}`;
    posted[id] = {
      messageId: String(1_200_000_000_000_000_000n + BigInt(i)),
      postedAt: '2026-01-01T09:00:00.000Z',
      digest: Math.floor(i / 10) + 1,
      seq: i + 1,
    };
  }
  return { ...createEmptyState(), destinations: { 'channel:1': { ...createEmptyDestination(), posted, digests: Math.ceil(count / 10) } } };
}

function timeEach(times: number, work: () => unknown): number[] {
  const result: number[] = [];
  for (let i = 0; i < times; i += 1) {
    const started = performance.now();
    work();
    result.push(performance.now() - started);
  }
  return result;
}

function median(values: number[]): number {
  return roundedPercentile(values, 50);
}

/** A percentile in ms to a tenth (0 for no values). */
function roundedPercentile(values: number[], p: number): number {
  return Math.round((percentile(values, p) ?? 0) * 10) / 10;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  for (const row of await benchState()) {
    console.log(
      `posted ${String(row.posted).padStart(7)}  file ${(row.bytes / 1e6).toFixed(1).padStart(5)} MB  change ${row.changeMs} ms  validate ${row.validateMs} ms  serialize ${row.serializeMs} ms  save p50 ${row.saveMs.p50} ms  p99 ${row.saveMs.p99} ms`,
    );
  }
}
