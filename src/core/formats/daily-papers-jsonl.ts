import type { CorpusWarning } from '../paper.js';
import { ratePaper } from './confidence.js';
import { readDailyPaperItem } from './daily-papers-item.js';
import { parseJson } from './daily-papers-json.js';
import { splitLines } from './text.js';
import type { CorpusFormat, FormatContext, FormatResult, ReadPaper } from './types.js';

const HEAD = 65_536;
const API_KEYS = /"(?:paper|title|summary)"\s*:/;

/**
 * (e) JSON Lines: one `GET /api/daily_papers` element per line (or one whole response array per line), as tools
 * that append one record at a time write them. A bad line is a warning with its line number.
 */
export const dailyPapersJsonlFormat: CorpusFormat = {
  name: 'daily-papers-jsonl',
  description: 'daily papers JSON Lines (one item per line)',
  detect(text) {
    const head = text.slice(0, HEAD);
    const lines = head
      .split(/\r\n|\r|\n/)
      .map((line) => line.trim())
      .filter(Boolean);
    const first = lines[0]?.replace(/^\uFEFF/, '');
    if (!first?.startsWith('{') || (!first.endsWith('}') && lines.length > 1)) return 0;
    if (lines.length > 1 && !lines[1]!.startsWith('{')) return 0;
    return API_KEYS.test(head) ? 0.95 : 0.3;
  },
  parse: parseDailyPapersJsonl,
};

function parseDailyPapersJsonl(text: string, context: FormatContext): FormatResult {
  const warnings: CorpusWarning[] = [];
  const warn = (line: number, message: string) => warnings.push({ file: context.file, line, message });
  const papers: ReadPaper[] = [];
  const lines = splitLines(text);
  let lastLine = lines.length - 1;
  while (lastLine > 0 && !lines[lastLine]!.trim()) lastLine -= 1;
  const endsCut = !/[\r\n]$/.test(text);
  lines.forEach((raw, index) => {
    const line = raw.trim();
    if (!line) return;
    const value = parseJson(line);
    if (!value.ok) {
      warn(
        index + 1,
        index === lastLine && endsCut
          ? 'the last line is cut off (not complete JSON); skipped'
          : `not valid JSON (${value.error}); skipped`,
      );
      return;
    }
    for (const item of Array.isArray(value.value) ? value.value : [value.value]) {
      const paper = readDailyPaperItem(item, context, index + 1);
      if (typeof paper === 'string') warn(index + 1, `not a paper: it ${paper}; skipped`);
      else papers.push(ratePaper(paper));
    }
  });
  return { papers, warnings };
}
