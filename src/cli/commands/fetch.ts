import { ConfigError, loadSourcesConfig } from '../../config.js';
import type { FetchOutcome, FetchReport } from '../../app/fetch-sources.js';
import type { Logger } from '../../app/ports.js';
import { createSourceFetcher } from '../../adapters/sources/source-fetcher.js';
import { systemClock } from '../../adapters/system-clock.js';
import { parseCommandArgs, readCount, UsageError } from '../args.js';
import type { CliCommand } from '../context.js';
import { plural } from './corpus.js';

const STATUS_LABELS: Record<FetchOutcome['status'], string> = {
  new: 'new file',
  updated: 'updated',
  unchanged: 'unchanged',
  'not-modified': '304',
  empty: 'empty',
  warning: 'warning',
};

// The command prints every outcome itself; log lines on top would say everything twice.
const quietLogger: Logger = { debug() {}, info() {}, warn() {}, error() {} };

/** `paperboy fetch`: fetch the configured live sources into the corpus folder now, and say what changed. */
export const fetchCommand: CliCommand = {
  name: 'fetch',
  usage: `Usage: paperboy fetch [--date YYYY-MM-DD] [--days N] [--json]

Fetches every source in SOURCES into CORPUS_DIR, as the bot does before each digest:
  hf-daily          the Hugging Face daily list, one snapshot per UTC day: hf-daily/YYYY-MM-DD.json
  arxiv:<category>  an arXiv listing feed, one snapshot per announcement: arxiv/<category>/YYYY-MM-DD.xml
A snapshot is written (atomically) only when its content changed; a failed request or a bad
answer is a warning and never touches a snapshot already there. Prints one line per day and
feed: new file, updated, unchanged, 304 (not modified), empty, or warning.
Exit 0 when anything could be fetched, 1 when everything failed, 2 on misuse or bad configuration.

Options:
  --date YYYY-MM-DD  last day of the daily list to fetch (UTC; default today); arXiv feeds only
                     ever serve the latest announcement
  --days N           days of the daily list, counting back from --date (1-14; default FETCH_DAYS)
  --json             print the report as one JSON object
  -h, --help         show this help`,
  async run(argv, context) {
    const { values } = parseCommandArgs('fetch', argv, { date: { type: 'string' }, days: { type: 'string' }, json: { type: 'boolean' } });
    const { corpusDir, sources } = loadSourcesConfig(context.env);
    const today = systemClock.now().toISOString().slice(0, 10);
    const date = readFetchDate(values.date, today);
    const days = readCount('fetch', 'days', values.days, sources.fetchDays, 14);
    if (sources.list.length === 0) {
      throw new ConfigError([
        'SOURCES is empty, so there is nothing to fetch; set it to hf-daily and/or arxiv:<category> (e.g. SOURCES=hf-daily,arxiv:cs.CL)',
      ]);
    }

    const fetcher = createSourceFetcher({ corpusDir, sources }, quietLogger, systemClock);
    const report = await fetcher.fetchAll({ date, days });
    if (values.json) context.out(`${JSON.stringify(report)}\n`);
    else context.out(formatReport(report, corpusDir));
    if (report.failed) {
      context.err(
        `paperboy fetch: nothing could be fetched; the corpus was left as it was (${report.warnings[0]?.message ?? 'unknown error'})\n`,
      );
      return 1;
    }
    return 0;
  },
};

/** The report as a person reads it: one aligned line per day or feed, then the counts. */
export function formatReport(report: FetchReport, corpusDir: string): string {
  const rows = report.outcomes.map(
    (o) => [o.source === 'hf-daily' ? `hf-daily ${o.key}` : o.source, STATUS_LABELS[o.status], o.message] as const,
  );
  const width = Math.max(...rows.map(([what]) => what.length));
  const labelWidth = Math.max(...rows.map(([, label]) => label.length));
  const counts = new Map<FetchOutcome['status'], number>();
  for (const o of report.outcomes) counts.set(o.status, (counts.get(o.status) ?? 0) + 1);
  const summary = [
    counts.get('new') && plural(counts.get('new')!, 'new file'),
    counts.get('updated') && `${counts.get('updated')} updated`,
    counts.get('unchanged') && `${counts.get('unchanged')} unchanged`,
    counts.get('not-modified') && `${counts.get('not-modified')} not modified (304)`,
    counts.get('empty') && `${counts.get('empty')} empty`,
    plural(counts.get('warning') ?? 0, 'warning'),
  ].filter(Boolean);
  return `Fetched into ${corpusDir}:\n${rows.map(([what, label, message]) => `  ${what.padEnd(width)}  ${label.padEnd(labelWidth)}  ${message}`).join('\n')}\n${summary.join(', ')}\n`;
}

/** Validates `--date`: a real day, not after today (UTC). */
function readFetchDate(raw: string | boolean | undefined, today: string): string {
  if (raw === undefined) return today;
  const text = String(raw);
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text);
  const real = match && new Date(Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3]))).toISOString().slice(0, 10) === text;
  if (!real) throw new UsageError(`--date must be a day like 2026-10-05, got "${text}"`, 'fetch');
  if (text > today) throw new UsageError(`--date ${text} is after today (${today}, UTC); the daily list has no papers for it yet`, 'fetch');
  return text;
}
