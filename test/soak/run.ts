// `npm run soak`: every scenario at full scale, one table, non-zero exit on any duplicate, loss, crash or
// unanswered interaction. `npm run soak -- load disk` runs some; SOAK_SCALE=0.2 runs a shorter campaign.
import { cpus } from 'node:os';
import { formatReportTable, isPassing, type ScenarioReport } from './report.js';

const SCENARIOS: Record<string, () => Promise<{ run: (scale: number) => Promise<ScenarioReport> }>> = {
  'compressed-time': () => import('./scenarios/compressed-time.js'),
  disk: () => import('./scenarios/disk-trouble.js'),
  load: () => import('./scenarios/load.js'),
  'bad-input': () => import('./scenarios/bad-input.js'),
  'hostile-text': () => import('./scenarios/hostile-text.js'),
  strangers: () => import('./scenarios/strangers.js'),
  'flaky-source': () => import('./scenarios/flaky-source.js'),
  'steady-memory': () => import('./scenarios/steady-memory.js'),
  'many-feeds': () => import('./scenarios/many-feeds.js'),
  'two-shards': async () => ({ run: (await import('./scenarios/shared-database.js')).runTwoShards }),
  'rolling-deploy': async () => ({ run: (await import('./scenarios/shared-database.js')).runRollingDeploy }),
  'database-outage': async () => ({ run: (await import('./scenarios/shared-database.js')).runDatabaseOutage }),
  discussion: () => import('./scenarios/discussion.js'),
};

const scale = Number(process.env.SOAK_SCALE ?? 1);
const only = process.argv.slice(2);
const names = Object.keys(SCENARIOS).filter((name) => only.length === 0 || only.includes(name));
const started = Date.now();
console.log(`Paperboy soak: ${names.join(', ')} at scale ${scale}; node ${process.version}, ${cpus().length} cores`);

const reports: ScenarioReport[] = [];
for (const name of names) {
  const t = Date.now();
  process.stdout.write(`\n== ${name} ... `);
  try {
    const { run } = await SCENARIOS[name]!();
    const report = await run(scale);
    reports.push(report);
    console.log(`${isPassing(report) ? (report.skipped ? 'skipped' : 'ok') : 'FAIL'} in ${Math.round((Date.now() - t) / 1000)} s`);
  } catch (error) {
    console.log('CRASHED');
    reports.push({
      scenario: name,
      load: '',
      faults: '',
      papersExpected: null,
      papersPosted: null,
      duplicates: 0,
      lost: 0,
      interactionsSent: null,
      interactionsAnswered: null,
      p99Ms: null,
      peakRssMb: null,
      crashes: 1,
      problems: [`the scenario itself failed: ${(error as Error).stack ?? String(error)}`],
      durationMs: Date.now() - t,
    });
  }
}

console.log(`\n${formatReportTable(reports)}\n`);
console.log(`Total ${Math.round((Date.now() - started) / 1000)} s.`);
const failed = reports.filter((r) => !isPassing(r));
if (failed.length) {
  console.log(`FAILED: ${failed.map((r) => r.scenario).join(', ')}`);
  process.exit(1);
}
