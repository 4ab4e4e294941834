import { z } from 'zod';
import type { Feed } from './feed.js';
import type { InputResult } from './feed-input.js';
import { escapeMarkdown, sliceText } from './markdown.js';

/*
 * The emoji members vote with on a feed's papers: the feed option `vote_emoji`, 👍 by default. Discord names a
 * reaction's emoji by its unicode text, or a server's custom emoji by name and id (`<:name:id>` in a message).
 */

/** An emoji as a reaction event names it: a custom emoji by id (its name may change), a unicode one by its text. */
export interface ReactionEmoji {
  id: string | null;
  name: string | null;
}

/** The feed option that holds the vote emoji. */
export const VOTE_EMOJI_OPTION = 'vote_emoji';
/** The vote emoji of a feed that sets none. */
export const DEFAULT_VOTE_EMOJI = '👍';

// A unicode emoji: a pictograph (with its modifiers and joiners), a flag, or a keycap.
const UNICODE_EMOJI =
  /^(?:\p{Extended_Pictographic}|\p{Regional_Indicator}{2}|[#*0-9]\uFE0F?\u20E3)[\p{Extended_Pictographic}\p{Emoji_Modifier}\uFE0F\u200D]*$/u;
// A custom emoji as a message writes it (`<:name:id>`, `<a:name:id>` when animated) or a reaction route does (`name:id`).
const CUSTOM_EMOJI = /^<?a?:?([A-Za-z0-9_]{2,32}):(\d{17,20})>?$/;

/** True for exactly one unicode emoji (one grapheme: 👍🏽 and 👨‍👩‍👧 are one, 👍👎 is two). */
function isOneUnicodeEmoji(text: string): boolean {
  return UNICODE_EMOJI.test(text) && [...new Intl.Segmenter('en', { granularity: 'grapheme' }).segment(text)].length === 1;
}

/** The zod schema of the stored option: a unicode emoji, or a custom one as `name:id`. */
export const voteEmojiSchema = z
  .string()
  .refine((value) => isOneUnicodeEmoji(value) || /^[A-Za-z0-9_]{2,32}:\d{17,20}$/.test(value), 'not an emoji');

/**
 * Reads the vote emoji an admin typed: one unicode emoji (👍, ⭐, 🔥) or a custom emoji of the server (typed as
 * `:name:` Discord turns it into `<:name:id>`); stored as the emoji, or `name:id` for a custom one.
 */
export function parseVoteEmoji(raw: string): InputResult<string> {
  const typed = raw.trim();
  if (isOneUnicodeEmoji(typed)) return { ok: true, value: typed };
  const custom = CUSTOM_EMOJI.exec(typed);
  if (custom && typed.includes(':')) return { ok: true, value: `${custom[1]!}:${custom[2]!}` };
  return {
    ok: false,
    reason: `\`vote_emoji\`: "${escapeMarkdown(sliceText(typed, 60))}" is not one emoji; give one, like ${DEFAULT_VOTE_EMOJI} or ⭐, or a custom emoji of this server.`,
  };
}

/** A feed's vote emoji; a stored value that is not one (a hand-edited dump) counts as the default. */
export function voteEmojiOf(feed: Pick<Feed, 'options'>): ReactionEmoji {
  const checked = voteEmojiSchema.safeParse(feed.options[VOTE_EMOJI_OPTION]);
  const value = checked.success ? checked.data : DEFAULT_VOTE_EMOJI;
  const custom = /^([A-Za-z0-9_]{2,32}):(\d{17,20})$/.exec(value);
  return custom ? { id: custom[2]!, name: custom[1]! } : { id: null, name: value };
}

/** True when a reaction's emoji is the given one (a custom emoji by id; unicode ignoring the variation selector). */
export function isSameEmoji(a: ReactionEmoji, b: ReactionEmoji): boolean {
  if (a.id !== null || b.id !== null) return a.id === b.id;
  const bare = (name: string | null) => (name ?? '').replace(/\uFE0F/g, '');
  return bare(a.name) === bare(b.name) && bare(a.name) !== '';
}

/** The emoji as a message shows it: the unicode text, or `<:name:id>` for a custom emoji. */
export function showEmoji(emoji: ReactionEmoji): string {
  return emoji.id === null ? (emoji.name ?? '') : `<:${emoji.name ?? 'emoji'}:${emoji.id}>`;
}

/** The emoji as the reactions routes take it in their path: URL-encoded unicode, or `name:id`. */
export function emojiRouteKey(emoji: ReactionEmoji): string {
  return encodeURIComponent(emoji.id === null ? (emoji.name ?? '') : `${emoji.name ?? 'emoji'}:${emoji.id}`);
}
