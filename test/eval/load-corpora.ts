import { readFileSync, readdirSync, existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseCorpus } from '../../src/core/corpus.js';
import { mergeCorpora } from '../../src/core/corpus-merge.js';
import { readCorpusFile } from '../../src/core/formats/index.js';
import { paperId, type Paper } from '../../src/core/paper.js';

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
 * Reads every real capture with the project's own format readers (`readCorpusFile`, as the bot reads its corpus
 * folder, sub-folders included) and merges them as the bot does. Papers keep their title-hash ids here: the
 * evaluation names the paper each query should find by its title.
 */
export function loadDistractorPapers(dir: string = REAL_CORPORA_DIR): Paper[] {
  // A missing folder throws: the figures are only comparable on the full set.
  if (!existsSync(dir)) throw new Error(`the real captures are missing: ${dir}`);
  const parts = listFiles(dir).map((file) => readCorpusFile(readFileSync(join(dir, file)), { file, referenceDate: '2026-11-29' }));
  return mergeCorpora(parts).papers.map((paper) => ({ ...paper, id: paperId(paper.title) }));
}

/** Corpus files below `dir` in path order, without the READMEs that describe them. */
function listFiles(dir: string, prefix = ''): string[] {
  return readdirSync(join(dir, prefix), { withFileTypes: true })
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
    .flatMap((entry) => {
      const path = `${prefix}${entry.name}`;
      // The captures only, not the hand-written current-shape fixtures in written/ (the figures were measured without them).
      if (entry.isDirectory()) return entry.name === 'written' ? [] : listFiles(dir, `${path}/`);
      return entry.name === 'README.md' ? [] : [path];
    });
}
