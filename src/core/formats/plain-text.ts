import { parseCorpus } from '../corpus.js';
import { detectForeignFormat } from '../corpus-format.js';
import { ratePaper } from './confidence.js';
import type { CorpusFormat } from './types.js';
import { splitHeadLines, DETECT_SCAN_LIMIT } from './text.js';

const FOOTER_LINE = /^(?:[•·*-] *)?\d+ authors?$|^·$/i;
const CHROME_LINE = /^(?:new|subscribe|daily papers|get trending papers in your email inbox!?|by ?ak and the research community)$/i;
const BINARY = /[\x00-\x08\x0e-\x1f\ufffd]/g;
const MARKDOWN_HEADING = /^#{1,6} \S/;

/**
 * (a) The plain-text copy of a Daily Papers page, as in `seeds/`: title, abstract, then `• N authors` or an
 * organisation line, `·`, and `Nov 26, 2024 5`, separated by blank lines. Any other text made of a short line and a
 * paragraph is read this way too (hand-written corpora), at low confidence.
 */
export const plainTextFormat: CorpusFormat = {
  name: 'plain-text',
  description: 'plain-text page copy (title, abstract, author line, ·, date)',
  detect(text, _fileName, headLines) {
    const head = text.slice(0, DETECT_SCAN_LIMIT);
    const lines = headLines ?? splitHeadLines(text);
    if (!head.trim() || detectForeignFormat(head, lines) !== null || /^\uFEFF?\s*</.test(head)) return 0;
    // Control characters and replaced bytes in bulk mean binary or another encoding, not a page copy.
    const odd = head.match(BINARY)?.length ?? 0;
    if (odd >= 16 && odd * 50 > head.length) return 0;
    let footers = 0;
    let chrome = 0;
    let blocks = 0;
    let headings = 0;
    let previousBlank = true;
    for (const raw of lines) {
      const line = raw.trim();
      if (!line) {
        previousBlank = true;
        continue;
      }
      if (previousBlank) blocks += 1;
      previousBlank = false;
      if (FOOTER_LINE.test(line)) footers += 1;
      else if (CHROME_LINE.test(line)) chrome += 1;
      else if (MARKDOWN_HEADING.test(line)) headings += 1;
    }
    if (footers > 0) return 0.6;
    // Markdown notes (a README, a to-do list) are not a page copy unless the page's own lines are there.
    if (headings > 0) return 0;
    if (chrome >= 2) return 0.4;
    // A title and its abstract are at least two blocks.
    return blocks >= 2 ? 0.15 : 0;
  },
  parse(text, context) {
    const { papers, warnings } = parseCorpus(text, context);
    return { papers: papers.map(ratePaper), warnings };
  },
};
