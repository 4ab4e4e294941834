import type { CorpusWarning } from '../paper.js';
import { ratePaper } from './confidence.js';
import { readDailyPaperItem } from './daily-papers-item.js';
import { splitJsonArray } from './json-array.js';
import { preview } from './text.js';
import type { CorpusFormat, FormatContext, FormatResult, ReadPaper } from './types.js';

const HEAD = 65_536;
const API_KEYS = /"(?:paper|title|summary)"\s*:/;

/**
 * (e) The JSON array that `GET /api/daily_papers` returns (2024 and current shapes; see {@link readDailyPaperItem}).
 * Each element is read on its own: a bad element is a warning, and a response cut off mid-element keeps the
 * elements before the cut.
 */
export const dailyPapersJsonFormat: CorpusFormat = {
  name: 'daily-papers-json',
  description: 'GET /api/daily_papers JSON array',
  detect(text) {
    const head = text.slice(0, HEAD);
    const start = /^\uFEFF?\s*([[{])/.exec(head);
    if (!start) return 0;
    if (start[1] === '{') return API_KEYS.test(head) ? 0.5 : 0.2;
    return API_KEYS.test(head) ? 0.95 : 0.3;
  },
  parse: parseDailyPapersJson,
};

function parseDailyPapersJson(text: string, context: FormatContext): FormatResult {
  const warnings: CorpusWarning[] = [];
  const warn = (line: number, message: string) => warnings.push({ file: context.file, line, message });
  const papers: ReadPaper[] = [];
  const parts = splitJsonArray(text);
  if (!parts) {
    // A single object: one paper (`GET /api/papers/{id}`), or something else.
    const value = parseJson(text);
    if (value.ok) {
      const paper = readDailyPaperItem(value.value, context, 1);
      if (typeof paper === 'string')
        warn(1, `JSON, but not a daily papers list: expected an array of papers, and the value ${paper}; nothing was read`);
      else papers.push(ratePaper(paper));
    } else warn(1, `not valid JSON (${value.error}); nothing was read`);
    return { papers, warnings };
  }
  const itemWarnings: CorpusWarning[] = [];
  parts.elements.forEach((element, index) => {
    const value = parseJson(text.slice(element.start, element.end));
    if (!value.ok) {
      itemWarnings.push({
        file: context.file,
        line: element.line,
        message: `item ${index + 1} is not valid JSON (${value.error}); skipped`,
      });
      return;
    }
    const paper = readDailyPaperItem(value.value, context, element.line);
    if (typeof paper === 'string')
      itemWarnings.push({ file: context.file, line: element.line, message: `item ${index + 1} is not a paper: it ${paper}; skipped` });
    else papers.push(ratePaper(paper));
  });
  // An array with no paper at all is another kind of JSON: one warning says so instead of one per item.
  if (papers.length === 0 && itemWarnings.length > 1) {
    warn(
      1,
      `JSON, but not a daily papers list: none of its ${itemWarnings.length} items is a paper (${itemWarnings[0]!.message}); nothing was read`,
    );
  } else warnings.push(...itemWarnings);
  if (parts.cut?.inElement)
    warn(
      parts.cut.line,
      `the JSON is cut off inside item ${parts.elements.length + 1}; that item was skipped, the ${parts.elements.length} before it were read`,
    );
  else if (parts.cut)
    warn(parts.cut.line, `the JSON array does not close (cut off after item ${parts.elements.length}); the items before the cut were read`);
  if (parts.error) warn(parts.error.line, `unexpected "${preview(parts.error.found)}" between items; the items after it were skipped`);
  return { papers, warnings };
}

/** JSON.parse as a value: bad JSON is an expected input here, not an exception. */
export function parseJson(text: string): { ok: true; value: unknown } | { ok: false; error: string } {
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch (error) {
    return { ok: false, error: error instanceof Error ? error.message : String(error) };
  }
}
