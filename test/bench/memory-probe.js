// Preloaded into a bot process by the benchmarks (`node --import <this> dist/cli.js start`), the same way for this
// release and the previous one: on SIGUSR2 it collects garbage and prints one line of memory figures to stderr.
// Plain JavaScript so that any release can load it, whatever its build.
/* global process, setTimeout */
import { setFlagsFromString, getHeapSpaceStatistics } from 'node:v8';
import { runInNewContext } from 'node:vm';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc');

process.on('SIGUSR2', async () => {
  // Twice, a second apart: the first pass runs finalizers that free more on the second, and V8 only gives back the
  // young generation it grew during start-up once allocation has been low for a while.
  gc();
  await new Promise((resolve) => setTimeout(resolve, 1000));
  gc();
  const usage = process.memoryUsage();
  const spaces = Object.fromEntries(getHeapSpaceStatistics().map((s) => [s.space_name, { used: s.space_used_size, size: s.space_size }]));
  process.stderr.write(`PAPERBOY_MEMORY ${JSON.stringify({ ...usage, spaces })}\n`);
});
