import { DISCORD_LIMITS } from './discord-limits.js';
import { foldText } from './paper.js';
import { stripInvisible } from './markdown.js';
import { truncateAtWord } from './search/suggest.js';

/** A tag a forum channel offers (`available_tags`): its id and name. */
export interface ForumTag {
  id: string;
  name: string;
  /** Only members with Manage Threads may apply it: the bot leaves it alone. */
  moderated?: boolean;
}

/** The tags of one forum post: existing tags to apply, and tag names to create first (then apply). */
export interface ForumTagPlan {
  /** Ids of existing tags, in the order of the topics, at most 5 with {@link ForumTagPlan.create}. */
  apply: string[];
  /** Names of tags to add to the forum (only when the bot may manage it, and within the forum's 20). */
  create: string[];
}

/** A topic as a forum tag name: one line, at most Discord's 20 characters, cut at a word with `…`. */
export function formatForumTagName(topic: string): string {
  const line = stripInvisible(topic).replace(/\s+/g, ' ').trim();
  return truncateAtWord(line, DISCORD_LIMITS.forumTagName);
}

/** How tag names are compared: folded (case, accents), single-spaced, and without a trailing `…`. */
export function normalizeTagName(name: string): string {
  // Before folding, which spells `…` as three dots.
  return foldText(stripInvisible(name).replace(/…$/u, ''))
    .replace(/[\s_-]+/g, ' ')
    .trim();
}

/**
 * The tags of a forum post from the topics it matched (most relevant first): each topic becomes a tag name
 * ({@link formatForumTagName}) matched by normalised name against the forum's tags; an unmatched one is created when
 * `canManage` (the bot has Manage Channels) and the forum has room, else left out. Moderated tags are never applied.
 * At most 5 tags in all, each once.
 */
export function planForumTags(topics: readonly string[], available: readonly ForumTag[], options: { canManage: boolean }): ForumTagPlan {
  const byName = new Map<string, ForumTag>();
  for (const tag of available) if (!byName.has(normalizeTagName(tag.name))) byName.set(normalizeTagName(tag.name), tag);
  const plan: ForumTagPlan = { apply: [], create: [] };
  const seen = new Set<string>();
  let room = DISCORD_LIMITS.forumTags - available.length;
  for (const topic of topics) {
    if (plan.apply.length + plan.create.length >= DISCORD_LIMITS.appliedTags) break;
    const name = formatForumTagName(topic);
    const key = normalizeTagName(name);
    if (!key || seen.has(key)) continue;
    seen.add(key);
    const existing = byName.get(key);
    if (existing) {
      if (!existing.moderated) plan.apply.push(existing.id);
    } else if (options.canManage && room > 0) {
      plan.create.push(name);
      room -= 1;
    }
  }
  return plan;
}
