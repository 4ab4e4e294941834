import type { Paper } from '../paper.js';
import { normalizePhraseText } from '../text-analysis.js';

/** The papers' titles normalised for phrase, exact-title and title-start checks. */
export interface TitleIndex {
  /** Each paper's normalised title between two spaces (` scaling laws `), so a phrase matches whole words only. */
  readonly texts: readonly string[];
  /** Paper indexes in normalised alphabetical title order (ties in corpus order). */
  readonly order: Int32Array;
  /** Papers by normalised title: an exact title typed is the strongest answer. */
  readonly exact: ReadonlyMap<string, readonly number[]>;
}

/** Normalises every title once and sorts them, so that the titles starting with a typed text are one binary search away. */
export function createTitleIndex(docs: readonly Paper[]): TitleIndex {
  const texts: string[] = [];
  const exact = new Map<string, number[]>();
  docs.forEach((paper, index) => {
    const normalTitle = normalizePhraseText(paper.title);
    texts.push(` ${normalTitle} `);
    const same = exact.get(normalTitle);
    if (same) same.push(index);
    else exact.set(normalTitle, [index]);
  });
  const order = Int32Array.from({ length: docs.length }, (_, index) => index).sort((a, b) => {
    const x = texts[a]!;
    const y = texts[b]!;
    return x < y ? -1 : x > y ? 1 : a - b;
  });
  return { texts, order, exact };
}

/** At most `cap` papers whose normalised title starts with the normalised phrase, in title order. */
export function findTitleStarts(titles: TitleIndex, phrase: string, cap: number): number[] {
  const { texts, order } = titles;
  const count = order.length;
  const prefix = ` ${phrase}`;
  let low = 0;
  let high = count;
  while (low < high) {
    const mid = (low + high) >>> 1;
    if (texts[order[mid]!]! < prefix) low = mid + 1;
    else high = mid;
  }
  const found: number[] = [];
  for (let i = low; i < count && found.length < cap && texts[order[i]!]!.startsWith(prefix); i++) found.push(order[i]!);
  return found;
}
