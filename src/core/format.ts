import { DISCORD_LIMITS } from './discord-limits.js';
import { escapeAndFit, escapeMarkdown, readSafeUrl, sliceText } from './markdown.js';
import { normalizeArxivId, type Paper } from './paper.js';

/** An embed as the REST API takes it. */
export interface Embed {
  title?: string;
  url?: string;
  description?: string;
  color?: number;
  fields?: Array<{ name: string; value: string; inline?: boolean }>;
  footer?: { text: string };
}

/** A message body for `POST /channels/{id}/messages` (or an interaction response): always with explicit mentions. */
export interface OutgoingMessage {
  content?: string;
  embeds?: Embed[];
  /** Always set: nothing in corpus text may ever ping anyone. */
  allowed_mentions: { parse: Array<'users' | 'roles' | 'everyone'>; users?: string[] };
  flags?: number;
}

/** A member to mention under a paper, with the topics of theirs it matched. */
export interface Mention {
  userId: string;
  topics: string[];
}

/** Paperboy's embed colour (a newspaper blue). */
export const EMBED_COLOR = 0x3b6fb6;
/** Default length of the abstract excerpt in a digest card. */
export const DEFAULT_EXCERPT_LENGTH = 600;
const FOOTER_PREFIX = 'Paper id: ';
// Anchored: a paper title quoted in a notification must never read back as a digest's opening message.
const HEADER_PATTERN = /^📰 \*\*Paperboy digest #(\d+)\*\*/;
const NO_MENTIONS: OutgoingMessage['allowed_mentions'] = { parse: [] };
const SNOWFLAKE = /^\d{17,20}$/;
// Title-hash ids (`densing-law-of-llms-0123456789`) and arXiv ids (`2411.17691`, `hep-th/9901001`, `math.GT/0309136`),
// at most 100 characters like every value Discord echoes back to the bot.
const FOOTER_ID = /^[A-Za-z0-9][A-Za-z0-9._/:-]{0,99}$/;

/** Where a card links to: every address a well-formed `https` URL, each absent when the paper does not have it. */
export interface PaperLinks {
  /** The title's link: the Hugging Face page, else the paper's own page, else a Hugging Face search for its title. */
  page: string;
  /** The arXiv abstract page. */
  abstract?: string;
  /** The arXiv PDF. */
  pdf?: string;
  /** The code repository. */
  code?: string;
  /** The project page. */
  project?: string;
}

/**
 * The addresses of a paper. Those built from its arXiv id point at huggingface.co and arxiv.org; those the source
 * gave (its page, code, project page) are kept only when {@link readSafeUrl} accepts them.
 */
export function readPaperLinks(paper: Paper): PaperLinks {
  const arxivId = typeof paper.arxivId === 'string' ? normalizeArxivId(paper.arxivId) : null;
  const own = readSafeUrl(paper.url);
  const links: PaperLinks = {
    page: arxivId
      ? `https://huggingface.co/papers/${arxivId}`
      : (own ?? `https://huggingface.co/papers?q=${encodeURIComponent(paper.title)}`),
  };
  if (arxivId) {
    links.abstract = `https://arxiv.org/abs/${arxivId}`;
    links.pdf = `https://arxiv.org/pdf/${arxivId}`;
  }
  const code = readSafeUrl(paper.githubRepo);
  if (code) links.code = code;
  const project = readSafeUrl(paper.projectPage);
  if (project) links.project = project;
  return links;
}

/** The link of a paper's title: its Hugging Face page, its own page, or (neither known) a search for its title. */
export function paperLink(paper: Paper): string {
  return readPaperLinks(paper).page;
}

/** A count with thousands separators (`12,345`), the same on every machine whatever its locale. */
export function formatCount(count: number): string {
  return String(count).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}

/** A count the card can show: a whole number from 0 up, else null (a source may hold anything). */
export function readCount(value: unknown): number | null {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0 ? value : null;
}

/** `2024-11-26` → `26 Nov 2024`. */
export function formatDay(day: string): string {
  const [y, m, d] = day.split('-').map(Number);
  const month = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'][(m ?? 1) - 1];
  return `${d} ${month} ${y}`;
}

/** The label that opens a card's AI summary: a reader must never take it for the authors' words. */
export const TLDR_LABEL = 'TL;DR (AI-generated):';
const TLDR_MAX = 400;
const NAMES_SHOWN = 3;
const NAME_MAX = 80;
const KEYWORDS_SHOWN = 8;
const KEYWORDS_MAX = 300;

/**
 * A paper as a Discord embed: escaped title cut to 256 and linking to the paper, the AI summary as a labelled
 * one-line TL;DR above an abstract excerpt cut at a sentence or word, authors or organisation, date, upvotes,
 * comments, arXiv and PDF links, code with its stars, project page, keywords, the links of the abstract, and a
 * footer with the paper id; within every limit.
 */
export function formatPaperEmbed(
  paper: Paper,
  options: { excerptLength?: number; fullAbstract?: boolean; postedLink?: string } = {},
): Embed {
  const links = readPaperLinks(paper);
  const fields: NonNullable<Embed['fields']> = [];
  const names = readTexts(paper.authorNames);
  if (paper.organization !== null) {
    fields.push({ name: 'Organisation', value: escapeAndFit(paper.organization, DISCORD_LIMITS.fieldValue) || '—', inline: true });
  }
  if (names.length > 0) {
    fields.push({ name: 'Authors', value: formatNames(names, Math.max(readCount(paper.authors) ?? 0, names.length)), inline: true });
  } else if (paper.organization === null && paper.authors !== null) {
    fields.push({ name: 'Authors', value: String(paper.authors), inline: true });
  }
  fields.push({ name: 'Published', value: paper.published ? formatDay(paper.published) : 'unknown', inline: true });
  const upvotes = readCount(paper.upvotes);
  if (upvotes !== null) fields.push({ name: 'Upvotes', value: `▲ ${formatCount(upvotes)}`, inline: true });
  if (paper.comments !== null) fields.push({ name: 'Comments', value: String(paper.comments), inline: true });
  // Masked links only ever point at addresses built here from the arXiv id; the source's own are shown as they are.
  if (links.abstract && links.pdf) fields.push({ name: 'Paper', value: `[arXiv](${links.abstract}) · [PDF](${links.pdf})` });
  if (links.code) {
    const stars = readCount(paper.githubStars);
    fields.push({ name: 'Code', value: `<${links.code}>${stars === null ? '' : ` ★ ${formatCount(stars)}`}` });
  }
  if (links.project) fields.push({ name: 'Project page', value: `<${links.project}>` });
  const keywords = readTexts(paper.aiKeywords).slice(0, KEYWORDS_SHOWN);
  if (keywords.length > 0) fields.push({ name: 'Keywords (AI-generated)', value: escapeAndFit(keywords.join(', '), KEYWORDS_MAX) });
  const shown = new Set([links.code, links.project]);
  const abstractLinks = formatLinks(
    paper.links.flatMap((link) => readSafeUrl(link, { allowHttp: true }) ?? []).filter((link) => !shown.has(link)),
  );
  if (abstractLinks) fields.push({ name: 'Links', value: abstractLinks });
  if (options.postedLink) fields.push({ name: 'Posted', value: `[Jump to the digest message](${options.postedLink})` });

  const footer = { text: `${FOOTER_PREFIX}${paper.id}` };
  const title = escapeAndFit(paper.title, DISCORD_LIMITS.title) || 'Untitled paper';
  const fixed = title.length + footer.text.length + fields.reduce((n, f) => n + f.name.length + f.value.length, 0);
  let room = Math.max(Math.min(DISCORD_LIMITS.description, DISCORD_LIMITS.embedTotal - fixed), 0);
  // `**label** ` plus the blank line before the excerpt; a summary squeezed below a few words is left out.
  const tldrRoom = Math.min(TLDR_MAX, room - TLDR_LABEL.length - 7);
  const tldrText = typeof paper.aiSummary === 'string' && tldrRoom >= 40 ? escapeAndFit(paper.aiSummary, tldrRoom) : '';
  const tldr = tldrText ? `**${TLDR_LABEL}** ${tldrText}` : '';
  room -= tldr ? tldr.length + 2 : 0;
  const excerptRoom = Math.min(room, options.fullAbstract ? DISCORD_LIMITS.description : (options.excerptLength ?? DEFAULT_EXCERPT_LENGTH));
  const excerpt = excerptRoom > 1 ? escapeAndFit(paper.abstract, excerptRoom, { sentences: true }) : '';
  const description = [tldr, excerpt].filter(Boolean).join('\n\n');
  return { title, url: links.page, ...(description ? { description } : {}), color: EMBED_COLOR, fields, footer };
}

/** A digest message for one paper: its embed, plus the first chunk of mentions of members whose topics it matched. */
export function formatPaperMessage(paper: Paper, options: { excerptLength?: number; mentions?: Mention[] } = {}): OutgoingMessage {
  const embed = formatPaperEmbed(paper, options);
  const [first] = formatCardMentions(paper.title, options.mentions ?? []);
  if (!first) return { embeds: [embed], allowed_mentions: NO_MENTIONS };
  return { content: first.content, embeds: [embed], allowed_mentions: { parse: [], users: first.users } };
}

/** One message's worth of mentions: its content and exactly the members it may ping. */
export interface MentionChunk {
  content: string;
  users: string[];
}

/**
 * The mentions under a paper card, in chunks: the first rides on the card (`🔔 <@1> (scaling laws) · …`), each
 * later one is a follow-up message that names the paper. Every member is in exactly one chunk.
 */
export function formatCardMentions(title: string, mentions: Mention[]): MentionChunk[] {
  return formatMentionChunks(mentions, { first: '🔔', next: `🔔 Also for **${escapeAndFit(title, 200)}**:` });
}

/**
 * Every member to mention, each once and in the order given, split into message contents within Discord's limits
 * (2,000 characters, and 100 users per `allowed_mentions`); `lead` opens the first chunk and `next` the others.
 */
export function formatMentionChunks(mentions: Mention[], lead: { first: string; next: string }): MentionChunk[] {
  const seen = new Set<string>();
  const chunks: MentionChunk[] = [];
  let current: MentionChunk | null = null;
  for (const mention of mentions) {
    if (!SNOWFLAKE.test(mention.userId) || seen.has(mention.userId)) continue;
    seen.add(mention.userId);
    const part = `<@${mention.userId}> (${escapeAndFit(mention.topics.join(', '), 200)})`;
    if (
      current &&
      (current.users.length >= DISCORD_LIMITS.allowedMentionUsers || current.content.length + 3 + part.length > DISCORD_LIMITS.content)
    ) {
      chunks.push(current);
      current = null;
    }
    if (current) {
      current.content += ` · ${part}`;
      current.users.push(mention.userId);
    } else {
      current = { content: `${chunks.length === 0 ? lead.first : lead.next} ${part}`, users: [mention.userId] };
    }
  }
  if (current) chunks.push(current);
  return chunks;
}

/** A chunk of mentions as a message of its own, pinging exactly its members. */
export function formatMentionMessage(chunk: MentionChunk): OutgoingMessage {
  return { content: chunk.content, allowed_mentions: { parse: [], users: [...chunk.users] } };
}

/** The short message that opens a digest: its number, the day, how many papers and how many remain. */
export function formatDigestHeader(input: { digest: number; day: string; count: number; remaining: number }): OutgoingMessage {
  const papers = `${input.count} new ${input.count === 1 ? 'paper' : 'papers'}`;
  const left = input.remaining === 0 ? 'the last of the corpus' : `${input.remaining} still to come`;
  return {
    content: `📰 **Paperboy digest #${input.digest}** · ${escapeMarkdown(input.day)} · ${papers}, ${left}`,
    allowed_mentions: NO_MENTIONS,
  };
}

/** Reads back the paper id from a digest card's footer (reconciling a crash), or null. */
export function readPaperIdFromFooter(footerText: string | undefined | null): string | null {
  if (!footerText?.startsWith(FOOTER_PREFIX)) return null;
  const id = footerText.slice(FOOTER_PREFIX.length).trim();
  return FOOTER_ID.test(id) ? id : null;
}

/** Reads back the digest number from a digest's opening message, or null. */
export function readDigestNumber(content: string | undefined | null): number | null {
  const match = HEADER_PATTERN.exec(content ?? '');
  return match ? Number(match[1]) : null;
}

/** The characters an embed counts against Discord's 6,000 per message. */
export function measureEmbed(embed: Embed): number {
  return (
    (embed.title?.length ?? 0) +
    (embed.description?.length ?? 0) +
    (embed.footer?.text.length ?? 0) +
    (embed.fields ?? []).reduce((n, f) => n + f.name.length + f.value.length, 0)
  );
}

/** The non-empty texts of a list a source gave (anything else in it is ignored). */
function readTexts(list: unknown): string[] {
  return Array.isArray(list) ? list.filter((item): item is string => typeof item === 'string' && item.trim() !== '') : [];
}

/** The first few author names, escaped, and how many more there are: `Ada Lovelace, Alan Turing +4 more`. */
function formatNames(names: string[], total: number): string {
  const shown = names
    .slice(0, NAMES_SHOWN)
    .map((name) => escapeAndFit(name, NAME_MAX))
    .filter(Boolean);
  const more = total - shown.length;
  return `${shown.join(', ') || '—'}${more > 0 ? ` +${more} more` : ''}`;
}

/** Links one per line, whole links only, within a field value; the rest counted. */
function formatLinks(links: string[]): string {
  const lines: string[] = [];
  let length = 0;
  for (const [i, link] of links.entries()) {
    // A link is shown as <url>: clickable, never a masked link, and no preview (callers pass safe URLs only).
    const line = `<${link}>`;
    const more = `+${links.length - i} more`;
    if (length + line.length + 1 + more.length + 1 > DISCORD_LIMITS.fieldValue) {
      lines.push(`+${links.length - i} more`);
      break;
    }
    lines.push(line);
    length += line.length + 1;
  }
  return sliceText(lines.join('\n'), DISCORD_LIMITS.fieldValue);
}
