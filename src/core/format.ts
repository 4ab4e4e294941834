import { DISCORD_LIMITS } from './discord-limits.js';
import { escapeAndFit, escapeMarkdown, sliceText } from './markdown.js';
import type { Paper } from './paper.js';

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

/** The link of a paper: its own when the corpus has one, else a Hugging Face papers search for its title. */
export function paperLink(paper: Paper): string {
  return `https://huggingface.co/papers?q=${encodeURIComponent(paper.title)}`;
}

/** `2024-11-26` → `26 Nov 2024`. */
export function formatDay(day: string): string {
  const [y, m, d] = day.split('-').map(Number);
  const month = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'][(m ?? 1) - 1];
  return `${d} ${month} ${y}`;
}

/**
 * A paper as a Discord embed: escaped title cut to 256, link, abstract excerpt cut at a sentence or word,
 * authors or organisation, date, comments, links and a footer with the paper id; within every limit.
 */
export function formatPaperEmbed(paper: Paper, options: { excerptLength?: number; fullAbstract?: boolean; postedLink?: string } = {}): Embed {
  const fields: NonNullable<Embed['fields']> = [];
  if (paper.organization !== null) {
    fields.push({ name: 'Organisation', value: escapeAndFit(paper.organization, DISCORD_LIMITS.fieldValue) || '—', inline: true });
  } else if (paper.authors !== null) {
    fields.push({ name: 'Authors', value: String(paper.authors), inline: true });
  }
  fields.push({ name: 'Published', value: paper.published ? formatDay(paper.published) : 'unknown', inline: true });
  if (paper.comments !== null) fields.push({ name: 'Comments', value: String(paper.comments), inline: true });
  const links = formatLinks(paper.links);
  if (links) fields.push({ name: 'Links', value: links });
  if (options.postedLink) fields.push({ name: 'Posted', value: `[Jump to the digest message](${options.postedLink})` });

  const footer = { text: `${FOOTER_PREFIX}${paper.id}` };
  const title = escapeAndFit(paper.title, DISCORD_LIMITS.title) || 'Untitled paper';
  const fixed = title.length + footer.text.length + fields.reduce((n, f) => n + f.name.length + f.value.length, 0);
  const room = Math.min(
    DISCORD_LIMITS.description,
    DISCORD_LIMITS.embedTotal - fixed,
    options.fullAbstract ? DISCORD_LIMITS.description : (options.excerptLength ?? DEFAULT_EXCERPT_LENGTH),
  );
  const description = escapeAndFit(paper.abstract, Math.max(room, 0), { sentences: true });
  return { title, url: paperLink(paper), ...(description ? { description } : {}), color: EMBED_COLOR, fields, footer };
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
    if (current && (current.users.length >= DISCORD_LIMITS.allowedMentionUsers || current.content.length + 3 + part.length > DISCORD_LIMITS.content)) {
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
  return { content: `📰 **Paperboy digest #${input.digest}** · ${escapeMarkdown(input.day)} · ${papers}, ${left}`, allowed_mentions: NO_MENTIONS };
}

/** Reads back the paper id from a digest card's footer (reconciling a crash), or null. */
export function readPaperIdFromFooter(footerText: string | undefined | null): string | null {
  if (!footerText?.startsWith(FOOTER_PREFIX)) return null;
  const id = footerText.slice(FOOTER_PREFIX.length).trim();
  return /^[a-z0-9-]{1,100}$/.test(id) ? id : null;
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

/** Links one per line, whole links only, within a field value; the rest counted. */
function formatLinks(links: string[]): string {
  const lines: string[] = [];
  let length = 0;
  for (const [i, link] of links.entries()) {
    // A link is shown as <url>: clickable, never a masked link, and no preview.
    const line = `<${link.replace(/[<>]/g, '')}>`;
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
