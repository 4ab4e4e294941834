import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ROOT } from '../../support/run-cli.js';
import { percentile } from '../../support/stats.js';
import type { ScenarioReport } from '../report.js';
import { Findings } from './bad-input/common.js';
import { fuzzCorpusFiles } from './bad-input/corpus-folders.js';
import { fuzzRouter } from './bad-input/interactions.js';
import { fuzzParser } from './bad-input/pages.js';
import { fuzzFormatter } from './bad-input/papers.js';

// One part per input fuzzed, under bad-input/: pages (the parser), corpus folders (loadCorpus), papers (the
// formatter) and interactions (the real bot process); this file runs them in turn and writes the report row.

const SEED_PAGE = join(ROOT, 'seeds', '000_ccff3ae36fc46473.txt');

/** The counts `run(scale)` promises for each part of the scenario (the short test checks them). */
export function badInputPlan(scale: number) {
  return {
    corpusInputs: Math.max(300, Math.round(10_000 * scale)),
    corpusDirs: Math.max(30, Math.round(300 * scale)),
    papers: Math.max(250, Math.round(5_000 * scale)),
    valueLevel: Math.max(40, Math.round(700 * scale)),
    structural: Math.max(10, Math.round(300 * scale)),
    valid: Math.max(20, Math.round(300 * scale)),
  };
}

/**
 * Bad input: fuzzed corpus pages and files, fuzzed papers through the formatter, and malformed interactions
 * against the real bot process. Nothing throws, every payload is valid, every parseable interaction gets a clean
 * answer, and nothing crashes the bot.
 */
export async function run(scale: number): Promise<ScenarioReport> {
  const started = Date.now();
  const plan = badInputPlan(scale);
  const findings = new Findings();
  const seed = await readFile(SEED_PAGE, 'utf8');

  const parser = fuzzParser(plan.corpusInputs, scale >= 0.5, seed, findings);
  const dirs = await fuzzCorpusFiles(plan.corpusDirs, seed, findings);
  const papers = fuzzFormatter(plan.papers, findings);
  const router = await fuzzRouter(plan, findings);

  const { tally, structural } = router;
  const problems = findings.list();
  if (structural.crashedKinds.length) {
    problems.push(
      `${structural.crashedKinds.length} kinds of structure-level corruption crashed the bot: ${structural.crashedKinds.join('; ')}`,
    );
  }
  const n = (x: number) => x.toLocaleString('en-US');
  const interactions = tally.sent + structural.sent;
  return {
    scenario: 'bad input',
    load: `${n(parser.inputs)} corpus inputs (max ${n(Math.round(parser.maxMsPerMb))} ms/MB) + ${n(dirs)} corpus dirs, ${n(papers)} papers formatted, ${n(interactions)} interactions`,
    faults: `malformed pages, papers and payloads (${n(plan.valueLevel)} value-level, ${n(structural.sent)} structure-level: ${n(structural.answered)} answered, ${n(structural.dropped)} dropped by discord.js, ${n(structural.crashedKinds.length)} crashed the bot)`,
    papersExpected: null,
    papersPosted: null,
    duplicates: 0,
    lost: 0,
    interactionsSent: interactions,
    interactionsAnswered: tally.answered + structural.answered,
    p99Ms: percentile(tally.latencies, 99),
    peakRssMb: router.peakRssMb,
    crashes: router.crashes,
    problems,
    durationMs: Date.now() - started,
  };
}
