// `npm run bench`: every benchmark of the project, one section each (`npm run bench -- corpus search` picks some).
// Numbers, not pass/fail: tests never assert timings.
import { cpus } from 'node:os';
import { benchBot, printBotBench } from './bot-bench.js';
import { benchCorpus, printCorpusBench } from './corpus-bench.js';
import { benchPostgresState, benchState, benchStateMemory, printPostgresComparison, printStateBench } from './state-bench.js';

const SECTIONS = ['corpus', 'formats', 'search', 'state', 'bot', 'feeds'];
const only = process.argv.slice(2);
const unknown = only.filter((name) => !SECTIONS.includes(name));
if (unknown.length > 0) {
  console.error(`npm run bench: no section named ${unknown.join(', ')}; the sections are ${SECTIONS.join(', ')}`);
  process.exit(2);
}
const wanted = (name: string) => only.length === 0 || only.includes(name);

console.log(`Paperboy benchmarks: node ${process.version}, ${process.platform}/${process.arch}, ${cpus().length} cores`);
if (wanted('corpus')) printCorpusBench(benchCorpus());
if (wanted('formats')) {
  const { benchFormats, printFormatsBench } = await import('./formats-bench.js');
  printFormatsBench(await benchFormats());
}
if (wanted('search')) {
  const { benchSearch, printSearchBench } = await import('./search-bench.js');
  printSearchBench(benchSearch());
}
if (wanted('state')) {
  const sqlite = await benchState();
  printStateBench(sqlite, await benchStateMemory());
  printPostgresComparison(sqlite, await benchPostgresState());
}
if (wanted('bot')) printBotBench(await benchBot());
if (wanted('feeds')) {
  const { benchFeeds, printFeedsBench } = await import('./feeds-bench.js');
  printFeedsBench(await benchFeeds());
}
