import { BOOTSTRAP_FEED_ID, CONSOLE_FEED_ID, createFeedFromSettings, type Feed, type FeedSettings, PENDING_GUILD } from './feed.js';
import type { DestinationState, State } from './legacy-state.js';
import type { PostedEntry } from './posted-log.js';
import { type FeedProgress, newerMessageId } from './state.js';
import { buildDump, createEmptyMeta, type StoreDump } from './store-dump.js';
import { OperatorError } from './errors.js';

/** What the import of a state file needs to know about this deployment. */
export interface LegacyImportOptions {
  /** The environment's digest settings; `channelId` is DISCORD_CHANNEL_ID, `guildId` DISCORD_GUILD_ID. */
  settings: FeedSettings;
  /** The feed the state file's schedule time belongs to: the one this process runs (the bootstrap or console feed). */
  scheduleFeedId: string;
  at: string;
}

/** A state file this deployment cannot import without losing track of what it posted; the message says what to set. */
export class LegacyImportError extends OperatorError {
  constructor(message: string) {
    super(message);
    this.name = 'LegacyImportError';
  }
}

/**
 * Turns the state file of the releases before the database into a dump to import in one transaction: the record of
 * `channel:<DISCORD_CHANNEL_ID>` becomes the bootstrap feed, `console` the console feed, any other channel a paused
 * feed keeping its progress (nothing is lost, nothing posted there), and the members' topics belong to the bootstrap
 * feed's server ({@link PENDING_GUILD} until it is known). Without DISCORD_CHANNEL_ID (console mode), the one
 * channel the file records is the bootstrap feed's, so that a later start with a token finds its progress.
 */
export function convertLegacyState(state: State, options: LegacyImportOptions): StoreDump {
  const { at } = options;
  const channels = Object.keys(state.destinations).filter((key) => key.startsWith('channel:'));
  if (channels.length > 1 && !options.settings.channelId) {
    throw new LegacyImportError(
      `it records digests posted to ${channels.join(', ')}, but DISCORD_CHANNEL_ID is not set, so Paperboy cannot tell which of them is its digest channel (a start with the wrong one would post every paper again). Set DISCORD_CHANNEL_ID to the channel the bot posts to, then start again`,
    );
  }
  const settings = options.settings.channelId
    ? options.settings
    : { ...options.settings, channelId: channels[0]?.slice('channel:'.length) ?? null };
  const feeds: Array<{ feed: Feed; progress: FeedProgress; posted: PostedEntry[] }> = [];
  for (const [key, destination] of Object.entries(state.destinations)) {
    const progress = convertDestination(destination);
    let feed: Feed;
    if (key === CONSOLE_FEED_ID) {
      feed = createFeedFromSettings(CONSOLE_FEED_ID, { ...settings, guildId: null, channelId: null }, undefined, at);
    } else if (key === `channel:${settings.channelId}`) {
      feed = createFeedFromSettings(BOOTSTRAP_FEED_ID, settings, undefined, at);
    } else {
      const channelId = key.startsWith('channel:') ? key.slice('channel:'.length) : null;
      const id = `imported-${key.replace(/[^a-z0-9_-]+/gi, '-').toLowerCase()}`.slice(0, 64);
      feed = {
        ...createFeedFromSettings(id, { ...settings, guildId: null, channelId }, undefined, at),
        paused: {
          reason: `imported from the state file: digests once posted to ${key}, no longer DISCORD_CHANNEL_ID; its progress is kept`,
          since: at,
        },
      };
    }
    if (feed.id === options.scheduleFeedId) progress.nextDueAt = state.schedule.nextDueAt;
    feeds.push({ feed, progress, posted: convertPosted(destination) });
  }
  const members = Object.entries(state.subscriptions);
  return buildDump(
    {
      feeds: feeds.map((f) => f.feed),
      progressOf: (id) => feeds.find((f) => f.feed.id === id)!.progress,
      postedOf: (id) => feeds.find((f) => f.feed.id === id)!.posted,
      subscriptions: members.length > 0 ? [[settings.guildId ?? PENDING_GUILD, members]] : [],
      meta: { ...createEmptyMeta(), commands: state.commands },
    },
    { at },
  );
}

function convertPosted(destination: DestinationState): PostedEntry[] {
  return Object.entries(destination.posted).map(([paperId, record]) => ({ paperId, ...record }));
}

function convertDestination(destination: DestinationState): FeedProgress {
  const { posted, inFlight, ...rest } = destination;
  const records = Object.entries(posted);
  let lastMessageId: string | null = null;
  let beforeDigest: string | null = null;
  let postedCount = 0;
  const planned = new Set(inFlight?.papers ?? []);
  for (const [id, record] of records) {
    lastMessageId = newerMessageId(lastMessageId, record.messageId);
    // The anchor of the digest under way, as the old recovery computed it: the newest post outside that digest.
    if (!planned.has(id)) beforeDigest = newerMessageId(beforeDigest, record.messageId);
    postedCount = Math.max(postedCount, record.seq);
  }
  lastMessageId = newerMessageId(lastMessageId, inFlight?.header.messageId);
  return {
    ...rest,
    postedCount: Math.max(postedCount, records.length),
    lastMessageId,
    nextDueAt: null,
    inFlight: inFlight && { ...inFlight, ...(beforeDigest ? { after: beforeDigest } : {}) },
  };
}
