import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadCorpus } from '../../src/adapters/fs-corpus.js';
import type { Paper } from '../../src/core/paper.js';

const SEEDS = fileURLToPath(new URL('../../seeds', import.meta.url));

/**
 * Writes into `dir` a corpus holding only the seed papers `keep` picks, cut from the seed's own page copy (its header,
 * then each kept paper's lines unchanged), and resolves with those papers as the bot reads them there. End-to-end
 * tests whose point is not the corpus's size post a dozen papers instead of 51: the same paths, a fraction of the
 * waiting for the per-second schedule and Discord's rate limits.
 */
export async function writeSeedSubset(dir: string, keep: (paper: Paper, index: number) => boolean): Promise<Paper[]> {
  const { papers } = await loadCorpus(SEEDS);
  const files = [...new Set(papers.map((p) => p.source.file))];
  await mkdir(dir, { recursive: true });
  for (const file of files) {
    const lines = (await readFile(join(SEEDS, file), 'utf8')).split('\n');
    const inFile = papers.filter((p) => p.source.file === file).sort((a, b) => a.source.line - b.source.line);
    const kept = [lines.slice(0, inFile[0]!.source.line - 1).join('\n')];
    inFile.forEach((paper, i) => {
      if (!keep(paper, papers.indexOf(paper))) return;
      const end = inFile[i + 1]?.source.line ?? lines.length + 1;
      kept.push(lines.slice(paper.source.line - 1, end - 1).join('\n'));
    });
    await writeFile(join(dir, file), `${kept.join('\n').trimEnd()}\n`);
  }
  const subset = (await loadCorpus(dir)).papers;
  const wanted = papers.filter((paper, index) => keep(paper, index)).map((p) => p.id);
  if (subset.map((p) => p.id).join('\n') !== wanted.join('\n')) throw new Error('the seed subset does not read back as the papers picked');
  return subset;
}
