import { z } from 'zod';
import type { InputResult } from './feed-input.js';
import { escapeMarkdown, sliceText } from './markdown.js';

/*
 * How a feed lays out its digests, kept in the feed's options (`options.layout`): a card per paper (the default), or
 * one compact message listing the papers, with a full card only for the papers members subscribed to.
 */

/** The layouts a feed can post its digests in; the first is the default. */
export const FEED_LAYOUTS = ['cards', 'compact'] as const;

/** A feed's digest layout. */
export type FeedLayout = (typeof FEED_LAYOUTS)[number];

/** The layout of a feed whose options name none. */
export const DEFAULT_LAYOUT: FeedLayout = 'cards';

const layoutSchema = z.enum(FEED_LAYOUTS);

/** Reads what an admin typed for `layout` (any letter case). */
export function parseLayout(raw: string): InputResult<FeedLayout> {
  const parsed = layoutSchema.safeParse(raw.trim().toLowerCase());
  return parsed.success
    ? { ok: true, value: parsed.data }
    : {
        ok: false,
        reason: `\`layout\`: "${escapeMarkdown(sliceText(raw.trim(), 60))}" is not a layout; use ${FEED_LAYOUTS.join(' or ')}.`,
      };
}

/**
 * Reads the layout a feed's stored options name (none: {@link DEFAULT_LAYOUT}); a value that is not a layout (a
 * hand-edited or imported record) is a reason naming it, for the caller to log and fall back on the default.
 */
export function readFeedLayout(options: Readonly<Record<string, unknown>>): InputResult<FeedLayout> {
  if (options.layout === undefined) return { ok: true, value: DEFAULT_LAYOUT };
  const parsed = layoutSchema.safeParse(options.layout);
  if (parsed.success) return { ok: true, value: parsed.data };
  const shown = typeof options.layout === 'string' ? `"${sliceText(options.layout, 60)}"` : typeof options.layout;
  return {
    ok: false,
    reason: `the feed's option layout is ${shown}, not one of ${FEED_LAYOUTS.join(', ')}; it posts in the ${DEFAULT_LAYOUT} layout until \`/digest setup layout:\` sets one`,
  };
}
