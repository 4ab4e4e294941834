import type { Paper } from '../paper.js';
import { normalizePhraseText } from '../text-analysis.js';

/** The papers' titles normalised for phrase, exact-title and title-start checks. */
export interface TitleIndex {
  /** Each paper's normalised title between two spaces (` scaling laws `), so a phrase matches whole words only. */
  readonly texts: readonly string[];
  /** Paper indexes in normalised alphabetical title order (ties in corpus order). */
  readonly order: Int32Array;
}

/** Normalises every title once and sorts them, so that the titles starting with a typed text are one binary search away. */
export function createTitleIndex(docs: readonly Paper[]): TitleIndex {
  const texts = docs.map((paper) => ` ${normalizePhraseText(paper.title)} `);
  const order = Int32Array.from({ length: docs.length }, (_, index) => index).sort((a, b) => {
    const x = texts[a]!;
    const y = texts[b]!;
    return x < y ? -1 : x > y ? 1 : a - b;
  });
  return { texts, order };
}

/** At most `cap` papers whose normalised title starts with the normalised phrase, in title order. */
export function findTitleStarts(titles: TitleIndex, phrase: string, cap: number): number[] {
  const { texts, order } = titles;
  const prefix = ` ${phrase}`;
  const found: number[] = [];
  for (let i = firstAtLeast(titles, prefix); i < order.length && found.length < cap && texts[order[i]!]!.startsWith(prefix); i++) {
    found.push(order[i]!);
  }
  return found;
}

/** The papers whose normalised title is exactly the normalised phrase, in corpus order: an exact title is the strongest answer. */
export function findExactTitles(titles: TitleIndex, phrase: string): number[] {
  const { texts, order } = titles;
  const text = ` ${phrase} `;
  const found: number[] = [];
  // Equal texts sort together, in corpus order.
  for (let i = firstAtLeast(titles, text); i < order.length && texts[order[i]!] === text; i++) found.push(order[i]!);
  return found;
}

/** The first position in title order whose text is not below `text`. */
function firstAtLeast({ texts, order }: TitleIndex, text: string): number {
  let low = 0;
  let high = order.length;
  while (low < high) {
    const mid = (low + high) >>> 1;
    if (texts[order[mid]!]! < text) low = mid + 1;
    else high = mid;
  }
  return low;
}
