// Corpus files of any size in every format Paperboy reads, made from the real captures: each paper's block of a
// capture is repeated with fresh arXiv ids and titles, so a large file reads like the real page, only longer.
import { readFileSync } from 'node:fs';
import { readCorpusFile } from '../../src/core/formats/index.js';

/** Hands out arXiv ids never seen before (`2401.00001`, …), so that every templated paper is a paper of its own. */
export function createIdAllocator(): () => string {
  let next = 0;
  return () => {
    next += 1;
    return `${2401 + Math.floor(next / 100_000)}.${String(next % 100_000).padStart(5, '0')}`;
  };
}

/** A real capture that can be written out with any number of papers. */
export interface FormatTemplate {
  /** The fixture it is made from. */
  label: string;
  /** The reader that reads it (checked when the template is made). */
  format: string;
  ext: string;
  /** Bytes per paper, roughly, to size a file. */
  bytesPerPaper: number;
  /** A file of exactly `papers` papers, each with a new id and title (`ids` hands out the ids). */
  render(papers: number, ids: () => string): string;
}

const ROOT = new URL('../../', import.meta.url);
const ARXIV_ID = /(?<!\d)\d{4}\.\d{4,5}(?!\d)/g;
let copies = 0;

/** The title with a serial after its first word, so that two copies never share a normalised title. */
const retitle = (title: string, tag: number): string => title.replace(/^(\s*\S+)/, `$1 ${tag}`);

/** The raw title on a paper's first line: what follows `### [` up to `](` or `][`, else the whole line. */
function rawTitle(line: string): string {
  const heading = /^#{1,6} \[(.*?)(?:\]\(|\]\[|$)/.exec(line);
  return (heading ? heading[1]! : line).trim();
}

/** A copy of a block of text: its arXiv ids replaced (consistently within the block) and its titles tagged. */
function copyBlock(block: string, titles: readonly string[], ids: () => string): string {
  copies += 1;
  const tag = copies;
  const renamed = new Map<string, string>();
  let text = block.replace(ARXIV_ID, (id) => {
    if (!renamed.has(id)) renamed.set(id, ids());
    return renamed.get(id)!;
  });
  for (const title of titles) if (title.length >= 8) text = text.replaceAll(title, retitle(title, tag));
  // RSS items carry their titles in elements of their own.
  return text.replace(/<title>(.*?)<\/title>/g, (_m, title: string) => `<title>${retitle(title, tag)}</title>`);
}

/** A template over a text capture (page copies, JSON Lines, RSS): blocks from each paper's first line to the next. */
function textTemplate(path: string, ext: string): FormatTemplate {
  const text = readFileSync(new URL(path, ROOT), 'utf8');
  const read = readCorpusFile(text, { file: path, referenceDate: '2026-10-06' });
  const lines = text.split('\n');
  // A paper's block starts at its first line that names its arXiv id (an upvote link before the title), else at
  // its first line; the next block starts where the next paper's does.
  const firsts = [...new Map(read.papers.map((p) => [p.source.line - 1, p.arxivId])).entries()].sort(([a], [b]) => a - b);
  if (firsts.length < 2) throw new Error(`${path}: too few papers to template`);
  const starts = firsts.map(([line, id], i) => {
    const from = i === 0 ? 0 : firsts[i - 1]![0] + 1;
    if (id) for (let at = from; at < line; at += 1) if (lines[at]!.includes(id)) return at;
    return line;
  });
  const header = lines.slice(0, starts[0]).join('\n');
  const blocks = starts.slice(0, -1).map((start, i) => ({
    text: lines.slice(start, starts[i + 1]).join('\n'),
    titles: [rawTitle(lines[firsts[i]![0]]!)],
  }));
  const tailStart = starts[starts.length - 1]!;
  const tail = { text: lines.slice(tailStart).join('\n'), titles: [rawTitle(lines[firsts[firsts.length - 1]![0]]!)] };
  return {
    label: path.split('/').pop()!,
    format: read.format!,
    ext,
    bytesPerPaper: Buffer.byteLength(text) / read.papers.length,
    render(papers, ids) {
      const parts = [header];
      for (let i = 0; i < papers - 1; i += 1) {
        const block = blocks[i % blocks.length]!;
        parts.push(copyBlock(block.text, block.titles, ids));
      }
      parts.push(copyBlock(tail.text, tail.titles, ids));
      return parts.join('\n');
    },
  };
}

/** A template over a `GET /api/daily_papers` JSON array: its items repeated with new ids and titles. */
function jsonTemplate(path: string): FormatTemplate {
  const text = readFileSync(new URL(path, ROOT), 'utf8');
  const items = JSON.parse(text) as Array<{ paper: { id: string; title: string }; title: string }>;
  const read = readCorpusFile(text, { file: path, referenceDate: '2026-10-06' });
  return {
    label: path.split('/').pop()!,
    format: read.format!,
    ext: '.json',
    bytesPerPaper: Buffer.byteLength(text) / items.length,
    render(papers, ids) {
      const out = Array.from({ length: papers }, (_, i) => {
        const item = items[i % items.length]!;
        copies += 1;
        return {
          ...item,
          paper: { ...item.paper, id: ids(), title: retitle(item.paper.title, copies) },
          title: retitle(item.title, copies),
        };
      });
      // The captures are one line (the API's own answer); the fetcher writes snapshots indented.
      return path.includes('written') ? `${JSON.stringify(out, null, 2)}\n` : JSON.stringify(out);
    },
  };
}

/** Every real capture and written fixture, one template each (several per format). */
export function loadTemplates(): FormatTemplate[] {
  return [
    textTemplate('seeds/000_ccff3ae36fc46473.txt', '.txt'),
    textTemplate('test/fixtures/real/01-b-plaintext-urls-daily-2026-03-27.txt', '.txt'),
    textTemplate('test/fixtures/real/02-b-plaintext-urls-q-intercode-bash.txt', '.txt'),
    textTemplate('test/fixtures/real/03-c-markdown-q-source-citations.md', '.md'),
    textTemplate('test/fixtures/real/04-c-markdown-q-authorship.md', '.md'),
    textTemplate('test/fixtures/real/05-c-refstyle-q-long-context-asr.md', '.md'),
    textTemplate('test/fixtures/real/06-d-html2text-trending-2026.md', '.md'),
    jsonTemplate('test/fixtures/real/07-d-api-json-daily-2024-10-25.json'),
    jsonTemplate('test/fixtures/real/written/daily-papers-current-2026-10-05.json'),
    textTemplate('test/fixtures/real/written/daily-papers-current-2026-10-05.jsonl', '.jsonl'),
    textTemplate('test/fixtures/sources/arxiv/cs.CL-2026-10-06.xml', '.xml'),
  ];
}

/** One template per format, for a mixed corpus. */
export function oneTemplatePerFormat(templates: readonly FormatTemplate[]): FormatTemplate[] {
  const seen = new Set<string>();
  return templates.filter((t) => !seen.has(t.format) && seen.add(t.format));
}
