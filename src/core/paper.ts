import { createHash } from 'node:crypto';

/** Where a paper or a warning comes from: a corpus file (relative to the corpus directory) and a 1-based line. */
export interface SourceRef {
  file: string;
  line: number;
}

/** One research paper read from the corpus: the vocabulary every part of Paperboy shares. */
export interface Paper {
  /**
   * The paper's identity (at most {@link MAX_PAPER_ID_LENGTH} characters): its arXiv id when known (`2411.17691`,
   * `hep-th/9901001`), so a corrected title or another copy of it is the same paper; else the title-hash id of
   * {@link paperId}. See {@link identifyPaper}.
   */
  id: string;
  title: string;
  /** One paragraph; wrapped lines are joined with single spaces. */
  abstract: string;
  /** Author count from a `• N authors` footer line, or null. */
  authors: number | null;
  /** Display name from an organisation footer line (`baidu BAIDU` → `BAIDU`), or null. */
  organization: string | null;
  /** Publication date as `YYYY-MM-DD`, or null when the entry has no footer. */
  published: string | null;
  /** Comment (discussion) count from the date line, or null when the page shows none. */
  comments: number | null;
  /** `http(s)://` links found in the abstract, in order, without duplicates. */
  links: string[];
  source: SourceRef;
  /** arXiv identifier without its version (`2411.17691`, `hep-th/9901001`), when the source names one. */
  arxivId?: string;
  /** The paper's page (Hugging Face paper page or arXiv abstract); always a well-formed `https` URL. */
  url?: string;
  /** Upvotes on Hugging Face when the copy was taken (they keep changing afterwards). */
  upvotes?: number;
  /** The paper's code repository; always a well-formed `https` URL. */
  githubRepo?: string;
  /** GitHub stars of {@link Paper.githubRepo} when the copy was taken (`2.3k` is read as 2300). */
  githubStars?: number;
  /** The paper's project page; always a well-formed `https` URL. */
  projectPage?: string;
  /** Hugging Face's one-sentence AI summary, when the source has one. */
  aiSummary?: string;
  /** Hugging Face's AI keywords, when the source has them. */
  aiKeywords?: string[];
  /** Author names in order, where the source lists them (the API does; page copies only give a count). */
  authorNames?: string[];
  /** `YYYY-MM-DD` the paper was added to Daily Papers (UTC), as distinct from {@link Paper.published}. */
  addedAt?: string;
  /**
   * Other ids of this paper: the title-hash ids ({@link paperId}) of its copies, which versions before arXiv
   * identity used; what the state recorded under them belongs to this paper. Absent when there are none.
   */
  aliases?: string[];
}

/** A piece of corpus text that could not be read as (part of) a paper. */
export interface CorpusWarning extends SourceRef {
  message: string;
}

/** A corpus file that gives no papers although it is not empty (skipped or quarantined), and why, for an admin. */
export interface CorpusFileProblem {
  file: string;
  problem: string;
}

// New-style ids (`2411.17691`, since 2007) and old-style ones (`hep-th/9901001`, `math.GT/0309136`), with an optional version.
const ARXIV_ID = /^(?:arxiv:)?(\d{4}\.\d{4,5}|[a-z]+(?:-[a-z]+)*(?:\.[a-z]{2})?\/\d{7})(?:v\d+)?$/i;

/**
 * The arXiv id of a text (`2411.17691v2`, `arXiv:2411.17691`, `hep-th/9901001v1`) without its version, or null:
 * the same paper in another version is the same paper.
 */
export function normalizeArxivId(text: string): string | null {
  const match = ARXIV_ID.exec(text.trim());
  if (!match) return null;
  const id = match[1]!;
  const slash = id.indexOf('/');
  // Archive names are lower case (`hep-th`), subject classes upper case (`math.GT`).
  if (slash === -1) return id;
  const [archive, subject] = id.slice(0, slash).split('.');
  return `${archive!.toLowerCase()}${subject ? `.${subject.toUpperCase()}` : ''}${id.slice(slash)}`;
}

/** Discord limits autocomplete values and custom ids to 100 characters; ids stay well below. */
export const MAX_PAPER_ID_LENGTH = 64;
const SLUG_MAX = 48;

/** Folds a text for comparison: Unicode compatibility form, no diacritics, lower case. */
export function foldText(text: string): string {
  // ASCII has nothing to decompose: skip the (costly) Unicode passes.
  if (/^[\x00-\x7f]*$/.test(text)) return text.toLowerCase();
  return text
    .normalize('NFKD')
    .replace(/\p{M}+/gu, '')
    .toLowerCase();
}

/** The normalised form of a title that identifies a paper: folded, punctuation and spacing removed. */
export function normalizeTitle(title: string): string {
  if (/^[\x00-\x7f]*$/.test(title))
    return title
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, ' ')
      .trim();
  return foldText(title)
    .replace(/[^\p{L}\p{N}]+/gu, ' ')
    .trim();
}

/**
 * The stable id of a paper with this title: a readable ASCII slug plus a short hash of the normalised title,
 * so case, spacing and punctuation differences give the same id while different titles never share one.
 */
export function paperId(title: string): string {
  const normal = normalizeTitle(title);
  const hash = createHash('sha256').update(normal).digest('hex').slice(0, 10);
  const words = normal.split(' ').filter((w) => /^[a-z0-9]+$/.test(w));
  let slug = '';
  for (const word of words) {
    const next = slug ? `${slug}-${word}` : word;
    if (next.length > SLUG_MAX) {
      if (!slug) slug = word.slice(0, SLUG_MAX);
      break;
    }
    slug = next;
  }
  return `${slug || 'paper'}-${hash}`;
}

/**
 * The paper with its identity settled: a paper with an arXiv id is identified by it and keeps its title-hash id as
 * an alias; any other paper keeps its title-hash id. Returns the same object when nothing changes.
 */
export function identifyPaper(paper: Paper): Paper {
  if (!paper.arxivId || paper.id === paper.arxivId) return paper;
  // Readers give every paper its title-hash id; an id set otherwise is recomputed from the title.
  const legacy = isTitleHashId(paper.id) ? paper.id : paperId(paper.title);
  const aliases = [legacy, ...(paper.aliases ?? []).filter((alias) => alias !== legacy && alias !== paper.arxivId)];
  return { ...paper, id: paper.arxivId, aliases };
}

function isTitleHashId(text: string): boolean {
  return /^[a-z0-9]+(?:-[a-z0-9]+)*-[0-9a-f]{10}$/.test(text) && text.length <= MAX_PAPER_ID_LENGTH;
}

/**
 * True when the text has the shape of a paper id (a picked autocomplete suggestion rather than typed words): a
 * title-hash id, or an arXiv id as Paperboy writes it (`2411.17691`, `hep-th/9901001`, no version).
 */
export function isPaperIdShape(text: string): boolean {
  return isTitleHashId(text) || (text.length <= MAX_PAPER_ID_LENGTH && normalizeArxivId(text) === text);
}
