import type { CorpusWarning, Paper } from '../paper.js';
import { arxivRssFormat } from './arxiv-rss.js';
import { QUARANTINE_SHARE, describeMissing, isPlausible } from './confidence.js';
import { dailyPapersJsonFormat } from './daily-papers-json.js';
import { dailyPapersJsonlFormat } from './daily-papers-jsonl.js';
import { decodeCorpusBytes } from './decode.js';
import { htmlMarkdownFormat } from './html-markdown.js';
import { markdownLinksFormat } from './markdown-links.js';
import { markdownRefsFormat } from './markdown-refs.js';
import { plainTextFormat } from './plain-text.js';
import { preview, splitHeadLines } from './text.js';
import type { CorpusFormat, FormatContext } from './types.js';
import { urlLinesFormat } from './url-lines.js';

export type { CorpusFormat, FormatContext, FormatResult, PaperEvidence, ReadPaper } from './types.js';
export { decodeCorpusBytes, type DecodedText } from './decode.js';

/** Every corpus format Paperboy reads. A new format is one module plus one line here. */
export const CORPUS_FORMATS: readonly CorpusFormat[] = [
  plainTextFormat,
  urlLinesFormat,
  markdownLinksFormat,
  markdownRefsFormat,
  htmlMarkdownFormat,
  dailyPapersJsonFormat,
  dailyPapersJsonlFormat,
  arxivRssFormat,
];

/** What one corpus file gave: the format that read it, its papers, its warnings, and whether it was quarantined. */
export interface CorpusFileRead {
  /** The {@link CorpusFormat.name} that read the file, or null when no format recognised it. */
  format: string | null;
  /** How sure the format was that the file is in it (0 to 1). */
  confidence: number;
  /** The plausible papers, in file order; empty when the file is quarantined or unknown. */
  papers: Paper[];
  warnings: CorpusWarning[];
  /** True when the file's papers were mostly implausible and none of them is used. */
  quarantined: boolean;
}

/** The format that recognises a text best, with its confidence, or null when none does. */
export function detectFormat(
  text: string,
  fileName: string,
  formats: readonly CorpusFormat[] = CORPUS_FORMATS,
): { format: CorpusFormat; confidence: number } | null {
  let best: { format: CorpusFormat; confidence: number } | null = null;
  // Split once: most detectors read the same first lines.
  const headLines = splitHeadLines(text);
  for (const format of formats) {
    let confidence = 0;
    try {
      confidence = format.detect(text, fileName, headLines);
    } catch {
      // A detector that fails does not recognise the text; the others still get their say.
    }
    if (Number.isFinite(confidence) && confidence > 0 && (!best || confidence > best.confidence))
      best = { format, confidence: Math.min(confidence, 1) };
  }
  return best;
}

/**
 * Reads one corpus text with the format that recognises it best. A text no format recognises gives one warning and
 * no papers; a file whose papers are mostly implausible is quarantined with one warning; otherwise each
 * implausible paper is dropped with a warning of its own.
 */
export function readCorpusText(text: string, context: FormatContext, formats: readonly CorpusFormat[] = CORPUS_FORMATS): CorpusFileRead {
  const detected = detectFormat(text, context.file, formats);
  if (!detected) {
    const message = text.trim()
      ? `no corpus format recognises this file (expected one of: ${formats.map((f) => f.description).join('; ')}); skipped`
      : 'is empty; no papers';
    return { format: null, confidence: 0, papers: [], warnings: [{ file: context.file, line: 1, message }], quarantined: false };
  }
  const { format, confidence } = detected;
  let result;
  try {
    result = format.parse(text, context);
  } catch (error) {
    // Readers never throw on bad input; if one does anyway, that is a bug to report, not a reason to stop the bot.
    const reason = error instanceof Error ? error.message : String(error);
    return {
      format: format.name,
      confidence,
      papers: [],
      warnings: [{ file: context.file, line: 1, message: `the ${format.name} reader failed (${reason}); skipped` }],
      quarantined: false,
    };
  }

  const plausible = result.papers.filter(isPlausible);
  if (result.papers.length > 0 && plausible.length < result.papers.length * QUARANTINE_SHARE) {
    const message =
      `quarantined: read as ${format.description}, but only ${plausible.length} of ${result.papers.length} entries look like papers ` +
      '(a title with an abstract, a date or author line, or a link); this looks like a damaged or unknown layout, ' +
      `so nothing from this file is used until it parses cleanly${result.warnings.length ? ` (${result.warnings.length} other ${result.warnings.length === 1 ? 'problem' : 'problems'} not listed)` : ''}`;
    return { format: format.name, confidence, papers: [], warnings: [{ file: context.file, line: 1, message }], quarantined: true };
  }
  const warnings = [...result.warnings];
  for (const read of result.papers) {
    if (isPlausible(read)) continue;
    const { paper } = read;
    warnings.push({
      file: paper.source.file,
      line: paper.source.line,
      message: `"${preview(paper.title)}" does not look like a paper (${describeMissing(read.evidence)}); skipped`,
    });
  }
  warnings.sort((a, b) => a.line - b.line);
  return { format: format.name, confidence, papers: plausible.map((read) => read.paper), warnings, quarantined: false };
}

/**
 * Reads one corpus file from its bytes (or already decoded text): decodes it (see {@link decodeCorpusBytes}), then
 * {@link readCorpusText}. Decoding warnings come first.
 */
export function readCorpusFile(
  content: Uint8Array | string,
  context: FormatContext,
  formats: readonly CorpusFormat[] = CORPUS_FORMATS,
): CorpusFileRead {
  if (typeof content === 'string') return readCorpusText(content, context, formats);
  const decoded = decodeCorpusBytes(content, context.file);
  if (decoded.binary) return { format: null, confidence: 0, papers: [], warnings: decoded.warnings, quarantined: false };
  const read = readCorpusText(decoded.text, context, formats);
  return { ...read, warnings: [...decoded.warnings, ...read.warnings] };
}
