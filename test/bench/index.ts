// `npm run bench`: every benchmark of the project, one section each (`npm run bench -- bot` runs one,
// `npm run bench -- corpus search` several). Numbers, not pass/fail: tests never assert timings.
import { cpus, loadavg } from 'node:os';

const SECTIONS = ['corpus', 'formats', 'search', 'index', 'fts5', 'state', 'discord-cache', 'bot', 'feeds'] as const;
const only = process.argv.slice(2);
const unknown = only.filter((name) => !(SECTIONS as readonly string[]).includes(name));
if (unknown.length > 0) {
  console.error(`npm run bench: no section named ${unknown.join(', ')}; the sections are ${SECTIONS.join(', ')}`);
  process.exit(2);
}
const wanted = (name: (typeof SECTIONS)[number]) => only.length === 0 || only.includes(name);
const started = performance.now();

console.log(
  `Paperboy benchmarks: node ${process.version}, ${process.platform}/${process.arch}, ${cpus().length} cores, ` +
    `load average ${loadavg()[0]!.toFixed(1)} at the start (other processes on the machine skew every timing)`,
);
if (wanted('corpus')) {
  const { benchCorpus, printCorpusBench } = await import('./corpus-bench.js');
  printCorpusBench(benchCorpus());
}
if (wanted('formats')) {
  const { benchFormats, printFormatsBench } = await import('./formats-bench.js');
  printFormatsBench(await benchFormats());
}
if (wanted('search')) {
  const { benchSearch, printSearchBench } = await import('./search-bench.js');
  printSearchBench(benchSearch());
}
if (wanted('index')) {
  const { benchIndex, printIndexBench } = await import('./index-bench.js');
  printIndexBench(benchIndex());
}
if (wanted('fts5')) {
  const { benchFts5, printFts5Bench } = await import('./fts5-bench.js');
  printFts5Bench(benchFts5());
}
if (wanted('state')) {
  const { benchPostgresState, benchState, benchStateMemory, printPostgresComparison, printStateBench } = await import('./state-bench.js');
  const sqlite = await benchState();
  printStateBench(sqlite, await benchStateMemory());
  printPostgresComparison(sqlite, await benchPostgresState());
}
if (wanted('discord-cache')) {
  const { benchDiscordCaches, printDiscordCacheBench } = await import('./discord-cache-bench.js');
  printDiscordCacheBench(benchDiscordCaches());
}
if (wanted('bot')) {
  const { benchBot, printBotBench } = await import('./bot-bench.js');
  printBotBench(await benchBot());
}
if (wanted('feeds')) {
  const { benchFeeds, printFeedsBench } = await import('./feeds-bench.js');
  printFeedsBench(await benchFeeds());
}
console.log(`\nDone in ${((performance.now() - started) / 60_000).toFixed(1)} minutes.`);
