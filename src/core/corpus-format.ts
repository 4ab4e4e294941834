import { splitHeadLines } from './formats/text.js';

const BARE_URL_LINE = /^\s*https?:\/\/\S+\s*$/;
const MARKDOWN_HEADING = /^#{1,6} \S/;

/**
 * Names the format of a page copy that is not the plain-text format (JSON from the API, markdown, a web export
 * with URLs on their own lines), or returns null for plain text. The plain-text reader's detector uses it to leave
 * those copies to their own readers in the format registry (`formats/`), which is how the corpus folder is read;
 * only `parseCorpus` called directly still ends such a copy in one warning rather than a cascade of garbage papers.
 */
export function detectForeignFormat(text: string, headLines: readonly string[] = splitHeadLines(text)): string | null {
  if (/^\uFEFF?\s*(?:\[\s*[{\]]|\{\s*["}])/.test(text.slice(0, 64))) return 'looks like JSON (the Hugging Face API format)';
  let urlLines = 0;
  let headings = 0;
  let lines = 0;
  for (const line of headLines) {
    if (!line.trim()) continue;
    lines += 1;
    if (BARE_URL_LINE.test(line)) urlLines += 1;
    else if (MARKDOWN_HEADING.test(line)) headings += 1;
  }
  if (headings >= 2 && headings * 50 >= lines) return 'looks like a markdown copy of the page';
  if (urlLines >= 3 && urlLines * 10 >= lines) return 'looks like a web export with URLs on their own lines';
  return null;
}
