import { paperId, type Paper } from '../../../src/core/paper.js';

/** A paper with the given title and abstract, for the search unit tests. */
export function makePaper(title: string, abstract = '', published: string | null = null, line = 1): Paper {
  return {
    id: paperId(title),
    title,
    abstract,
    authors: null,
    organization: null,
    published,
    comments: null,
    links: [],
    source: { file: 'test.txt', line },
  };
}

/** `count` papers whose titles all hold `word`, enough to make it a common term (scored from bitsets). */
export function makeCommonPapers(word: string, count = 220, startLine = 100): Paper[] {
  return Array.from({ length: count }, (_, i) => makePaper(`${word} filler ${i}`, `Plain text ${i}.`, null, startLine + i));
}
