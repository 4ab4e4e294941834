import { readFileSync, readdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseCorpus } from '../../src/core/corpus.js';
import { normalizeTitle, paperId, type Paper } from '../../src/core/paper.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
/** The seed corpus every query of the evaluation set is about. */
export const SEED_FILE = join(ROOT, 'seeds/000_ccff3ae36fc46473.txt');
/** Real page captures used as distractors: the seven copies in test/fixtures/real (see its README). */
export const REAL_CORPORA_DIR = join(ROOT, 'test/fixtures/real');

/** Reads the seed papers with the project's corpus parser. */
export function loadSeedPapers(): Paper[] {
  const text = readFileSync(SEED_FILE, 'utf8');
  return parseCorpus(text, { file: 'seeds/000_ccff3ae36fc46473.txt', referenceDate: '2026-06-22' }).papers;
}

/**
 * Extracts titles and abstracts of every real capture (plain text, markdown, reference markdown, JSON),
 * deduplicated. A missing folder throws: the figures are only comparable on the full set.
 */
export function loadDistractorPapers(dir: string = REAL_CORPORA_DIR): Paper[] {
  const papers: Paper[] = [];
  const seen = new Set<string>();
  // The captures only: not the README, nor the written fixtures in written/ (the figures were measured without them).
  const files = readdirSync(dir, { withFileTypes: true }).filter((e) => e.isFile() && e.name !== 'README.md').map((e) => e.name);
  for (const file of files.sort()) {
    const text = readFileSync(join(dir, file), 'utf8');
    const found = file.endsWith('.json')
      ? readApiJson(text)
      : file.endsWith('.txt')
        ? readUrlExport(text)
        : text.includes('### [') && /^### \[.*\]\[\d+\]\s*$/m.test(text)
          ? readReferenceMarkdown(text)
          : readLinkMarkdown(text);
    for (const { title, abstract } of found) {
      const key = normalizeTitle(title);
      if (!key || seen.has(key)) continue;
      seen.add(key);
      papers.push(toPaper(title, abstract, file, papers.length + 1));
    }
  }
  return papers;
}

interface Extracted {
  title: string;
  abstract: string;
}

function toPaper(title: string, abstract: string, file: string, line: number): Paper {
  return {
    id: paperId(title),
    title,
    abstract,
    authors: null,
    organization: null,
    published: null,
    comments: null,
    links: [],
    source: { file, line },
  };
}

function collapse(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}

function unescapeMarkdown(text: string): string {
  return text.replace(/\\ {2}/g, ' ').replace(/\\\\\n/g, ' ').replace(/\\([\\`*_{}[\]()#+\-.!%"'<>|~])/g, '$1');
}

/** Format (b): a login URL, the title, the paper URL, then optionally the abstract and the paper URL again. */
function readUrlExport(text: string): Extracted[] {
  const lines = text.split(/\r?\n/).map((line) => line.trim()).filter(Boolean);
  const papers: Extracted[] = [];
  lines.forEach((line, i) => {
    const login = /^https:\/\/huggingface\.co\/login\?next=%2Fpapers%2F([\w.]+)$/.exec(line);
    if (!login) return;
    const url = `https://huggingface.co/papers/${login[1]}`;
    const title = lines[i + 1];
    if (!title || lines[i + 2] !== url) return;
    const next = lines[i + 3];
    const abstract = next && !next.startsWith('http') && lines[i + 4] === url ? next : '';
    papers.push({ title, abstract });
  });
  return papers;
}

/** Format (c) and (d) markdown: `### [Title](paper url)`, then the abstract as a link or a plain snippet. */
function readLinkMarkdown(text: string): Extracted[] {
  const lines = text.split(/\r?\n/);
  const papers: Extracted[] = [];
  for (let i = 0; i < lines.length; i++) {
    if (!lines[i]!.startsWith('### [')) continue;
    let line = lines[i]!;
    // Long titles wrap onto the next line(s) before the link closes.
    while (!/\]\([^)]*\)\s*$/.test(line) && i + 1 < lines.length && lines[i + 1]!.trim() && !lines[i + 1]!.startsWith('#')) {
      i++;
      line += ` ${lines[i]!}`;
    }
    const heading = /^### \[(.+)\]\((https:\/\/huggingface\.co\/papers\/[^)#]+)\)\s*$/.exec(line);
    if (!heading) continue;
    const title = collapse(unescapeMarkdown(heading[1]!));
    const url = heading[2]!;
    let j = i + 1;
    while (j < lines.length && !lines[j]!.trim()) j++;
    let abstract = '';
    const first = lines[j] ?? '';
    if (first.startsWith('[') && !first.startsWith('[!') && !first.startsWith('[-') && !first.startsWith('[[')) {
      const body: string[] = [];
      for (let k = j; k < lines.length && k < j + 200; k++) {
        body.push(lines[k]!);
        if (lines[k]!.endsWith(`](${url})`)) break;
      }
      abstract = body.join('\n').replace(/^\[/, '').replace(new RegExp(`\\]\\(${escapeRegExp(url)}\\)$`), '');
    } else if (first && !first.startsWith('[') && !first.startsWith('- ') && !first.startsWith('<a ')) {
      abstract = first;
    }
    papers.push({ title, abstract: collapse(unescapeMarkdown(abstract)) });
  }
  return papers;
}

/** Format (c) reference style: `### [Title][N]` (wrapped titles continue on `### ` lines), abstract between `[` and `][N]`. */
function readReferenceMarkdown(text: string): Extracted[] {
  const lines = text.split(/\r?\n/);
  const papers: Extracted[] = [];
  for (let i = 0; i < lines.length; i++) {
    if (!lines[i]!.startsWith('### [')) continue;
    let title = lines[i]!.slice(5);
    while (!/\]\[\d+\]\s*$/.test(title) && lines[i + 1]?.startsWith('### ')) {
      i++;
      title += ` ${lines[i]!.slice(4)}`;
    }
    title = collapse(unescapeMarkdown(title.replace(/\]\[\d+\]\s*$/, '')));
    let j = i + 1;
    while (j < lines.length && !lines[j]!.trim()) j++;
    const body: string[] = [];
    if (lines[j] === '[') {
      for (let k = j + 1; k < lines.length && !/^\]\[\d+\]$/.test(lines[k]!); k++) body.push(lines[k]!);
    }
    papers.push({ title, abstract: collapse(unescapeMarkdown(body.join('\n'))) });
    i = j;
  }
  return papers;
}

/** Format (d) JSON: the `/api/daily_papers` array. */
function readApiJson(text: string): Extracted[] {
  const items = JSON.parse(text) as Array<{ title?: string; paper?: { title?: string; summary?: string } }>;
  return items
    .map((item) => ({ title: collapse(item.title ?? item.paper?.title ?? ''), abstract: collapse(item.paper?.summary ?? '') }))
    .filter((item) => item.title);
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
