import { type CorpusWarning, type Paper, identifyPaper, normalizeTitle } from './paper.js';
import type { ParsedCorpus } from './corpus.js';

/** One copy of a paper: where it is in the whole corpus (files in path order, then page order) and its file. */
interface Copy {
  paper: Paper;
  rank: number;
  part: number;
  /** What linked this copy to an earlier one, when one did. */
  via?: 'arxiv' | 'title';
}

/** The copies of one paper, oldest first. */
interface Group {
  copies: Copy[];
  arxivId?: string;
  /** Set when this group turned out to be the same paper as another one and was moved into it. */
  into?: Group;
}

/**
 * Joins the papers of several files, given in path order, into one corpus with each paper once. Copies are the
 * same paper when they share an arXiv id, or else a normalised title (copies with two different arXiv ids never
 * are). The merged paper sits where its first copy is, is identified by its arXiv id when any copy has one (see
 * {@link identifyPaper}), and takes the richest value field by field: the longer abstract that does not end in an
 * ellipsis; the longest author and keyword lists; every link; and for everything else (title, upvotes, stars,
 * comments, dates, addresses, summary) the newest copy's, where the newest is the copy read last: files in path
 * order, so the snapshots `hf-daily/YYYY-MM-DD.json` run oldest to newest. Each later copy becomes a warning that
 * names both copies.
 */
export function mergeCorpora(parts: readonly ParsedCorpus[]): ParsedCorpus {
  const groups: Group[] = [];
  const byArxiv = new Map<string, Group>();
  const byTitle = new Map<string, Group>();
  let rank = 0;
  parts.forEach((part, index) => {
    for (const raw of part.papers) {
      const paper = identifyPaper(raw);
      const title = normalizeTitle(paper.title);
      const viaArxiv = paper.arxivId ? byArxiv.get(paper.arxivId) : undefined;
      const titled = byTitle.get(title);
      const viaTitle = titled ? rootOf(titled) : undefined;
      // A shared title links copies unless they carry two different arXiv ids: then they are two papers.
      const fits = viaTitle && (!paper.arxivId || !viaTitle.arxivId || viaTitle.arxivId === paper.arxivId) ? viaTitle : undefined;
      let group = viaArxiv ?? fits;
      if (!group) {
        group = { copies: [] };
        groups.push(group);
      } else if (viaArxiv && fits && fits !== viaArxiv) {
        // This copy shows that an earlier title-only paper and a paper with an arXiv id are one paper.
        moveInto(fits, viaArxiv);
      }
      const via = viaArxiv ? 'arxiv' : fits ? 'title' : undefined;
      group.copies.push({ paper, rank: rank++, part: index, ...(via ? { via } : {}) });
      if (paper.arxivId && !group.arxivId) {
        group.arxivId = paper.arxivId;
        byArxiv.set(paper.arxivId, group);
      }
      if (!titled) byTitle.set(title, group);
    }
  });

  const merged: Array<{ paper: Paper; rank: number }> = [];
  const mergeWarnings: CorpusWarning[][] = parts.map(() => []);
  for (const group of groups) {
    if (group.into) continue;
    const [first, ...later] = group.copies;
    if (!first) continue;
    if (later.length === 0) {
      merged.push({ paper: first.paper, rank: first.rank });
      continue;
    }
    const paper = mergeCopies(group.copies.map((c) => c.paper), group.arxivId);
    merged.push({ paper, rank: first.rank });
    for (const copy of later) {
      const how = copy.via === 'arxiv' ? `arXiv id ${group.arxivId}` : 'title';
      mergeWarnings[copy.part]!.push({
        file: copy.paper.source.file,
        line: copy.paper.source.line,
        message: `same paper (by ${how}) as "${paper.title}" at ${first.paper.source.file}:${first.paper.source.line}; the copies were merged field by field`,
      });
    }
  }
  // A group moved into a later one sits at its own first copy.
  merged.sort((a, b) => a.rank - b.rank);
  const papers = keepAliasesUnique(merged.map((m) => m.paper));

  const warnings: CorpusWarning[] = [];
  parts.forEach((part, index) => {
    const added = mergeWarnings[index]!;
    warnings.push(...(added.length > 0 ? [...part.warnings, ...added].sort((a, b) => a.line - b.line) : part.warnings));
  });
  return { papers, warnings };

  function rootOf(group: Group): Group {
    let root = group;
    while (root.into) root = root.into;
    return root;
  }
}

/**
 * Drops aliases that cannot name the paper: another paper's id, or an alias an earlier paper has (two papers with
 * different arXiv ids and one title; older versions kept the first copy of a title, so the first one gets it).
 */
function keepAliasesUnique(papers: Paper[]): Paper[] {
  if (!papers.some((p) => p.aliases)) return papers;
  const ids = new Set(papers.map((p) => p.id));
  const claimed = new Set<string>();
  return papers.map((paper) => {
    if (!paper.aliases) return paper;
    const aliases = paper.aliases.filter((alias) => !ids.has(alias) && !claimed.has(alias));
    for (const alias of aliases) claimed.add(alias);
    if (aliases.length === paper.aliases.length) return paper;
    const { aliases: _dropped, ...rest } = paper;
    return aliases.length > 0 ? { ...rest, aliases } : rest;
  });
}

/** Moves every copy of `from` into `to`, oldest first. */
function moveInto(from: Group, to: Group): void {
  to.copies = [...from.copies, ...to.copies].sort((a, b) => a.rank - b.rank);
  from.copies = [];
  from.into = to;
}

const OPTIONAL_FACTS = ['url', 'upvotes', 'githubRepo', 'githubStars', 'projectPage', 'aiSummary', 'addedAt'] as const;

/** One paper from its copies (oldest first), field by field; see {@link mergeCorpora}. */
export function mergeCopies(copies: readonly Paper[], arxivId?: string): Paper {
  const first = copies[0]!;
  const newest = copies[copies.length - 1]!;
  const latest = <K extends keyof Paper>(key: K): Paper[K] | undefined => {
    for (let i = copies.length - 1; i >= 0; i -= 1) {
      const value = copies[i]![key];
      if (value !== undefined && value !== null) return value;
    }
    return undefined;
  };
  const longest = (key: 'authorNames' | 'aiKeywords'): string[] | undefined => {
    let best: string[] | undefined;
    for (const copy of copies) if ((copy[key]?.length ?? 0) > 0 && (copy[key]!.length >= (best?.length ?? 0))) best = copy[key];
    return best;
  };
  const text = copies.reduce((best, copy) => (isBetterAbstract(copy.abstract, best.abstract) ? copy : best), first);
  const id = arxivId ?? first.id;
  const paper: Paper = {
    id,
    title: newest.title,
    abstract: text.abstract,
    authors: latest('authors') ?? null,
    organization: latest('organization') ?? null,
    published: latest('published') ?? null,
    comments: latest('comments') ?? null,
    links: [...new Set([...text.links, ...copies.flatMap((c) => c.links)])],
    source: first.source,
  };
  if (arxivId) paper.arxivId = arxivId;
  for (const key of OPTIONAL_FACTS) {
    const value = latest(key);
    if (value !== undefined) (paper as unknown as Record<string, unknown>)[key] = value;
  }
  const authorNames = longest('authorNames');
  if (authorNames) paper.authorNames = authorNames;
  const aiKeywords = longest('aiKeywords');
  if (aiKeywords) paper.aiKeywords = aiKeywords;
  // Every id a copy was known by before (title-hash ids) still names this paper in an older state file.
  const aliases = new Set(copies.flatMap((c) => [...(c.aliases ?? []), ...(c.arxivId ? [] : [c.id])]));
  aliases.delete(id);
  if (aliases.size > 0) paper.aliases = [...aliases];
  return paper;
}

const ELLIPSIS = /(?:…|\.\.\.)\s*$/;

/** True when `candidate` is a better abstract than `current`: not empty, not cut off with an ellipsis, then longer. */
function isBetterAbstract(candidate: string, current: string): boolean {
  const rate = (text: string) => (text.length > 0 ? 2 : 0) + (ELLIPSIS.test(text) ? 0 : 1);
  const difference = rate(candidate) - rate(current);
  return difference !== 0 ? difference > 0 : candidate.length > current.length;
}
