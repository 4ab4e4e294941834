import { readCorpusDir } from '../../config.js';
import { type CorpusFileSummary, loadCorpus } from '../../adapters/fs-corpus.js';
import type { Paper } from '../../core/paper.js';
import { parseCommandArgs, UsageError } from '../args.js';
import type { CliCommand } from '../context.js';

/** `paperboy corpus`: what the corpus holds, per file, and every warning with file:line. */
export const corpusCommand: CliCommand = {
  name: 'corpus',
  usage: `Usage: paperboy corpus [--dir DIR] [--json] [--reference-date YYYY-MM-DD]

Reads every .txt, .md, .json, .jsonl and .xml file in the corpus directory and its sub-folders
(CORPUS_DIR, default ./seeds) and prints which format read each file, how many papers it
gave, and every line that could not be read as a paper.

Options:
  --dir DIR                    corpus directory (default: $CORPUS_DIR or ./seeds)
  --json                       print one JSON object {"papers": [...], "files": [...], "warnings": [...]}
  --reference-date YYYY-MM-DD  read yearless dates against this day (default: each file's modification day)
  -h, --help                   show this help`,
  async run(argv, context) {
    const { values } = parseCommandArgs('corpus', argv, {
      dir: { type: 'string' },
      json: { type: 'boolean' },
      'reference-date': { type: 'string' },
    });
    const dir = (values.dir as string | undefined) ?? readCorpusDir(context.env);
    const corpus = await loadCorpus(dir, { referenceDate: readReferenceDate(values['reference-date']) });
    if (values.json) {
      context.out(
        `${JSON.stringify({ papers: corpus.papers.map(toJsonPaper), files: corpus.files.map(toJsonFile), warnings: corpus.warnings })}\n`,
      );
      return 0;
    }
    const lines = [
      `Corpus ${dir}: ${plural(corpus.papers.length, 'paper')} in ${plural(corpus.files.length, 'file')}, ${plural(corpus.warnings.length, 'warning')}`,
    ];
    if (corpus.files.length === 0)
      lines.push(
        '  (no .txt, .md, .json, .jsonl or .xml files: add Hugging Face Daily Papers page copies or API snapshots to this directory)',
      );
    const width = Math.max(...corpus.files.map((f) => f.file.length), 4);
    for (const file of corpus.files) {
      lines.push(
        `  ${file.file.padEnd(width)}  ${plural(file.papers, 'paper').padStart(11)}  ${plural(file.warnings, 'warning').padStart(12)}  ${describeFile(file)}`,
      );
    }
    if (corpus.problems.length > 0) {
      lines.push('', 'Files that give no papers:');
      for (const p of corpus.problems) lines.push(`  ${p.file}: ${p.problem}`);
    }
    if (corpus.warnings.length > 0) {
      lines.push('', 'Warnings:');
      for (const w of corpus.warnings) lines.push(`  ${w.file}:${w.line}: ${w.message}`);
    }
    context.out(`${lines.join('\n')}\n`);
    return 0;
  },
};

/** Which format read a file, as the summary shows it. */
function describeFile(file: CorpusFileSummary): string {
  if (file.quarantined) return `quarantined (${file.format ?? 'unknown format'})`;
  if (file.format) return file.format;
  return file.problem ? 'skipped' : 'no papers';
}

/** A paper in `corpus --json`: every field named, a missing value as null. */
export function toJsonPaper(paper: Paper): Record<string, unknown> {
  return {
    id: paper.id,
    title: paper.title,
    abstract: paper.abstract,
    authors: paper.authors,
    organization: paper.organization,
    published: paper.published,
    comments: paper.comments,
    links: paper.links,
    source: paper.source,
    arxivId: paper.arxivId ?? null,
    url: paper.url ?? null,
    upvotes: paper.upvotes ?? null,
    githubRepo: paper.githubRepo ?? null,
    githubStars: paper.githubStars ?? null,
    aiSummary: paper.aiSummary ?? null,
    projectPage: paper.projectPage ?? null,
    aiKeywords: paper.aiKeywords ?? null,
    authorNames: paper.authorNames ?? null,
    addedAt: paper.addedAt ?? null,
  };
}

function toJsonFile(file: CorpusFileSummary): Record<string, unknown> {
  return {
    file: file.file,
    format: file.format,
    papers: file.papers,
    warnings: file.warnings,
    quarantined: file.quarantined,
    problem: file.problem ?? null,
  };
}

/** Validates a `--reference-date` value. */
export function readReferenceDate(raw: string | boolean | undefined): string | undefined {
  if (raw === undefined) return undefined;
  const text = String(raw);
  if (!/^\d{4}-\d{2}-\d{2}$/.test(text)) {
    throw new UsageError(`--reference-date must look like 2026-06-22, got "${text}"`);
  }
  return text;
}

/** `3 papers`, `1 paper`. */
export function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? '' : 's'}`;
}
