import { createRandom } from '../support/random.js';
import { type ChildProcess, spawn } from 'node:child_process';
import { watch } from 'node:fs';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { openStateStore } from '../../src/adapters/fs-state-store.js';
import { parseStateText } from '../../src/core/state-migrations.js';

const repoRoot = fileURLToPath(new URL('../..', import.meta.url));
const childScript = fileURLToPath(new URL('../support/state-crash-child.ts', import.meta.url));
const dirs: string[] = [];

afterAll(async () => {
  await Promise.all(dirs.map((dir) => rm(dir, { recursive: true, force: true })));
});

/**
 * When the kill delay starts: at spawn (kills may land while the store opens), once the store is open, once a first
 * update is saved, or when the child creates its n-th temp file (`delayMs` is then n, and the kill lands in a write).
 */
type KillFrom = 'spawn' | 'ready' | 'ack' | 'write';

/** Starts the posting child and SIGKILLs it `delayMs` after the chosen moment; returns the acknowledged update indexes. */
async function runAndKill(file: string, delayMs: number, from: KillFrom): Promise<number[]> {
  const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', childScript, 'post', file], {
    cwd: repoRoot,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  let errors = '';
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const reached = new Promise<void>((resolve) => {
    child.stdout?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes(`${from} `)) resolve();
    });
  });
  child.stderr?.on('data', (chunk: Buffer) => (errors += chunk.toString()));
  if (from === 'write') {
    await new Promise<void>((resolve) => {
      const seen = new Set<string>();
      const watcher = watch(dirname(file), (_event, name) => {
        if (!name?.startsWith('state.json.tmp-') || seen.has(name)) return;
        seen.add(name);
        if (seen.size < delayMs) return;
        child.kill('SIGKILL');
        watcher.close();
        resolve();
      });
      void exited.then(() => {
        watcher.close();
        resolve();
      });
    });
  } else {
    if (from !== 'spawn') await Promise.race([reached, exited]);
    await new Promise((resolve) => setTimeout(resolve, delayMs));
  }
  child.kill('SIGKILL');
  const code = await exited;
  // The child never ends by itself: an exit code means it failed before the kill.
  if (code !== null) throw new Error(`the child exited with code ${code} before it was killed:\n${errors}`);
  // Only whole lines count: the kill may cut the last one.
  const lines = output.split('\n').slice(0, -1);
  return lines.filter((line) => line.startsWith('ack ')).map((line) => Number(line.slice(4)));
}

describe('given a process that saves state and is killed with SIGKILL at random instants', () => {
  it('then the file is always absent or a valid state holding a prefix of the updates, every acknowledged one included, and the next open succeeds at once', async () => {
    const lanes = 3;
    const killsPerLane = 7;
    const kinds: KillFrom[] = ['spawn', 'ready', 'ack', 'write'];
    let killsDuringWrites = 0;

    const runLane = async (lane: number) => {
      const dir = await mkdtemp(join(tmpdir(), `paperboy-crash-${lane}-`));
      dirs.push(dir);
      const file = join(dir, 'state.json');
      const acknowledged: number[] = [];
      let postedBefore = 0;
      for (let round = 0; round < killsPerLane; round += 1) {
        const seed = lane * 1000 + round + 1;
        const random = createRandom(seed);
        const from = kinds[(lane + round) % kinds.length] ?? 'ack';
        const delayMs =
          from === 'write'
            ? 1 + Math.floor(random() * 6)
            : Math.round(from === 'spawn' ? 150 + random() * 750 : from === 'ready' ? random() * 250 : random() * 150);
        const acks = await runAndKill(file, delayMs, from);
        acknowledged.push(...acks);
        const where = `seed ${seed} (lane ${lane}, round ${round}, ${from === 'write' ? `in write #${delayMs}` : `${delayMs} ms after ${from}`})`;

        const names = await readdir(dir);
        if (names.some((name) => name.startsWith('state.json.tmp-'))) killsDuringWrites += 1;
        if (!names.includes('state.json')) {
          expect(acknowledged, `no file, yet updates were acknowledged: ${where}`).toEqual([]);
          continue;
        }
        const text = await readFile(file, 'utf8');
        const state = parseStateText(text, file);
        const posted = state.destinations.console?.posted ?? {};
        const count = Object.keys(posted).length;
        for (let i = 0; i < count; i += 1) expect(posted[`p${i}`]?.seq, `p${i} in a prefix: ${where}`).toBe(i + 1);
        expect(count, `nothing lost: ${where}`).toBeGreaterThanOrEqual(postedBefore);
        for (const index of acknowledged) expect(index, `acknowledged update ${index} is saved: ${where}`).toBeLessThan(count);
        // At most one update can be saved and not yet acknowledged when the kill lands.
        const lastAck = acks.length > 0 ? Math.max(...acks) : postedBefore - 1;
        expect(count - 1, `no update beyond the one under way: ${where}`).toBeLessThanOrEqual(lastAck + 1);
        postedBefore = count;

        const started = performance.now();
        const store = await openStateStore(file);
        expect(performance.now() - started, `the stale lock is reclaimed at once: ${where}`).toBeLessThan(2000);
        expect(store.read()).toEqual(state);
        expect(
          (await readdir(dir)).filter((name) => name.startsWith('state.json.tmp-')),
          `crash leftovers removed: ${where}`,
        ).toEqual([]);
        await store.close();
      }
      return postedBefore;
    };

    const posted = await Promise.all(Array.from({ length: lanes }, (_, lane) => runLane(lane)));
    expect(Math.min(...posted), 'every lane got some updates through').toBeGreaterThan(0);
    expect(killsDuringWrites, 'some kills landed inside a write').toBeGreaterThan(0);
  });
});
