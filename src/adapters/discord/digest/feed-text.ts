import type { FeedView } from '../../../app/feed-desk.js';
import { weeklyCronOf } from '../../../core/best-of.js';
import { showEmoji, voteEmojiOf } from '../../../core/vote-emoji.js';
import { REMOVED_FROM_CORPUS_REASON } from '../../../app/run-digest.js';
import { listUnposted } from '../../../core/digest.js';
import { describeSchedule } from '../../../core/feed-input.js';
import { readFeedLayout } from '../../../core/feed-layout.js';
import { listDigestConcerns } from '../../../core/health.js';
import { measureDigestSupply } from '../../../core/digest-supply.js';
import { explainDigestSupply } from '../../../core/empty-digest.js';
import { escapeAndFit, escapeMarkdown } from '../../../core/markdown.js';
import { formatLocalTime } from '../../../core/time.js';
import type { CommandContext } from '../command.js';
import { nameFeed } from './pick-feed.js';

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

/** Topic lists as shown: escaped (admins typed them), cut to fit. */
const showTopics = (topics: readonly string[]) => escapeAndFit(topics.join(', '), 300);

/** A feed's layout as admins read it: `compact (one list, cards for subscribed papers)`, or why its option is unreadable. */
export function describeLayout(view: FeedView): string {
  const layout = readFeedLayout(view.feed.options);
  if (!layout.ok) return `cards (${escapeAndFit(layout.reason, 300)})`;
  return layout.value === 'compact'
    ? 'compact (one list per digest, full cards for papers members subscribed to)'
    : 'cards (one per paper)';
}

/** When a feed runs next, in its own time zone. */
export function describeNextRun(view: FeedView): string {
  if (view.feed.paused) return 'none: the feed is paused';
  return view.nextRun ? formatLocalTime(view.nextRun, view.feed.schedule.timezone) : 'not scheduled';
}

/** Why a feed is paused, as an admin reads it. */
export function describePause(view: FeedView): string | null {
  const paused = view.feed.paused;
  if (!paused) return null;
  return `${escapeAndFit(paused.reason, 300)} (since ${formatLocalTime(paused.since, view.feed.schedule.timezone)}${paused.by && /^\d{1,20}$/.test(paused.by) ? `, by <@${paused.by}>` : ''})`;
}

/** A feed's settings, one per line: what `/digest setup` replies with. */
export function describeFeedSettings(view: FeedView): string {
  const { feed } = view;
  const pause = describePause(view);
  return [
    `**Feed** ${nameFeed(view)}`,
    `**Schedule:** ${describeSchedule(feed.schedule)} · **next run:** ${describeNextRun(view)}`,
    `**Size:** ${plural(feed.size, 'paper')} per digest, in ${feed.order} order`,
    `**Topics:** ${feed.include.length ? showTopics(feed.include) : 'every paper'}${feed.exclude.length ? ` · **excluding:** ${showTopics(feed.exclude)}` : ''}${feed.minUpvotes !== null ? ` · **at least** ${plural(feed.minUpvotes, 'upvote')}` : ''}`,
    `**Layout:** ${describeLayout(view)}`,
    `**Votes:** react ${showEmoji(voteEmojiOf(feed))} on a paper card · **weekly best-of:** ${describeWeekly(feed)}`,
    ...(pause ? [`**Paused:** ${pause}`] : []),
  ].join('\n');
}

/** A server's feeds for `/digest list`: one line each, what they post, when, and what stands in their way. */
export function describeFeedList(views: readonly FeedView[]): string {
  if (views.length === 0) return 'This server has no digest yet: create one with `/digest setup channel:#a-channel`.';
  const lines = views.map((view) => {
    const { feed } = view;
    const topics = feed.include.length ? ` · topics: ${showTopics(feed.include)}` : '';
    const excluded = feed.exclude.length ? ` · excluding: ${showTopics(feed.exclude)}` : '';
    const state = feed.paused ? ` · ⏸ **paused:** ${describePause(view)}` : ` · next: ${describeNextRun(view)}`;
    const layout = readFeedLayout(feed.options);
    const compact = layout.ok && layout.value === 'compact' ? ', compact layout' : '';
    return `• ${nameFeed(view)} · ${describeSchedule(feed.schedule)} · ${plural(feed.size, 'paper')}, ${feed.order} order${compact}${topics}${excluded}${state} · ${view.posted} posted`;
  });
  return `${plural(views.length, 'feed')} in this server:\n${lines.join('\n')}`;
}

/** One feed's state for admins: next run, last run, posted, left, refused papers, and why nothing was posted. */
export function describeStatus(context: CommandContext, view: FeedView): string {
  const { feed } = view;
  const zone = feed.schedule.timezone;
  const { papers } = context.catalog.current();
  const dest = context.store.read().progress.get(feed.id);
  if (!dest) return `${nameFeed(view)} has no record yet: it is being set up.`;
  const log = { progress: dest, posted: context.store.posted(feed.id) };
  const left = listUnposted(papers, log, 'corpus').length;
  const failures = Object.values(dest.failed);
  // Older versions recorded a planned paper missing from the corpus as failed: Discord never refused those.
  const removed = failures.filter((f) => f.reason === REMOVED_FROM_CORPUS_REASON).length;
  const failed = failures.length - removed;
  const concerns = [
    ...new Set([
      ...view.concerns,
      ...listDigestConcerns(dest, { location: context.catalog.source.location, problems: context.catalog.problems() }),
      ...(context.sourceConcerns?.() ?? []),
    ]),
  ];
  const last = dest.lastRun
    ? `${formatLocalTime(dest.lastRun.at, zone)}: ${dest.lastRun.outcome}, ${dest.lastRun.posted} posted${dest.lastRun.error ? ` (${escapeAndFit(dest.lastRun.error, 300)})` : ''}`
    : 'never';
  const pause = describePause(view);
  // Why the next digest would be empty or short, counted now (the channel was told once, when a run found it).
  const why = explainDigestSupply(measureDigestSupply(papers, log, feed));
  return [
    `**Feed** ${nameFeed(view)} · ${describeSchedule(feed.schedule)}`,
    ...(pause ? [`**Paused:** ${pause}; \`/digest resume\` starts it again`] : []),
    `**Next run:** ${describeNextRun(view)}`,
    `**Layout:** ${describeLayout(view)}`,
    `**Last run:** ${last}`,
    `**Posted:** ${log.posted.size} papers in ${dest.digests} digests`,
    `**Left:** ${left === 0 ? 'none: no unposted papers remain' : `${left} of ${papers.length}`}`,
    ...(why ? [`**Why ${why.reason === 'short' ? 'short' : 'nothing new'}:** ${why.text}`] : []),
    ...(dest.inFlight ? [`**Interrupted digest:** #${dest.inFlight.digest} will be finished at the next run`] : []),
    ...(failed ? [`**Refused by Discord:** ${failed} (see the logs for why; \`/digest retry\` queues them again)`] : []),
    ...(removed ? [`**Skipped as missing from the corpus by an older version:** ${removed} (\`/digest retry\` queues them again)`] : []),
    ...(dest.threadsUnavailable
      ? [`**Threads:** the last paper was posted without its discussion thread: ${escapeAndFit(dest.threadsUnavailable.reason, 400)}`]
      : []),
    ...concerns.map((concern) => `**Attention:** ${escapeAndFit(concern, 450)}`),
  ].join('\n');
}

/** The titles a preview lists, escaped (corpus text is untrusted). */
export function listPreviewTitles(papers: ReadonlyArray<{ title: string; published: string | null }>): string {
  return papers
    .map((p, i) => `${i + 1}. ${escapeAndFit(p.title, 180)}${p.published ? ` (${escapeMarkdown(p.published)})` : ''}`)
    .join('\n');
}

/** A feed's weekly best-of schedule as an admin reads it, or `off`. */
function describeWeekly(feed: FeedView['feed']): string {
  const cron = weeklyCronOf(feed);
  return cron ? `cron \`${cron.replace(/`/g, "'")}\` (${feed.schedule.timezone})` : 'off';
}
