// `npm run bench`: every benchmark of the project, one section each (`npm run bench -- corpus search` picks some).
// Numbers, not pass/fail: tests never assert timings.
import { cpus } from 'node:os';
import { benchBot, printBotBench } from './bot-bench.js';
import { benchCorpus, printCorpusBench } from './corpus-bench.js';
import { benchState } from './state-bench.js';

const only = process.argv.slice(2);
const wanted = (name: string) => only.length === 0 || only.includes(name);

console.log(`Paperboy benchmarks: node ${process.version}, ${process.platform}/${process.arch}, ${cpus().length} cores`);
if (wanted('corpus')) printCorpusBench(benchCorpus());
if (wanted('search')) {
  const { benchSearch, printSearchBench } = await import('./search-bench.js');
  printSearchBench(benchSearch());
}
if (wanted('state')) {
  console.log('\n## State file saves (validate, serialise, write temp, fsync, rename, fsync dir)');
  console.table(
    (await benchState()).map((r) => ({
      posted: r.posted,
      'file MB': (r.bytes / 1e6).toFixed(1),
      'save p50 ms': r.saveMs.p50,
      'save p99 ms': r.saveMs.p99,
    })),
  );
}
if (wanted('bot')) printBotBench(await benchBot());
