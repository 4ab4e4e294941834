import { DISCORD_LIMITS } from './discord-limits.js';
import { neutralizeMentions, stripInvisible } from './markdown.js';
import { truncateAtWord } from './search/suggest.js';

// Every kind of line break or control character: a name is one line.
const CONTROL = /[\p{Cc}\u2028\u2029]/gu;
// Discord shows a channel or thread name as plain text (no markdown), so an escape would show as a literal backslash.
// Only what could still mislead is neutralised: invisible characters and mention-looking tokens.

/**
 * The name of a paper's discussion thread or forum post: its title on one line, invisible characters removed,
 * mention tokens broken, cut at a word with `…` to Discord's 100 characters; `fallback` (e.g. the paper id) when the
 * title has no letter or digit, so the name is never empty or blank.
 */
export function formatThreadName(title: string, fallback: string): string {
  const name = fromText(title);
  if (/[\p{L}\p{N}]/u.test(name)) return name;
  const other = fromText(fallback);
  return /[\p{L}\p{N}]/u.test(other) ? other : 'Paper';
}

function fromText(text: string): string {
  const line = stripInvisible(text).replace(CONTROL, ' ').replace(/\s+/g, ' ').trim();
  // Neutralising inserts zero-width spaces, so it comes before the cut: the name stays within the limit.
  return truncateAtWord(neutralizeMentions(line), DISCORD_LIMITS.threadName);
}
