import type { Feed } from '../core/feed.js';
import { readFeedLayout } from '../core/feed-layout.js';
import { escapeAndFit } from '../core/markdown.js';
import { normalizeTopic } from '../core/topics.js';
import { isTimeZone } from '../core/time.js';
import { UserFacingError } from './errors.js';
import type { FeedChanges } from './feed-desk.js';
import { WEEKLY_OPTION } from '../core/best-of.js';

/** The largest number of topics a feed includes or excludes (each is matched against every paper). */
export const MAX_FEED_TOPICS = 25;

/**
 * Checks what `/digest setup` asks for and normalises its topics; throws a UserFacingError that names the bad value
 * and says what a good one looks like.
 */
export function checkFeedChanges(changes: FeedChanges, checkCron: (cron: string) => string | null): Omit<FeedChanges, 'channelId'> {
  const checked: Omit<FeedChanges, 'channelId'> = {};
  if (changes.cron !== undefined) {
    const problem = checkCron(changes.cron);
    if (problem)
      throw new UserFacingError(
        `The schedule "${shown(changes.cron)}" cannot be used: ${escapeAndFit(problem.replace(/^DIGEST_CRON "[^"]*" /, ''), 500)}.`,
      );
    checked.cron = changes.cron.trim();
  }
  if (changes.timezone !== undefined) {
    if (!isTimeZone(changes.timezone.trim()))
      throw new UserFacingError(
        `"${shown(changes.timezone)}" is not a time zone Paperboy knows: use a name like "UTC", "Europe/Paris" or "America/New_York".`,
      );
    checked.timezone = changes.timezone.trim();
  }
  if (changes.size !== undefined) {
    if (!Number.isInteger(changes.size) || changes.size < 1 || changes.size > 10)
      throw new UserFacingError(`A digest posts 1 to 10 papers; ${changes.size} is outside that.`);
    checked.size = changes.size;
  }
  if (changes.order !== undefined) checked.order = changes.order;
  if (changes.include !== undefined) checked.include = checkTopics(changes.include, 'topics');
  if (changes.exclude !== undefined) checked.exclude = checkTopics(changes.exclude, 'exclude');
  if (changes.minUpvotes !== undefined) {
    const min = changes.minUpvotes;
    if (min !== null && (!Number.isInteger(min) || min < 0))
      throw new UserFacingError(`A minimum of upvotes is a whole number from 0; ${min} is not.`);
    checked.minUpvotes = min;
  }
  if (changes.options?.layout !== undefined) {
    const layout = readFeedLayout(changes.options);
    if (!layout.ok) throw new UserFacingError(`Nothing was changed: ${escapeAndFit(layout.reason, 300)}.`);
  }
  if (changes.options !== undefined) checked.options = checkOptions(changes.options, checkCron);
  return checked;
}

/** Checks the feed options of `/digest setup`: the weekly best-of's schedule like the digest's. */
function checkOptions(options: Readonly<Record<string, unknown>>, checkCron: (cron: string) => string | null): Record<string, unknown> {
  const weekly = options[WEEKLY_OPTION];
  if (typeof weekly === 'string') {
    const problem = checkCron(weekly);
    if (problem)
      throw new UserFacingError(
        `The \`weekly\` schedule "${shown(weekly)}" cannot be used: ${escapeAndFit(problem.replace(/^DIGEST_CRON "[^"]*" /, ''), 500)}.`,
      );
  }
  return { ...options };
}

/** A member's text quoted back in a reply: escaped (no markdown, no mention) and short. */
function shown(text: string): string {
  return escapeAndFit(text, 100);
}

function checkTopics(topics: readonly string[], option: string): Feed['include'] {
  if (topics.length > MAX_FEED_TOPICS)
    throw new UserFacingError(`\`${option}\` takes at most ${MAX_FEED_TOPICS} topics; it got ${topics.length}.`);
  const normal: string[] = [];
  for (const raw of topics) {
    const result = normalizeTopic(raw);
    if (!result.ok) throw new UserFacingError(`The topic "${shown(raw)}" in \`${option}\` cannot be used: ${result.reason}`);
    if (!normal.includes(result.topic)) normal.push(result.topic);
  }
  return normal;
}
