import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { parseCorpus } from '../../src/core/corpus.js';
import { formatPage, generatePapers } from '../support/generate-corpus.js';

/** One row of the parser benchmark. */
export interface CorpusBenchRow {
  papers: number;
  megabytes: number;
  mbPerSecond: number;
  retainedMb: number;
  peakRssMb: number;
}

const gc = (): void => (globalThis as { gc?: () => void }).gc?.();

/** Measures one corpus size in this process: best-of-three parse time, retained heap of the result, peak RSS. */
function measure(size: number): CorpusBenchRow {
  const text = formatPage(generatePapers(size));
  const bytes = Buffer.byteLength(text);
  parseCorpus(text.slice(0, 2_000_000), { file: 'warm.txt', referenceDate: '2026-06-22' });
  gc();
  const heapBefore = process.memoryUsage().heapUsed;
  let started = process.hrtime.bigint();
  const kept = parseCorpus(text, { file: 'bench.txt', referenceDate: '2026-06-22' });
  let best = Number(process.hrtime.bigint() - started) / 1e9;
  gc();
  const retained = process.memoryUsage().heapUsed - heapBefore;
  if (kept.papers.length !== size) throw new Error(`expected ${size} papers, parsed ${kept.papers.length}`);
  for (let run = 0; run < 2; run += 1) {
    started = process.hrtime.bigint();
    parseCorpus(text, { file: 'bench.txt', referenceDate: '2026-06-22' });
    best = Math.min(best, Number(process.hrtime.bigint() - started) / 1e9);
  }
  return {
    papers: size,
    megabytes: bytes / 1e6,
    mbPerSecond: bytes / 1e6 / best,
    retainedMb: retained / 1e6,
    peakRssMb: process.resourceUsage().maxRSS / 1e3,
  };
}

/** Measures parse throughput and memory for generated corpora, each size in a fresh process so memory figures are clean. */
export function benchCorpus(sizes = [10_000, 50_000, 100_000]): CorpusBenchRow[] {
  const self = fileURLToPath(import.meta.url);
  return sizes.map(
    (size) =>
      JSON.parse(
        execFileSync(process.execPath, ['--expose-gc', '--import', 'tsx', self, '--child', String(size)], {
          encoding: 'utf8',
          maxBuffer: 1 << 20,
        }),
      ) as CorpusBenchRow,
  );
}

/** Prints the parser benchmark table. */
export function printCorpusBench(rows: CorpusBenchRow[]): void {
  console.log('\n## Corpus parser (generated plain-text pages, best of 3 parses)');
  console.table(
    rows.map((r) => ({
      papers: r.papers,
      'size MB': r.megabytes.toFixed(1),
      'MB/s': r.mbPerSecond.toFixed(1),
      'retained heap MB': r.retainedMb.toFixed(1),
      'bytes / paper': Math.round((r.retainedMb * 1e6) / r.papers),
      'peak RSS MB': r.peakRssMb.toFixed(0),
    })),
  );
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const child = process.argv.indexOf('--child');
  if (child !== -1) process.stdout.write(JSON.stringify(measure(Number(process.argv[child + 1]))));
  else printCorpusBench(benchCorpus());
}
