import { DISCORD_LIMITS } from './discord-limits.js';
import { formatCount, type OutgoingMessage, paperLink, readCount } from './format.js';
import { escapeAndFit, neutralizeMentions } from './markdown.js';
import type { Paper } from './paper.js';
import { truncateAtWord } from './search/suggest.js';

/** The longest a title may be on a compact line; shorter when the papers would not fit in one message. */
const TITLE_MAX = 150;
/** Titles are never cut below this: past it the list goes on in a second message instead. */
const TITLE_MIN = 40;
// Links shown as themselves in angle brackets: clickable, no preview, never a masked link (README, "Corpus text is untrusted").
const NO_MENTIONS: OutgoingMessage['allowed_mentions'] = { parse: [] };
const SEARCH_PREFIX = 'https://huggingface.co/papers?q=';
/** Words of the title a search link keeps: a whole title would make the link longer than the line. */
const SEARCH_WORDS_MAX = 60;

/** The paper's link, with a search link (a paper without arXiv id or page) cut to the title's first words. */
function compactLink(paper: Paper): string {
  const link = paperLink(paper);
  if (!link.startsWith(SEARCH_PREFIX)) return link;
  return `${SEARCH_PREFIX}${encodeURIComponent(truncateAtWord(paper.title, SEARCH_WORDS_MAX).replace(/…$/u, ''))}`;
}

/** An id escaped in the middle of a line (escapeMarkdown would also escape `2412.` as if it opened a list). */
function escapeId(id: string): string {
  return neutralizeMentions(id.replace(/[\\*_~`|[\]<>]/g, (c) => `\\${c}`));
}

/** One numbered line of a compact digest: `3. **Title** · 2411.17691 · ▲ 12 · <https://huggingface.co/papers/…>`. */
export function formatCompactLine(paper: Paper, position: number, titleMax: number = TITLE_MAX): string {
  const upvotes = readCount(paper.upvotes);
  const parts = [
    `${position}. **${escapeAndFit(paper.title, titleMax)}**`,
    escapeId(paper.id),
    ...(upvotes === null ? [] : [`▲ ${formatCount(upvotes)}`]),
    `<${compactLink(paper)}>`,
  ];
  return parts.join(' · ');
}

/**
 * A digest as a compact list: one message (an optional `header` line, already formatted, then one numbered line per
 * paper with its title, id, upvotes and link) within Discord's 2,000 characters. Titles are shortened to fit (not
 * below 40 characters); past that the list continues, numbered on, in further messages. Pings nobody.
 */
export function formatCompactDigest(papers: readonly Paper[], options: { header?: string } = {}): OutgoingMessage[] {
  const header = options.header ? [options.header] : [];
  for (let titleMax = TITLE_MAX; titleMax >= TITLE_MIN; titleMax -= 10) {
    const content = [...header, ...papers.map((p, i) => formatCompactLine(p, i + 1, titleMax))].join('\n');
    if (content.length <= DISCORD_LIMITS.content) return [{ content, allowed_mentions: NO_MENTIONS }];
  }
  const messages: OutgoingMessage[] = [];
  let lines = [...header];
  papers.forEach((paper, i) => {
    const line = formatCompactLine(paper, i + 1, TITLE_MIN);
    if (lines.length > 0 && [...lines, line].join('\n').length > DISCORD_LIMITS.content) {
      messages.push({ content: lines.join('\n'), allowed_mentions: NO_MENTIONS });
      lines = [];
    }
    lines.push(line);
  });
  if (lines.length > 0) messages.push({ content: lines.join('\n'), allowed_mentions: NO_MENTIONS });
  return messages;
}
