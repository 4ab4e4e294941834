import { Errors, type Issue, formError } from './errors.js';
import type { Route, RouteContext } from './http.js';
import type { Dispatch } from './messages.js';
import { Perm } from './permissions.js';
import { enforcedPermissions, visibleChannel } from './rest-routes.js';
import type { ChannelRecord, ReactionRecord, State } from './state.js';
import type { StoredMessage } from './types.js';

type Json = Record<string, unknown>;

// Intent bits (events/gateway, "List of Intents"): neither is privileged.
const GUILD_MESSAGE_REACTIONS = 1 << 10;
const DIRECT_MESSAGE_REACTIONS = 1 << 13;
const SNOWFLAKE = /^\d{17,20}$/;
// A unicode emoji: a pictograph (with its modifiers and joiners), a flag, or a keycap.
const UNICODE_EMOJI =
  /^(?:\p{Extended_Pictographic}|\p{Regional_Indicator}{2}|[#*0-9]\uFE0F?\u20E3)[\p{Extended_Pictographic}\p{Emoji_Modifier}\uFE0F\u200D]*$/u;

const has = (permissions: bigint, bit: bigint): boolean => (permissions & bit) === bit;

/**
 * Reads the `{emoji}` of a reaction route (already URL-decoded): a unicode emoji, or `name:id` for a custom one. The
 * fake knows no custom emojis, so those are Unknown Emoji (10014), as is anything that is not an emoji.
 */
function readEmoji(raw: string): { id: string | null; name: string } {
  if (UNICODE_EMOJI.test(raw)) return { id: null, name: raw };
  throw Errors.unknownEmoji();
}

/** Reactions on messages: Create Reaction, Delete Own/User Reaction, Get Reactions, and their gateway events. */
export class Reactions {
  constructor(
    private readonly state: State,
    private readonly dispatch: Dispatch,
  ) {}

  private record(message: StoredMessage, emoji: { id: string | null; name: string }, create: boolean): ReactionRecord | undefined {
    const list = this.state.reactions.get(message.id) ?? [];
    let record = list.find((r) => r.emoji.name === emoji.name && r.emoji.id === emoji.id);
    if (!record && create) {
      record = { emoji, userIds: [] };
      list.push(record);
      this.state.reactions.set(message.id, list);
    }
    return record;
  }

  private intentFor(channel: ChannelRecord): number {
    return channel.guildId === null ? DIRECT_MESSAGE_REACTIONS : GUILD_MESSAGE_REACTIONS;
  }

  /** A user reacts (once per emoji: a second reaction changes nothing and sends nothing). Returns whether it counted. */
  add(channel: ChannelRecord, message: StoredMessage, userId: string, emoji: { id: string | null; name: string }): boolean {
    const record = this.record(message, emoji, true)!;
    if (record.userIds.includes(userId)) return false;
    record.userIds.push(userId);
    const data: Json = {
      user_id: userId,
      channel_id: channel.id,
      message_id: message.id,
      emoji: { id: emoji.id, name: emoji.name },
      message_author_id: message.authorId,
      burst: false,
      burst_colors: [],
      type: 0,
    };
    if (channel.guildId !== null) {
      const guild = this.state.guilds.get(channel.guildId)!;
      data.guild_id = guild.id;
      // MESSAGE_REACTION_ADD carries the member in a guild (gateway-events, Message Reaction Add).
      if (guild.members.has(userId)) data.member = this.state.guildMemberJson(guild, userId);
    }
    this.dispatch('MESSAGE_REACTION_ADD', data, this.intentFor(channel), channel.guildId);
    return true;
  }

  /** A user takes a reaction back (nothing happens when there was none). Returns whether there was one. */
  remove(channel: ChannelRecord, message: StoredMessage, userId: string, emoji: { id: string | null; name: string }): boolean {
    const record = this.record(message, emoji, false);
    if (!record?.userIds.includes(userId)) return false;
    record.userIds = record.userIds.filter((id) => id !== userId);
    if (record.userIds.length === 0) {
      const rest = (this.state.reactions.get(message.id) ?? []).filter((r) => r !== record);
      if (rest.length === 0) this.state.reactions.delete(message.id);
      else this.state.reactions.set(message.id, rest);
    }
    const data: Json = {
      user_id: userId,
      channel_id: channel.id,
      message_id: message.id,
      emoji: { id: emoji.id, name: emoji.name },
      burst: false,
      type: 0,
      ...(channel.guildId !== null ? { guild_id: channel.guildId } : {}),
    };
    this.dispatch('MESSAGE_REACTION_REMOVE', data, this.intentFor(channel), channel.guildId);
    return true;
  }

  /** Who reacted to a message, by emoji name (test view). */
  of(messageId: string): Record<string, string[]> {
    return Object.fromEntries((this.state.reactions.get(messageId) ?? []).map((r) => [r.emoji.name, [...r.userIds]]));
  }

  private target(ctx: RouteContext): { channel: ChannelRecord; message: StoredMessage; emoji: { id: string | null; name: string } } {
    const channel = visibleChannel(this.state, ctx.params.channelId!);
    const message = channel.messages.find((m) => m.id === ctx.params.messageId);
    if (!message) throw Errors.unknownMessage();
    return { channel, message, emoji: readEmoji(ctx.params.emoji!) };
  }

  /** The REST routes of reactions (the `@me` ones first: they would otherwise match `{user.id}`). */
  routes(route: (method: string, pattern: string, handler: Route['handler']) => Route): Route[] {
    const base = '/channels/:channelId/messages/:messageId/reactions/:emoji';
    const noContent = { status: 204 };
    return [
      // Create Reaction: needs Read Message History, and Add Reactions when nobody has reacted with this emoji yet.
      route('PUT', `${base}/@me`, (ctx) => {
        const { channel, message, emoji } = this.target(ctx);
        const permissions = enforcedPermissions(this.state, channel);
        if (!has(permissions, Perm.ReadMessageHistory)) throw Errors.missingPermissions();
        const existing = this.record(message, emoji, false);
        if (!existing?.userIds.length && !has(permissions, Perm.AddReactions)) throw Errors.missingPermissions();
        this.add(channel, message, this.state.bot.id, emoji);
        return noContent;
      }),
      // Delete Own Reaction.
      route('DELETE', `${base}/@me`, (ctx) => {
        const { channel, message, emoji } = this.target(ctx);
        this.remove(channel, message, this.state.bot.id, emoji);
        return noContent;
      }),
      // Delete User Reaction: needs Manage Messages.
      route('DELETE', `${base}/:userId`, (ctx) => {
        const { channel, message, emoji } = this.target(ctx);
        if (!has(enforcedPermissions(this.state, channel), Perm.ManageMessages)) throw Errors.missingPermissions();
        this.remove(channel, message, ctx.params.userId!, emoji);
        return noContent;
      }),
      // Get Reactions: users who reacted, by ascending id, `after` a user id, `limit` 1–100 (default 25).
      route('GET', base, (ctx) => {
        const { message, emoji } = this.target(ctx);
        const issues: Issue[] = [];
        const limitRaw = ctx.query.get('limit');
        const limit = limitRaw === null ? 25 : Number(limitRaw);
        if (!Number.isInteger(limit) || limit < 1 || limit > 100)
          issues.push({ path: ['limit'], code: 'NUMBER_TYPE_MAX', message: 'int value should be between 1 and 100.' });
        const after = ctx.query.get('after');
        if (after !== null && !SNOWFLAKE.test(after))
          issues.push({ path: ['after'], code: 'NUMBER_TYPE_COERCE', message: `Value "${after}" is not snowflake.` });
        if (issues.length > 0) throw formError(issues);
        const ids = [...(this.record(message, emoji, false)?.userIds ?? [])]
          .sort((a, b) => (BigInt(a) < BigInt(b) ? -1 : BigInt(a) > BigInt(b) ? 1 : 0))
          .filter((id) => after === null || BigInt(id) > BigInt(after))
          .slice(0, limit);
        return {
          status: 200,
          body: ids.flatMap((id) => (this.state.users.get(id) ? [this.state.userJson(this.state.users.get(id)!)] : [])),
        };
      }),
    ];
  }
}
