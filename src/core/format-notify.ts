import { DISCORD_LIMITS, type OutgoingMessage } from './format.js';
import { escapeAndFit } from './markdown.js';
import type { Paper } from './paper.js';

/**
 * The one message per digest a subscriber gets: the papers that matched their topics. As a direct message it
 * pings nobody; as the fallback in the channel (DMs closed) it mentions exactly that member.
 */
export function formatDigestDirectMessage(matched: Array<{ paper: Paper; topics: string[] }>, mentionUserId?: string): OutgoingMessage {
  const head = mentionUserId
    ? `🔔 <@${mentionUserId}> papers in this digest match your topics (your direct messages are closed, so here they are):`
    : '🔔 Papers in today\'s Paperboy digest match your topics:';
  const lines = [head];
  let length = head.length;
  for (const [i, { paper, topics }] of matched.entries()) {
    const line = `• ${escapeAndFit(paper.title, 200)} (${escapeAndFit(topics.join(', '), 120)})`;
    const more = `…and ${matched.length - i} more`;
    if (length + line.length + more.length + 2 > DISCORD_LIMITS.content) {
      lines.push(more);
      break;
    }
    lines.push(line);
    length += line.length + 1;
  }
  return { content: lines.join('\n'), allowed_mentions: mentionUserId ? { parse: [], users: [mentionUserId] } : { parse: [] } };
}
