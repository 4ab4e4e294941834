import { createHash } from 'node:crypto';
import { DISCORD_LIMITS } from './discord-limits.js';
import { formatCompactLine } from './format-compact.js';
import type { OutgoingMessage } from './format.js';
import type { Paper } from './paper.js';

/*
 * A compact digest as the runner posts it: the papers without a subscriber listed in as few messages as fit, each
 * message ending with a marker line that names the papers it carries (as a card's footer names its paper), so that
 * reading the channel back after a crash recognises the message and records each of its papers as posted.
 */

/** Starts the last line of a compact list message: the ids of the papers it carries, each in a code span. */
const MARKER_PREFIX = '-# Paper ids: ';
// The ids a card footer may carry (format.ts): no space, no backtick, so each fits in a code span of its own.
const MARKER_ID = /^[A-Za-z0-9][A-Za-z0-9._/:-]{0,99}$/;
const MARKER_LINE = /^-# Paper ids: ((?:`[^`\s]+`)(?: `[^`\s]+`)*)$/;
/** Longest a title may be on a line, then shorter by steps down to the shortest before the list goes on in another message. */
const TITLE_STEPS = [150, 120, 100, 80, 60, 40];
const NO_MENTIONS: OutgoingMessage['allowed_mentions'] = { parse: [] };

/** The marker line naming the papers of a list message. */
function formatMarker(papers: readonly Paper[]): string {
  return `${MARKER_PREFIX}${papers.map((p) => `\`${p.id}\``).join(' ')}`;
}

/**
 * One message of a compact digest: the `header` line when given (the digest's opening line), one numbered line per
 * paper (numbered from `first`), and the marker line naming the papers. Titles are shortened until it fits in
 * Discord's 2,000 characters; null when even the shortest titles do not fit (fewer papers must go in it). Pings nobody.
 */
export function formatCompactPart(papers: readonly Paper[], options: { header?: string; first?: number } = {}): OutgoingMessage | null {
  if (papers.length === 0 || papers.some((p) => !MARKER_ID.test(p.id))) return null;
  const first = options.first ?? 1;
  for (const titleMax of TITLE_STEPS) {
    const lines = papers.map((p, i) => formatCompactLine(p, first + i, titleMax));
    const content = [...(options.header ? [options.header] : []), ...lines, formatMarker(papers)].join('\n');
    if (content.length <= DISCORD_LIMITS.content) return { content, allowed_mentions: NO_MENTIONS };
  }
  return null;
}

/**
 * Splits the papers of a compact digest into the messages that carry them, in order: as many papers per message as
 * fit (the first message also carries `header`). A paper whose id cannot be named by a marker, or whose line cannot fit
 * (neither happens with the ids and links the corpus gives), is left out, for a card of its own.
 */
export function planCompactParts(papers: readonly Paper[], header?: string): Paper[][] {
  const parts: Paper[][] = [];
  let current: Paper[] = [];
  const fits = (group: Paper[]) => formatCompactPart(group, parts.length === 0 && header ? { header } : {}) !== null;
  for (const paper of papers) {
    if (!MARKER_ID.test(paper.id)) continue;
    if (fits([...current, paper])) current.push(paper);
    else {
      if (current.length > 0) parts.push(current);
      current = [];
      if (fits([paper])) current.push(paper);
    }
  }
  if (current.length > 0) parts.push(current);
  return parts;
}

/** The ids a compact list message names in its marker line (reading the channel back after a crash), or null. */
export function readCompactPaperIds(content: string | undefined | null): string[] | null {
  const last = (content ?? '').split('\n').at(-1) ?? '';
  const match = MARKER_LINE.exec(last);
  if (!match) return null;
  const ids = match[1]!.split(' ').map((quoted) => quoted.slice(1, -1));
  return ids.every((id) => MARKER_ID.test(id)) ? ids : null;
}

/** The nonce of one compact list message: the same on every attempt, derived from the feed, digest and its first paper. */
export function createCompactNonce(feedId: string, digest: number, firstPaperId: string): string {
  return createHash('sha256')
    .update(`compact\u0000${feedId}\u0000${digest}\u0000${firstPaperId}`)
    .digest('base64url')
    .slice(0, DISCORD_LIMITS.nonce);
}
