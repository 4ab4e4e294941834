import { DISCORD_LIMITS } from './discord-limits.js';
import { formatMentionChunks, type Mention, type MentionChunk, type OutgoingMessage } from './format.js';
import { escapeAndFit } from './markdown.js';

/** The one direct message per digest a subscriber gets: the papers that matched their topics; it pings nobody. */
export function formatDigestDirectMessage(matched: ReadonlyArray<{ title: string; topics: string[] }>): OutgoingMessage {
  const head = "🔔 Papers in today's Paperboy digest match your topics:";
  const lines = [head];
  let length = head.length;
  for (const [i, { title, topics }] of matched.entries()) {
    const line = `• ${escapeAndFit(title, 200)} (${escapeAndFit(topics.join(', '), 120)})`;
    const more = `…and ${matched.length - i} more`;
    if (length + line.length + more.length + 2 > DISCORD_LIMITS.content) {
      lines.push(more);
      break;
    }
    lines.push(line);
    length += line.length + 1;
  }
  return { content: lines.join('\n'), allowed_mentions: { parse: [] } };
}

/**
 * Channel mentions for members whose direct message about a paper could not go out (DMs closed, the per-digest
 * cap reached, or a send whose fate a crash left unknown), in chunks within Discord's limits.
 */
export function formatFallbackMentions(title: string, recipients: Mention[]): MentionChunk[] {
  const lead = `🔔 **${escapeAndFit(title, 200)}** matches your topics (here instead of a direct message):`;
  return formatMentionChunks(recipients, { first: lead, next: lead });
}
