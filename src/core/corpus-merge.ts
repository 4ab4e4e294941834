import { type CorpusWarning, type Paper, identifyPaper, paperId } from './paper.js';
import type { ParsedCorpus } from './corpus.js';

/**
 * Joins the papers of several files, given in path order, into one corpus with each paper once. Copies are the
 * same paper when they share an arXiv id, or else a normalised title (copies with two different arXiv ids never
 * are). The merged paper sits where its first copy is, is identified by its arXiv id when any copy has one (see
 * {@link identifyPaper}), and takes the richest value field by field (see {@link mergeCopies}). Each later copy
 * becomes a warning that names both copies.
 */
export function mergeCorpora(parts: readonly ParsedCorpus[]): ParsedCorpus {
  // Groups live in parallel arrays, not objects: a corpus of 100,000 papers is merged at every digest.
  const papers: Paper[] = [];
  const partOf: number[] = [];
  const viaArxiv: boolean[] = [];
  const groupOf: number[] = [];
  const parent: number[] = [];
  const groupArxiv: Array<string | undefined> = [];
  const first: number[] = [];
  const size: number[] = [];
  const byArxiv = new Map<string, number>();
  const byTitle = new Map<string, number>();
  const find = (group: number): number => {
    let root = group;
    while (parent[root] !== root) root = parent[root]!;
    return root;
  };
  parts.forEach((part, index) => {
    for (const raw of part.papers) {
      const paper = identifyPaper(raw);
      const at = papers.length;
      const key = titleKey(paper);
      const arxiv = paper.arxivId;
      const sameId = arxiv ? byArxiv.get(arxiv) : undefined;
      const titled = byTitle.get(key);
      const sameTitle = titled === undefined ? undefined : find(titled);
      // A shared title links copies unless they carry two different arXiv ids: then they are two papers.
      const fits = sameTitle !== undefined && (!arxiv || !groupArxiv[sameTitle] || groupArxiv[sameTitle] === arxiv) ? sameTitle : undefined;
      let group = sameId ?? fits;
      if (group === undefined) {
        group = parent.length;
        parent.push(group);
        groupArxiv.push(undefined);
        first.push(at);
        size.push(0);
      } else if (sameId !== undefined && fits !== undefined && fits !== sameId) {
        // This copy shows that an earlier title-only paper and a paper with an arXiv id are one paper.
        parent[fits] = sameId;
        size[sameId]! += size[fits]!;
        first[sameId] = Math.min(first[sameId]!, first[fits]!);
      }
      papers.push(paper);
      partOf.push(index);
      viaArxiv.push(sameId !== undefined);
      groupOf.push(group);
      size[group]! += 1;
      if (arxiv && !groupArxiv[group]) {
        groupArxiv[group] = arxiv;
        byArxiv.set(arxiv, group);
      }
      if (titled === undefined) byTitle.set(key, group);
    }
  });

  // The copies of every paper seen more than once, oldest first.
  const copies = new Map<number, number[]>();
  for (let i = 0; i < papers.length; i += 1) {
    const root = find(groupOf[i]!);
    groupOf[i] = root;
    if (size[root]! > 1) {
      const list = copies.get(root);
      if (list) list.push(i);
      else copies.set(root, [i]);
    }
  }
  // An alias names this paper only if its title was first seen here (two papers, two arXiv ids, one title: the
  // first keeps it, as older versions kept the first copy of a title).
  const ownAliases = (root: number, aliases: readonly string[] | undefined): string[] | undefined => {
    const own = aliases?.filter((alias) => {
      const titled = byTitle.get(alias);
      return titled === undefined || find(titled) === root;
    });
    return own && own.length > 0 ? own : undefined;
  };

  const merged: Paper[] = [];
  const mergeWarnings: CorpusWarning[][] = parts.map(() => []);
  for (let i = 0; i < papers.length; i += 1) {
    const root = groupOf[i]!;
    if (first[root] !== i) continue;
    const list = copies.get(root);
    if (!list) {
      merged.push(withAliases(papers[i]!, ownAliases(root, papers[i]!.aliases)));
      continue;
    }
    const paper = mergeCopies(
      list.map((c) => papers[c]!),
      groupArxiv[root],
    );
    merged.push(withAliases(paper, ownAliases(root, paper.aliases)));
    const head = papers[list[0]!]!;
    for (const c of list.slice(1)) {
      const copy = papers[c]!;
      const how = viaArxiv[c] ? `arXiv id ${groupArxiv[root]}` : 'title';
      mergeWarnings[partOf[c]!]!.push({
        file: copy.source.file,
        line: copy.source.line,
        message: `same paper (by ${how}) as "${paper.title}" at ${head.source.file}:${head.source.line}; the copies were merged field by field`,
      });
    }
  }

  const warnings: CorpusWarning[] = [];
  parts.forEach((part, index) => {
    const added = mergeWarnings[index]!;
    warnings.push(...(added.length > 0 ? [...part.warnings, ...added].sort((a, b) => a.line - b.line) : part.warnings));
  });
  return { papers: merged, warnings };
}

/** The paper with these aliases (the same object when they did not change). */
function withAliases(paper: Paper, aliases: string[] | undefined): Paper {
  if (aliases === paper.aliases || (aliases && paper.aliases && aliases.length === paper.aliases.length)) return paper;
  const { aliases: _dropped, ...rest } = paper;
  return aliases ? { ...rest, aliases } : rest;
}

/**
 * What stands for a paper's normalised title: its title-hash id ({@link paperId} hashes the normalised title), which
 * a paper without an arXiv id has as its id and {@link identifyPaper} puts first among an identified one's aliases.
 * Reusing it spares hashing every title at every load.
 */
function titleKey(paper: Paper): string {
  if (!paper.arxivId) return paper.id;
  return paper.aliases?.[0] ?? paperId(paper.title);
}

const OPTIONAL_FACTS = ['url', 'upvotes', 'githubRepo', 'githubStars', 'projectPage', 'aiSummary', 'addedAt'] as const;

/**
 * One paper from its copies, oldest first, field by field: the longer abstract that does not end in an ellipsis;
 * the longest author and keyword lists; every link; and for everything else (title, upvotes, stars, comments, dates,
 * addresses, summary) the newest copy's that has it, where the newest is the copy read last (files in path order,
 * so the snapshots `hf-daily/YYYY-MM-DD.json` run oldest to newest). It keeps every id its copies had as aliases.
 */
export function mergeCopies(copies: readonly Paper[], arxivId?: string): Paper {
  const first = copies[0]!;
  const newest = copies[copies.length - 1]!;
  const latest = <K extends keyof Paper>(key: K): Paper[K] | undefined => {
    for (let i = copies.length - 1; i >= 0; i -= 1) {
      const value = copies[i]![key];
      if (value != null) return value;
    }
    return undefined;
  };
  const longest = (key: 'authorNames' | 'aiKeywords'): string[] | undefined => {
    let best: string[] | undefined;
    for (const copy of copies) if ((copy[key]?.length ?? 0) > 0 && copy[key]!.length >= (best?.length ?? 0)) best = copy[key];
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
