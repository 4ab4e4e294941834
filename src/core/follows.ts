import { foldText, type Paper } from './paper.js';
import { matchTopics, normalizeTopic, TOPIC_MAX_LENGTH } from './topics.js';

/*
 * What a member follows (issue 15): a topic, a topic with terms to leave out (`reinforcement learning -robotics`), an
 * author (`author:Jane Doe`) or an organisation (`org:BAIDU`). Each is kept as one string among the member's topics
 * (so the store and its dumps need no new shape), and this module reads it back. A plain topic reads as it always
 * did.
 */

/** A member's follow, read from its stored form. */
export type Follow =
  | { kind: 'topic'; key: string; include: string; exclude: string[] }
  | { kind: 'author'; key: string; name: string }
  | { kind: 'org'; key: string; name: string };

/** A follow read from what a member typed, or why it cannot be one. */
export type FollowResult = { ok: true; follow: Follow } | { ok: false; reason: string };

/** The prefixes of an author's and an organisation's follow as stored. */
export const AUTHOR_PREFIX = 'author:';
export const ORG_PREFIX = 'org:';
const NAME_MIN_LENGTH = 2;

/** A name as compared: folded (case, accents), one space between words. */
export function foldName(name: string): string {
  return foldText(name).replace(/\s+/g, ' ').trim();
}

/** A person's or an organisation's name as typed, cleaned: no control characters, one space between words. */
function cleanName(raw: string): string {
  return raw
    .replace(/[\p{Cc}\p{Cf}]/gu, ' ')
    .replace(/\s+/g, ' ')
    .trim();
}

/** Reads an author or organisation follow (the name without its prefix). */
export function parseNameFollow(kind: 'author' | 'org', raw: string): FollowResult {
  const name = cleanName(raw);
  const prefix = kind === 'author' ? AUTHOR_PREFIX : ORG_PREFIX;
  const what = kind === 'author' ? 'an author' : 'an organisation';
  if (!/[\p{L}\p{N}]/u.test(name))
    return { ok: false, reason: `Please give ${what}'s name, e.g. pick one of the suggestions as you type.` };
  if (name.length < NAME_MIN_LENGTH) return { ok: false, reason: `A name needs at least ${NAME_MIN_LENGTH} characters.` };
  if (prefix.length + name.length > TOPIC_MAX_LENGTH)
    return { ok: false, reason: `A name can be at most ${TOPIC_MAX_LENGTH - prefix.length} characters.` };
  return { ok: true, follow: { kind, key: `${prefix}${name}`, name } };
}

/**
 * Reads a topic a member typed, with words to leave out marked by a leading minus (`reinforcement learning
 * -robotics`): what is left must be a topic, and each minus term one too. Also reads a stored follow back (its
 * `author:`/`org:` prefix).
 */
export function parseFollow(raw: string): FollowResult {
  const trimmed = raw.trim();
  if (trimmed.toLowerCase().startsWith(AUTHOR_PREFIX)) return parseNameFollow('author', trimmed.slice(AUTHOR_PREFIX.length));
  if (trimmed.toLowerCase().startsWith(ORG_PREFIX)) return parseNameFollow('org', trimmed.slice(ORG_PREFIX.length));
  const words = trimmed.split(/\s+/).filter((w) => w !== '' && w !== '-');
  const minus = words.filter((w) => w.startsWith('-')).map((w) => w.replace(/^-+/, ''));
  const plain = words.filter((w) => !w.startsWith('-'));
  if (minus.length > 0 && plain.length === 0)
    return {
      ok: false,
      reason: 'A topic needs words to follow, not only words to leave out: e.g. "reinforcement learning -robotics".',
    };
  const include = normalizeTopic(plain.join(' '));
  if (!include.ok) return include;
  const exclude: string[] = [];
  for (const term of minus) {
    const normal = normalizeTopic(term);
    if (!normal.ok) return { ok: false, reason: `"-${term.slice(0, 40)}" cannot be left out: ${normal.reason}` };
    if (!exclude.includes(normal.topic)) exclude.push(normal.topic);
  }
  const key = [include.topic, ...exclude.map((t) => `-${t}`)].join(' ');
  if (key.length > TOPIC_MAX_LENGTH)
    return {
      ok: false,
      reason: `A topic with the words it leaves out can be at most ${TOPIC_MAX_LENGTH} characters; keep it to a few words.`,
    };
  return { ok: true, follow: { kind: 'topic', key, include: include.topic, exclude } };
}

/** The parts of a paper a follow looks at. */
export type FollowedPaper = Pick<Paper, 'title' | 'abstract'> & Partial<Pick<Paper, 'authorNames' | 'organization'>>;

/**
 * True when a paper matches a follow: a topic's words are in its title or abstract (as a feed's topics match) and
 * none of its left-out terms is; an author is among its authors; an organisation is its organisation (names
 * compared without case or accents).
 */
export function matchesFollow(paper: FollowedPaper, follow: Follow): boolean {
  if (follow.kind === 'author') {
    const wanted = foldName(follow.name);
    return (paper.authorNames ?? []).some((name) => foldName(name) === wanted);
  }
  if (follow.kind === 'org') return typeof paper.organization === 'string' && foldName(paper.organization) === foldName(follow.name);
  if (matchTopics(paper, [follow.include]).length === 0) return false;
  return follow.exclude.length === 0 || matchTopics(paper, follow.exclude).length === 0;
}

/** The follows among stored topics that a paper matches, as stored (a stored string that reads as nothing matches nothing). */
export function matchFollows(paper: FollowedPaper, topics: readonly string[]): string[] {
  return topics.filter((topic) => {
    const read = readStoredFollow(topic);
    return read !== null && matchesFollow(paper, read);
  });
}

const storedCache = new Map<string, Follow | null>();

/** A stored topic read as a follow (kept: every paper of every digest checks the same few strings). */
function readStoredFollow(topic: string): Follow | null {
  let read = storedCache.get(topic);
  if (read === undefined) {
    const parsed = parseFollow(topic);
    read = parsed.ok ? parsed.follow : null;
    if (storedCache.size >= 10_000) storedCache.clear();
    storedCache.set(topic, read);
  }
  return read;
}

/** A name of the corpus and how many papers carry it. */
export interface NameCount {
  name: string;
  papers: number;
}

/** The authors (or organisations) the corpus names, most papers first, each spelled as most papers spell it. */
export function collectNames(papers: readonly Paper[], kind: 'author' | 'org'): NameCount[] {
  const byKey = new Map<string, { spellings: Map<string, number>; papers: number }>();
  for (const paper of papers) {
    const names = kind === 'author' ? (paper.authorNames ?? []) : paper.organization ? [paper.organization] : [];
    for (const raw of new Set(names.map(cleanName))) {
      if (raw.length < NAME_MIN_LENGTH) continue;
      const key = foldName(raw);
      let entry = byKey.get(key);
      if (!entry) byKey.set(key, (entry = { spellings: new Map(), papers: 0 }));
      entry.papers += 1;
      entry.spellings.set(raw, (entry.spellings.get(raw) ?? 0) + 1);
    }
  }
  return [...byKey.values()]
    .map(({ spellings, papers: count }) => ({
      name: [...spellings].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))[0]![0],
      papers: count,
    }))
    .sort((a, b) => b.papers - a.papers || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

/** The names that fit what was typed (a word of the name starts with it, first; then any part of it), at most `limit`. */
export function filterNames(names: readonly NameCount[], typed: string, limit: number): NameCount[] {
  const wanted = foldName(typed);
  if (!wanted) return names.slice(0, limit);
  const starts: NameCount[] = [];
  const contains: NameCount[] = [];
  for (const entry of names) {
    const folded = foldName(entry.name);
    if (folded.startsWith(wanted) || folded.includes(` ${wanted}`)) starts.push(entry);
    else if (folded.includes(wanted)) contains.push(entry);
    if (starts.length >= limit) break;
  }
  return [...starts, ...contains].slice(0, limit);
}

/** A stored follow as a member reads it, escaped: `**rl** (leaving out **robotics**)`, `papers by **Jane Doe**`. */
export function describeFollow(topic: string, escape: (text: string) => string): string {
  const read = readStoredFollow(topic);
  if (!read) return `**${escape(topic)}**`;
  if (read.kind === 'author') return `papers by **${escape(read.name)}**`;
  if (read.kind === 'org') return `papers from **${escape(read.name)}**`;
  const out = read.exclude.map((t) => `**${escape(t)}**`).join(', ');
  return `**${escape(read.include)}**${out ? ` (leaving out ${out})` : ''}`;
}
