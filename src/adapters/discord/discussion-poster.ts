import { DiscordAPIError, PermissionFlagsBits, Routes } from 'discord.js';
import type { APIMessage, APIThreadChannel, REST } from 'discord.js';
import { PostError, type PaperPost, type PostedMessage, type HistoryRead } from '../../app/ports.js';
import type { OutgoingMessage } from '../../core/format.js';
import { readPaperIdFromFooter } from '../../core/format.js';
import { type ForumTag, planForumTags } from '../../core/forum-tags.js';

/*
 * Threads and forum posts of the digest channel (issue 15): a public thread started on a paper's message, and in a
 * forum channel each paper as a post (a thread whose first message is its card). Discord documents: Start Thread
 * from Message (the thread takes the message's id; a second start answers 160004), Start Thread in Forum (no nonce),
 * List Active Guild Threads and List Public Archived Threads (needs Read Message History).
 */

/** Discord's JSON error code: "A thread has already been created for this message". */
const THREAD_ALREADY_CREATED = 160004;
/** Pages of archived posts a forum recovery read may take before it gives up (fails closed). */
const ARCHIVED_PAGES = 20;

/** The permissions a thread on a paper's message needs, by the names Discord's settings show. */
const THREAD_PERMISSIONS: ReadonlyArray<readonly [string, bigint]> = [
  ['Create Public Threads', PermissionFlagsBits.CreatePublicThreads],
  ['Send Messages in Threads', PermissionFlagsBits.SendMessagesInThreads],
];

/** The thread permissions `granted` lacks (Create Public Threads, Send Messages in Threads). */
export function listMissingThreadPermissions(granted: bigint): string[] {
  return THREAD_PERMISSIONS.filter(([, bit]) => (granted & bit) !== bit).map(([name]) => name);
}

/** What an admin should do when threads cannot be started. */
export function adviseOnThreads(missing: readonly string[]): string {
  return `the bot lacks ${missing.join(' and ')} in the digest channel, so papers are posted without discussion threads; grant ${missing.length === 1 ? 'it' : 'them'} to Paperboy in the channel's settings`;
}

/** What the thread and forum calls need from the channel poster. */
export interface DiscussionDeps {
  rest: REST;
  /**
   * A REST client that never retries a request on its own (discord.js retries 5xx, timeouts and reset connections):
   * for forum posts, whose create takes no nonce, so a retry after a lost answer would be a second post.
   */
  onceRest?: REST;
  channelId: string;
  botUserId: () => string | null;
  permissions: () => bigint | null;
  /** Turns a failed call into a {@link PostError} naming what failed. */
  classify: (error: unknown, what: string) => PostError;
}

/** Why threads cannot be started in the channel now (a thread permission known to be missing), or null. */
export function describeBlockedThreads(deps: Pick<DiscussionDeps, 'permissions'>): string | null {
  const granted = deps.permissions();
  const missing = granted === null ? [] : listMissingThreadPermissions(granted);
  return missing.length > 0 ? adviseOnThreads(missing) : null;
}

/** Starts the thread of a message, or finds the one it has (160004: a thread's id is its starter message's id). */
export async function startMessageThread(
  deps: DiscussionDeps,
  messageId: string,
  name: string,
): Promise<{ threadId: string; existed: boolean }> {
  const granted = deps.permissions();
  if (granted !== null) {
    const missing = listMissingThreadPermissions(granted);
    if (missing.length > 0) {
      const advice = adviseOnThreads(missing);
      throw new PostError('forbidden', `cannot start a thread: ${advice}`, null, null, missing, advice);
    }
  }
  try {
    const thread = (await deps.rest.post(Routes.threads(deps.channelId, messageId), { body: { name } })) as APIThreadChannel;
    return { threadId: thread.id, existed: false };
  } catch (error) {
    if (error instanceof DiscordAPIError && Number(error.code) === THREAD_ALREADY_CREATED) return { threadId: messageId, existed: true };
    const failure = deps.classify(error, `POST /channels/${deps.channelId}/messages/${messageId}/threads`);
    if (failure.kind !== 'forbidden') throw failure;
    const missing = granted === null ? [] : listMissingThreadPermissions(granted);
    const advice = adviseOnThreads(missing.length > 0 ? missing : THREAD_PERMISSIONS.map(([n]) => n));
    throw new PostError('forbidden', failure.message, failure.status, failure.code, missing, advice);
  }
}

/** Posts a message in a thread, with the nonce of {@link startMessageThread}'s feed notice. */
export async function postInThread(
  deps: DiscussionDeps,
  threadId: string,
  message: OutgoingMessage,
  nonce: string,
): Promise<{ messageId: string }> {
  try {
    const created = (await deps.rest.post(Routes.channelMessages(threadId), {
      body: { ...message, nonce, enforce_nonce: true },
    })) as APIMessage;
    return { messageId: created.id };
  } catch (error) {
    throw deps.classify(error, `POST /channels/${threadId}/messages`);
  }
}

interface ForumChannel {
  guild_id?: string;
  available_tags?: Array<{ id: string; name: string; moderated?: boolean; emoji_id?: string | null; emoji_name?: string | null }>;
}

/**
 * Creates a paper's forum post: its name, its card as the first message, and up to 5 tags from its topics, the
 * forum's own matched by name, the others created first when the bot has Manage Channels (else left out). Forum
 * posts take no nonce: the caller records the intent before, and recovery ({@link readForumPosts}) finds a post a
 * crash left unrecorded by its first message's footer.
 */
export async function createForumPost(deps: DiscussionDeps, message: OutgoingMessage, post: PaperPost): Promise<{ messageId: string }> {
  const { rest, channelId } = deps;
  try {
    const forum = (await rest.get(Routes.channel(channelId))) as ForumChannel;
    const tags = forum.available_tags ?? [];
    const granted = deps.permissions();
    const canManage = granted !== null && (granted & PermissionFlagsBits.ManageChannels) === PermissionFlagsBits.ManageChannels;
    const available: ForumTag[] = tags.map((t) => ({ id: t.id, name: t.name, moderated: t.moderated === true }));
    const plan = planForumTags(post.topics, available, { canManage });
    const applied = [...plan.apply];
    if (plan.create.length > 0) applied.push(...(await createTags(deps, tags, plan.create)));
    const created = (await (deps.onceRest ?? rest).post(Routes.threads(channelId), {
      body: { name: post.name, message, ...(applied.length > 0 ? { applied_tags: applied.slice(0, 5) } : {}) },
    })) as APIThreadChannel;
    return { messageId: created.id };
  } catch (error) {
    throw error instanceof PostError ? error : deps.classify(error, `POST /channels/${channelId}/threads`);
  }
}

/** Adds tags to the forum (keeping its own); their ids, or none when the forum refuses (the post goes without them). */
async function createTags(deps: DiscussionDeps, existing: NonNullable<ForumChannel['available_tags']>, names: string[]): Promise<string[]> {
  try {
    // Sent once: a retried list with a new name after a lost answer would add that tag twice.
    const updated = (await (deps.onceRest ?? deps.rest).patch(Routes.channel(deps.channelId), {
      body: { available_tags: [...existing, ...names.map((name) => ({ name }))] },
    })) as ForumChannel;
    const known = new Set(existing.map((t) => t.id));
    return (updated.available_tags ?? []).filter((t) => !known.has(t.id) && names.includes(t.name)).map((t) => t.id);
  } catch {
    return [];
  }
}

/**
 * Reads back the bot's forum posts newer than `after` (a snowflake): the active ones of the server and the archived
 * public ones of the forum, each recognised by its first message's footer (the paper id, like a card in a text
 * channel). Trusted only when the bot's permissions are known to allow reading and every list was read to its end.
 */
export async function readForumPosts(deps: DiscussionDeps, after: bigint): Promise<HistoryRead> {
  const { rest, channelId } = deps;
  const granted = deps.permissions();
  const readable: ReadonlyArray<readonly [string, bigint]> = [
    ['View Channel', PermissionFlagsBits.ViewChannel],
    ['Read Message History', PermissionFlagsBits.ReadMessageHistory],
  ];
  const missing = granted === null ? [] : readable.filter(([, bit]) => (granted & bit) !== bit).map(([name]) => name);
  if (missing.length > 0)
    return {
      messages: [],
      trusted: false,
      problem: `the bot cannot read the forum's posts (it lacks ${missing.join(' and ')} there), so reading them back proves nothing; grant Paperboy ${missing.join(' and ')} in the forum`,
    };
  const me = deps.botUserId();
  const threads = new Map<string, APIThreadChannel>();
  let complete = false;
  try {
    const forum = (await rest.get(Routes.channel(channelId))) as ForumChannel;
    if (forum.guild_id) {
      const active = (await rest.get(Routes.guildActiveThreads(forum.guild_id))) as { threads: APIThreadChannel[] };
      for (const thread of active.threads) if (thread.parent_id === channelId) threads.set(thread.id, thread);
    }
    const afterTime = Number((after >> 22n) + 1_420_070_400_000n);
    let before: string | undefined;
    for (let page = 0; page < ARCHIVED_PAGES; page += 1) {
      const query = new URLSearchParams({ limit: '100', ...(before ? { before } : {}) });
      const list = (await rest.get(Routes.channelThreads(channelId, 'public'), { query })) as {
        threads: APIThreadChannel[];
        has_more: boolean;
      };
      for (const thread of list.threads) threads.set(thread.id, thread);
      const last = list.threads.at(-1)?.thread_metadata?.archive_timestamp;
      // Listed newest archived first: a post archived before the bound was created before it too.
      if (!list.has_more || !last || Date.parse(last) < afterTime) {
        complete = true;
        break;
      }
      before = last;
    }
  } catch (error) {
    throw deps.classify(error, `reading the posts of forum ${channelId}`);
  }
  const messages: PostedMessage[] = [];
  for (const thread of threads.values()) {
    if ((me && thread.owner_id !== me) || BigInt(thread.id) <= after) continue;
    try {
      const first = (await rest.get(Routes.channelMessage(thread.id, thread.id))) as APIMessage;
      messages.push({ messageId: thread.id, paperId: readPaperIdFromFooter(first.embeds[0]?.footer?.text), digest: null });
    } catch (error) {
      if (error instanceof DiscordAPIError && error.status === 404) {
        // Its first message was deleted: which paper it was cannot be told, so no silence can be trusted.
        complete = false;
        continue;
      }
      throw deps.classify(error, `GET /channels/${thread.id}/messages/${thread.id}`);
    }
  }
  messages.sort((a, b) => (BigInt(a.messageId) < BigInt(b.messageId) ? -1 : 1));
  if (!complete)
    return {
      messages,
      trusted: false,
      problem: `the forum's posts could not all be read back (too many archived posts, or a post's first message was deleted), so the paper is held back (never posted twice): look for it in the forum`,
    };
  if (granted === null)
    return {
      messages,
      trusted: false,
      problem: "the bot's permissions in the forum are unknown (it is not in its cache), so an empty read proves nothing",
    };
  return { messages, trusted: true };
}
