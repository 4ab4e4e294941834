import { DISCORD_LIMITS } from './discord-limits.js';
import type { Feed } from './feed.js';
import { type FeedLayout, parseLayout } from './feed-layout.js';
import { escapeMarkdown, sliceText } from './markdown.js';
import { MAX_TOPICS } from './subscriptions.js';
import { normalizeTopic } from './topics.js';
import { parseVoteEmoji, VOTE_EMOJI_OPTION } from './vote-emoji.js';
import { WEEKLY_OFF, WEEKLY_OPTION } from './best-of.js';

/*
 * What an admin types into `/digest setup`, read into a feed's settings: a time of day, a time zone, a size, an
 * order and topic lists. Every reader returns a value or a reason the admin can act on (the value they typed is
 * echoed escaped: it is untrusted text), never throws.
 */

/** A value read from what an admin typed, or why it cannot be one. */
export type InputResult<T> = { ok: true; value: T } | { ok: false; reason: string };

/** The settings `/digest setup` may change; an option left out is undefined (kept as it is). */
export interface FeedSettingsInput {
  cron?: string;
  timezone?: string;
  size?: number;
  order?: Feed['order'];
  include?: string[];
  exclude?: string[];
  layout?: FeedLayout;
  /** Feed options to set (`null`: back to the default). */
  options?: Record<string, unknown>;
}

/** What `/digest setup` received, before reading. */
export interface RawFeedInput {
  time?: string | undefined;
  timezone?: string | undefined;
  size?: number | undefined;
  order?: string | undefined;
  topics?: string | undefined;
  exclude?: string | undefined;
  layout?: string | undefined;
  /** The weekly best-of's schedule, a cron expression (`off`: none). */
  weekly?: string | undefined;
  /** The emoji members vote with. */
  vote_emoji?: string | undefined;
}

/** The smallest and largest number of papers of one digest. */
export const FEED_SIZE_RANGE = { min: 1, max: 10 } as const;
/** The orders a feed can post in. */
export const FEED_ORDERS: readonly Feed['order'][] = ['corpus', 'newest', 'upvotes'];
/** What clears a topic list in `/digest setup` (an option left out keeps the list). */
export const CLEAR_TOPICS = 'none';

/** Time zones offered before anything is typed: the most used ones, west to east. */
export const COMMON_TIME_ZONES: readonly string[] = [
  'UTC',
  'America/Los_Angeles',
  'America/Denver',
  'America/Chicago',
  'America/New_York',
  'America/Sao_Paulo',
  'Europe/London',
  'Europe/Paris',
  'Europe/Berlin',
  'Europe/Moscow',
  'Africa/Johannesburg',
  'Asia/Dubai',
  'Asia/Kolkata',
  'Asia/Singapore',
  'Asia/Shanghai',
  'Asia/Seoul',
  'Asia/Tokyo',
  'Australia/Sydney',
  'Pacific/Auckland',
];

/** What the admin typed, as it can be shown back: escaped and short. */
const shown = (raw: string): string => escapeMarkdown(sliceText(raw.trim(), 60));

/** Reads `HH:MM` on a 24-hour clock into a daily cron expression (`30 8 * * *`). */
export function parseTimeOfDay(raw: string): InputResult<string> {
  const match = /^\s*(\d{1,2})[:h.](\d{2})\s*$/.exec(raw);
  const hour = match ? Number(match[1]) : NaN;
  const minute = match ? Number(match[2]) : NaN;
  if (!match || hour > 23 || minute > 59)
    return {
      ok: false,
      reason: `\`time\`: "${shown(raw)}" is not a time of day; use HH:MM on a 24-hour clock, from 00:00 to 23:59 (e.g. 08:30).`,
    };
  return { ok: true, value: `${minute} ${hour} * * *` };
}

/** The time of day of a daily cron expression (`30 8 * * *` → `08:30`), or null when the schedule is anything else. */
export function readTimeOfDay(cron: string): string | null {
  const match = /^(\d{1,2}) (\d{1,2}) \* \* \*$/.exec(cron.trim());
  if (!match || Number(match[1]) > 59 || Number(match[2]) > 23) return null;
  return `${match[2]!.padStart(2, '0')}:${match[1]!.padStart(2, '0')}`;
}

/** A feed's schedule as an admin reads it: `every day at 08:30 (Europe/Paris)`, or its cron expression. */
export function describeSchedule(schedule: Feed['schedule']): string {
  const time = readTimeOfDay(schedule.cron);
  return `${time ? `every day at ${time}` : `cron \`${schedule.cron.replace(/`/g, "'")}\``} (${schedule.timezone})`;
}

/**
 * Reads an IANA time zone name (any letter case) into its canonical spelling. An unknown one gets the closest name
 * of `known`, when one is close enough to be a typo.
 */
export function parseTimeZone(raw: string, known: readonly string[]): InputResult<string> {
  const name = raw.trim();
  const canonical = name ? canonicalTimeZone(name) : null;
  // The list's spelling first: ICU would turn "Asia/Kolkata" into its old name "Asia/Calcutta".
  if (canonical) {
    const spelled = known.find((zone) => zone.toLowerCase() === name.toLowerCase());
    return { ok: true, value: spelled ?? (canonical.toLowerCase() === name.toLowerCase() ? canonical : name) };
  }
  const closest = findClosestTimeZone(name, known);
  const hint = closest ? ` Did you mean **${closest}**?` : ' Use a name like "UTC", "Europe/Paris" or "America/New_York".';
  return {
    ok: false,
    reason: `\`timezone\`: "${shown(raw)}" is not a time zone Paperboy knows.${hint} Pick one of the suggestions as you type.`,
  };
}

/** The canonical spelling of a time zone the runtime knows, or null. */
function canonicalTimeZone(name: string): string | null {
  try {
    return new Intl.DateTimeFormat('en-US', { timeZone: name }).resolvedOptions().timeZone;
  } catch {
    return null;
  }
}

/** The name of `known` closest to `typed` (edits on the whole name, or on its city), when it is close enough to be a typo. */
export function findClosestTimeZone(typed: string, known: readonly string[]): string | null {
  const wanted = typed.trim().toLowerCase().replace(/\s+/g, '_');
  if (!wanted || wanted.length > 64) return null;
  let best: { zone: string; distance: number } | null = null;
  for (const zone of known) {
    const lower = zone.toLowerCase();
    const city = lower.slice(lower.lastIndexOf('/') + 1);
    const distance = Math.min(countEdits(wanted, lower), countEdits(wanted, city));
    if (!best || distance < best.distance) best = { zone, distance };
  }
  // A third of the letters may be wrong, at least two: "Europe/Pariss", "new york", "tokio".
  return best && best.distance <= Math.max(2, Math.floor(wanted.length / 3)) ? best.zone : null;
}

/** Levenshtein distance: the fewest insertions, deletions and substitutions from `a` to `b`. */
function countEdits(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i += 1) {
    const current = [i];
    for (let j = 1; j <= b.length; j += 1)
      current[j] = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    previous = current;
  }
  return previous[b.length]!;
}

/**
 * The time zones to suggest for what was typed: the common ones when nothing is; else those whose name or city starts
 * with it first (the common ones among them first), then those that contain it, at most Discord's 25.
 */
export function suggestTimeZones(typed: string, known: readonly string[]): string[] {
  const wanted = typed.trim().toLowerCase().replace(/\s+/g, '_');
  if (!wanted) return COMMON_TIME_ZONES.slice(0, DISCORD_LIMITS.autocompleteChoices);
  const starts: string[] = [];
  const contains: string[] = [];
  for (const zone of known) {
    const lower = zone.toLowerCase();
    const city = lower.slice(lower.lastIndexOf('/') + 1);
    if (city.startsWith(wanted) || lower.startsWith(wanted)) starts.push(zone);
    else if (lower.includes(wanted)) contains.push(zone);
  }
  const common = starts.filter((zone) => COMMON_TIME_ZONES.includes(zone));
  return [...common, ...starts.filter((zone) => !common.includes(zone)), ...contains].slice(0, DISCORD_LIMITS.autocompleteChoices);
}

/** Reads a digest size: a whole number from 1 to 10. */
export function parseSize(size: number): InputResult<number> {
  if (!Number.isInteger(size) || size < FEED_SIZE_RANGE.min || size > FEED_SIZE_RANGE.max)
    return {
      ok: false,
      reason: `\`size\`: ${String(size)} papers is not possible; a digest posts ${FEED_SIZE_RANGE.min} to ${FEED_SIZE_RANGE.max} papers.`,
    };
  return { ok: true, value: size };
}

/** Reads an order: `corpus`, `newest` or `upvotes`. */
export function parseOrder(raw: string): InputResult<Feed['order']> {
  const order = raw.trim().toLowerCase();
  const found = FEED_ORDERS.find((o) => o === order);
  return found
    ? { ok: true, value: found }
    : { ok: false, reason: `\`order\`: "${shown(raw)}" is not an order; use ${FEED_ORDERS.join(', ')}.` };
}

/**
 * Reads comma-separated topics, each normalised like a member's `/subscribe` topic (duplicates dropped, at most 25);
 * `none` clears the list.
 */
export function parseTopicList(raw: string, option: 'topics' | 'exclude'): InputResult<string[]> {
  if (raw.trim().toLowerCase() === CLEAR_TOPICS) return { ok: true, value: [] };
  const topics: string[] = [];
  for (const part of raw.split(',')) {
    if (!part.trim()) continue;
    const result = normalizeTopic(part);
    if (!result.ok) return { ok: false, reason: `\`${option}\`: "${shown(part)}": ${result.reason}` };
    if (!topics.includes(result.topic)) topics.push(result.topic);
  }
  if (topics.length === 0)
    return {
      ok: false,
      reason: `\`${option}\`: give topics separated by commas (e.g. "speech, audio"), or "${CLEAR_TOPICS}" to clear them.`,
    };
  if (topics.length > MAX_TOPICS) return { ok: false, reason: `\`${option}\`: at most ${MAX_TOPICS} topics (${topics.length} given).` };
  return { ok: true, value: topics };
}

/** Reads every option of `/digest setup` that was given; the reasons of every bad one, in option order, if any. */
export function parseFeedInput(
  raw: RawFeedInput,
  knownZones: readonly string[],
): { ok: true; value: FeedSettingsInput } | { ok: false; reasons: string[] } {
  const value: FeedSettingsInput = {};
  const reasons: string[] = [];
  const take = <T>(result: InputResult<T> | undefined, set: (v: T) => void) => {
    if (!result) return;
    if (result.ok) set(result.value);
    else reasons.push(result.reason);
  };
  take(raw.time === undefined ? undefined : parseTimeOfDay(raw.time), (v) => (value.cron = v));
  take(raw.timezone === undefined ? undefined : parseTimeZone(raw.timezone, knownZones), (v) => (value.timezone = v));
  take(raw.size === undefined ? undefined : parseSize(raw.size), (v) => (value.size = v));
  take(raw.order === undefined ? undefined : parseOrder(raw.order), (v) => (value.order = v));
  take(raw.topics === undefined ? undefined : parseTopicList(raw.topics, 'topics'), (v) => (value.include = v));
  take(raw.exclude === undefined ? undefined : parseTopicList(raw.exclude, 'exclude'), (v) => (value.exclude = v));
  take(raw.layout === undefined ? undefined : parseLayout(raw.layout), (v) => (value.layout = v));
  const setOption = (key: string, v: unknown) => (value.options = { ...value.options, [key]: v });
  take(raw.weekly === undefined ? undefined : parseWeekly(raw.weekly), (v) => setOption(WEEKLY_OPTION, v));
  take(raw.vote_emoji === undefined ? undefined : parseVoteEmoji(raw.vote_emoji), (v) => setOption(VOTE_EMOJI_OPTION, v));
  return reasons.length > 0 ? { ok: false, reasons } : { ok: true, value };
}

/**
 * Reads the weekly best-of's schedule: a cron expression in the feed's time zone (checked like the digest schedule
 * when it is saved), or `off` (null) to stop it.
 */
export function parseWeekly(raw: string): InputResult<string | null> {
  const cron = raw.trim().replace(/\s+/g, ' ');
  if (cron.toLowerCase() === WEEKLY_OFF) return { ok: true, value: null };
  if (!cron) return { ok: false, reason: `\`weekly\`: give a cron expression such as "0 9 * * 1" (Mondays at 09:00), or "${WEEKLY_OFF}".` };
  return { ok: true, value: cron };
}
