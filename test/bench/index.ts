// `npm run bench`: every benchmark of the project, one section each. Numbers, not pass/fail: tests never assert timings.
import { benchCorpus, printCorpusBench } from './corpus-bench.js';

const only = process.argv.slice(2);
const wanted = (name: string) => only.length === 0 || only.includes(name);

console.log(`Paperboy benchmarks — node ${process.version}, ${process.platform}/${process.arch}, ${(await import('node:os')).cpus().length} cores`);
if (wanted('corpus')) printCorpusBench(benchCorpus());
