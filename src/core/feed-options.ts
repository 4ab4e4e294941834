import { z } from 'zod';
import type { Feed } from './feed.js';
import { escapeMarkdown, sliceText } from './markdown.js';

/*
 * The per-feed settings kept in `feed.options` (src/core/feed.ts) that belong to discussion: `threads`. Read with zod
 * so a bad stored value says what is wrong; other features keep their own keys next to it.
 */

/** The values the `threads` option takes. */
export const THREADS_VALUES = ['on', 'off'] as const;

/** The zod schema of the discussion options of a feed (other keys of `feed.options` are left alone). */
export const discussionOptionsSchema = z.object({
  threads: z.enum(THREADS_VALUES, { error: () => `"threads" must be one of ${THREADS_VALUES.join(', ')}` }).optional(),
});

/** A feed's discussion options as read. */
export type DiscussionOptions = z.infer<typeof discussionOptionsSchema>;

/**
 * Reads a feed's discussion options; a value that does not parse is reported (with the reason) and taken as off,
 * so a hand-edited database never stops a feed from posting.
 */
export function readDiscussionOptions(options: Feed['options']): { value: DiscussionOptions; problem?: string } {
  const parsed = discussionOptionsSchema.safeParse({ threads: options.threads });
  if (parsed.success) return { value: parsed.data };
  return { value: {}, problem: parsed.error.issues.map((issue) => issue.message).join('; ') };
}

/** True when the feed asks for a discussion thread on each paper message. */
export function isThreadsOn(feed: Pick<Feed, 'options'>): boolean {
  return readDiscussionOptions(feed.options).value.threads === 'on';
}

/** Reads the `threads` value an admin typed (`on` or `off`, any case), or why it is not one. */
export function parseThreadsInput(raw: string): { ok: true; value: 'on' | 'off' } | { ok: false; reason: string } {
  const value = raw.trim().toLowerCase();
  const found = THREADS_VALUES.find((v) => v === value);
  return found
    ? { ok: true, value: found }
    : { ok: false, reason: `\`threads\`: "${escapeMarkdown(sliceText(raw.trim(), 60))}" is not a choice; use on or off.` };
}
